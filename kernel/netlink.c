// SPDX-License-Identifier: GPL-2.0
/*
 * The "ktftpd" generic-netlink family: commands that read and change the
 * server.  The protocol is documented in include/uapi/linux/ktftpd.h.
 * Handlers change state only through server.c (ktftpd_server_configure()
 * and friends), exactly as sysctl.c does, so the two views agree.
 * Transfers (the GET_SESSIONS dump) and events are in nl_xfers.c.
 */
#include <linux/inet.h>
#include <net/genetlink.h>
#include "client_id.h"
#include "config.h"
#include "privilege.h"
#include "rules.h"
#include "server.h"
#include "stats.h"
#include "netlink.h"

/* Filled from ktftpd_params at init: one table of ranges for every view. */
static struct netlink_range_validation param_range[KTFTPD_P_COUNT];

#define PARAM_POLICY(type, p) NLA_POLICY_FULL_RANGE(type, &param_range[p])

static const struct nla_policy listen_policy[KTFTPD_LISTEN_ATTR_MAX + 1] = {
	[KTFTPD_LISTEN_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[KTFTPD_LISTEN_IPV6]	= NLA_POLICY_EXACT_LEN(16),
};

static const struct nla_policy net_policy[KTFTPD_NET_ATTR_MAX + 1] = {
	[KTFTPD_NET_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[KTFTPD_NET_IPV6]	= NLA_POLICY_EXACT_LEN(16),
	[KTFTPD_NET_PREFIX]	= NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy port_range_policy[KTFTPD_PORT_RANGE_ATTR_MAX + 1] = {
	[KTFTPD_PORT_RANGE_LOW]		= NLA_POLICY_MIN(NLA_U16, 1),
	[KTFTPD_PORT_RANGE_HIGH]	= NLA_POLICY_MIN(NLA_U16, 1),
};

static const struct nla_policy nets_policy[KTFTPD_NETS_ATTR_MAX + 1] = {
	[KTFTPD_NETS_NET]	= NLA_POLICY_NESTED(net_policy),
};

static const struct nla_policy rule_policy[KTFTPD_RULE_ATTR_MAX + 1] = {
	[KTFTPD_RULE_MATCH]	= NLA_POLICY_MAX(NLA_U8, KTFTPD_MATCH_GLOB),
	[KTFTPD_RULE_FLAGS]	= NLA_POLICY_MASK(NLA_U8, TFTP_RULE_FLAGS),
	[KTFTPD_RULE_PATTERN]	= { .type = NLA_NUL_STRING,
				    .len = KTFTPD_RULE_TEXT_MAX },
	[KTFTPD_RULE_REPLACE]	= { .type = NLA_NUL_STRING,
				    .len = KTFTPD_RULE_TEXT_MAX },
};

static const struct nla_policy rules_policy[KTFTPD_RULES_ATTR_MAX + 1] = {
	[KTFTPD_RULES_RULE]	= NLA_POLICY_NESTED(rule_policy),
};

static const struct nla_policy cfg_policy[KTFTPD_CFG_MAX + 1] = {
	[KTFTPD_CFG_ROOT]	= { .type = NLA_NUL_STRING,
				    .len = KTFTPD_ROOT_MAX - 1 },
	[KTFTPD_CFG_LISTEN]	= NLA_POLICY_NESTED(listen_policy),
	[KTFTPD_CFG_RULES]	= NLA_POLICY_NESTED(rules_policy),
	[KTFTPD_CFG_ALLOW]	= NLA_POLICY_NESTED(nets_policy),
	[KTFTPD_CFG_DENY]	= NLA_POLICY_NESTED(nets_policy),
	[KTFTPD_CFG_PORT_RANGE]	= NLA_POLICY_NESTED(port_range_policy),
#define PARAM_ATTR_POLICY(id, name, attr, bits, ...) \
	[attr] = PARAM_POLICY(NLA_U##bits, KTFTPD_P_##id),
	KTFTPD_PARAMS(PARAM_ATTR_POLICY)
#undef PARAM_ATTR_POLICY
};

/* Per command: everything not listed is refused (strict validation). */
static const struct nla_policy no_attrs_policy[KTFTPD_A_MAX + 1] = {
};

static const struct nla_policy config_cmd_policy[KTFTPD_A_MAX + 1] = {
	[KTFTPD_A_CONFIG]	= NLA_POLICY_NESTED(cfg_policy),
};

static const struct nla_policy rewrite_policy[KTFTPD_REWRITE_ATTR_MAX + 1] = {
	[KTFTPD_REWRITE_NAME]		= { .type = NLA_NUL_STRING,
					    .len = KTFTPD_FILE_MAX - 1 },
	[KTFTPD_REWRITE_PEER_IPV4]	= NLA_POLICY_EXACT_LEN(4),
	[KTFTPD_REWRITE_PEER_IPV6]	= NLA_POLICY_EXACT_LEN(16),
};

static const struct nla_policy rewrite_cmd_policy[KTFTPD_A_MAX + 1] = {
	[KTFTPD_A_REWRITE]	= NLA_POLICY_NESTED(rewrite_policy),
};

static const struct nla_policy stop_policy[KTFTPD_A_MAX + 1] = {
	[KTFTPD_A_DRAIN_MS]	= PARAM_POLICY(NLA_U32, KTFTPD_P_DRAIN),
};

static int put_u64(struct sk_buff *msg, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(msg, type, v, pad);
}

static int put_param(struct sk_buff *msg, enum ktftpd_param p, long v)
{
	u16 attr = ktftpd_params[p].attr;

	switch (ktftpd_params[p].bits) {
	case 8:
		return nla_put_u8(msg, attr, v);
	case 16:
		return nla_put_u16(msg, attr, v);
	case 32:
		return nla_put_u32(msg, attr, v);
	default:
		return put_u64(msg, attr, v, KTFTPD_CFG_PAD);
	}
}

static int put_rules(struct sk_buff *msg, const struct ktftpd_rule_list *rules)
{
	struct nlattr *nest, *one;
	unsigned int i;

	nest = nla_nest_start(msg, KTFTPD_CFG_RULES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; rules && i < rules->n; i++) {
		const struct tftp_rule *r = &rules->rule[i];

		one = nla_nest_start(msg, KTFTPD_RULES_RULE);
		if (!one || nla_put_u8(msg, KTFTPD_RULE_MATCH, r->match) ||
		    nla_put_u8(msg, KTFTPD_RULE_FLAGS, r->flags) ||
		    nla_put_string(msg, KTFTPD_RULE_PATTERN, r->pattern) ||
		    nla_put_string(msg, KTFTPD_RULE_REPLACE, r->replace))
			return -EMSGSIZE;
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int put_nets(struct sk_buff *msg, int type,
		    const struct ktftpd_netlist *nets)
{
	struct nlattr *nest, *one;
	unsigned int i;

	nest = nla_nest_start(msg, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < nets->n; i++) {
		const struct tftp_cidr *net = &nets->net[i];

		one = nla_nest_start(msg, KTFTPD_NETS_NET);
		if (!one ||
		    nla_put(msg, net->family == 4 ? KTFTPD_NET_IPV4 :
			    KTFTPD_NET_IPV6, net->family == 4 ? 4 : 16,
			    net->addr) ||
		    nla_put_u8(msg, KTFTPD_NET_PREFIX, net->prefix))
			return -EMSGSIZE;
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * @cfg as KTFTPD_A_CONFIG.  The rules go to administrators only: their
 * patterns name clients (pxelinux.cfg/01-<mac>), and GET_STATUS is
 * anyone's.
 */
static int put_config(struct sk_buff *msg, const struct ktftpd_config *cfg,
		      bool admin)
{
	struct nlattr *nest, *listen, *range;
	unsigned int i;

	nest = nla_nest_start(msg, KTFTPD_A_CONFIG);
	if (!nest || nla_put_string(msg, KTFTPD_CFG_ROOT, cfg->root))
		return -EMSGSIZE;
	for (i = 0; i < KTFTPD_P_COUNT; i++)
		if (put_param(msg, i, cfg->val[i]))
			return -EMSGSIZE;
	listen = nla_nest_start(msg, KTFTPD_CFG_LISTEN);
	if (!listen)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_listen; i++) {
		const struct ktftpd_listen_addr *a = &cfg->listen[i];
		int err = a->family == AF_INET ?
			nla_put_in_addr(msg, KTFTPD_LISTEN_IPV4, a->v4) :
			nla_put_in6_addr(msg, KTFTPD_LISTEN_IPV6, &a->v6);

		if (err)
			return err;
	}
	nla_nest_end(msg, listen);
	range = nla_nest_start(msg, KTFTPD_CFG_PORT_RANGE);
	if (!range ||
	    (cfg->port_low &&
	     (nla_put_u16(msg, KTFTPD_PORT_RANGE_LOW, cfg->port_low) ||
	      nla_put_u16(msg, KTFTPD_PORT_RANGE_HIGH, cfg->port_high))))
		return -EMSGSIZE;
	nla_nest_end(msg, range);
	if ((admin && put_rules(msg, cfg->rules)) ||
	    put_nets(msg, KTFTPD_CFG_ALLOW, &cfg->allow) ||
	    put_nets(msg, KTFTPD_CFG_DENY, &cfg->deny))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

#define COUNTER_ATTR(id, attr, ...) \
	[KTFTPD_C_##id] = attr,
static const u16 counter_attr[KTFTPD_C_COUNT] = {
	KTFTPD_COUNTERS(COUNTER_ATTR)
};

#undef COUNTER_ATTR

static int put_stats(struct sk_buff *msg, struct ktftpd_server *srv)
{
	struct ktftpd_stats_snapshot snap;
	struct nlattr *stats, *errors;
	int i;

	ktftpd_stats_snapshot(&srv->stats, &snap);
	stats = nla_nest_start(msg, KTFTPD_A_STATS);
	if (!stats)
		return -EMSGSIZE;
	for (i = 0; i < KTFTPD_C_COUNT; i++)
		if (put_u64(msg, counter_attr[i], snap.counter[i],
			    KTFTPD_STAT_PAD))
			return -EMSGSIZE;
	if (nla_put_u32(msg, KTFTPD_STAT_ACTIVE, snap.active) ||
	    nla_put_u32(msg, KTFTPD_STAT_PEAK, snap.peak))
		return -EMSGSIZE;
	errors = nla_nest_start(msg, KTFTPD_STAT_ERRORS_SENT);
	if (!errors)
		return -EMSGSIZE;
	for (i = 0; i < TFTP_ERROR_CODES; i++)
		if (put_u64(msg, i + 1, snap.errors_sent[i], KTFTPD_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, errors);
	nla_nest_end(msg, stats);
	return 0;
}

/* What put_rules() and put_nets() add to a message, at most. */
static size_t rules_size(const struct ktftpd_rule_list *rules)
{
	/* Two lists of networks: an address and a prefix each. */
	size_t size = 3 * nla_total_size(sizeof(u16)) +
		      2 * (nla_total_size(0) + KTFTPD_NETS_MAX *
			   (nla_total_size(0) + nla_total_size(16) +
			    nla_total_size(1)));
	unsigned int i;

	for (i = 0; rules && i < rules->n; i++)
		size += nla_total_size(0) + 2 * nla_total_size(1) +
			nla_total_size(strlen(rules->rule[i].pattern) + 1) +
			nla_total_size(strlen(rules->rule[i].replace) + 1);
	return size;
}

/* The server a command acts on: that of the namespace it came from. */
static struct ktftpd_server *info_server(struct genl_info *info)
{
	return ktftpd_server_of(genl_info_net(info));
}

/* A reply to @info, of @size beyond the usual, with what @fill puts. */
static int reply(struct genl_info *info, u8 cmd, size_t size,
		 int (*fill)(struct sk_buff *msg, void *arg), void *arg)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE + size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ktftpd_genl_family, 0, cmd);
	if (!hdr || fill(msg, arg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

struct status_reply {
	struct ktftpd_server *srv;
	struct ktftpd_config *cfg;
	bool admin;
};

static int fill_status(struct sk_buff *msg, void *arg)
{
	const struct status_reply *st = arg;
	int err;

	err = nla_put_u8(msg, KTFTPD_A_RUNNING,
			 ktftpd_server_running(st->srv)) ||
	      put_u64(msg, KTFTPD_A_UPTIME_MS,
		      ktftpd_server_uptime_ms(st->srv), KTFTPD_A_PAD) ||
	      nla_put_string(msg, KTFTPD_A_VERSION, KTFTPD_VERSION) ||
	      put_config(msg, st->cfg, st->admin) || put_stats(msg, st->srv);
	return err ? -EMSGSIZE : 0;
}

static int ktftpd_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct ktftpd_server *srv = info_server(info);
	struct status_reply st = {
		.srv = srv,
		.admin = netlink_ns_capable(skb,
					    ktftpd_admin_userns(genl_info_net(info)),
					    CAP_NET_ADMIN),
	};
	int err;

	st.cfg = ktftpd_config_get(srv);
	/* Up to 64 rules of 2 x 255 bytes: far beyond NLMSG_GOODSIZE. */
	err = reply(info, KTFTPD_CMD_GET_STATUS, rules_size(st.cfg->rules),
		    fill_status, &st);
	ktftpd_config_put(st.cfg);
	return err;
}

/*
 * Turn a KTFTPD_A_CONFIG nest (validated by the policy already) into a
 * change.  Only what the policy cannot say is checked here.
 */
/* The rules of a KTFTPD_CFG_RULES nest, into @rules (the caller's). */
static int parse_rules(struct nlattr *nest, struct ktftpd_config_change *chg,
		       struct tftp_rule *rules, struct nlattr **by_field,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KTFTPD_RULE_ATTR_MAX + 1];
	struct nlattr *a;
	int rem, err;

	by_field[KTFTPD_F_RULES] = nest;
	chg->set_rules = true;
	chg->rules = rules;
	chg->n_rules = 0;
	nla_for_each_nested(a, nest, rem) {
		struct tftp_rule *r = &rules[chg->n_rules];

		if (chg->n_rules == KTFTPD_RULES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "more than 64 rules");
			return -E2BIG;
		}
		if (nla_type(a) != KTFTPD_RULES_RULE) {
			NL_SET_ERR_MSG_ATTR(extack, a, "not a rule");
			return -EINVAL;
		}
		/* The policy has validated it already, nested and all. */
		err = nla_parse_nested(tb, KTFTPD_RULE_ATTR_MAX, a, rule_policy,
				       extack);
		if (err)
			return err;
		if (!tb[KTFTPD_RULE_MATCH] || !tb[KTFTPD_RULE_PATTERN]) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "a rule needs a match and a pattern");
			return -EINVAL;
		}
		by_field[KTFTPD_F_RULE + chg->n_rules] = a;
		r->match = nla_get_u8(tb[KTFTPD_RULE_MATCH]);
		r->flags = tb[KTFTPD_RULE_FLAGS] ?
			   nla_get_u8(tb[KTFTPD_RULE_FLAGS]) : 0;
		r->pattern = nla_data(tb[KTFTPD_RULE_PATTERN]);
		r->replace = tb[KTFTPD_RULE_REPLACE] ?
			     nla_data(tb[KTFTPD_RULE_REPLACE]) : "";
		chg->n_rules++;
	}
	return 0;
}

/* The networks of a KTFTPD_CFG_ALLOW or _DENY nest, into @nets. */
static int parse_nets(struct nlattr *nest, struct ktftpd_netlist *nets,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KTFTPD_NET_ATTR_MAX + 1];
	struct nlattr *a;
	int rem, err;

	nets->n = 0;
	nla_for_each_nested(a, nest, rem) {
		struct tftp_cidr *net = &nets->net[nets->n];
		struct nlattr *addr;

		if (nets->n == KTFTPD_NETS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "more than 64 networks");
			return -E2BIG;
		}
		if (nla_type(a) != KTFTPD_NETS_NET) {
			NL_SET_ERR_MSG_ATTR(extack, a, "not a network");
			return -EINVAL;
		}
		err = nla_parse_nested(tb, KTFTPD_NET_ATTR_MAX, a, net_policy,
				       extack);
		if (err)
			return err;
		if (!tb[KTFTPD_NET_IPV4] == !tb[KTFTPD_NET_IPV6] ||
		    !tb[KTFTPD_NET_PREFIX]) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "a network is one address and a prefix length");
			return -EINVAL;
		}
		addr = tb[KTFTPD_NET_IPV4] ?: tb[KTFTPD_NET_IPV6];
		memset(net, 0, sizeof(*net));
		net->family = tb[KTFTPD_NET_IPV4] ? 4 : 6;
		memcpy(net->addr, nla_data(addr), nla_len(addr));
		net->prefix = nla_get_u8(tb[KTFTPD_NET_PREFIX]);
		nets->n++;
		/* Checked here too, so the ack points at the very network. */
		if (tftp_cidr_check(net)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a prefix length past the address, or host bits set");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse_config(struct nlattr *nest, struct ktftpd_config_change *chg,
			struct tftp_rule *rules, struct ktftpd_netlist *nets,
			struct nlattr **by_field, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KTFTPD_CFG_MAX + 1];
	struct nlattr *a;
	int i, rem, err;

	err = nla_parse_nested(tb, KTFTPD_CFG_MAX, nest, cfg_policy, extack);
	if (err)
		return err;
	for (i = 0; i < KTFTPD_P_COUNT; i++) {
		a = tb[ktftpd_params[i].attr];
		if (!a)
			continue;
		by_field[i] = a;
		chg->set |= BIT(i);
		switch (ktftpd_params[i].bits) {
		case 8:
			chg->val[i] = nla_get_u8(a);
			break;
		case 16:
			chg->val[i] = nla_get_u16(a);
			break;
		case 32:
			chg->val[i] = nla_get_u32(a);
			break;
		default:
			chg->val[i] = nla_get_u64(a);
			break;
		}
	}
	if (tb[KTFTPD_CFG_ROOT]) {
		by_field[KTFTPD_F_ROOT] = tb[KTFTPD_CFG_ROOT];
		chg->root = nla_data(tb[KTFTPD_CFG_ROOT]);
		chg->root_len = strnlen(chg->root, nla_len(tb[KTFTPD_CFG_ROOT]));
	}
	if (tb[KTFTPD_CFG_LISTEN]) {
		by_field[KTFTPD_F_LISTEN] = tb[KTFTPD_CFG_LISTEN];
		chg->set_listen = true;
		nla_for_each_nested(a, tb[KTFTPD_CFG_LISTEN], rem) {
			struct ktftpd_listen_addr *la;

			if (chg->n_listen == KTFTPD_LISTEN_MAX) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "more than 8 listen addresses");
				return -E2BIG;
			}
			la = &chg->listen[chg->n_listen++];
			if (nla_type(a) == KTFTPD_LISTEN_IPV4) {
				la->family = AF_INET;
				la->v4 = nla_get_in_addr(a);
			} else if (nla_type(a) == KTFTPD_LISTEN_IPV6) {
				la->family = AF_INET6;
				la->v6 = nla_get_in6_addr(a);
			} else {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "unknown listen address type");
				return -EINVAL;
			}
		}
	}
	if (tb[KTFTPD_CFG_PORT_RANGE]) {
		struct nlattr *r[KTFTPD_PORT_RANGE_ATTR_MAX + 1];

		by_field[KTFTPD_F_PORT_RANGE] = tb[KTFTPD_CFG_PORT_RANGE];
		err = nla_parse_nested(r, KTFTPD_PORT_RANGE_ATTR_MAX,
				       tb[KTFTPD_CFG_PORT_RANGE],
				       port_range_policy, extack);
		if (err)
			return err;
		if (!r[KTFTPD_PORT_RANGE_LOW] != !r[KTFTPD_PORT_RANGE_HIGH]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KTFTPD_CFG_PORT_RANGE],
					    "a port range is both LOW and HIGH, or neither");
			return -EINVAL;
		}
		chg->set_port_range = true;
		if (r[KTFTPD_PORT_RANGE_LOW]) {
			chg->port_low = nla_get_u16(r[KTFTPD_PORT_RANGE_LOW]);
			chg->port_high = nla_get_u16(r[KTFTPD_PORT_RANGE_HIGH]);
		}
	}
	if (tb[KTFTPD_CFG_ALLOW]) {
		by_field[KTFTPD_F_ALLOW] = tb[KTFTPD_CFG_ALLOW];
		chg->allow = &nets[0];
		err = parse_nets(tb[KTFTPD_CFG_ALLOW], &nets[0], extack);
		if (err)
			return err;
	}
	if (tb[KTFTPD_CFG_DENY]) {
		by_field[KTFTPD_F_DENY] = tb[KTFTPD_CFG_DENY];
		chg->deny = &nets[1];
		err = parse_nets(tb[KTFTPD_CFG_DENY], &nets[1], extack);
		if (err)
			return err;
	}
	if (tb[KTFTPD_CFG_RULES])
		return parse_rules(tb[KTFTPD_CFG_RULES], chg, rules, by_field,
				   extack);
	return 0;
}

