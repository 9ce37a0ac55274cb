/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Server counters, kept from the first request.  Hot counters are per-CPU
 * so that packets on different CPUs never share a cache line; a snapshot
 * sums them.
 */
#ifndef KTFTPD_STATS_H
#define KTFTPD_STATS_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/compiler_types.h>
#include "proto.h"
#include "counters.h"

struct ktftpd_pcpu_stats;

/* One server's counters. */
struct ktftpd_stats {
	struct ktftpd_pcpu_stats __percpu *pcpu;
	atomic_t active_xfers;
	atomic_t peak_xfers;
};

struct ktftpd_stats_snapshot {
	u64 counter[KTFTPD_C_COUNT];
	u64 errors_sent[TFTP_ERROR_CODES];	/* ERROR packets, by code */
	u32 active;
	u32 peak;
};

/* Counts nothing yet, and allocates nothing: a stopped server is cheap. */
void ktftpd_stats_init(struct ktftpd_stats *st);
/*
 * The per-CPU counters, made at the first start (before anything can
 * count: the listeners and transfers come after).  Under the server's
 * lock.
 */
int ktftpd_stats_ready(struct ktftpd_stats *st);
void ktftpd_stats_exit(struct ktftpd_stats *st);

void ktftpd_stats_add(struct ktftpd_stats *st, enum ktftpd_counter c, u64 n);
static inline void ktftpd_stats_inc(struct ktftpd_stats *st,
				    enum ktftpd_counter c)
{
	ktftpd_stats_add(st, c, 1);
}

void ktftpd_stats_error_sent(struct ktftpd_stats *st, u16 code);

/* Active transfers: the server calls these as they come and go. */
void ktftpd_stats_xfer_begin(struct ktftpd_stats *st);
void ktftpd_stats_xfer_end(struct ktftpd_stats *st);

void ktftpd_stats_snapshot(struct ktftpd_stats *st,
			   struct ktftpd_stats_snapshot *snap);

#endif /* KTFTPD_STATS_H */
