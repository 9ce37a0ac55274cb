// SPDX-License-Identifier: GPL-2.0
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/string.h>
#include "stats.h"

struct ktftpd_pcpu_stats {
	u64 counter[KTFTPD_C_COUNT];
	u64 errors_sent[TFTP_ERROR_CODES];
};

static struct ktftpd_pcpu_stats __percpu *pcpu_stats;
static atomic_t active_xfers = ATOMIC_INIT(0);
static atomic_t peak_xfers = ATOMIC_INIT(0);

int ktftpd_stats_init(void)
{
	pcpu_stats = alloc_percpu(struct ktftpd_pcpu_stats);
	return pcpu_stats ? 0 : -ENOMEM;
}

void ktftpd_stats_exit(void)
{
	free_percpu(pcpu_stats);
	pcpu_stats = NULL;
}

void ktftpd_stats_add(enum ktftpd_counter c, u64 n)
{
	this_cpu_add(pcpu_stats->counter[c], n);
}

void ktftpd_stats_error_sent(u16 code)
{
	/* Codes past the RFC's are counted as "not defined". */
	this_cpu_inc(pcpu_stats->errors_sent[code < TFTP_ERROR_CODES ? code : 0]);
}

void ktftpd_stats_xfer_begin(void)
{
	int now = atomic_inc_return(&active_xfers);
	int peak = atomic_read(&peak_xfers);

	while (now > peak) {
		if (atomic_try_cmpxchg(&peak_xfers, &peak, now))
			break;
	}
}

void ktftpd_stats_xfer_end(void)
{
	atomic_dec(&active_xfers);
}

void ktftpd_stats_snapshot(struct ktftpd_stats_snapshot *snap)
{
	int cpu, i;

	memset(snap, 0, sizeof(*snap));
	for_each_possible_cpu(cpu) {
		const struct ktftpd_pcpu_stats *s = per_cpu_ptr(pcpu_stats, cpu);

		for (i = 0; i < KTFTPD_C_COUNT; i++)
			snap->counter[i] += READ_ONCE(s->counter[i]);
		for (i = 0; i < TFTP_ERROR_CODES; i++)
			snap->errors_sent[i] += READ_ONCE(s->errors_sent[i]);
	}
	snap->active = atomic_read(&active_xfers);
	snap->peak = atomic_read(&peak_xfers);
}