/*
 * NL_SET_ERR_MSG_ATTR takes only a literal; @msg comes from config.c or
 * server.c, always a literal there, so the pointer may be kept as well.
 */
static void set_extack(struct netlink_ext_ack *extack, const char *msg,
		       const struct nlattr *attr)
{
	if (!extack || !msg)
		return;
	extack->_msg = msg;
	extack->bad_attr = attr;
}

struct config_reply {
	struct ktftpd_server *srv;
	bool changed;
};

static int fill_changed(struct sk_buff *msg, void *arg)
{
	struct config_reply *r = arg;

	if (nla_put_u8(msg, KTFTPD_A_CHANGED, r->changed) ||
	    nla_put_u8(msg, KTFTPD_A_RUNNING, ktftpd_server_running(r->srv)))
		return -EMSGSIZE;
	return 0;
}

/* Every field a change can name, for the extended ack of a refusal. */
#define KTFTPD_F_COUNT	(KTFTPD_F_RULE + KTFTPD_RULES_MAX)

static int configure(struct genl_info *info, u8 cmd, bool start)
{
	struct nlattr **by_field = NULL;
	struct ktftpd_config_change *chg;
	struct tftp_rule *rules = NULL;
	struct ktftpd_netlist *nets = NULL;
	struct config_reply r = { .srv = info_server(info) };
	const char *why = NULL;
	struct sk_buff *msg;
	int bad = -1;
	void *hdr;
	int err;

	if (!start && GENL_REQ_ATTR_CHECK(info, KTFTPD_A_CONFIG))
		return -EINVAL;
	chg = kzalloc(sizeof(*chg), GFP_KERNEL);
	rules = kcalloc(KTFTPD_RULES_MAX, sizeof(*rules), GFP_KERNEL);
	nets = kcalloc(2, sizeof(*nets), GFP_KERNEL);	/* allow, deny */
	by_field = kcalloc(KTFTPD_F_COUNT, sizeof(*by_field), GFP_KERNEL);
	/*
	 * The answer is allocated before anything changes: once the change
	 * is made, nothing may fail, or the caller would be told "refused"
	 * about a config that was applied (found by failslab).
	 */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!chg || !rules || !nets || !by_field || !msg) {
		err = -ENOMEM;
		goto out;
	}
	if (info->attrs[KTFTPD_A_CONFIG]) {
		err = parse_config(info->attrs[KTFTPD_A_CONFIG], chg, rules,
				   nets, by_field, info->extack);
		if (err)
			goto out;
	}
	err = ktftpd_server_configure(r.srv, chg, start, &r.changed, &bad,
				      &why);
	if (err) {
		set_extack(info->extack, why,
			   bad >= 0 && bad < KTFTPD_F_COUNT ? by_field[bad] : NULL);
		goto out;
	}
	kfree(by_field);
	kfree(nets);
	kfree(rules);
	kfree(chg);
	hdr = genlmsg_put_reply(msg, info, &ktftpd_genl_family, 0, cmd);
	if (!hdr || fill_changed(msg, &r)) {
		/* Cannot happen in NLMSG_GOODSIZE; the change stands. */
		nlmsg_free(msg);
		return 0;
	}
	genlmsg_end(msg, hdr);
	/*
	 * Done either way: if the caller's socket cannot take the answer,
	 * it sees ENOBUFS there, and the change still stands.
	 */
	genlmsg_reply(msg, info);
	return 0;
