// SPDX-License-Identifier: GPL-2.0
/*
 * Refusals' reasons, formatted into an extack or the log; and formatted
 * extack messages for kernels before 6.2 (see compat.h).
 */
#include <linux/kernel.h>
#include <linux/pci.h>
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

void gpupart_refuse(struct pci_dev *pdev, struct netlink_ext_ack *extack,
		    const char *fmt, ...)
{
	char why[GPUPART_EXTACK_LEN];
	va_list args;

	va_start(args, fmt);
	vscnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	if (extack)
		gpupart_extack_fmt(extack, "%s", why);
	else if (pdev)
		pci_info_ratelimited(pdev, "refused: %s\n", why);
	else
		pr_info_ratelimited("gpupart: refused: %s\n", why);
}
