// SPDX-License-Identifier: GPL-2.0
/*
 * The "ktftpd" generic-netlink family.  The protocol is documented in
 * include/uapi/linux/ktftpd.h.  Handlers read and change state only through
 * config.c and server.c, exactly as sysctl.c does.
 */
#include <net/genetlink.h>
#include "config.h"
#include "server.h"
#include "stats.h"
#include "netlink.h"

static const struct nla_policy ktftpd_policy[KTFTPD_A_MAX + 1] = {
	[KTFTPD_A_RUNNING]	= { .type = NLA_U8 },
	[KTFTPD_A_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[KTFTPD_A_ROOT]		= { .type = NLA_NUL_STRING,
				    .len = KTFTPD_ROOT_MAX - 1 },
	/* Reply only: never accepted from user space. */
	[KTFTPD_A_STATS]	= { .type = NLA_REJECT },
};

static struct genl_family ktftpd_genl_family;

/* Counter attributes in the order of enum ktftpd_counter. */
static const u16 counter_attr[KTFTPD_C_COUNT] = {
	[KTFTPD_C_REQUESTS]		= KTFTPD_STAT_REQUESTS,
	[KTFTPD_C_XFER_COMPLETED]	= KTFTPD_STAT_XFER_COMPLETED,
	[KTFTPD_C_XFER_FAILED]		= KTFTPD_STAT_XFER_FAILED,
	[KTFTPD_C_BYTES_SENT]		= KTFTPD_STAT_BYTES_SENT,
	[KTFTPD_C_PACKETS_SENT]		= KTFTPD_STAT_PACKETS_SENT,
	[KTFTPD_C_RETRANSMITS]		= KTFTPD_STAT_RETRANSMITS,
	[KTFTPD_C_REFUSED_BUSY]		= KTFTPD_STAT_REFUSED_BUSY,
	[KTFTPD_C_BYTES_RECEIVED]	= KTFTPD_STAT_BYTES_RECEIVED,
};

static int put_stats(struct sk_buff *msg)
{
	struct ktftpd_stats_snapshot snap;
	struct nlattr *stats, *errors;
	int i;

	ktftpd_stats_snapshot(&snap);
	stats = nla_nest_start(msg, KTFTPD_A_STATS);
	if (!stats)
		return -EMSGSIZE;
	for (i = 0; i < KTFTPD_C_COUNT; i++)
		if (nla_put_u64_64bit(msg, counter_attr[i], snap.counter[i],
				      KTFTPD_STAT_PAD))
			return -EMSGSIZE;
	if (nla_put_u32(msg, KTFTPD_STAT_ACTIVE, snap.active) ||
	    nla_put_u32(msg, KTFTPD_STAT_PEAK, snap.peak))
		return -EMSGSIZE;
	errors = nla_nest_start(msg, KTFTPD_STAT_ERRORS_SENT);
	if (!errors)
		return -EMSGSIZE;
	for (i = 0; i < TFTP_ERROR_CODES; i++)
		if (nla_put_u64_64bit(msg, i + 1, snap.errors_sent[i],
				      KTFTPD_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, errors);
	nla_nest_end(msg, stats);
	return 0;
}

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
	    nla_put_string(msg, KTFTPD_A_ROOT, cfg->root) ||
	    put_stats(msg)) {
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
