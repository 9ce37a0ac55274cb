/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_CONFIG_H
#define KTFTPD_CONFIG_H

#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/path.h>
#include <linux/rcupdate.h>
#include <uapi/linux/ktftpd.h>
#include "cidr.h"
#include "params.h"
#include "rules.h"

#define KTFTPD_DEFAULT_ROOT	"/srv/tftp"

/*
 * One immutable configuration.  The current one is published with RCU; a
 * change builds a new copy and swaps it in whole, so a reader (a transfer,
 * sysctl, netlink) always sees one consistent set of values, and a transfer
 * keeps the config it started under for as long as it holds a reference.
 */
/* One listen address: AF_INET or AF_INET6 (0.0.0.0 and :: allowed). */
struct ktftpd_listen_addr {
	u16 family;
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

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
	/*
	 * The serving identity of val[USER] and val[GROUP] (identity.h);
	 * NULL when the namespace's user namespace maps either not, and
	 * then the server does not run.
	 */
	const struct cred *creds;
	/* None: every address, IPv4 and IPv6, on one dual-stack socket. */
	unsigned int n_listen;
	struct ktftpd_listen_addr listen[KTFTPD_LISTEN_MAX];
	/* The filename rules, shared with other configs; NULL: none. */
	struct ktftpd_rule_list *rules;
	/* The transfers' local ports (port_range); 0, 0: any. */
	u16 port_low, port_high;
	/* Who may ask (cidr.h): none allowed means everyone. */
	struct ktftpd_netlist {
		unsigned int n;
		struct tftp_cidr net[KTFTPD_NETS_MAX];
	} allow, deny;
};

/*
 * A change to the config: every field it sets is validated, and the new
 * config built, before anything is published.
 */
struct ktftpd_config_change {
	unsigned long set;		/* BIT(enum ktftpd_param) per value set */
	long val[KTFTPD_P_COUNT];
	const char *root;		/* @root_len bytes, no NUL; NULL: kept */
	size_t root_len;
	bool set_listen;
	unsigned int n_listen;
	struct ktftpd_listen_addr listen[KTFTPD_LISTEN_MAX];
	/* The whole new rule list (@n_rules 0: none); the caller's memory. */
	bool set_rules;
	unsigned int n_rules;
	const struct tftp_rule *rules;
	/* New client networks; NULL: kept.  The caller's memory. */
	const struct ktftpd_netlist *allow, *deny;
	bool set_port_range;
	u16 port_low, port_high;	/* 0, 0: none */
};

/*
 * What ktftpd_config_build() found wrong: a param, the root, listen,
 * allow, deny, the rule list as a whole, or one rule (KTFTPD_F_RULE + its
 * index).
 */
enum {
	KTFTPD_F_ROOT = KTFTPD_P_COUNT,
	KTFTPD_F_LISTEN,
	KTFTPD_F_ALLOW,
	KTFTPD_F_DENY,
	KTFTPD_F_PORT_RANGE,
	KTFTPD_F_RULES,
	KTFTPD_F_RULE,
};

struct ktftpd_server;

/* The default config namespaces share (before any server is made). */
int ktftpd_config_shared_init(void);
void ktftpd_config_shared_exit(void);
/* @srv's config: the defaults, published; and at exit, let go. */
int ktftpd_config_init(struct ktftpd_server *srv);
void ktftpd_config_exit(struct ktftpd_server *srv);

/* A reference to @srv's config in force. */
struct ktftpd_config *ktftpd_config_get(struct ktftpd_server *srv);
/* Process context only: the last put releases the root's path. */
void ktftpd_config_put(struct ktftpd_config *cfg);

/* One value of the config in force (a snapshot: it may change after). */
long ktftpd_config_value(struct ktftpd_server *srv, enum ktftpd_param p);

/*
 * The config that @chg makes of the one in force, not yet published.  The
 * root is resolved here, in the caller's context.  On error returns an
 * ERR_PTR, with *@bad the field at fault (enum ktftpd_param, KTFTPD_F_ROOT
 * KTFTPD_F_LISTEN or KTFTPD_F_RULE...) and *@why a reason for a person.
 * Callers serialize build and publish (server.c does, under its lock).
 */
struct ktftpd_config *ktftpd_config_build(struct ktftpd_server *srv,
					  const struct ktftpd_config_change *chg,
					  int *bad, const char **why);
/*
 * Make @next @srv's config in force, under @srv's lock; it takes over the
 * caller's reference.
 */
void ktftpd_config_publish(struct ktftpd_server *srv,
			   struct ktftpd_config *next);
bool ktftpd_config_same(const struct ktftpd_config *a,
			const struct ktftpd_config *b);
/* Same port and listen addresses: the listeners need not move. */
bool ktftpd_config_same_listen(const struct ktftpd_config *a,
			       const struct ktftpd_config *b);

/* "addr addr ..." (space or comma separated; empty: every address). */
int ktftpd_listen_parse(const char *text, struct ktftpd_config_change *chg);
/* The listen addresses as text that ktftpd_listen_parse() takes back. */
void ktftpd_listen_format(const struct ktftpd_config *cfg, char *buf, size_t len);

/*
 * "net net ..." (each ADDR or ADDR/PREFIX, space or comma separated;
 * empty: none), checked as the config checks them.
 */
int ktftpd_nets_parse(const char *text, struct ktftpd_netlist *nets);
/* @nets as text that ktftpd_nets_parse() takes back. */
void ktftpd_nets_format(const struct ktftpd_netlist *nets, char *buf, size_t len);

/* "LOW:HIGH" or "" (none), checked as the config checks it. */
int ktftpd_port_range_parse(const char *text, struct ktftpd_config_change *chg);

/* May a request from @from be looked at (allow and deny)? */
bool ktftpd_config_allows(const struct ktftpd_config *cfg,
			  const struct ktftpd_addr *from);

#endif /* KTFTPD_CONFIG_H */
