// SPDX-License-Identifier: GPL-2.0
/*
 * Formatted extack messages for kernels before 6.2 (see compat.h).
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>

#include "compat.h"

#ifndef NL_SET_ERR_MSG_FMT

/*
 * Sized so that a slot is reused only when 63 other refusals were formatted
 * while one ack was still being built, which takes microseconds.
 */
#define GPUPART_EXTACK_SLOTS	64

static char gpupart_extack_ring[GPUPART_EXTACK_SLOTS][GPUPART_EXTACK_LEN];
static unsigned int gpupart_extack_next;
/* gpupart_extack_lock guards gpupart_extack_next and the slot being written. */
static DEFINE_SPINLOCK(gpupart_extack_lock);

/**
 * gpupart_extack_msg() - format an extack message that outlives the handler
 * @fmt: printf format
 *
 * Return: the formatted text, truncated to GPUPART_EXTACK_LEN - 1 bytes.
 */
const char *gpupart_extack_msg(const char *fmt, ...)
{
	va_list args;
	char *slot;

	spin_lock(&gpupart_extack_lock);
	slot = gpupart_extack_ring[gpupart_extack_next];
	gpupart_extack_next = (gpupart_extack_next + 1) % GPUPART_EXTACK_SLOTS;
	va_start(args, fmt);
	vsnprintf(slot, GPUPART_EXTACK_LEN, fmt, args);
	va_end(args);
	spin_unlock(&gpupart_extack_lock);

	return slot;
}

#endif
