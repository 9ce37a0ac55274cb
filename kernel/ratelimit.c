// SPDX-License-Identifier: GPL-2.0
/* Per-source request rate limit of the listeners (see ratelimit.h). */
#include <linux/random.h>
#include <linux/time64.h>
#include "net.h"
#include "ratelimit.h"

void ktftpd_ratelimit_init(struct ktftpd_ratelimit *rl)
{
	get_random_bytes(&rl->key, sizeof(rl->key));
	memset(rl->tat, 0, sizeof(rl->tat));
}

static u32 bucket_of(const struct ktftpd_ratelimit *rl,
		     const struct ktftpd_addr *from)
{
	u64 h;

	/* The address only: a client's port changes with every request. */
	if (from->sa.sa_family == AF_INET6)
		h = siphash(&from->v6.sin6_addr, sizeof(from->v6.sin6_addr),
			    &rl->key);
	else
		h = siphash_1u32((__force u32)from->v4.sin_addr.s_addr,
				 &rl->key);
	return h % KTFTPD_RL_BUCKETS;
}

bool ktftpd_ratelimit_allow(struct ktftpd_ratelimit *rl,
			    const struct ktftpd_addr *from, u32 rate, u64 now_ns)
{
	u64 interval, *tat;

	if (!rate)
		return true;
	interval = div_u64(NSEC_PER_SEC, rate);
	tat = &rl->tat[bucket_of(rl, from)];
	if (*tat < now_ns)
		*tat = now_ns;
	/* A second's worth may be ahead of now: the burst. */
	if (*tat - now_ns > NSEC_PER_SEC - interval)
		return false;
	*tat += interval;
	return true;
}