out:
	nlmsg_free(msg);
	kfree(by_field);
	kfree(nets);
	kfree(rules);
	kfree(chg);
	return err;
}

static int ktftpd_nl_start(struct sk_buff *skb, struct genl_info *info)
{
	return configure(info, KTFTPD_CMD_START, true);
}

static int ktftpd_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	return configure(info, KTFTPD_CMD_SET_CONFIG, false);
}

/* A REWRITE_TEST: its question, and what the config in force answers. */
struct rewrite_test {
	char name[KTFTPD_FILE_MAX];	/* normalized, in place */
	struct ktftpd_addr peer;
	bool has_peer;
	struct ktftpd_client_id cid;	/* for its MAC */
	char unique[KTFTPD_UNIQUE_DIR_MAX];
	bool has_unique;
	struct ktftpd_rewritten rw;
	struct tftp_refusal ref;
	bool ok;
};

static int fill_rewrite(struct sk_buff *msg, void *arg)
{
	const struct rewrite_test *t = arg;
	struct nlattr *nest = nla_nest_start(msg, KTFTPD_A_REWRITE);

	if (!nest ||
	    nla_put_string(msg, KTFTPD_REWRITE_NORMALIZED, t->name) ||
	    put_u64(msg, KTFTPD_REWRITE_APPLIED, t->rw.applied,
		    KTFTPD_REWRITE_PAD) ||
	    (t->ok && nla_put_string(msg, KTFTPD_REWRITE_LOOKUP,
				     t->rw.lookup ? t->rw.lookup : t->name)) ||
	    (t->cid.id.mac &&
	     nla_put_string(msg, KTFTPD_REWRITE_MAC, t->cid.id.mac)) ||
	    (t->ok && t->has_unique &&
	     nla_put_string(msg, KTFTPD_REWRITE_UNIQUE, t->unique)) ||
	    (!t->ok && (nla_put_u16(msg, KTFTPD_REWRITE_ERROR_CODE,
				    t->ref.code) ||
			nla_put_string(msg, KTFTPD_REWRITE_ERROR_MSG,
				       t->ref.why))))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* The request's name and client, from a validated KTFTPD_A_REWRITE. */
static int parse_rewrite(struct genl_info *info, struct rewrite_test *t)
{
	struct nlattr *tb[KTFTPD_REWRITE_ATTR_MAX + 1];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KTFTPD_A_REWRITE))
		return -EINVAL;
	err = nla_parse_nested(tb, KTFTPD_REWRITE_ATTR_MAX,
			       info->attrs[KTFTPD_A_REWRITE], rewrite_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[KTFTPD_REWRITE_NAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KTFTPD_A_REWRITE],
				    "no file name to test");
		return -EINVAL;
	}
	if (tb[KTFTPD_REWRITE_PEER_IPV4] && tb[KTFTPD_REWRITE_PEER_IPV6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KTFTPD_REWRITE_PEER_IPV6],
				    "one client address, IPv4 or IPv6");
		return -EINVAL;
	}
	nla_strscpy(t->name, tb[KTFTPD_REWRITE_NAME], sizeof(t->name));
	if (tb[KTFTPD_REWRITE_PEER_IPV4]) {
		t->has_peer = true;
		t->peer.v4.sin_family = AF_INET;
		t->peer.v4.sin_addr.s_addr =
			nla_get_in_addr(tb[KTFTPD_REWRITE_PEER_IPV4]);
	} else if (tb[KTFTPD_REWRITE_PEER_IPV6]) {
		t->has_peer = true;
		t->peer.v6.sin6_family = AF_INET6;
		t->peer.v6.sin6_addr =
			nla_get_in6_addr(tb[KTFTPD_REWRITE_PEER_IPV6]);
	}
	return 0;
}

