/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Server counters, kept from the first request.  Hot counters are per-CPU
 * so that packets on different CPUs never share a cache line; a snapshot
 * sums them.
 */
#ifndef KTFTPD_STATS_H
#define KTFTPD_STATS_H

#include <linux/types.h>
#include "proto.h"
#include "counters.h"


struct ktftpd_stats_snapshot {
	u64 counter[KTFTPD_C_COUNT];
	u64 errors_sent[TFTP_ERROR_CODES];	/* ERROR packets, by code */
	u32 active;
	u32 peak;
};

int ktftpd_stats_init(void);
void ktftpd_stats_exit(void);

void ktftpd_stats_add(enum ktftpd_counter c, u64 n);
static inline void ktftpd_stats_inc(enum ktftpd_counter c)
{
	ktftpd_stats_add(c, 1);
}
void ktftpd_stats_error_sent(u16 code);

/* Active transfers: the server calls these as they come and go. */
void ktftpd_stats_xfer_begin(void);
void ktftpd_stats_xfer_end(void);

void ktftpd_stats_snapshot(struct ktftpd_stats_snapshot *snap);

#endif /* KTFTPD_STATS_H */
