/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which state a GPU's record may go to from which: the table that
 * __gpupart_dev_set_state() enforces, the only writer of a record's state.
 * Free of kernel headers, so that the host-side test (selftests/host/
 * dev_fsm_try.c) checks this very table. See the drawing in dev.c.
 */
#ifndef _GPUPART_DEV_FSM_H
#define _GPUPART_DEV_FSM_H

/**
 * enum gpupart_dev_state - who has a GPU's physical function
 * @GPUPART_DEV_NEW: being probed, not yet in the registry
 * @GPUPART_DEV_HOST: gpupart is its driver; modes, partitions
 * @GPUPART_DEV_GIVING: being handed to the passthrough driver for its VM
 * @GPUPART_DEV_PASSED: the passthrough driver has it, for its VM
 * @GPUPART_DEV_RETURNING: released, or its claim lost: being taken back,
 *	once its VMM let go, and reset
 * @GPUPART_DEV_STRANDED: a handover ended with neither gpupart nor the
 *	passthrough driver for a VM bound; it stays out of use until bound
 *	to gpupart again
 * @GPUPART_DEV_GONE: out of the registry: its PF was deleted, or unbound
 *	from gpupart outside a handover
 * @GPUPART_DEV_STATE_MAX: the last state
 */
enum gpupart_dev_state {
	GPUPART_DEV_NEW,
	GPUPART_DEV_HOST,
	GPUPART_DEV_GIVING,
	GPUPART_DEV_PASSED,
	GPUPART_DEV_RETURNING,
	GPUPART_DEV_STRANDED,
	GPUPART_DEV_GONE,
	GPUPART_DEV_STATE_MAX = GPUPART_DEV_GONE,
};

#define GPUPART_DS(s)	(1u << GPUPART_DEV_##s)

static const unsigned int gpupart_dev_next[GPUPART_DEV_STATE_MAX + 1] = {
	[GPUPART_DEV_NEW]	= GPUPART_DS(HOST),
	/* Claimed for a VM; or unbound from gpupart, or deleted. */
	[GPUPART_DEV_HOST]	= GPUPART_DS(GIVING) | GPUPART_DS(GONE),
	/*
	 * Where the handover ended: the passthrough driver has it for the
	 * VM; or it has it but the VM lost its claim meanwhile (a PCIe
	 * error), so it comes back; gpupart has it again; nobody has it;
	 * it was deleted.
	 */
	[GPUPART_DEV_GIVING]	= GPUPART_DS(PASSED) | GPUPART_DS(RETURNING) |
				  GPUPART_DS(HOST) | GPUPART_DS(STRANDED) |
				  GPUPART_DS(GONE),
	/* Released; bound to gpupart by hand; deleted, or gpupart unloaded. */
	[GPUPART_DEV_PASSED]	= GPUPART_DS(RETURNING) | GPUPART_DS(HOST) |
				  GPUPART_DS(GONE),
	/* Where taking it back ended. */
	[GPUPART_DEV_RETURNING]	= GPUPART_DS(HOST) | GPUPART_DS(STRANDED) |
				  GPUPART_DS(GONE),
	/* Bound to gpupart by hand; deleted, or gpupart unloaded. */
	[GPUPART_DEV_STRANDED]	= GPUPART_DS(HOST) | GPUPART_DS(GONE),
	[GPUPART_DEV_GONE]	= 0,
};

/* Whether a record in state @from may go to state @to. */
static inline int gpupart_dev_may(unsigned int from, unsigned int to)
{
	return from <= GPUPART_DEV_STATE_MAX && to <= GPUPART_DEV_STATE_MAX &&
	       (gpupart_dev_next[from] >> to) & 1;
}

/* A handover is under way: its end decides where the GPU is. */
static inline int gpupart_dev_moving(unsigned int state)
{
	return state == GPUPART_DEV_GIVING || state == GPUPART_DEV_RETURNING;
}

/* gpupart is not the PF's driver, and no handover is under way. */
static inline int gpupart_dev_away(unsigned int state)
{
	return state == GPUPART_DEV_PASSED || state == GPUPART_DEV_STRANDED;
}

#endif /* _GPUPART_DEV_FSM_H */
