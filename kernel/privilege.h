/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who administers a namespace's server: CAP_NET_ADMIN over the user
 * namespace this returns.  By default that is the initial one, for every
 * namespace: a kernel file server reachable from unprivileged user
 * namespaces is a larger attack surface, so the operator must choose it
 * (the userns_admin module parameter; then it is the user namespace that
 * owns the network namespace, as for its routes and addresses).
 */
#ifndef KTFTPD_PRIVILEGE_H
#define KTFTPD_PRIVILEGE_H

#include <linux/types.h>

struct net;
struct user_namespace;

/* Was the module loaded with userns_admin=1?  Fixed at load. */
bool ktftpd_userns_admin(void);

/* The user namespace whose CAP_NET_ADMIN administers @net's server. */
struct user_namespace *ktftpd_admin_userns(const struct net *net);

/*
 * May the current task change @net's server?  For a sysctl write: the
 * files' mode admits uid 0 whatever its capabilities, and the files of
 * net.ktftpd steer a file server, so they ask what netlink asks.
 */
bool ktftpd_may_administer(const struct net *net);

/*
 * Is @net's server administered from the initial user namespace (always,
 * unless userns_admin=1)?  Only then may its settings give it more than a
 * user's own sockets may have: a user namespace's root is not the host's.
 */
bool ktftpd_host_administered(const struct net *net);

/* The generic-netlink flag of a command that changes a server. */
u8 ktftpd_admin_genl_flag(void);

#endif /* KTFTPD_PRIVILEGE_H */
