// SPDX-License-Identifier: GPL-2.0
/*
 * gpupart: GPU partitioning for Linux/KVM hypervisor hosts.
 *
 * Binds the physical functions of partitionable GPUs and is controlled
 * through the "gpupart" generic netlink family.
 */
#include <linux/module.h>

#include "gpupart.h"

static int __init gpupart_init(void)
{
	int rc;

	rc = gpupart_placement_init();
	if (rc)
		return rc;
	/*
	 * ORDER: the partitions' workqueue and the family first, so that they exist
	 * before any device can appear, and the PCI driver after them; exit
	 * undoes this in reverse.
	 */
	rc = gpupart_part_init();
	if (rc)
		return rc;
	rc = gpupart_nl_register(gpupart_nl_ops, ARRAY_SIZE(gpupart_nl_ops));
	if (rc)
		goto err_part_exit;
	rc = gpupart_pci_init();
	if (rc)
		goto err_unregister_family;
	gpupart_debugfs_init();
	gpupart_watch_init();
	return 0;

err_unregister_family:
	gpupart_nl_unregister();
err_part_exit:
	gpupart_part_exit();
	return rc;
}

static void __exit gpupart_exit(void)
{
	gpupart_watch_exit();
	gpupart_debugfs_exit();
	gpupart_pci_exit();
	gpupart_nl_unregister();
	gpupart_part_exit();
}

module_init(gpupart_init);
module_exit(gpupart_exit);

MODULE_DESCRIPTION("GPU partitioning for Linux/KVM hypervisor hosts");
MODULE_LICENSE("GPL");
