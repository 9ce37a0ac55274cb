// SPDX-License-Identifier: GPL-2.0
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/atomic.h>
#include "worker.h"
#include "xfer.h"

static struct ktftpd_worker *workers;
static unsigned int n_workers;
static atomic_t next_worker = ATOMIC_INIT(0);

void ktftpd_worker_kick(struct ktftpd_worker *w, struct list_head *run_node)
{
	unsigned long flags;

	/* Timers and socket callbacks kick from softirq: irqsave suits all. */
	spin_lock_irqsave(&w->lock, flags);
	if (list_empty(run_node))
		list_add_tail(run_node, &w->runq);
	spin_unlock_irqrestore(&w->lock, flags);
	wake_up_process(w->task);
}

void ktftpd_worker_dequeue(struct ktftpd_worker *w, struct list_head *run_node)
{
	unsigned long flags;

	spin_lock_irqsave(&w->lock, flags);
	list_del_init(run_node);
	spin_unlock_irqrestore(&w->lock, flags);
}

static struct list_head *worker_pop(struct ktftpd_worker *w)
{
	struct list_head *node = NULL;
	unsigned long flags;

	spin_lock_irqsave(&w->lock, flags);
	if (!list_empty(&w->runq)) {
		node = w->runq.next;
		list_del_init(node);
	}
	spin_unlock_irqrestore(&w->lock, flags);
	return node;
}

static int worker_fn(void *data)
{
	struct ktftpd_worker *w = data;
	struct list_head *node;

	for (;;) {
		/*
		 * Set the state before looking at the queue: a kick between
		 * the look and schedule() then makes schedule() return.
		 */
		set_current_state(TASK_INTERRUPTIBLE);
		node = worker_pop(w);
		if (!node) {
			if (kthread_should_stop())
				break;
			WRITE_ONCE(w->awake, false);
			schedule();
			WRITE_ONCE(w->awake, true);
			continue;
		}
		__set_current_state(TASK_RUNNING);
		ktftpd_xfer_run(list_entry(node, struct ktftpd_xfer, run_node));
		cond_resched();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

int ktftpd_workers_start(unsigned int count)
{
	unsigned int i;

	workers = kcalloc(count, sizeof(*workers), GFP_KERNEL);
	if (!workers)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		struct ktftpd_worker *w = &workers[i];
		struct task_struct *t;

		spin_lock_init(&w->lock);
		INIT_LIST_HEAD(&w->runq);
		w->awake = true;
		t = kthread_run(worker_fn, w, "ktftpd/%u", i);
		if (IS_ERR(t)) {
			n_workers = i;
			ktftpd_workers_stop();
			return PTR_ERR(t);
		}
		w->task = t;
	}
	n_workers = count;
	return 0;
}

void ktftpd_workers_stop(void)
{
	unsigned int i;

	for (i = 0; i < n_workers; i++) {
		WARN_ON(!list_empty(&workers[i].runq));
		kthread_stop(workers[i].task);
	}
	kfree(workers);
	workers = NULL;
	n_workers = 0;
}

struct ktftpd_worker *ktftpd_worker_pick(void)
{
	unsigned int i = (unsigned int)atomic_inc_return(&next_worker);

	return &workers[i % n_workers];
}
