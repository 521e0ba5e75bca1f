// SPDX-License-Identifier: GPL-2.0
/*
 * The vendor profile hook. A partition of a GPU the built-in table names
 * needs its vendor's profile (NVIDIA's vGPU type) before its VM can use
 * it; the kernel names the profile (DEV_GET, VM_ASSIGN), and the vendor's
 * mechanism is a program the operator installs as the hook:
 *
 *   HOOK apply VF PROFILE   leave exactly PROFILE on VF, clearing another
 *   HOOK clear VF           leave no profile on VF
 *
 * exit 0 for done; anything else failed, and what the hook printed (its
 * stdout goes to stderr, so that it never mixes with -j output) says why.
 * gpupartctl applies the profile right after the kernel assigned the
 * partition, and releases the VM again when that fails, so that no VM is
 * given a VF without its profile; it clears the profile while the VM
 * still holds the partition, before releasing it. Every gpupartctl of the
 * host takes one lock (profile_lock()) from before the assignment to the
 * end of the apply or its undoing, and from the clear's look at what the
 * VM holds to the end of the release: a clear never meets another VM's
 * apply of the same VF, and an undoing never releases another process's
 * VM. SIGINT, SIGTERM and SIGHUP wait meanwhile. A hook is given 60 s
 * (GPUPART_PROFILE_TIMEOUT: 1 to 3600 s); then it and whatever it started
 * (its own session) are killed. A clear that fails (a VMM still has the
 * VF) leaves a stale profile, which the next apply replaces. Only
 * SIGKILL ends gpupartctl between an assignment and its apply: vm
 * profile NAME applies again what VM NAME's partitions need.
 */
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpupartctl.h"

#define PROFILE_HOOK		"/etc/gpupart/profile-hook"
#define PROFILE_LOCK_DIR	"/run/gpupart"
#define PROFILE_LOCK		PROFILE_LOCK_DIR "/profile.lock"
#define PROFILE_TIMEOUT_S	60
#define PROFILE_TIMEOUT_MAX	3600

static int profile_lock_fd = -1;
static sigset_t profile_sigs_was;

/**
 * profile_lock() - hold the host's profile lock, signals waiting
 *
 * Around an assignment and its apply, and around a clear and its release
 * (see the top). Without /run/gpupart writable (not root: the requests
 * will be refused anyway) it goes on unlocked.
 */
void profile_lock(void)
{
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, &profile_sigs_was);
	mkdir(PROFILE_LOCK_DIR, 0755);
	profile_lock_fd = open(PROFILE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (profile_lock_fd >= 0 && flock(profile_lock_fd, LOCK_EX)) {
		close(profile_lock_fd);
		profile_lock_fd = -1;
	}
}

/** profile_unlock() - let go of the lock; signals that waited come now */
void profile_unlock(void)
{
	if (profile_lock_fd >= 0)
		close(profile_lock_fd);
	profile_lock_fd = -1;
	sigprocmask(SIG_SETMASK, &profile_sigs_was, NULL);
}

const char *profile_hook(void)
{
	const char *hook = getenv("GPUPART_PROFILE_HOOK");

	return hook && *hook ? hook : PROFILE_HOOK;
}

/* Seconds a hook is given, or 0 when GPUPART_PROFILE_TIMEOUT is not valid. */
static unsigned int profile_timeout(void)
{
	const char *s = getenv("GPUPART_PROFILE_TIMEOUT");
	unsigned long t;
	char *end;

	if (!s || !*s)
		return PROFILE_TIMEOUT_S;
	errno = 0;
	t = strtoul(s, &end, 10);
	if (errno || *end || *s < '0' || *s > '9' || !t || t > PROFILE_TIMEOUT_MAX)
		return 0;
	return t;
}

/**
 * profile_why() - what a failed profile_run() means, for a message
 * @rc: its return
 */
const char *profile_why(int rc)
{
	switch (rc) {
	case -ETIMEDOUT:
		return "timed out";
	case -EINVAL:
		return "GPUPART_PROFILE_TIMEOUT is not a number of seconds from 1 to 3600";
	default:
		return "failed";
	}
}