/*
 * The same steps as a request's (xfer.c): the switches, then the rules,
 * with the client's MAC from any interface's neighbour table.
 */
static int ktftpd_nl_rewrite_test(struct sk_buff *skb, struct genl_info *info)
{
	struct ktftpd_server *srv = info_server(info);
	struct ktftpd_config *cfg;
	struct rewrite_test *t;
	size_t len;
	int err;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	err = parse_rewrite(info, t);
	if (err)
		goto out;
	cfg = ktftpd_config_get(srv);
	len = tftp_normalize_filename(t->name, strlen(t->name),
				      ktftpd_name_switches(cfg));
	if (t->has_peer)
		ktftpd_client_id(srv->net, &t->peer, 0, true, &t->cid);
	if (len == 0)
		t->ok = tftp_refuse(&t->ref, TFTP_EACCESS,
				    "Access violation: not a file");
	else
		t->ok = ktftpd_rules_apply(cfg, srv->net,
					   t->has_peer ? &t->peer : NULL,
					   0, t->name, &t->rw, &t->ref);
	t->has_unique = ktftpd_unique_dir(cfg, srv->net,
					  t->has_peer ? &t->peer : NULL,
					  0, t->unique);
	ktftpd_config_put(cfg);
	err = reply(info, KTFTPD_CMD_REWRITE_TEST, 2 * KTFTPD_FILE_MAX,
		    fill_rewrite, t);
	kfree(t->rw.lookup);
out:
	kfree(t);
	return err;
}

