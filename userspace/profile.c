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
 * exit 0 for done; anything else failed, and what the hook printed on
 * stderr says why. gpupartctl applies the profile right after the kernel
 * assigned the partition, and releases the VM again when that fails, so
 * that no VM is given a VF without its profile; it clears the profile
 * while the VM still holds the partition, before releasing it, so that a
 * clear never meets the next VM's apply. A clear that fails (a VMM still
 * has the VF) leaves a stale profile, which the next apply replaces.
 */
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
#define PROFILE_TIMEOUT_S	60

const char *profile_hook(void)
{
	const char *hook = getenv("GPUPART_PROFILE_HOOK");

	return hook && *hook ? hook : PROFILE_HOOK;
}

/*
 * Run the hook, waiting at most PROFILE_TIMEOUT_S: 0 when it exited 0,
 * -ENOENT when there is none, -ETIMEDOUT, or -EIO for any other end.
 */
int profile_run(const char *action, const char *vf, const char *profile)
{
	const char *hook = profile_hook();
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	int status, waited;
	pid_t pid, got;

	if (access(hook, X_OK))
		return -ENOENT;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execl(hook, hook, action, vf, profile, (char *)NULL);
		_exit(127);
	}
	for (waited = 0; waited < PROFILE_TIMEOUT_S * 20; waited++) {
		got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
		if (got < 0 && errno != EINTR)
			return -errno;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

/*
 * A partition the kernel just gave VM @name: its profile, or the VM is
 * released again. Returns 0 or the exit code to end with, having said why.
 */
int profile_apply(struct ctl *ctl, const char *name, const struct gpnl_assign *a)
{
	int rc;

	if (!a->has_index || !a->profile[0])
		return 0;
	rc = profile_run("apply", a->vf, a->profile);
	if (!rc)
		return 0;
	gpnl_vm_release(&ctl->nl, name);
	if (rc == -ENOENT)
		fprintf(stderr, "Error: VF %s needs vendor profile %s and no profile hook is installed (%s); VM %s released\n",
			a->vf, a->profile, profile_hook(), name);
	else
		fprintf(stderr, "Error: the profile hook could not give VF %s profile %s (%s); VM %s released\n",
			a->vf, a->profile, rc == -ETIMEDOUT ? "timed out" : "failed", name);
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
				a->vf, rc == -ETIMEDOUT ? "timed out" : "failed");
	}
	return 0;
}

/* Before VM @name lets go: the profiles of its partitions cleared. */
void profile_clear(struct ctl *ctl, const char *name)
{
	gpnl_vm_get(&ctl->nl, name, profile_clear_each, NULL);
}
