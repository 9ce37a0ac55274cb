// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/net/ktftpd: the kHTTPd-style view of the server.  Every handler
 * parses into a scratch value, validates it and only then hands it to
 * config.c or server.c, so a bad write returns EINVAL and changes nothing.
 */
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/inet.h>
#include "compat.h"
#include "config.h"
#include "privilege.h"
#include "server.h"
#include "sysctl.h"

/* Which list a networks sysctl is (its extra1 points at one of these). */
static const int nets_fields[2] = { KTFTPD_F_ALLOW, KTFTPD_F_DENY };

/*
 * "stop", "root", "listen", "allow", "deny" and "port_range" come first
 * in the table, then the params.
 */
#define FIRST_PARAM 6
/* Eight IPv6 addresses in text, with spaces. */
#define KTFTPD_LISTEN_TEXT_MAX (KTFTPD_LISTEN_MAX * (INET6_ADDRSTRLEN + 1) + 1)
/* 64 IPv6 networks in text ("/128"), with spaces. */
#define KTFTPD_NETS_TEXT_MAX (KTFTPD_NETS_MAX * (INET6_ADDRSTRLEN + 5) + 1)

/*
 * Run proc_dointvec on a scratch int.  *written tells whether a new value
 * arrived; an empty write, or one that leaves anything unparsed ("1 2",
 * say), is refused whole rather than half applied.
 */
static int sysctl_int(int *val, int write, void *buffer, size_t *lenp,
		      loff_t *ppos, bool *written)
{
	struct ctl_table tmp = { .data = val, .maxlen = sizeof(*val) };
	size_t len = *lenp;
	loff_t pos = *ppos;
	int ret;

	*written = false;
	/* proc_dointvec takes an empty write as success: it is not a value. */
	if (write && pos == 0 && len == 0)
		return -EINVAL;
	ret = proc_dointvec(&tmp, write, buffer, lenp, ppos);
	if (ret || !write || pos != 0)
		return ret;	/* a write at an offset is ignored, as ever */
	if (*lenp != len)
		return -EINVAL;
	*written = true;
	return 0;
}

/*
 * Every handler starts here: a write needs CAP_NET_ADMIN over the user
 * namespace that administers the server, as a netlink change does.
 */
static int may_write(const struct ktftpd_server *srv, int write)
{
	return write && !ktftpd_may_administer(srv->net) ? -EPERM : 0;
}

static int ktftpd_sysctl_stop(ktftpd_ctl_table *table, int write,
			      void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ktftpd_server *srv = table->extra2;
	int stop = !ktftpd_server_running(srv);
	bool written;
	int ret;

	ret = may_write(srv, write);
	if (ret)
		return ret;

	ret = sysctl_int(&stop, write, buffer, lenp, ppos, &written);
	if (ret || !written)
		return ret;
	if (stop != 0 && stop != 1)
		return -EINVAL;
	return stop ? ktftpd_server_stop(srv) : ktftpd_server_start(srv);
}

/* A change of one thing, through the path netlink takes too. */
static int apply(struct ktftpd_server *srv,
		 const struct ktftpd_config_change *chg)
{
	const char *why;
	bool changed;
	int bad, ret;

	ret = ktftpd_server_configure(srv, chg, false, &changed, &bad, &why);
	/* A range is EINVAL here, as proc_dointvec_minmax has it. */
	return ret == -ERANGE ? -EINVAL : ret;
}

static int set_param(struct ktftpd_server *srv, enum ktftpd_param p, long val)
{
	struct ktftpd_config_change chg = { .set = BIT(p) };

	chg.val[p] = val;
	return apply(srv, &chg);
}

/*
 * Every numeric parameter: table->extra1 points at its enum ktftpd_param.
 * Values are longs (max_write_size passes 2^31) and a file mode is read and
 * written in octal, so these are parsed here rather than by proc_dointvec.
 * A value is written whole, in one write: an empty one, trailing junk or
 * an offset is EINVAL, and the old value stays.
 */
static int ktftpd_sysctl_param(ktftpd_ctl_table *table, int write,
			       void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ktftpd_server *srv = table->extra2;
	enum ktftpd_param p = *(const enum ktftpd_param *)table->extra1;
	const struct ktftpd_param_desc *d = &ktftpd_params[p];
	char text[24];
	struct ctl_table tmp = { .data = text, .maxlen = sizeof(text) };
	long val;
	int ret;

	ret = may_write(srv, write);
	if (ret)
		return ret;

	if (!write) {
		val = ktftpd_config_value(srv, p);
		if (d->kind != KTFTPD_KIND_CHOICE ||
		    !ktftpd_param_choice_name(p, val, text, sizeof(text)))
			snprintf(text, sizeof(text),
				 d->kind == KTFTPD_KIND_MODE ? "%#lo" : "%ld", val);
		return proc_dostring(&tmp, 0, buffer, lenp, ppos);
	}
	if (*ppos != 0 || *lenp >= sizeof(text))
		return -EINVAL;
	memcpy(text, buffer, *lenp);
	text[*lenp] = '\0';
	/* Spaces and a newline around the value are fine, as for proc_dointvec. */
	if (d->kind == KTFTPD_KIND_CHOICE)
		ret = ktftpd_param_choice_parse(p, strim(text), &val) ? 0 : -EINVAL;
	else
		ret = kstrtol(strim(text), d->kind == KTFTPD_KIND_MODE ? 8 : 10,
			      &val);
	if (ret)
		return -EINVAL;
	ret = set_param(srv, p, val);
	if (ret)
		return ret;
	*ppos += *lenp;
	return 0;
}

