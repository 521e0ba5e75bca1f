// SPDX-License-Identifier: GPL-2.0
/*
 * Refusals' reasons, formatted into an extack or the log; and formatted
 * extack messages for kernels before 6.2 (see compat.h).
 */
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "compat.h"

#ifndef NL_SET_ERR_MSG_FMT

/*
 * A formatted text, owned by the task whose request it answers: the ack
 * that copies it is built in that task's sendmsg(), after the handler
 * returned, and the text is freed when the task returns to user space.
 * So no other request can reuse it meanwhile, however many a flood sends.
 * A message batching many failed requests holds one text for each until
 * its sendmsg() returns: as much as the socket's send buffer allows.
 */
struct gpupart_extack_text {
	struct callback_head free_work;
	char msg[GPUPART_EXTACK_LEN];
};

static void gpupart_extack_free(struct callback_head *free_work)
{
	kfree(container_of(free_work, struct gpupart_extack_text, free_work));
}

/**
 * gpupart_extack_msg() - format an extack message that outlives the handler
 * @fmt: printf format
 *
 * Context: a request handler, in the requesting task; may sleep.
 * Return: the formatted text, truncated to GPUPART_EXTACK_LEN - 1 bytes,
 * valid until the task returns to user space; a fixed text when it could
 * not be kept.
 */
const char *gpupart_extack_msg(const char *fmt, ...)
{
	struct gpupart_extack_text *t;
	va_list args;

	if (current->flags & PF_KTHREAD)
		return "refused (no task to keep the reason)";
	t = kmalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return "refused (no memory for the reason)";
	va_start(args, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, args);
	va_end(args);
	init_task_work(&t->free_work, gpupart_extack_free);
	if (task_work_add(current, &t->free_work, TWA_RESUME)) {
		/* The task is exiting: nobody reads the ack. */
		kfree(t);
		return "refused (the task is exiting)";
	}
	return t->msg;
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
