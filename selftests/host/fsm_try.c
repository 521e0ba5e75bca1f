// SPDX-License-Identifier: GPL-2.0
/*
 * The two lives' tables, the ones the kernel's only writers of a state
 * enforce: a partition's (kmod/part_fsm.h) and a GPU record's
 * (kmod/dev_fsm.h), each against the life part.c, dev.c and the admin
 * guide draw: every drawn step is allowed, every other step (and every
 * state out of range) refused. Prints TAP.
 */
#include <stdio.h>
#include <string.h>

#include <linux/gpupart.h>
#include "part_fsm.h"
#include "dev_fsm.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const part_name[] = {
	"new", "free", "assigned", "scrubbing", "quarantined", "releasing",
};

/* The drawn life of a partition, as "from>to" pairs. */
static const char *const part_drawn[] = {
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

static const char *const dev_name[] = {
	"new", "host", "giving", "passed", "returning", "stranded", "gone",
};

/* The drawn life of a GPU's record. */
static const char *const dev_drawn[] = {
	"new>host",		/* probed */
	"host>giving",		/* claimed for a VM */
	"host>gone",		/* deleted, unbound */
	"giving>passed",	/* the passthrough driver has it for the VM */
	"giving>returning",	/* ... but the VM lost its claim meanwhile */
	"giving>host",		/* the handover failed */
	"giving>stranded",	/* nobody has it */
	"giving>gone",		/* deleted meanwhile */
	"passed>returning",	/* released */
	"passed>host",		/* bound to gpupart by hand */
	"passed>gone",		/* deleted, gpupart unloaded */
	"returning>host",
	"returning>stranded",
	"returning>gone",
	"stranded>host",
	"stranded>gone",
};

struct life {
	const char *what;
	const char *const *name;
	unsigned int max;
	const char *const *drawn;
	size_t n_drawn;
	int (*may)(unsigned int from, unsigned int to);
};

static int drawn(const struct life *l, unsigned int from, unsigned int to)
{
	char pair[32];
	size_t i;

	snprintf(pair, sizeof(pair), "%s>%s", l->name[from], l->name[to]);
	for (i = 0; i < l->n_drawn; i++)
		if (!strcmp(pair, l->drawn[i]))
			return 1;
	return 0;
}

/* Two TAP lines for one life, numbered from @t. */
static void check(const struct life *l, unsigned int t)
{
	unsigned int from, to, n = 0, bad = 0;

	for (from = 0; from <= l->max; from++)
		for (to = 0; to <= l->max; to++) {
			n += l->may(from, to);
			if (l->may(from, to) != drawn(l, from, to)) {
				printf("# %s: %s -> %s: table says %d, the drawing %d\n",
				       l->what, l->name[from], l->name[to],
				       l->may(from, to), drawn(l, from, to));
				bad++;
			}
		}
	printf("%sok %u %s: every step between states is as drawn (%u allowed)\n",
	       bad ? "not " : "", t, l->what, n);
	bad = 0;
	for (from = 0; from <= l->max + 2; from++)
		bad += l->may(from, l->max + 1) + l->may(l->max + 1, from) +
		       l->may(from, ~0u) + l->may(~0u, from) +
		       l->may(from, 0);
	printf("%sok %u %s: no step back to new, none out of range\n",
	       bad ? "not " : "", t + 1, l->what);
}

int main(void)
{
	const struct life part = {
		"partition", part_name, GPUPART_PARTITION_STATE_MAX,
		part_drawn, N(part_drawn), gpupart_part_may,
	};
	const struct life dev = {
		"GPU record", dev_name, GPUPART_DEV_STATE_MAX,
		dev_drawn, N(dev_drawn), gpupart_dev_may,
	};
	unsigned int s, bad = 0;

	if (N(part_name) != part.max + 1 || N(dev_name) != dev.max + 1) {
		printf("1..1\nnot ok 1 the states named here are not the headers' (%zu of %u, %zu of %u)\n",
		       N(part_name) - 1, part.max, N(dev_name) - 1, dev.max);
		return 1;
	}
	printf("1..6\n");
	check(&part, 1);
	for (s = 0; s <= part.max; s++)
		bad += gpupart_part_busy(s) != (s == GPUPART_PARTITION_STATE_RELEASING ||
						s == GPUPART_PARTITION_STATE_SCRUBBING);
	printf("%sok 3 partition: gpupart stays loaded while releasing or scrubbing only\n",
	       bad ? "not " : "");
	check(&dev, 4);
	bad = 0;
	for (s = 0; s <= dev.max; s++)
		bad += (gpupart_dev_moving(s) != (s == GPUPART_DEV_GIVING ||
						  s == GPUPART_DEV_RETURNING)) +
		       (gpupart_dev_away(s) != (s == GPUPART_DEV_PASSED ||
						s == GPUPART_DEV_STRANDED));
	printf("%sok 6 GPU record: handed over while giving or returning; away while passed or stranded\n",
	       bad ? "not " : "");
	return 0;
}
