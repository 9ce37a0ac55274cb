/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filename rules: an ordered list the operator writes, applied to a
 * request's file name before the lookup beneath root, the way tftpd-hpa's
 * --map-file is, but without regular expressions: a rule matches an exact
 * name, a prefix, or a glob (* ? [...]), never by backtracking regex, so a
 * rule costs at most its pattern's length times the name's.
 *
 * Part of the plain C protocol core: the module, the host unit tests and
 * the fuzzers compile this very code.  Nothing here does I/O; whether the
 * result stays beneath root is the lookup's business (LOOKUP_BENEATH), as
 * for any name a client sends.
 */
#ifndef KTFTPD_REWRITE_H
#define KTFTPD_REWRITE_H

#include "proto.h"
#include <uapi/linux/ktftpd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The limits and the kinds are the uapi's: netlink carries them as they are. */
#define TFTP_RULES_MAX		KTFTPD_RULES_MAX	/* rules in a config */
#define TFTP_RULE_TEXT_MAX	KTFTPD_RULE_TEXT_MAX	/* a pattern's bytes */
#define TFTP_NAME_MAX		511	/* a rewritten name's bytes (no NUL) */

enum tftp_rule_match {
	TFTP_MATCH_EXACT	= KTFTPD_MATCH_EXACT,
	TFTP_MATCH_PREFIX	= KTFTPD_MATCH_PREFIX,
	TFTP_MATCH_GLOB		= KTFTPD_MATCH_GLOB,
	TFTP_MATCH_KINDS
};

enum tftp_rule_flag {
	TFTP_RULE_NOCASE	= KTFTPD_RULE_F_NOCASE,
	TFTP_RULE_STOP		= KTFTPD_RULE_F_STOP,	/* if it applied */
	TFTP_RULE_REFUSE	= KTFTPD_RULE_F_REFUSE,
	TFTP_RULE_FLAGS		= (1 << 3) - 1
};

/*
 * One rule.  The replacement takes the matched part's place (the whole
 * name for EXACT and GLOB, the prefix for PREFIX), with these escapes:
 *   \i  the client's address, as the events print it (198.18.0.7, fd00::7)
 *   \x  its IPv4 address as 8 uppercase hex digits (PXELINUX's C6120007)
 *   \m  its MAC address, aa-bb-cc-dd-ee-ff (write pxelinux.cfg/01-\m)
 *   \0  the matched part, as the name has it (the whole name, but for
 *       PREFIX the prefix: a NOCASE prefix keeps the client's case)
 *   \\  a backslash
 * A rule whose replacement needs what the server does not know for this
 * client (\x for IPv6, \m off a directly connected network) does not
 * apply to it, and the next rule is tried.
 */
struct tftp_rule {
	u8 match;		/* enum tftp_rule_match */
	u8 flags;		/* enum tftp_rule_flag bits */
	const char *pattern;	/* NUL-terminated, 1..TFTP_RULE_TEXT_MAX bytes */
	const char *replace;	/* 0..TFTP_RULE_TEXT_MAX bytes; unused to refuse */
};

/* What a replacement may say about the client; NULL: not known. */
struct tftp_client_id {
	const char *ip;
	const char *ip_hex;
	const char *mac;
};

/* NULL if @rule may be used, or why not (for the operator, not a client). */
const char *tftp_rule_check(const struct tftp_rule *rule);

/* Does the whole of @str match @pat (* ? [a-z] [!a] \x)? */
bool tftp_glob_match(const char *pat, const char *str, bool nocase);

/*
 * Apply @rules in order to @name (NUL-terminated, in a buffer of @cap
 * bytes, with @scratch of as many), in place.  Each rule that matches and
 * can be expanded rewrites the name, and the next rule sees the result.
 * Sets bit i of *@applied for each rule i that did (the last one of them
 * if it refused).  Returns true, or false with @ref set: a REFUSE rule
 * matched (TFTP_EACCESS), or a result did not fit @cap or was empty.
 * @cap must be at most TFTP_NAME_MAX + 1; the rules must have passed
 * tftp_rule_check().
 */
bool tftp_rewrite(const struct tftp_rule *rules, unsigned int n,
		  const struct tftp_client_id *who, char *name, char *scratch,
		  size_t cap, u64 *applied, struct tftp_refusal *ref);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_REWRITE_H */