static int ktftpd_nl_stop(struct sk_buff *skb, struct genl_info *info)
{
	struct ktftpd_server *srv = info_server(info);
	struct nlattr *drain = info->attrs[KTFTPD_A_DRAIN_MS];

	if (drain)
		return ktftpd_server_stop_drain(srv, nla_get_u32(drain));
	return ktftpd_server_stop(srv);
}

/* Not const: the admin commands' flag is chosen at load (privilege.h). */
static struct genl_ops ktftpd_genl_ops[] __ro_after_init = {
	{
		.cmd	= KTFTPD_CMD_GET_STATUS,
		.doit	= ktftpd_nl_get_status,
		.policy	= no_attrs_policy,
		.maxattr = KTFTPD_A_MAX,
	},
	{
		.cmd	= KTFTPD_CMD_START,
		.doit	= ktftpd_nl_start,
		.policy	= config_cmd_policy,
		.maxattr = KTFTPD_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KTFTPD_CMD_STOP,
		.doit	= ktftpd_nl_stop,
		.policy	= stop_policy,
		.maxattr = KTFTPD_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KTFTPD_CMD_SET_CONFIG,
		.doit	= ktftpd_nl_set_config,
		.policy	= config_cmd_policy,
		.maxattr = KTFTPD_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KTFTPD_CMD_REWRITE_TEST,
		.doit	= ktftpd_nl_rewrite_test,
		.policy	= rewrite_cmd_policy,
		.maxattr = KTFTPD_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KTFTPD_CMD_GET_SESSIONS,
		.dumpit	= ktftpd_nl_dump_xfers,
		.policy	= no_attrs_policy,
		.maxattr = KTFTPD_A_MAX,
		.flags	= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group ktftpd_mcgrps[] = {
	/* Events name client addresses: for administrators only. */
	{ .name = KTFTPD_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family ktftpd_genl_family __ro_after_init = {
	.name		= KTFTPD_GENL_NAME,
	.version	= KTFTPD_GENL_VERSION,
	.maxattr	= KTFTPD_A_MAX,
	/*
	 * A command acts on the server of the namespace it came from, and
	 * events go to that namespace's listeners alone.  The privilege
	 * is CAP_NET_ADMIN in the initial user namespace unless the
	 * operator chose otherwise (privilege.h).
	 */
	.netnsok	= true,
	.module		= THIS_MODULE,
	/*
	 * Not under genl_mutex: a stop's drain may take minutes, and every
	 * generic-netlink family on the machine (the family-ID lookup every
	 * client starts with, WireGuard's config) would wait that long.
	 * The server's own locks serialize what needs it (server.c).
	 */
	.parallel_ops	= true,
	.ops		= ktftpd_genl_ops,
	.n_ops		= ARRAY_SIZE(ktftpd_genl_ops),
	.mcgrps		= ktftpd_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ktftpd_mcgrps),
	/* Strict validation for every command: none predates it. */
	.resv_start_op	= KTFTPD_CMD_MAX + 1,
};

int ktftpd_netlink_init(void)
{
	int i, err;

	/*
	 * Every config attribute but root, listen, rules, allow, deny and
	 * port_range is a parameter, and
	 * every stats attribute but the gauges and the error nest a
	 * counter: an attribute added to the uapi without its row in
	 * params.h or counters.h would be refused as unknown.
	 */
	BUILD_BUG_ON(KTFTPD_CFG_MAX - KTFTPD_CFG_PAD != KTFTPD_P_COUNT + 6);
	BUILD_BUG_ON(KTFTPD_STAT_MAX - KTFTPD_STAT_PAD != KTFTPD_C_COUNT + 3);

	for (i = 0; i < KTFTPD_P_COUNT; i++) {
		param_range[i].min = ktftpd_params[i].min;
		param_range[i].max = ktftpd_params[i].max;
	}
	for (i = 0; i < ARRAY_SIZE(ktftpd_genl_ops); i++)
		if (ktftpd_genl_ops[i].flags & GENL_ADMIN_PERM)
			ktftpd_genl_ops[i].flags = ktftpd_admin_genl_flag();
	err = genl_register_family(&ktftpd_genl_family);
	if (!err)
		ktftpd_nl_events_on();
	return err;
}

void ktftpd_netlink_exit(void)
{
	ktftpd_nl_events_off();
	genl_unregister_family(&ktftpd_genl_family);
}
