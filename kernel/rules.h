/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filename rules of a config (rewrite.h is their plain C core): one
 * immutable, reference-counted list that configs share until a change
 * replaces it whole, and what a request's name becomes under it.
 */
#ifndef KTFTPD_RULES_H
#define KTFTPD_RULES_H

#include <linux/kref.h>
#include "net.h"
#include "rewrite.h"

struct ktftpd_config;
struct net;

struct ktftpd_rule_list {
	struct kref ref;
	unsigned int n;
	bool needs_mac;			/* a replacement says \m */
	struct tftp_rule rule[];	/* then their text, NUL-terminated */
};

/*
 * A copy of @src's @n rules, each checked (tftp_rule_check()); the
 * strings they point to need only live through the call.  On error
 * returns an ERR_PTR, with *@bad the rule at fault (or -1) and *@why a
 * reason for a person.  @n 0 gives NULL: no rules.
 */
struct ktftpd_rule_list *ktftpd_rules_build(const struct tftp_rule *src,
					    unsigned int n, int *bad,
					    const char **why);
struct ktftpd_rule_list *ktftpd_rules_get(struct ktftpd_rule_list *rules);
void ktftpd_rules_put(struct ktftpd_rule_list *rules);
bool ktftpd_rules_equal(const struct ktftpd_rule_list *a,
			const struct ktftpd_rule_list *b);

/* The switches of @cfg as tftp_normalize_filename() takes them. */
unsigned int ktftpd_name_switches(const struct ktftpd_config *cfg);

/* What @cfg's rules made of a name (ktftpd_rules_apply()). */
struct ktftpd_rewritten {
	char *lookup;		/* kmalloc'd, or NULL: the name unchanged */
	u64 applied;		/* bit i: rule i rewrote (or refused) it */
};

/*
 * Apply @cfg's rules to @name (normalized already) for a request from
 * @peer (NULL: unknown) that arrived on @ifindex (0: any interface), in
 * process context:
 * a rule set costs up to its patterns' length times the name's, so the
 * listener never runs this, a transfer's first run does.  False, with
 * @ref set, if the rules refuse the request; the caller frees ->lookup.
 */
bool ktftpd_rules_apply(const struct ktftpd_config *cfg, struct net *net,
			const struct ktftpd_addr *peer, int ifindex,
			const char *name, struct ktftpd_rewritten *out,
			struct tftp_refusal *ref);

/*
 * unique_root: the client's own directory beneath root, into @dir (of
 * KTFTPD_UNIQUE_DIR_MAX bytes); false when it is off, or the client's
 * MAC is not known.  @net, @peer and @ifindex as for ktftpd_rules_apply().
 */
#define KTFTPD_UNIQUE_DIR_MAX	48
enum { KTFTPD_UNIQUE_OFF, KTFTPD_UNIQUE_IP, KTFTPD_UNIQUE_MAC };	/* its values */
bool ktftpd_unique_dir(const struct ktftpd_config *cfg, struct net *net,
		       const struct ktftpd_addr *peer, int ifindex, char *dir);

#endif /* KTFTPD_RULES_H */
