// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration in force: one immutable struct published with RCU and
 * replaced whole.  sysctl, netlink and module parameters all change it
 * through ktftpd_server_configure(), which builds a new config here,
 * validated whole, and publishes it: the views can never disagree, and a
 * change is applied entirely or not at all.
 */
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/inet.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include "config.h"
#include "identity.h"
#include "lifetime.h"
#include "params.h"
#include "privilege.h"
#include "root_lookup.h"
#include "server.h"

static void config_release(struct kref *ref)
{
	struct ktftpd_config *cfg = container_of(ref, struct ktftpd_config, ref);

	if (cfg->root_ok)
		path_put(&cfg->root_path);
	if (!IS_ERR_OR_NULL(cfg->creds))
		put_cred(cfg->creds);
	ktftpd_rules_put(cfg->rules);
	kfree_rcu(cfg, rcu);
	ktftpd_lifetime_freed(KTFTPD_OBJ_CONFIG);
}

struct ktftpd_config *ktftpd_config_get(struct ktftpd_server *srv)
{
	struct ktftpd_config *cfg;

	/*
	 * The published config always holds one reference of its own, and a
	 * replaced one is freed only after a grace period, so within the read
	 * section the pointer stays valid while we take ours.
	 */
	rcu_read_lock();
	do {
		cfg = rcu_dereference(srv->config);
	} while (!kref_get_unless_zero(&cfg->ref));
	rcu_read_unlock();
	return cfg;
}

void ktftpd_config_put(struct ktftpd_config *cfg)
{
	if (cfg)
		kref_put(&cfg->ref, config_release);
}

void ktftpd_config_publish(struct ktftpd_server *srv,
			   struct ktftpd_config *next)
{
	struct ktftpd_config *prev;

	prev = rcu_replace_pointer(srv->config, next,
				   lockdep_is_held(&srv->lock));
	ktftpd_config_put(prev);
}

long ktftpd_config_value(struct ktftpd_server *srv, enum ktftpd_param p)
{
	struct ktftpd_config *cfg;
	long v;

	rcu_read_lock();
	cfg = rcu_dereference(srv->config);
	v = cfg->val[p];
	rcu_read_unlock();
	return v;
}

static bool listen_addr_equal(const struct ktftpd_listen_addr *a,
			      const struct ktftpd_listen_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return ipv6_addr_equal(&a->v6, &b->v6);
}

