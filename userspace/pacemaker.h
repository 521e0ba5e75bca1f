/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpupartctl cluster utilization and cluster cib: the hosts described to
 * Pacemaker, which places VMs and restarts them after a failure.
 */
#ifndef PACEMAKER_H
#define PACEMAKER_H

struct ctl;

int cluster_utilization(struct ctl *ctl, int argc, char **argv);
int cluster_cib(struct ctl *ctl, int argc, char **argv);

#endif
