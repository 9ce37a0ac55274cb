/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded pool of kernel threads ("ktftpd/N"), each serving many
 * transfers.  A transfer is bound to one worker for its whole life and is
 * only ever run by that worker, so a transfer's state needs no lock.
 * Events (a datagram arrived, a timer fired, the server stops) put the
 * transfer on its worker's run queue and wake the worker.
 */
#ifndef KTFTPD_WORKER_H
#define KTFTPD_WORKER_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/sched.h>

struct ktftpd_xfer;

struct ktftpd_worker {
	spinlock_t lock;		/* protects runq */
	struct list_head runq;		/* transfers with events to handle */
	struct task_struct *task;
};

int ktftpd_workers_start(unsigned int count);
/* Only once no transfer is left: the server drains them first. */
void ktftpd_workers_stop(void);

struct ktftpd_worker *ktftpd_worker_pick(void);

/* Queue @run_node (a transfer's) on @w unless it is queued already. */
void ktftpd_worker_kick(struct ktftpd_worker *w, struct list_head *run_node);
/* Take @run_node off @w's queue if it is on it. */
void ktftpd_worker_dequeue(struct ktftpd_worker *w, struct list_head *run_node);

#endif /* KTFTPD_WORKER_H */
