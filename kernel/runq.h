/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A server's queue of transfer runs: how many of its runs wait in each
 * CPU's kworker pool, and the transfers waiting for room there.
 */
#ifndef KTFTPD_RUNQ_H
#define KTFTPD_RUNQ_H

#include <linux/list.h>
#include <linux/spinlock.h>

struct ktftpd_server;
struct ktftpd_xfer;

/* Where a transfer's next run is (ktftpd_xfer.run_state). */
enum ktftpd_run_state {
	KTFTPD_RUN_IDLE,	/* none to come: a kick queues one */
	KTFTPD_RUN_QUEUED,	/* in a kworker pool, counted on run_cpu */
	KTFTPD_RUN_WAITING,	/* on run_cpu's waiting list, for room */
	KTFTPD_RUN_RUNNING,	/* begun; a kick sets run_again */
};

/* One CPU's share of a server's runs. */
struct ktftpd_runq {
	unsigned int queued;		/* queued there, not yet begun */
	struct list_head waiting;	/* ktftpd_xfer.run_wait, in order */
};

int ktftpd_runq_init(struct ktftpd_server *srv);
void ktftpd_runq_exit(struct ktftpd_server *srv);
/* @x has something to do: queue its run, or have it wait for room. */
void ktftpd_runq_kick(struct ktftpd_xfer *x);
/* @x's run begins: room for a waiter. */
void ktftpd_runq_begun(struct ktftpd_xfer *x);
/* @x's run has ended, @x alive: queue the next if kicked meanwhile. */
void ktftpd_runq_ended(struct ktftpd_xfer *x);
/* No run of @x to come or going: the fast path may run it. */
bool ktftpd_runq_idle(const struct ktftpd_xfer *x);
/* @x is being freed, by its own run: no run of it is left to come. */
void ktftpd_runq_cancel(struct ktftpd_xfer *x);

#endif
