/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client networks (the allow and deny settings): CIDR prefixes of IPv4 and
 * IPv6, and whether an address may ask.  Part of the plain C core: the
 * module checks every request with this code, ktftpctl validates a config
 * with it, and the host tests and a fuzzer run it as it is.
 */
#ifndef KTFTPD_CIDR_H
#define KTFTPD_CIDR_H

#include "core_types.h"
#include <uapi/linux/ktftpd.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFTP_NETS_MAX	KTFTPD_NETS_MAX

/* One network: @prefix leading bits of @addr (4 bytes used for IPv4). */
struct tftp_cidr {
	u8 family;		/* 4 or 6 */
	u8 prefix;		/* 0..32 or 0..128 */
	u8 addr[16];		/* network order; bits past @prefix are 0 */
};

/* NULL if @net may be used, or why not (for a person). */
const char *tftp_cidr_check(const struct tftp_cidr *net);

/*
 * Is @addr (@family 4: 4 bytes, 6: 16 bytes) in @net?  An IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) is the IPv4 address it maps: a dual-stack
 * socket reports IPv4 clients that way.
 */
bool tftp_cidr_match(const struct tftp_cidr *net, int family, const u8 *addr);

/* Not in @deny, and in @allow unless it is empty: may @addr ask? */
bool tftp_client_allowed(const struct tftp_cidr *allow, unsigned int n_allow,
			 const struct tftp_cidr *deny, unsigned int n_deny,
			 int family, const u8 *addr);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_CIDR_H */
