// SPDX-License-Identifier: GPL-2.0
/* Who administers a namespace's server: see privilege.h. */
#include <linux/capability.h>
#include <linux/moduleparam.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include "privilege.h"

/* Read-only once loaded: the family's flags are chosen at registration. */
static bool userns_admin;
module_param(userns_admin, bool, 0444);
MODULE_PARM_DESC(userns_admin,
		 "Let CAP_NET_ADMIN over the user namespace that owns a network namespace administer its server (default: only CAP_NET_ADMIN in the initial user namespace)");

bool ktftpd_userns_admin(void)
{
	return userns_admin;
}

struct user_namespace *ktftpd_admin_userns(const struct net *net)
{
	return userns_admin ? net->user_ns : &init_user_ns;
}

bool ktftpd_may_administer(const struct net *net)
{
	return ns_capable(ktftpd_admin_userns(net), CAP_NET_ADMIN);
}

bool ktftpd_host_administered(const struct net *net)
{
	return ktftpd_admin_userns(net) == &init_user_ns;
}

u8 ktftpd_admin_genl_flag(void)
{
	/* GENL_UNS_ADMIN_PERM: netlink_ns_capable(skb, net->user_ns, ...). */
	return userns_admin ? GENL_UNS_ADMIN_PERM : GENL_ADMIN_PERM;
}