static int check_listen(const struct ktftpd_config_change *chg,
			const char **why)
{
	unsigned int i, j;

	if (chg->n_listen > KTFTPD_LISTEN_MAX) {
		*why = "too many listen addresses";
		return -EINVAL;
	}
	for (i = 0; i < chg->n_listen; i++) {
		const struct ktftpd_listen_addr *a = &chg->listen[i];

		if (a->family != AF_INET && a->family != AF_INET6) {
			*why = "listen address of unknown family";
			return -EINVAL;
		}
		if (a->family == AF_INET6 && ipv6_addr_v4mapped(&a->v6)) {
			*why = "listen address is v4-mapped: give it as IPv4";
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (listen_addr_equal(a, &chg->listen[j])) {
				*why = "listen address given twice";
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int check_nets(const struct ktftpd_netlist *nets, int field, int *bad,
		      const char **why)
{
	unsigned int i;

	if (!nets)
		return 0;
	*bad = field;
	if (nets->n > KTFTPD_NETS_MAX) {
		*why = "more than 64 networks";
		return -E2BIG;
	}
	for (i = 0; i < nets->n; i++) {
		*why = tftp_cidr_check(&nets->net[i]);
		if (*why)
			return -EINVAL;
	}
	return 0;
}

/*
 * Whom the server acts as is a decision for whoever may switch identities
 * (CAP_SETUID, CAP_SETGID), not for CAP_NET_ADMIN alone: otherwise a
 * network admin (the systemd unit, a --net=host container) could make the
 * server write as root.  Checked in the caller's context, over the user
 * namespace the ids are read in (the network namespace's owner): its
 * root may choose among its own ids, and nobody else's.
 */
static int check_identity_change(struct ktftpd_server *srv,
				 const struct ktftpd_config_change *chg,
				 int *bad, const char **why)
{
	long uid = ktftpd_config_value(srv, KTFTPD_P_USER);
	long gid = ktftpd_config_value(srv, KTFTPD_P_GROUP);

	if ((chg->set & BIT(KTFTPD_P_USER)) && chg->val[KTFTPD_P_USER] != uid &&
	    !ns_capable(srv->net->user_ns, CAP_SETUID)) {
		*bad = KTFTPD_P_USER;
		*why = "changing the serving user needs CAP_SETUID";
		return -EPERM;
	}
	if ((chg->set & BIT(KTFTPD_P_GROUP)) && chg->val[KTFTPD_P_GROUP] != gid &&
	    !ns_capable(srv->net->user_ns, CAP_SETGID)) {
		*bad = KTFTPD_P_GROUP;
		*why = "changing the serving group needs CAP_SETGID";
		return -EPERM;
	}
	return 0;
}

/*
 * @cfg's serving identity, in the caller's context (identity.h): the
 * writer's own groups and confinement when the server is administered
 * from a user namespace and the writer is not the host's (who gets what
 * every server the host administers gets: init's, no groups), so that
 * neither a user's nor the host's groups pass to the other.
 */
static const struct cred *make_identity(struct ktftpd_server *srv,
					const struct ktftpd_config *cfg)
{
	return ktftpd_identity_prepare(srv->net->user_ns,
				       cfg->val[KTFTPD_P_USER],
				       cfg->val[KTFTPD_P_GROUP],
				       !ktftpd_host_administered(srv->net) &&
				       current_user_ns() != &init_user_ns);
}

struct ktftpd_config *ktftpd_config_build(struct ktftpd_server *srv,
					  const struct ktftpd_config_change *chg,
					  int *bad, const char **why)
{
	struct ktftpd_rule_list *rules = NULL;
	struct ktftpd_config *cur, *next;
	char buf[KTFTPD_ROOT_MAX];
	struct path path;
	bool same_ids;
	int i, err;

	for (i = 0; i < KTFTPD_P_COUNT; i++) {
		if ((chg->set & BIT(i)) && !ktftpd_param_valid(i, chg->val[i])) {
			*bad = i;
			*why = "value out of range";
			return ERR_PTR(-ERANGE);
		}
	}
	if (chg->set_listen) {
		err = check_listen(chg, why);
		if (err) {
			*bad = KTFTPD_F_LISTEN;
			return ERR_PTR(err);
		}
	}
	if (chg->set_port_range &&
	    (chg->port_low || chg->port_high) &&
	    (!chg->port_low || chg->port_low > chg->port_high)) {
		*bad = KTFTPD_F_PORT_RANGE;
		*why = "port_range needs 1 <= LOW <= HIGH <= 65535";
		return ERR_PTR(-EINVAL);
	}
	err = check_nets(chg->allow, KTFTPD_F_ALLOW, bad, why) ?:
	      check_nets(chg->deny, KTFTPD_F_DENY, bad, why);
	if (err)
		return ERR_PTR(err);
	err = check_identity_change(srv, chg, bad, why);
	if (err)
		return ERR_PTR(err);
	if (chg->root) {
		*bad = KTFTPD_F_ROOT;
		if (!ktftpd_root_valid(chg->root, chg->root_len)) {
			*why = "root must be an absolute path of printable characters";
			return ERR_PTR(-EINVAL);
		}
		memcpy(buf, chg->root, chg->root_len);
		buf[chg->root_len] = '\0';
		err = ktftpd_root_lookup(srv, buf, &path, why);
		if (err)
			return ERR_PTR(err);
	}

	if (chg->set_rules) {
		rules = ktftpd_rules_build(chg->rules, chg->n_rules, &i, why);
		if (IS_ERR(rules)) {
			*bad = i < 0 ? KTFTPD_F_RULES : KTFTPD_F_RULE + i;
			if (PTR_ERR(rules) == -ENOMEM)
				*bad = -1;
			if (chg->root)
				path_put(&path);
			return ERR_CAST(rules);
		}
	}

	cur = ktftpd_config_get(srv);
	next = kmemdup(cur, sizeof(*cur), GFP_KERNEL_ACCOUNT);
	if (next && next->root_ok && !chg->root)
		path_get(&next->root_path);
	if (next && !chg->set_rules)
		ktftpd_rules_get(next->rules);
	/*
	 * The identity in force, while user and group stay: made when they
	 * were set, it is not remade from whoever changes something else
	 * (as_writer would take that writer's groups).
	 */
	if (next) {
		same_ids = (!(chg->set & BIT(KTFTPD_P_USER)) ||
			    chg->val[KTFTPD_P_USER] == next->val[KTFTPD_P_USER]) &&
			   (!(chg->set & BIT(KTFTPD_P_GROUP)) ||
			    chg->val[KTFTPD_P_GROUP] == next->val[KTFTPD_P_GROUP]);
		if (same_ids && next->creds)
			get_cred(next->creds);
		else
			next->creds = NULL;
	}
	ktftpd_config_put(cur);
	if (!next) {
		if (chg->root)
			path_put(&path);
		ktftpd_rules_put(rules);
		*bad = -1;
		*why = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	if (chg->set_rules)
		next->rules = rules;
	kref_init(&next->ref);
	ktftpd_lifetime_created(KTFTPD_OBJ_CONFIG);
	for (i = 0; i < KTFTPD_P_COUNT; i++)
		if (chg->set & BIT(i))
			next->val[i] = chg->val[i];
	/* New ids, or ones the namespace's user namespace maps only now. */
	if (!next->creds)
		next->creds = make_identity(srv, next);
	if (chg->root) {
		memcpy(next->root, buf, chg->root_len + 1);
		next->root_path = path;
		next->root_ok = true;
	}
	if (chg->set_port_range) {
		next->port_low = chg->port_low;
		next->port_high = chg->port_high;
	}
	if (chg->allow)
		next->allow = *chg->allow;
	if (chg->deny)
		next->deny = *chg->deny;
	if (chg->set_listen) {
		next->n_listen = chg->n_listen;
		memset(next->listen, 0, sizeof(next->listen));
		memcpy(next->listen, chg->listen,
		       chg->n_listen * sizeof(chg->listen[0]));
	}
	/*
	 * An id the namespace's user namespace does not map: no identity.
	 * A stopped server may be configured one setting at a time, so
	 * that is no error yet; a server with no identity does not run
	 * (server.c).
	 */
	if (next->creds == ERR_PTR(-EINVAL))
		next->creds = NULL;
	if (IS_ERR(next->creds)) {
		err = PTR_ERR(next->creds);
		next->creds = NULL;
		ktftpd_config_put(next);
		*bad = -1;
		*why = "out of memory";
		return ERR_PTR(err);
	}
	return next;
}

bool ktftpd_config_same_listen(const struct ktftpd_config *a,
			       const struct ktftpd_config *b)
{
	unsigned int i;

	if (a->val[KTFTPD_P_PORT] != b->val[KTFTPD_P_PORT] ||
	    a->n_listen != b->n_listen)
		return false;
	for (i = 0; i < a->n_listen; i++)
		if (!listen_addr_equal(&a->listen[i], &b->listen[i]))
			return false;
	return true;
}

static bool nets_equal(const struct ktftpd_netlist *a, const struct ktftpd_netlist *b)
{
	return a->n == b->n &&
	       !memcmp(a->net, b->net, a->n * sizeof(a->net[0]));
}

bool ktftpd_config_same(const struct ktftpd_config *a,
			const struct ktftpd_config *b)
{
	return !memcmp(a->val, b->val, sizeof(a->val)) &&
	       !strcmp(a->root, b->root) && a->root_ok == b->root_ok &&
	       (!a->root_ok || path_equal(&a->root_path, &b->root_path)) &&
	       ktftpd_config_same_listen(a, b) &&
	       a->port_low == b->port_low && a->port_high == b->port_high &&
	       nets_equal(&a->allow, &b->allow) &&
	       nets_equal(&a->deny, &b->deny) &&
	       ktftpd_rules_equal(a->rules, b->rules) &&
	       /* The same ids, newly mapped (uid_map written since). */
	       !a->creds == !b->creds;
}

int ktftpd_listen_parse(const char *text, struct ktftpd_config_change *chg)
{
	const char *p = text, *end;
	struct ktftpd_listen_addr *a;

	chg->set_listen = true;
	chg->n_listen = 0;
	for (;;) {
		while (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		if (chg->n_listen == KTFTPD_LISTEN_MAX)
			return -EINVAL;
		a = &chg->listen[chg->n_listen++];
		memset(a, 0, sizeof(*a));
		if (in4_pton(p, -1, (u8 *)&a->v4, -1, &end))
			a->family = AF_INET;
		else if (in6_pton(p, -1, a->v6.s6_addr, -1, &end))
			a->family = AF_INET6;
		else
			return -EINVAL;
		/* An address ends at a separator, not in the middle of junk. */
		if (*end && *end != ' ' && *end != ',' && *end != '\t' &&
		    *end != '\n')
			return -EINVAL;
		p = end;
	}
}

void ktftpd_listen_format(const struct ktftpd_config *cfg, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < cfg->n_listen && used < len; i++) {
		const struct ktftpd_listen_addr *a = &cfg->listen[i];

		if (a->family == AF_INET)
			used += scnprintf(buf + used, len - used, "%s%pI4",
					  i ? " " : "", &a->v4);
		else
			used += scnprintf(buf + used, len - used, "%s%pI6c",
					  i ? " " : "", &a->v6);
	}
}

static bool is_separator(char c)
{
	return c == ' ' || c == ',' || c == '\t' || c == '\n';
}

int ktftpd_nets_parse(const char *text, struct ktftpd_netlist *nets)
{
	const char *p = text, *end;

	memset(nets, 0, sizeof(*nets));
	for (;;) {
		struct tftp_cidr *net;
		unsigned int prefix;

		while (is_separator(*p))
			p++;
		if (!*p)
			return 0;
		if (nets->n == KTFTPD_NETS_MAX)
			return -E2BIG;
		net = &nets->net[nets->n++];
		/* Any non-digit ends an address: '/', a separator or junk. */
		if (in4_pton(p, -1, net->addr, -1, &end))
			net->family = 4;
		else if (in6_pton(p, -1, net->addr, -1, &end))
			net->family = 6;
		else
			return -EINVAL;
		prefix = net->family == 4 ? 32 : 128;
		if (*end == '/') {
			int used = 0;

			if (!isdigit(end[1]) ||
			    sscanf(end + 1, "%3u%n", &prefix, &used) != 1)
				return -EINVAL;
			end += 1 + used;
		}
		if (*end && !is_separator(*end))
			return -EINVAL;
		if (prefix > 128)
			return -EINVAL;
		net->prefix = prefix;
		if (tftp_cidr_check(net))
			return -EINVAL;
		p = end;
	}
}

void ktftpd_nets_format(const struct ktftpd_netlist *nets, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < nets->n && used < len; i++) {
		const struct tftp_cidr *net = &nets->net[i];

		used += scnprintf(buf + used, len - used,
				  net->family == 4 ? "%s%pI4/%u" : "%s%pI6c/%u",
				  i ? " " : "", net->addr, net->prefix);
	}
}

int ktftpd_port_range_parse(const char *text, struct ktftpd_config_change *chg)
{
	unsigned int low, high;
	int used = 0;

	while (is_separator(*text))
		text++;
	chg->set_port_range = true;
	chg->port_low = 0;
	chg->port_high = 0;
	if (!*text)
		return 0;
	if (!isdigit(*text) ||
	    sscanf(text, "%5u:%5u%n", &low, &high, &used) != 2 || !used)
		return -EINVAL;
	for (text += used; *text; text++)
		if (!is_separator(*text))
			return -EINVAL;
	if (low < 1 || low > high || high > 65535)
		return -EINVAL;
	chg->port_low = low;
	chg->port_high = high;
	return 0;
}

bool ktftpd_config_allows(const struct ktftpd_config *cfg,
			  const struct ktftpd_addr *from)
{
	if (!cfg->allow.n && !cfg->deny.n)
		return true;
	if (from->sa.sa_family == AF_INET)
		return tftp_client_allowed(cfg->allow.net, cfg->allow.n,
					   cfg->deny.net, cfg->deny.n, 4,
					   (const u8 *)&from->v4.sin_addr);
	return tftp_client_allowed(cfg->allow.net, cfg->allow.n,
				   cfg->deny.net, cfg->deny.n, 6,
				   from->v6.sin6_addr.s6_addr);
}

/*
 * A config at the defaults, root not looked up, whose ids are read in @ns
 * (identity.h), with init's identity or none; ERR_PTR on failure.  A
 * namespace's own is charged to whoever makes it (GFP_KERNEL_ACCOUNT): an
 * unprivileged user can make many namespaces.
 */
static struct ktftpd_config *default_config(struct user_namespace *ns,
					    bool identity, gfp_t gfp)
{
	struct ktftpd_config *cfg = kzalloc(sizeof(*cfg), gfp);
	int i;

	if (!cfg)
		return ERR_PTR(-ENOMEM);
	kref_init(&cfg->ref);
	ktftpd_lifetime_created(KTFTPD_OBJ_CONFIG);
	for (i = 0; i < KTFTPD_P_COUNT; i++)
		cfg->val[i] = ktftpd_params[i].def;
	cfg->creds = identity ?
		     ktftpd_identity_prepare(ns, cfg->val[KTFTPD_P_USER],
					     cfg->val[KTFTPD_P_GROUP], false) :
		     NULL;
	/* A user namespace that maps no nobody: set user and group. */
	if (cfg->creds == ERR_PTR(-EINVAL))
		cfg->creds = NULL;
	if (IS_ERR(cfg->creds)) {
		int err = PTR_ERR(cfg->creds);

		cfg->creds = NULL;
		ktftpd_config_put(cfg);
		return ERR_PTR(err);
	}
	strscpy(cfg->root, KTFTPD_DEFAULT_ROOT, sizeof(cfg->root));
	return cfg;
}

/*
 * What every namespace of the initial user namespace but the initial one
 * starts with, shared until its first change (a config is never changed
 * in place): a stopped server there costs no config of its own.
 */
static struct ktftpd_config *shared_default;

int ktftpd_config_shared_init(void)
{
	/* The module's own: charged to no one's memory cgroup. */
	shared_default = default_config(&init_user_ns, true, GFP_KERNEL);
	if (IS_ERR(shared_default)) {
		int err = PTR_ERR(shared_default);

		shared_default = NULL;
		return err;
	}
	return 0;
}

void ktftpd_config_shared_exit(void)
{
	ktftpd_config_put(shared_default);
	shared_default = NULL;
}

int ktftpd_config_init(struct ktftpd_server *srv)
{
	struct ktftpd_config *cfg;
	const char *why;

	if (!net_eq(srv->net, &init_net) &&
	    srv->net->user_ns == &init_user_ns) {
		kref_get(&shared_default->ref);
		RCU_INIT_POINTER(srv->config, shared_default);
		return 0;
	}
	/*
	 * Administered from a user namespace, a server serves with the
	 * groups of whoever made its identity (make_identity).  Made here, it
	 * would be whoever made the namespace, or insmod for every namespace
	 * that predates the module: a container runtime's or the host
	 * root's groups.  None until its admin's first change makes one
	 * (ktftpd_config_build); nor init's, which would shed the groups
	 * that deny it files.
	 */
	cfg = default_config(srv->net->user_ns,
			     ktftpd_host_administered(srv->net),
			     GFP_KERNEL_ACCOUNT);
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);
	/*
	 * The default root may well not exist: then start asks for one.
	 * Only the initial namespace's is looked up, at load, in insmod's
	 * context.  Another namespace's server is made by whoever made the
	 * namespace, in whatever mount namespace that was (and perhaps over
	 * a hung mount): its root is looked up when someone sets it.
	 */
	cfg->root_ok = net_eq(srv->net, &init_net) &&
		       ktftpd_root_lookup(srv, cfg->root, &cfg->root_path,
					  &why) == 0;
	RCU_INIT_POINTER(srv->config, cfg);
	return 0;
}

void ktftpd_config_exit(struct ktftpd_server *srv)
{
	struct ktftpd_config *cfg;

	cfg = rcu_replace_pointer(srv->config, NULL, true);
	ktftpd_config_put(cfg);
}