static int ktftpd_sysctl_root(ktftpd_ctl_table *table, int write,
			      void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ktftpd_server *srv = table->extra2;
	struct ktftpd_config *cfg;
	char root[KTFTPD_ROOT_MAX];
	struct ctl_table tmp = { .data = root, .maxlen = sizeof(root) };
	size_t len;
	int ret;

	ret = may_write(srv, write);
	if (ret)
		return ret;

	if (!write) {
		cfg = ktftpd_config_get(srv);
		strscpy(root, cfg->root, sizeof(root));
		ktftpd_config_put(cfg);
		return proc_dostring(&tmp, 0, buffer, lenp, ppos);
	}

	/* A root is written whole, in one write, or not at all. */
	if (*ppos != 0)
		return -EINVAL;
	len = *lenp;
	if (len > 0 && ((const char *)buffer)[len - 1] == '\n')
		len--;
	{
		struct ktftpd_config_change chg = {
			.root = buffer, .root_len = len,
		};

		ret = apply(srv, &chg);
	}
	if (ret)
		return ret;
	*ppos += *lenp;
	return 0;
}

/*
 * The listen addresses, separated by spaces; empty: every address.  Read
 * back in the same form, so what is written can be written again.
 */
static int ktftpd_sysctl_listen(ktftpd_ctl_table *table, int write,
				void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ktftpd_server *srv = table->extra2;
	struct ktftpd_config_change *chg;
	struct ktftpd_config *cfg;
	char *text;
	struct ctl_table tmp = { .maxlen = KTFTPD_LISTEN_TEXT_MAX };
	int ret;

	ret = may_write(srv, write);
	if (ret)
		return ret;

	text = kzalloc(KTFTPD_LISTEN_TEXT_MAX, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	tmp.data = text;
	if (!write) {
		cfg = ktftpd_config_get(srv);
		ktftpd_listen_format(cfg, text, KTFTPD_LISTEN_TEXT_MAX);
		ktftpd_config_put(cfg);
		ret = proc_dostring(&tmp, 0, buffer, lenp, ppos);
		goto out;
	}
	ret = -EINVAL;
	if (*ppos != 0 || *lenp >= KTFTPD_LISTEN_TEXT_MAX)
		goto out;
	memcpy(text, buffer, *lenp);
	chg = kzalloc(sizeof(*chg), GFP_KERNEL);
	ret = -ENOMEM;
	if (!chg)
		goto out;
	ret = ktftpd_listen_parse(text, chg);
	if (!ret)
		ret = apply(srv, chg);
	kfree(chg);
	if (!ret)
		*ppos += *lenp;
out:
	kfree(text);
	return ret;
}

/*
 * allow or deny (table->extra1: KTFTPD_F_ALLOW or _DENY): networks
 * separated by spaces, read back in the form they are written.
 */
static int ktftpd_sysctl_nets(ktftpd_ctl_table *table, int write,
			      void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ktftpd_server *srv = table->extra2;
	bool is_allow = table->extra1 == (void *)&nets_fields[0];
	struct ktftpd_config_change chg = {};
	struct ktftpd_config *cfg;
	struct ktftpd_netlist *nets;
	char *text;
	struct ctl_table tmp = { .maxlen = KTFTPD_NETS_TEXT_MAX };
	int ret;

	ret = may_write(srv, write);
	if (ret)
		return ret;

	ret = -ENOMEM;
	text = kzalloc(KTFTPD_NETS_TEXT_MAX, GFP_KERNEL);
	nets = kzalloc(sizeof(*nets), GFP_KERNEL);
	if (!text || !nets)
		goto out;
	tmp.data = text;
	if (!write) {
		cfg = ktftpd_config_get(srv);
		ktftpd_nets_format(is_allow ? &cfg->allow : &cfg->deny, text,
				   KTFTPD_NETS_TEXT_MAX);
		ktftpd_config_put(cfg);
		ret = proc_dostring(&tmp, 0, buffer, lenp, ppos);
		goto out;
	}
	ret = -EINVAL;
	if (*ppos != 0 || *lenp >= KTFTPD_NETS_TEXT_MAX)
		goto out;
	memcpy(text, buffer, *lenp);
	ret = ktftpd_nets_parse(text, nets);
	if (ret)
		goto out;
	if (is_allow)
		chg.allow = nets;
	else
		chg.deny = nets;
	ret = apply(srv, &chg);
	if (!ret)
		*ppos += *lenp;
out:
	kfree(nets);
	kfree(text);
	return ret == -E2BIG ? -EINVAL : ret;
}

/* "LOW:HIGH", or empty for any port. */
static int ktftpd_sysctl_port_range(ktftpd_ctl_table *table, int write,
				    void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ktftpd_server *srv = table->extra2;
	struct ktftpd_config_change chg = {};
	struct ktftpd_config *cfg;
	char text[16] = "";
	struct ctl_table tmp = { .data = text, .maxlen = sizeof(text) };
	int ret;

	ret = may_write(srv, write);
	if (ret)
		return ret;

	if (!write) {
		cfg = ktftpd_config_get(srv);
		if (cfg->port_low)
			snprintf(text, sizeof(text), "%u:%u", cfg->port_low,
				 cfg->port_high);
		ktftpd_config_put(cfg);
		return proc_dostring(&tmp, 0, buffer, lenp, ppos);
	}
	if (*ppos != 0 || *lenp >= sizeof(text))
		return -EINVAL;
	memcpy(text, buffer, *lenp);
	text[*lenp] = '\0';
	ret = ktftpd_port_range_parse(text, &chg) ?: apply(srv, &chg);
	if (!ret)
		*ppos += *lenp;
	return ret;
}

static const enum ktftpd_param param_ids[KTFTPD_P_COUNT] = {
#define PARAM_ID(id, ...) KTFTPD_P_##id,
	KTFTPD_PARAMS(PARAM_ID)
#undef PARAM_ID
};

/* One sysctl per row of params.h, named and ordered as there. */
#define PARAM_ENTRY(id, name, ...) {				\
	.procname	= name,					\
	.maxlen		= 24,					\
	.mode		= 0644,					\
	.proc_handler	= ktftpd_sysctl_param,			\
	.extra1		= (void *)&param_ids[KTFTPD_P_##id],	\
},

/* The empty last entry is the sentinel that kernels before 6.6 need. */
static struct ctl_table ktftpd_sysctl_table[] = {
	{
		.procname	= "stop",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= ktftpd_sysctl_stop,
	},
	{
		.procname	= "root",
		.maxlen		= KTFTPD_ROOT_MAX,
		.mode		= 0644,
		.proc_handler	= ktftpd_sysctl_root,
	},
	{
		.procname	= "listen",
		.maxlen		= KTFTPD_LISTEN_TEXT_MAX,
		.mode		= 0644,
		.proc_handler	= ktftpd_sysctl_listen,
	},
	{
		.procname	= "allow",
		.maxlen		= KTFTPD_NETS_TEXT_MAX,
		.mode		= 0644,
		.proc_handler	= ktftpd_sysctl_nets,
		.extra1		= (void *)&nets_fields[0],
	},
	{
		.procname	= "deny",
		.maxlen		= KTFTPD_NETS_TEXT_MAX,
		.mode		= 0644,
		.proc_handler	= ktftpd_sysctl_nets,
		.extra1		= (void *)&nets_fields[1],
	},
	{
		.procname	= "port_range",
		.maxlen		= 16,
		.mode		= 0644,
		.proc_handler	= ktftpd_sysctl_port_range,
	},
	KTFTPD_PARAMS(PARAM_ENTRY)
	{ }
};

int ktftpd_sysctl_init(struct ktftpd_server *srv)
{
	struct ctl_table *table;
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(ktftpd_sysctl_table) !=
		     FIRST_PARAM + KTFTPD_P_COUNT + 1);
	/* @srv's own copy: each entry finds its server in ->extra2. */
	table = kmemdup(ktftpd_sysctl_table, sizeof(ktftpd_sysctl_table),
			GFP_KERNEL_ACCOUNT);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(ktftpd_sysctl_table) - 1; i++) {
		table[i].extra2 = srv;
		/*
		 * The files' owner is root of the namespace's user
		 * namespace (net_ctl_permissions).  Unless that user
		 * namespace administers the server (privilege.h), it is
		 * the wrong one: read-only, and netlink from the initial
		 * user namespace changes the server.
		 */
		if (ktftpd_admin_userns(srv->net) != srv->net->user_ns)
			table[i].mode &= ~0222;
	}
	/*
	 * In the server's namespace's set, seen only from there: a global
	 * table would let a container with its own network namespace and
	 * a writable /proc/sys repoint the host's server.
	 */
	srv->sysctl = ktftpd_register_net_sysctl(srv->net, "net/ktftpd", table,
						 ARRAY_SIZE(ktftpd_sysctl_table) - 1);
	if (!srv->sysctl) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void ktftpd_sysctl_exit(struct ktftpd_server *srv)
{
	const struct ctl_table *table = srv->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(srv->sysctl);
	srv->sysctl = NULL;
	kfree(table);
}
