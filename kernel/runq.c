// SPDX-License-Identifier: GPL-2.0
/*
 * A server's queue of transfer runs.  A run is a work item on the
 * server's per-CPU workqueue, and a CPU's kworker pool is shared with the
 * rest of the kernel: it takes its items in order, whoever queued them
 * (RCU's expedited grace periods, which umount and "ip netns del" wait
 * for, schedule_on_each_cpu(), ...).  A storm beyond the server's
 * capacity keeps every transfer's run queued; queued straight onto the
 * pool, up to the workqueue's 512 active items, each other item waited
 * behind all of them (on the debug kernel, an umount past the hung-task
 * watchdog's 60 s).
 *
 * So at most KTFTPD_RUNS_QUEUED of a server's runs are queued in a CPU's
 * pool and not yet begun; a transfer kicked beyond that waits on the
 * CPU's list, in order, and each run that begins there queues the first
 * waiter.  Runs that have begun do not count: one that waits on a hung
 * file system holds its own kworker, as before, and the workqueue's 512
 * active items are left for those.  Nor does a kick during a run take a
 * place (queued behind a run that hangs, it would hold it for as long):
 * it marks the transfer, and the run's end queues the next.
 */
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/workqueue.h>
#include "runq.h"
#include "server.h"
#include "xfer.h"

/*
 * A CPU's runs of one server queued and not begun.  Enough to keep its
 * kworker busy; each other item in the pool waits behind at most these.
 */
#define KTFTPD_RUNS_QUEUED 64

int ktftpd_runq_init(struct ktftpd_server *srv)
{
	int cpu;

	srv->runq = alloc_percpu(struct ktftpd_runq);
	if (!srv->runq)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu_ptr(srv->runq, cpu)->waiting);
	return 0;
}

void ktftpd_runq_exit(struct ktftpd_server *srv)
{
	free_percpu(srv->runq);
	srv->runq = NULL;
}

/* Called with runq_lock held: @x's run takes a place on @cpu's pool. */
static void runq_queue(struct ktftpd_server *srv, struct ktftpd_runq *q,
		       struct ktftpd_xfer *x, int cpu)
{
	q->queued++;
	x->run_cpu = cpu;
	WRITE_ONCE(x->run_state, KTFTPD_RUN_QUEUED);
	queue_work_on(cpu, srv->wq, &x->work);
}

/* Called with runq_lock held: a place on @cpu's pool is free again. */
static void runq_release(struct ktftpd_server *srv, int cpu)
{
	struct ktftpd_runq *q = per_cpu_ptr(srv->runq, cpu);
	struct ktftpd_xfer *next;

	q->queued--;
	next = list_first_entry_or_null(&q->waiting, struct ktftpd_xfer,
					run_wait);
	if (next) {
		list_del_init(&next->run_wait);
		runq_queue(srv, q, next, cpu);
	}
}

/*
 * Called with runq_lock held, @x idle: queue its run on this CPU's pool,
 * or have it wait for room there.
 */
static void runq_enter(struct ktftpd_server *srv, struct ktftpd_xfer *x)
{
	int cpu = smp_processor_id();
	struct ktftpd_runq *q = per_cpu_ptr(srv->runq, cpu);

	if (q->queued < KTFTPD_RUNS_QUEUED) {
		runq_queue(srv, q, x, cpu);
	} else {
		x->run_cpu = cpu;
		WRITE_ONCE(x->run_state, KTFTPD_RUN_WAITING);
		list_add_tail(&x->run_wait, &q->waiting);
	}
}

void ktftpd_runq_kick(struct ktftpd_xfer *x)
{
	struct ktftpd_server *srv = x->srv;

	spin_lock_bh(&srv->runq_lock);
	/*
	 * A run to come sees what this kick is for: the kicker set it
	 * before, and that run reads it after ktftpd_runq_begun() took
	 * this lock.  A run going now may have read past it: it runs again.
	 */
	switch (x->run_state) {
	case KTFTPD_RUN_IDLE:
		runq_enter(srv, x);
		break;
	case KTFTPD_RUN_RUNNING:
		x->run_again = true;
		break;
	case KTFTPD_RUN_QUEUED:
	case KTFTPD_RUN_WAITING:
		break;
	}
	spin_unlock_bh(&srv->runq_lock);
}

void ktftpd_runq_begun(struct ktftpd_xfer *x)
{
	struct ktftpd_server *srv = x->srv;

	spin_lock_bh(&srv->runq_lock);
	if (!WARN_ON_ONCE(x->run_state != KTFTPD_RUN_QUEUED)) {
		WRITE_ONCE(x->run_state, KTFTPD_RUN_RUNNING);
		runq_release(srv, x->run_cpu);
	}
	spin_unlock_bh(&srv->runq_lock);
}

void ktftpd_runq_ended(struct ktftpd_xfer *x)
{
	struct ktftpd_server *srv = x->srv;

	spin_lock_bh(&srv->runq_lock);
	WRITE_ONCE(x->run_state, KTFTPD_RUN_IDLE);
	if (x->run_again) {
		x->run_again = false;
		runq_enter(srv, x);
	}
	spin_unlock_bh(&srv->runq_lock);
}

bool ktftpd_runq_idle(const struct ktftpd_xfer *x)
{
	return READ_ONCE(x->run_state) == KTFTPD_RUN_IDLE;
}

void ktftpd_runq_cancel(struct ktftpd_xfer *x)
{
	struct ktftpd_server *srv = x->srv;

	spin_lock_bh(&srv->runq_lock);
	/* Called by its own run (RUNNING); nothing else can kick it now. */
	switch (x->run_state) {
	case KTFTPD_RUN_WAITING:
		list_del_init(&x->run_wait);
		break;
	case KTFTPD_RUN_QUEUED:
		if (cancel_work(&x->work))
			runq_release(srv, x->run_cpu);
		break;
	case KTFTPD_RUN_IDLE:
	case KTFTPD_RUN_RUNNING:
		break;
	}
	WRITE_ONCE(x->run_state, KTFTPD_RUN_IDLE);
	x->run_again = false;
	spin_unlock_bh(&srv->runq_lock);
}
