// SPDX-License-Identifier: GPL-2.0
/*
 * Filename rules (rewrite.h): match, expand, and apply them in order.
 *
 * The glob is lib/glob.c's glob_match() algorithm (one backtrack point:
 * the last '*'; no recursion), written here because the host tests and the
 * fuzzers must run the very code the module runs, and because a rule may
 * match ignoring case, which glob_match() cannot.  Unlike glob_match(), a
 * character class never matches the name's terminating NUL.
 */
#include "rewrite.h"

static unsigned char fold(unsigned char c, bool nocase)
{
	return nocase && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static unsigned char upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/*
 * Is @c in the span a-b?  Ignoring case, either of its cases will do: the
 * span is not folded, so [A-_] still holds '_' and 'a' (as 'A').
 */
static bool in_span(unsigned char c, unsigned char a, unsigned char b,
		    bool nocase)
{
	if (a <= c && c <= b)
		return true;
	return nocase && ((a <= fold(c, true) && fold(c, true) <= b) ||
			  (a <= upper(c) && upper(c) <= b));
}

bool tftp_glob_match(const char *pat, const char *str, bool nocase)
{
	const char *back_pat = NULL, *back_str = NULL;

	for (;;) {
		unsigned char c = fold(*str++, nocase);
		unsigned char d = *pat++;

		switch (d) {
		case '?':
			if (c == '\0')
				return false;
			break;
		case '*':
			if (*pat == '\0')
				return true;
			back_pat = pat;
			back_str = --str;	/* a '*' may match nothing */
			break;
		case '[': {
			bool match = false, inverted = *pat == '!' || *pat == '^';
			const char *cls = pat + inverted;
			unsigned char a = *cls++;

			if (c == '\0')
				goto backtrack;
			/* Spans a or a-b; the first may be ']'. */
			do {
				unsigned char b = a;

				if (a == '\0')
					goto literal;	/* no ']': a plain '[' */
				if (cls[0] == '-' && cls[1] != ']') {
					b = cls[1];
					if (b == '\0')
						goto literal;
					cls += 2;
				}
				match |= in_span(c, a, b, nocase);
			} while ((a = *cls++) != ']');
			if (match == inverted)
				goto backtrack;
			pat = cls;
			break;
		}
		case '\\':
			d = *pat++;
			if (d == '\0')
				return false;	/* tftp_rule_check refuses it */
			goto literal;
		default:
literal:
			if (c == fold(d, nocase)) {
				if (d == '\0')
					return true;
				break;
			}
backtrack:
			if (c == '\0' || !back_pat)
				return false;
			/* Again from the last '*', one character further on. */
			pat = back_pat;
			str = ++back_str;
			break;
		}
	}
}

const char *tftp_rule_check(const struct tftp_rule *rule)
{
	size_t plen, rlen, i;

	if (rule->match >= TFTP_MATCH_KINDS)
		return "unknown match kind";
	if (rule->flags & ~TFTP_RULE_FLAGS)
		return "unknown flag";
	if (!rule->pattern || !rule->replace)
		return "missing pattern or replacement";
	plen = strnlen(rule->pattern, TFTP_RULE_TEXT_MAX + 1);
	rlen = strnlen(rule->replace, TFTP_RULE_TEXT_MAX + 1);
	if (plen == 0)
		return "empty pattern";
	if (plen > TFTP_RULE_TEXT_MAX || rlen > TFTP_RULE_TEXT_MAX)
		return "pattern or replacement longer than 255 bytes";
	if (rule->match == TFTP_MATCH_GLOB) {
		/* An odd run of trailing backslashes escapes nothing. */
		for (i = plen; i > 0 && rule->pattern[i - 1] == '\\'; i--)
			;
		if ((plen - i) % 2)
			return "glob ends in a lone backslash";
	}
	for (i = 0; i < rlen; i++) {
		if (rule->replace[i] != '\\')
			continue;
		switch (rule->replace[++i]) {
		case 'i': case 'x': case 'm': case '0': case '\\':
			break;
		default:
			return "replacement escape other than \\i \\x \\m \\0 \\\\";
		}
	}
	return NULL;
}

static bool prefix_match(const char *pre, const char *str, bool nocase)
{
	for (; *pre; pre++, str++)
		if (*str == '\0' || fold(*pre, nocase) != fold(*str, nocase))
			return false;
	return true;
}

/* How many leading bytes of @name the rule replaces; -1: no match. */
static long rule_match(const struct tftp_rule *rule, const char *name)
{
	bool nocase = rule->flags & TFTP_RULE_NOCASE;

	switch (rule->match) {
	case TFTP_MATCH_EXACT:
		return prefix_match(rule->pattern, name, nocase) &&
		       name[strlen(rule->pattern)] == '\0' ? (long)strlen(name) : -1;
	case TFTP_MATCH_PREFIX:
		return prefix_match(rule->pattern, name, nocase) ?
		       (long)strlen(rule->pattern) : -1;
	default:
		return tftp_glob_match(rule->pattern, name, nocase) ?
		       (long)strlen(name) : -1;
	}
}

/* Append @s to @out (of @cap, at *@len); false if it does not fit. */
static bool put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (n >= cap - *len)
		return false;
	memcpy(out + *len, s, n);
	*len += n;
	return true;
}

