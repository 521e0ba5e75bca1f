// SPDX-License-Identifier: GPL-2.0
/*
 * The partition life's table (kmod/part_fsm.h), the one the kernel's only
 * writer of a partition's state enforces, against the life the admin
 * guide and part.c draw: every allowed step is allowed, every other step
 * (and every state out of range) refused. Prints TAP.
 */
#include <stdio.h>
#include <string.h>

#include <linux/gpupart.h>
#include "part_fsm.h"

static const char *const name[] = {
	"new", "free", "assigned", "scrubbing", "quarantined", "releasing",
};

/* The drawn life, as "from>to" pairs. */
static const char *const allowed[] = {
	"new>free",		/* SR-IOV enabled by gpupart */
	"new>releasing",	/* found enabled at probe */
	"free>assigned",
	"free>quarantined",	/* held by a PCIe error */
	"assigned>releasing",	/* release, revocation */
	"releasing>scrubbing",	/* the VF's driver let go */
	"releasing>quarantined", /* found marked quarantined */
	"scrubbing>free",
	"scrubbing>quarantined",
	"quarantined>releasing", /* clear, recovery */
};

static int drawn(unsigned int from, unsigned int to)
{
	char pair[32];
	size_t i;

	snprintf(pair, sizeof(pair), "%s>%s", name[from], name[to]);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!strcmp(pair, allowed[i]))
			return 1;
	return 0;
}

int main(void)
{
	unsigned int from, to, n = 0, bad = 0, max = GPUPART_PARTITION_STATE_MAX;

	if (sizeof(name) / sizeof(name[0]) != max + 1) {
		printf("1..1\nnot ok 1 the uAPI has %u states, this test names %zu\n",
		       max, sizeof(name) / sizeof(name[0]) - 1);
		return 1;
	}
	printf("1..3\n");
	for (from = 0; from <= max; from++)
		for (to = 0; to <= max; to++) {
			n += gpupart_part_may(from, to);
			if (gpupart_part_may(from, to) != drawn(from, to)) {
				printf("# %s -> %s: table says %d, the drawing %d\n",
				       name[from], name[to], gpupart_part_may(from, to),
				       drawn(from, to));
				bad++;
			}
		}
	printf("%sok 1 every step between states is as drawn (%u allowed)\n",
	       bad ? "not " : "", n);
	bad = 0;
	for (from = 0; from <= max + 2; from++)
		bad += gpupart_part_may(from, max + 1) + gpupart_part_may(max + 1, from) +
		       gpupart_part_may(from, 0) + gpupart_part_may(from, ~0u);
	printf("%sok 2 no step to state 0 or out of range, nor from out of range\n",
	       bad ? "not " : "");
	bad = 0;
	for (from = 0; from <= max; from++)
		bad += gpupart_part_busy(from) != (from == GPUPART_PARTITION_STATE_RELEASING ||
						   from == GPUPART_PARTITION_STATE_SCRUBBING);
	printf("%sok 3 gpupart stays loaded while releasing or scrubbing only\n",
	       bad ? "not " : "");
	return 0;
}
