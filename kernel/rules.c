// SPDX-License-Identifier: GPL-2.0
/* A config's filename rules (rules.h). */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "client_id.h"
#include "config.h"
#include "lifetime.h"
#include "rules.h"

struct ktftpd_rule_list *ktftpd_rules_build(const struct tftp_rule *src,
					    unsigned int n, int *bad,
					    const char **why)
{
	struct ktftpd_rule_list *rules;
	size_t text = 0, size;
	unsigned int i;
	char *p;

	*bad = -1;
	if (n > TFTP_RULES_MAX) {
		*why = "more than 64 filename rules";
		return ERR_PTR(-E2BIG);
	}
	for (i = 0; i < n; i++) {
		*why = tftp_rule_check(&src[i]);
		if (*why) {
			*bad = i;
			return ERR_PTR(-EINVAL);
		}
		text += strlen(src[i].pattern) + strlen(src[i].replace) + 2;
	}
	if (!n)
		return NULL;
	size = struct_size(rules, rule, n) + text;
	rules = kvzalloc(size, GFP_KERNEL);
	if (!rules) {
		*why = "out of memory";
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&rules->ref);
	ktftpd_lifetime_created(KTFTPD_OBJ_RULES);
	rules->n = n;
	p = (char *)&rules->rule[n];
	for (i = 0; i < n; i++) {
		struct tftp_rule *r = &rules->rule[i];
		size_t plen = strlen(src[i].pattern) + 1;
		size_t rlen = strlen(src[i].replace) + 1;

		r->match = src[i].match;
		r->flags = src[i].flags;
		r->pattern = memcpy(p, src[i].pattern, plen);
		p += plen;
		r->replace = memcpy(p, src[i].replace, rlen);
		p += rlen;
		if (!(r->flags & TFTP_RULE_REFUSE) && strstr(r->replace, "\\m"))
			rules->needs_mac = true;
	}
	return rules;
}

struct ktftpd_rule_list *ktftpd_rules_get(struct ktftpd_rule_list *rules)
{
	if (rules)
		kref_get(&rules->ref);
	return rules;
}

static void rules_release(struct kref *ref)
{
	kvfree(container_of(ref, struct ktftpd_rule_list, ref));
	ktftpd_lifetime_freed(KTFTPD_OBJ_RULES);
}

void ktftpd_rules_put(struct ktftpd_rule_list *rules)
{
	if (rules)
		kref_put(&rules->ref, rules_release);
}

bool ktftpd_rules_equal(const struct ktftpd_rule_list *a,
			const struct ktftpd_rule_list *b)
{
	unsigned int i;

	if (a == b)
		return true;
	if (!a || !b || a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct tftp_rule *x = &a->rule[i], *y = &b->rule[i];

		if (x->match != y->match || x->flags != y->flags ||
		    strcmp(x->pattern, y->pattern) ||
		    strcmp(x->replace, y->replace))
			return false;
	}
	return true;
}

unsigned int ktftpd_name_switches(const struct ktftpd_config *cfg)
{
	return (cfg->val[KTFTPD_P_BACKSLASH] ? TFTP_NORM_BACKSLASH : 0) |
	       (cfg->val[KTFTPD_P_STRIP_SLASHES] ? TFTP_NORM_SLASHES : 0);
}

bool ktftpd_unique_dir(const struct ktftpd_config *cfg, struct net *net,
		       const struct ktftpd_addr *peer, int ifindex, char *dir)
{
	long mode = cfg->val[KTFTPD_P_UNIQUE_ROOT];
	struct ktftpd_client_id cid;
	const char *id;

	if (mode == KTFTPD_UNIQUE_OFF || !peer)
		return false;
	ktftpd_client_id(net, peer, ifindex, mode == KTFTPD_UNIQUE_MAC, &cid);
	id = mode == KTFTPD_UNIQUE_MAC ? cid.id.mac : cid.id.ip;
	if (id)
		strscpy(dir, id, KTFTPD_UNIQUE_DIR_MAX);
	return id;
}

bool ktftpd_rules_apply(const struct ktftpd_config *cfg, struct net *net,
			const struct ktftpd_addr *peer, int ifindex,
			const char *name, struct ktftpd_rewritten *out,
			struct tftp_refusal *ref)
{
	const struct ktftpd_rule_list *rules = cfg->rules;
	struct ktftpd_client_id *cid;
	char *buf, *scratch;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!rules)
		return true;
	/* A name the listener took is at most a datagram long: bound it. */
	if (strlen(name) > TFTP_NAME_MAX)
		return tftp_refuse(ref, TFTP_EACCESS,
				   "Access violation: name too long for the rules");
	buf = kmalloc(2 * (TFTP_NAME_MAX + 1), GFP_KERNEL);
	cid = kmalloc(sizeof(*cid), GFP_KERNEL);
	if (!buf || !cid) {
		kfree(buf);
		kfree(cid);
		return tftp_refuse(ref, TFTP_EUNDEF, "Out of memory");
	}
	scratch = buf + TFTP_NAME_MAX + 1;
	strscpy(buf, name, TFTP_NAME_MAX + 1);
	if (peer)
		ktftpd_client_id(net, peer, ifindex, rules->needs_mac, cid);
	else
		memset(cid, 0, sizeof(*cid));	/* nothing known of it */
	ok = tftp_rewrite(rules->rule, rules->n, &cid->id, buf, scratch,
			  TFTP_NAME_MAX + 1, &out->applied, ref);
	kfree(cid);
	if (ok && out->applied && strcmp(buf, name)) {
		out->lookup = buf;
		return true;
	}
	kfree(buf);
	return ok;
}
