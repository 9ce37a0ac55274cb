// SPDX-License-Identifier: GPL-2.0
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/string.h>
#include "stats.h"

struct ktftpd_pcpu_stats {
	u64 counter[KTFTPD_C_COUNT];
	u64 errors_sent[TFTP_ERROR_CODES];
};

void ktftpd_stats_init(struct ktftpd_stats *st)
{
	st->pcpu = NULL;
	atomic_set(&st->active_xfers, 0);
	atomic_set(&st->peak_xfers, 0);
}

int ktftpd_stats_ready(struct ktftpd_stats *st)
{
	struct ktftpd_pcpu_stats __percpu *pcpu;

	if (st->pcpu)
		return 0;
	/* Charged to whoever starts the server first. */
	pcpu = alloc_percpu_gfp(struct ktftpd_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!pcpu)
		return -ENOMEM;
	/* Read without the server's lock by ktftpd_stats_snapshot(). */
	smp_store_release(&st->pcpu, pcpu);
	return 0;
}

void ktftpd_stats_exit(struct ktftpd_stats *st)
{
	free_percpu(st->pcpu);
	st->pcpu = NULL;
}

void ktftpd_stats_add(struct ktftpd_stats *st, enum ktftpd_counter c, u64 n)
{
	this_cpu_add(st->pcpu->counter[c], n);
}

void ktftpd_stats_error_sent(struct ktftpd_stats *st, u16 code)
{
	/* Codes past the RFC's are counted as "not defined". */
	this_cpu_inc(st->pcpu->errors_sent[code < TFTP_ERROR_CODES ? code : 0]);
}

void ktftpd_stats_xfer_begin(struct ktftpd_stats *st)
{
	int now = atomic_inc_return(&st->active_xfers);
	int peak = atomic_read(&st->peak_xfers);

	while (now > peak) {
		if (atomic_try_cmpxchg(&st->peak_xfers, &peak, now))
			break;
	}
}

void ktftpd_stats_xfer_end(struct ktftpd_stats *st)
{
	atomic_dec(&st->active_xfers);
}

void ktftpd_stats_snapshot(struct ktftpd_stats *st,
			   struct ktftpd_stats_snapshot *snap)
{
	/* Pairs with ktftpd_stats_ready()'s release: the counters, zeroed. */
	struct ktftpd_pcpu_stats __percpu *pcpu = smp_load_acquire(&st->pcpu);
	int cpu, i;

	memset(snap, 0, sizeof(*snap));
	snap->active = atomic_read(&st->active_xfers);
	snap->peak = atomic_read(&st->peak_xfers);
	/* Never started: nothing counted, nothing allocated. */
	if (!pcpu)
		return;
	for_each_possible_cpu(cpu) {
		const struct ktftpd_pcpu_stats *s = per_cpu_ptr(pcpu, cpu);

		for (i = 0; i < KTFTPD_C_COUNT; i++)
			snap->counter[i] += READ_ONCE(s->counter[i]);
		for (i = 0; i < TFTP_ERROR_CODES; i++)
			snap->errors_sent[i] += READ_ONCE(s->errors_sent[i]);
	}
}
