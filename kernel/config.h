/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_CONFIG_H
#define KTFTPD_CONFIG_H

#include <linux/kref.h>
#include <linux/path.h>
#include <linux/rcupdate.h>
#include <uapi/linux/ktftpd.h>
#include "validate.h"

#define KTFTPD_DEFAULT_ROOT	"/srv/tftp"

/*
 * One immutable configuration.  The current one is published with RCU; a
 * change builds a new copy and swaps it in whole, so a reader (a transfer,
 * sysctl, netlink) always sees one consistent set of values, and a transfer
 * keeps the config it started under for as long as it holds a reference.
 */
struct ktftpd_config {
	struct kref ref;
	struct rcu_head rcu;
	long val[KTFTPD_P_COUNT];	/* indexed by enum ktftpd_param */
	char root[KTFTPD_ROOT_MAX];
	/*
	 * @root resolved when it was set, in the setter's own context: a
	 * kernel thread resolves names against init's root, which is not
	 * the writer's in a chroot or another mount namespace.  Valid only
	 * when @root_ok (the default root may not exist at load).
	 */
	struct path root_path;
	bool root_ok;
};

int ktftpd_config_init(void);
void ktftpd_config_exit(void);

struct ktftpd_config *ktftpd_config_get(void);
/* Process context only: the last put releases the root's path. */
void ktftpd_config_put(struct ktftpd_config *cfg);

/* One value of the config in force (a snapshot: it may change after). */
long ktftpd_config_value(enum ktftpd_param p);

int ktftpd_config_set(enum ktftpd_param p, long value);
/* Validate and resolve @root (not NUL-terminated, @len bytes) in the
 * caller's context; -EINVAL, -ENOENT, -ENOTDIR... keep the old root. */
int ktftpd_config_set_root(const char *root, size_t len);

#endif /* KTFTPD_CONFIG_H */