enum expand_result { NAME_EXPANDED, NAME_NOT_KNOWN, NAME_TOO_LONG };

/* The rule's replacement for @name's first @matched bytes, into @out. */
static enum expand_result expand(const struct tftp_rule *rule,
				 const struct tftp_client_id *who,
				 const char *name, size_t matched,
				 char *out, size_t cap)
{
	const char *r = rule->replace, *v;
	size_t len = 0;

	for (; *r; r++) {
		if (*r != '\\') {
			if (!put(out, cap, &len, r, 1))
				return NAME_TOO_LONG;
			continue;
		}
		switch (*++r) {
		case 'i':
			v = who->ip;
			break;
		case 'x':
			v = who->ip_hex;
			break;
		case 'm':
			v = who->mac;
			break;
		case '0':
			/* The matched part, as the name has it. */
			if (!put(out, cap, &len, name, matched))
				return NAME_TOO_LONG;
			continue;
		default:
			v = "\\";
			break;
		}
		if (!v)
			return NAME_NOT_KNOWN;
		if (!put(out, cap, &len, v, strlen(v)))
			return NAME_TOO_LONG;
	}
	if (!put(out, cap, &len, name + matched, strlen(name + matched)))
		return NAME_TOO_LONG;
	out[len] = '\0';
	return NAME_EXPANDED;
}

bool tftp_rewrite(const struct tftp_rule *rules, unsigned int n,
		  const struct tftp_client_id *who, char *name, char *scratch,
		  size_t cap, u64 *applied, struct tftp_refusal *ref)
{
	unsigned int i;

	*applied = 0;
	for (i = 0; i < n && i < TFTP_RULES_MAX; i++) {
		const struct tftp_rule *rule = &rules[i];
		long matched = rule_match(rule, name);

		if (matched < 0)
			continue;
		if (rule->flags & TFTP_RULE_REFUSE) {
			*applied |= 1ULL << i;
			return tftp_refuse(ref, TFTP_EACCESS,
					   "Access violation: refused by a rule");
		}
		switch (expand(rule, who, name, matched, scratch, cap)) {
		case NAME_NOT_KNOWN:
			continue;
		case NAME_TOO_LONG:
			return tftp_refuse(ref, TFTP_EACCESS,
					   "Access violation: name too long after the rules");
		case NAME_EXPANDED:
			break;
		}
		memcpy(name, scratch, strlen(scratch) + 1);
		*applied |= 1ULL << i;
		if (rule->flags & TFTP_RULE_STOP)
			break;
	}
	if (name[0] == '\0')
		return tftp_refuse(ref, TFTP_EACCESS,
				   "Access violation: not a file");
	return true;
}