/*
 * Run the hook, waiting at most its timeout: 0 when it exited 0, -ENOENT
 * when there is none, -EINVAL when the timeout set is not valid,
 * -ETIMEDOUT, or -EIO for any other end.
 */
int profile_run(const char *action, const char *vf, const char *profile)
{
	const char *hook = profile_hook();
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	unsigned int timeout = profile_timeout();
	unsigned int waited;
	pid_t pid, got;
	int status;

	if (access(hook, X_OK))
		return -ENOENT;
	if (!timeout)
		return -EINVAL;
	/* A caller that ignores SIGCHLD would leave nothing to wait for. */
	signal(SIGCHLD, SIG_DFL);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		sigprocmask(SIG_SETMASK, &profile_sigs_was, NULL);
		/* Its own session, killed whole; its output on stderr. */
		setsid();
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl(hook, hook, action, vf, profile, (char *)NULL);
		_exit(127);
	}
	for (waited = 0; waited < timeout * 20; waited++) {
		got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
		if (got < 0 && errno != EINTR)
			return -errno;
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

/*
 * Partition @a's profile applied, if it needs one: 0, or the hook's
 * failure, said on stderr without an end of line (the caller says what
 * became of the VM).
 */
static int profile_put(const struct gpnl_assign *a)
{
	int rc;

	if (!a->has_index || !a->profile[0])
		return 0;
	rc = profile_run("apply", a->vf, a->profile);
	if (rc == -ENOENT)
		fprintf(stderr, "Error: VF %s needs vendor profile %s and no profile hook is installed (%s)",
			a->vf, a->profile, profile_hook());
	else if (rc)
		fprintf(stderr, "Error: the profile hook could not give VF %s profile %s (%s)",
			a->vf, a->profile, profile_why(rc));
	return rc;
}

/*
 * A partition the kernel just gave VM @name: its profile, or the VM is
 * released again. Returns 0 or the exit code to end with, having said why.
 */
int profile_apply(struct ctl *ctl, const char *name, const struct gpnl_assign *a)
{
	if (!profile_put(a))
		return 0;
	/* Under the lock, the VM is still the one this process assigned. */
	if (gpnl_vm_release(&ctl->nl, name))
		fprintf(stderr, "; VM %s could not be released: %s\n", name,
			ctl->nl.err[0] ? ctl->nl.err : "the request failed");
	else
		fprintf(stderr, "; VM %s released\n", name);
	return EXIT_FAIL;
}

static int profile_clear_each(const struct gpnl_vm *vm, void *arg)
{
	unsigned int i;
	int rc;

	(void)arg;
	for (i = 0; i < vm->n; i++) {
		const struct gpnl_assign *a = &vm->a[i];

		if (!a->has_index || !a->profile[0])
			continue;
		rc = profile_run("clear", a->vf, "");
		if (rc && rc != -ENOENT)
			fprintf(stderr, "Warning: the profile hook could not clear VF %s (%s); the next VM's apply replaces it\n",
				a->vf, profile_why(rc));
	}
	return 0;
}

/* Before VM @name lets go: the profiles of its partitions cleared. */
void profile_clear(struct ctl *ctl, const char *name)
{
	gpnl_vm_get(&ctl->nl, name, profile_clear_each, NULL);
}

/**
 * profile_again() - apply again the profiles VM @vm's partitions need
 * @vm: what the VM holds, read under the profile lock
 *
 * For a VM whose gpupartctl was killed between its assignment and the
 * apply (vm profile). The VM keeps what it holds whatever happens: this
 * repairs, it does not undo. Return: 0, or -1 having said why.
 */
int profile_again(const struct gpnl_vm *vm)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < vm->n; i++) {
		if (!profile_put(&vm->a[i]))
			continue;
		fprintf(stderr, "; VM %s keeps it\n", vm->name);
		bad = -1;
	}
	return bad;
}
