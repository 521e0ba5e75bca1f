/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which state a partition may go to from which: the table that
 * __gpupart_part_set() enforces, the only writer of a partition's state.
 * Free of kernel headers, so that the host-side test (selftests/host/
 * fsm_try.c) checks this very table. State 0 is a partition being
 * made, before it has a state; see the drawing in part.c.
 */
#ifndef _GPUPART_PART_FSM_H
#define _GPUPART_PART_FSM_H

#define GPUPART_PS(s)	(1u << GPUPART_PARTITION_STATE_##s)

static const unsigned int gpupart_part_next[GPUPART_PARTITION_STATE_MAX + 1] = {
	/* Made by enabling SR-IOV: fresh. Found enabled: its past unknown. */
	[0]				= GPUPART_PS(FREE) | GPUPART_PS(RELEASING),
	/* Assigned, or held out of service by a PCIe error. */
	[GPUPART_PARTITION_STATE_FREE]	= GPUPART_PS(ASSIGNED) | GPUPART_PS(QUARANTINED),
	/* Released or revoked: whoever has the VF open must let go first. */
	[GPUPART_PARTITION_STATE_ASSIGNED] = GPUPART_PS(RELEASING),
	/* Its driver let go; or, found at probe, it was quarantined before. */
	[GPUPART_PARTITION_STATE_RELEASING] = GPUPART_PS(SCRUBBING) | GPUPART_PS(QUARANTINED),
	/* Free only after a reset that worked. */
	[GPUPART_PARTITION_STATE_SCRUBBING] = GPUPART_PS(FREE) | GPUPART_PS(QUARANTINED),
	/* Cleared by an administrator, or back from a PCIe error. */
	[GPUPART_PARTITION_STATE_QUARANTINED] = GPUPART_PS(RELEASING),
};

/* Whether a partition in state @from may go to state @to. */
static inline int gpupart_part_may(unsigned int from, unsigned int to)
{
	return from <= GPUPART_PARTITION_STATE_MAX &&
	       to <= GPUPART_PARTITION_STATE_MAX && to &&
	       (gpupart_part_next[from] >> to) & 1;
}

/* States in which the partition's work is under way: gpupart stays loaded. */
static inline int gpupart_part_busy(unsigned int state)
{
	return state == GPUPART_PARTITION_STATE_RELEASING ||
	       state == GPUPART_PARTITION_STATE_SCRUBBING;
}

#endif /* _GPUPART_PART_FSM_H */
