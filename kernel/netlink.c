// SPDX-License-Identifier: GPL-2.0
/*
 * The "ktftpd" generic-netlink family.  The protocol is documented in
 * include/uapi/linux/ktftpd.h.  Handlers read and change state only through
 * config.c and server.c, exactly as sysctl.c does.
 */
#include <net/genetlink.h>
#include "config.h"
#include "server.h"
#include "netlink.h"

static const struct nla_policy ktftpd_policy[KTFTPD_A_MAX + 1] = {
	[KTFTPD_A_RUNNING]	= { .type = NLA_U8 },
	[KTFTPD_A_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[KTFTPD_A_ROOT]		= { .type = NLA_NUL_STRING,
				    .len = KTFTPD_ROOT_MAX - 1 },
};

static struct genl_family ktftpd_genl_family;

static int ktftpd_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct ktftpd_config *cfg;
	struct sk_buff *msg;
	void *hdr;
	int ret = -EMSGSIZE;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ktftpd_genl_family, 0,
				KTFTPD_CMD_GET_STATUS);
	if (!hdr)
		goto err_free;

	cfg = ktftpd_config_get();
	if (nla_put_u8(msg, KTFTPD_A_RUNNING, ktftpd_server_running()) ||
	    nla_put_u16(msg, KTFTPD_A_PORT, cfg->val[KTFTPD_P_PORT]) ||
	    nla_put_string(msg, KTFTPD_A_ROOT, cfg->root)) {
		ktftpd_config_put(cfg);
		goto err_free;
	}
	ktftpd_config_put(cfg);

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

static const struct genl_small_ops ktftpd_genl_ops[] = {
	{
		.cmd	= KTFTPD_CMD_GET_STATUS,
		.doit	= ktftpd_nl_get_status,
	},
};

static struct genl_family ktftpd_genl_family __ro_after_init = {
	.name		= KTFTPD_GENL_NAME,
	.version	= KTFTPD_GENL_VERSION,
	.maxattr	= KTFTPD_A_MAX,
	.policy		= ktftpd_policy,
	.netnsok	= false,
	.module		= THIS_MODULE,
	.small_ops	= ktftpd_genl_ops,
	.n_small_ops	= ARRAY_SIZE(ktftpd_genl_ops),
	/* Strict validation for every command: none predates it. */
	.resv_start_op	= KTFTPD_CMD_MAX + 1,
};

int ktftpd_netlink_init(void)
{
	return genl_register_family(&ktftpd_genl_family);
}

void ktftpd_netlink_exit(void)
{
	genl_unregister_family(&ktftpd_genl_family);
}
