/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded pool of kernel threads ("ktftpd/N"), each serving many
 * transfers.  A transfer is bound to one worker from its setup's end (see
 * ktftpd_server_claim()) to its end, and is only ever run by that worker,
 * so a transfer's state needs no lock.
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
	/*
	 * Not asleep waiting for work.  A hint, read without the lock: the
	 * fast path answers an ACK itself only while the worker sleeps, and
	 * leaves it to a worker that is up anyway (on another CPU, batching
	 * many transfers) rather than doing it in the sender's context.
	 */
	bool awake;
};

int ktftpd_workers_start(unsigned int count);
/* Only once no transfer is left: the server drains them first. */
void ktftpd_workers_stop(void);

struct ktftpd_worker *ktftpd_worker_pick(void);

/* Queue @run_node (a transfer's) on @w unless it is queued already. */
void ktftpd_worker_kick(struct ktftpd_worker *w, struct list_head *run_node);
/* Take @run_node off @w's queue if it is on it. */
void ktftpd_worker_dequeue(struct ktftpd_worker *w, struct list_head *run_node);

static inline bool ktftpd_worker_awake(const struct ktftpd_worker *w)
{
	return READ_ONCE(w->awake);
}

#endif /* KTFTPD_WORKER_H */
