/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_CONFIG_H
#define KTFTPD_CONFIG_H

#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <uapi/linux/ktftpd.h>

#define KTFTPD_DEFAULT_PORT	69
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
	u16 port;
	char root[KTFTPD_ROOT_MAX];
};

int ktftpd_config_init(void);
void ktftpd_config_exit(void);

struct ktftpd_config *ktftpd_config_get(void);
void ktftpd_config_put(struct ktftpd_config *cfg);

int ktftpd_config_set_port(long port);
int ktftpd_config_set_root(const char *root, size_t len);

#endif /* KTFTPD_CONFIG_H */
