/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests per second per source address, applied by a listener before
 * it parses anything: a flood from one address is dropped while it costs
 * a hash and a compare, so it cannot starve other clients of the
 * listener's time.  Dropped silently: an ERROR in answer would make the
 * flood a reflector.
 *
 * A fixed table of buckets indexed by a keyed hash of the address, one
 * u64 each (GCRA: the "theoretical arrival time" of a token bucket), so
 * nothing is allocated per packet and memory is bounded whatever the
 * sources.  Two addresses that share a bucket share a limit; the key is
 * random, so a client cannot choose whom it collides with.  One listener
 * thread uses a table: no lock.
 */
#ifndef KTFTPD_RATELIMIT_H
#define KTFTPD_RATELIMIT_H

#include <linux/siphash.h>
#include <linux/types.h>

struct ktftpd_addr;

#define KTFTPD_RL_BUCKETS 1024

struct ktftpd_ratelimit {
	siphash_key_t key;
	u64 tat[KTFTPD_RL_BUCKETS];	/* ns; a request passes while <= now + slack */
};

void ktftpd_ratelimit_init(struct ktftpd_ratelimit *rl);

/*
 * May a request from @from pass, at @rate requests per second (0: no
 * limit) with a burst of one second's worth?  @now_ns: ktime_get_ns().
 */
bool ktftpd_ratelimit_allow(struct ktftpd_ratelimit *rl,
			    const struct ktftpd_addr *from, u32 rate, u64 now_ns);

#endif /* KTFTPD_RATELIMIT_H */
