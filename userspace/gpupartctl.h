/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GPUPARTCTL_H
#define GPUPARTCTL_H

#include <stdbool.h>

#include "gpnl.h"

/* Exit codes: success, an operation failed (kernel said no), a usage error. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2
/* vm check: the VM holds nothing. */
#define EXIT_NOTHING	3
/* vm check: gpupart cannot be asked (not loaded, or the request failed). */
#define EXIT_UNKNOWN	4

struct ctl {
	bool json;
	bool pretty;
	struct gpnl nl;
	bool connected;
};

/**
 * struct ctl_cmd - one command of an object; usage text is printed from it
 * @name: the keyword
 * @args: argument synopsis
 * @help: one line of description
 * @run: handler, given the arguments after the keyword; returns an exit code
 */
struct ctl_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(struct ctl *ctl, int argc, char **argv);
};

struct ctl_object {
	const char *name;
	const char *help;
	const struct ctl_cmd *cmds;
};

extern const struct ctl_object ctl_cluster;
extern const struct ctl_object ctl_config;
extern const struct ctl_object ctl_dev;
extern const struct ctl_object ctl_host;
extern const struct ctl_object ctl_metrics;
extern const struct ctl_object ctl_monitor;
extern const struct ctl_object ctl_vm;

/* The devices of a DEV_GET, collected in order by dev_collect(); free @devs. */
struct dev_list {
	struct gpnl_dev *devs;
	unsigned int n;
};

int dev_collect(const struct gpnl_dev *d, void *arg);

/* The fields of one device, and of the host, for every command that shows them. */
void dev_fields(const struct gpnl_dev *d);
void host_fields(const struct gpnl_host *h);
void vm_assign_fields(const struct gpnl_vm *vm, const struct gpnl_assign *a);

/* Connect on first use; prints the reason and returns false on failure. */
bool ctl_connect(struct ctl *ctl);
/*
 * For the commands that follow events (monitor, cluster utilization
 * --follow): connect and join the monitor group, waiting for gpupart
 * while it is not loaded, which is said once on stderr; *@waited tells
 * whether it was. Return: 0 or -errno.
 */
int ctl_monitor_join(struct ctl *ctl, bool *waited);
/* Prints the kernel's reason for @err (or strerror) and returns EXIT_FAIL. */
int ctl_fail(struct ctl *ctl, int err);
/* Prints "@what" as a usage error with the object's usage; EXIT_USAGE. */
int ctl_usage_error(const struct ctl_object *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* profile.c: the vendor profile hook */
const char *profile_hook(void);
void profile_lock(void);
void profile_unlock(void);
int profile_run(const char *action, const char *vf, const char *profile);
int profile_apply(struct ctl *ctl, const char *name, const struct gpnl_assign *a);
void profile_clear(struct ctl *ctl, const char *name);
const char *profile_why(int rc);
int profile_again(const struct gpnl_vm *vm);

#endif
