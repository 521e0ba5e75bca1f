// SPDX-License-Identifier: GPL-2.0
/*
 * fault_req: one gpupart request whose Nth fault-injection point (an
 * allocation, with failslab) fails, through /proc/thread-self/fail-nth.
 * Everything else the request needs (socket, files) is made first, so the
 * count starts at the request itself.
 *
 *   fault_req N dev-set PCI none|dda|partition [COUNT]
 *   fault_req N assign VM
 *   fault_req N dda VM PCI
 *   fault_req N release VM
 *   fault_req N clear PCI INDEX
 *   fault_req N bind PCI          (probe, through the driver's bind file)
 *   fault_req N load KO [PARAMS]  (module init, and the probes it makes)
 *
 * Prints "injected 0|1 points P rc ERRNO-NAME|ok reason TEXT": whether the
 * fault was injected (no: the request has fewer than N fault points, P of
 * them), what the request returned and the kernel's reason. Exits 2 on a
 * usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gpnl.h"

static int nth_fd;

static void arm(unsigned long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lu", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		perror("fail-nth");
		exit(1);
	}
}

/* What is left of the count: 0 when the fault was injected. Disarms. */
static unsigned long disarm(void)
{
	char buf[32] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0) {
		perror("fail-nth");
		exit(1);
	}
	arm(0);
	return strtoul(buf, NULL, 10);
}

static int write_file(const char *path, const char *val, unsigned long n)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	arm(n);
	if (write(fd, val, strlen(val)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int load(const char *ko, const char *params, unsigned long n)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	arm(n);
	if (syscall(SYS_finit_module, fd, params, 0))
		rc = -errno;
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct gpnl nl = { .err = "" };
	unsigned long n, left;
	const char *op;
	int rc = -EINVAL;

	if (argc < 4)
		return 2;
	n = strtoul(argv[1], NULL, 0);
	op = argv[2];
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0) {
		perror("/proc/thread-self/fail-nth");
		return 1;
	}
	if (strcmp(op, "bind") && strcmp(op, "load") && gpnl_open(&nl)) {
		fprintf(stderr, "gpupart not loaded\n");
		return 1;
	}

	if (!strcmp(op, "dev-set") && argc >= 5) {
		uint32_t mode = gpnl_value(&gpnl_modes, argv[4]);

		arm(n);
		rc = gpnl_dev_set(&nl, argv[3], mode, argc > 5 ? atoi(argv[5]) : 0,
				  argc > 5);
	} else if (!strcmp(op, "assign")) {
		arm(n);
		rc = gpnl_vm_assign(&nl, argv[3], 0, NULL, NULL, NULL);
	} else if (!strcmp(op, "dda") && argc >= 5) {
		arm(n);
		rc = gpnl_vm_assign(&nl, argv[3], GPUPART_KIND_DDA, argv[4], NULL, NULL);
	} else if (!strcmp(op, "release")) {
		arm(n);
		rc = gpnl_vm_release(&nl, argv[3]);
	} else if (!strcmp(op, "clear") && argc >= 5) {
		arm(n);
		rc = gpnl_partition_clear(&nl, argv[3], atoi(argv[4]));
	} else if (!strcmp(op, "bind")) {
		rc = write_file("/sys/bus/pci/drivers/gpupart/bind", argv[3], n);
	} else if (!strcmp(op, "load")) {
		rc = load(argv[3], argc > 4 ? argv[4] : "", n);
	} else {
		return 2;
	}
	left = disarm();
	printf("injected %d points %lu rc %s reason %s\n", !left, n - left,
	       rc ? strerrorname_np(-rc) ?: "?" : "ok", nl.err[0] ? nl.err : "-");
	gpnl_close(&nl);
	return 0;
}
