// SPDX-License-Identifier: GPL-2.0
/*
 * aer_inj: inject one PCIe error through the kernel's aer_inject module.
 *
 *   aer_inj DDDD:BB:DD.F cor|uncor STATUS
 *
 * STATUS is the bit mask of the AER Correctable or Uncorrectable Error
 * Status register, in hex (e.g. uncor 4000: Completion Timeout). The
 * record's layout is what drivers/pci/pcie/aer_inject.c reads from
 * /dev/aer_inject; it is not part of the kernel's uapi headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct aer_error_inj {
	uint8_t bus;
	uint8_t dev;
	uint8_t fn;
	uint32_t uncor_status;
	uint32_t cor_status;
	uint32_t header_log[4];
	uint32_t domain;
};

int main(int argc, char **argv)
{
	struct aer_error_inj e = { 0 };
	unsigned int dom, bus, dev, fn;
	unsigned long status;
	char *end;
	int fd;

	if (argc != 4 || sscanf(argv[1], "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4 ||
	    (strcmp(argv[2], "cor") && strcmp(argv[2], "uncor"))) {
		fprintf(stderr, "usage: aer_inj DDDD:BB:DD.F cor|uncor STATUS\n");
		return 2;
	}
	status = strtoul(argv[3], &end, 16);
	if (*end || !status || status > UINT32_MAX) {
		fprintf(stderr, "aer_inj: STATUS must be a non-zero 32-bit hex mask\n");
		return 2;
	}
	e.domain = dom;
	e.bus = bus;
	e.dev = dev;
	e.fn = fn;
	if (!strcmp(argv[2], "cor"))
		e.cor_status = status;
	else
		e.uncor_status = status;
	fd = open("/dev/aer_inject", O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "aer_inj: /dev/aer_inject: %s\n", strerror(errno));
		return 1;
	}
	if (write(fd, &e, sizeof(e)) != sizeof(e)) {
		fprintf(stderr, "aer_inj: inject into %s: %s\n", argv[1], strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
