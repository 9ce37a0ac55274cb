// SPDX-License-Identifier: GPL-2.0
/*
 * Server lifecycle (start, stop with drain) and admission.
 *
 * Threads: one listener ("ktftpd-listen") on the well-known port, and a
 * bounded pool of workers ("ktftpd/N") that each serve many transfers,
 * event-driven.  Rubini's sample ran a thread per transfer; at 1000
 * transfers that is 1000 kernel stacks, so ktftpd multiplexes instead.
 *
 * Stop order matters, and is what makes stop and rmmod safe under load:
 * the listener goes first (no new transfer can appear), then transfers
 * drain or are aborted (each is freed by its own worker), and only when
 * the sessions list is empty do the workers stop.
 */
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/jiffies.h>
#include <linux/cpumask.h>
#include "config.h"
#include "listener.h"
#include "server.h"
#include "stats.h"
#include "worker.h"
#include "xfer.h"

static DEFINE_MUTEX(server_lock);	/* serializes start and stop */
static struct ktftpd_listener *listener;
static bool running;
static unsigned int n_workers;

static DEFINE_SPINLOCK(sessions_lock);
static LIST_HEAD(sessions);
static unsigned int n_sessions;
static DECLARE_WAIT_QUEUE_HEAD(sessions_wq);

bool ktftpd_server_running(void)
{
	return READ_ONCE(running);
}

int ktftpd_server_start(void)
{
	struct ktftpd_config *cfg;
	bool root_ok;
	int err = 0;

	mutex_lock(&server_lock);
	if (running)
		goto out;
	cfg = ktftpd_config_get();
	root_ok = cfg->root_ok;
	ktftpd_config_put(cfg);
	if (!root_ok) {
		pr_err("ktftpd: cannot start: root does not name a directory (set net.ktftpd.root)\n");
		err = -ENOENT;
		goto out;
	}
	err = ktftpd_workers_start(n_workers);
	if (err)
		goto out;
	listener = ktftpd_listener_start(ktftpd_config_value(KTFTPD_P_PORT), &err);
	if (!listener) {
		ktftpd_workers_stop();
		goto out;
	}
	WRITE_ONCE(running, true);
	pr_info("ktftpd: serving on port %ld\n", ktftpd_config_value(KTFTPD_P_PORT));
out:
	mutex_unlock(&server_lock);
	return err;
}

static bool sessions_empty(void)
{
	bool empty;

	spin_lock_bh(&sessions_lock);
	empty = list_empty(&sessions);
	spin_unlock_bh(&sessions_lock);
	return empty;
}

static void abort_all(void)
{
	struct ktftpd_xfer *x;

	spin_lock_bh(&sessions_lock);
	list_for_each_entry(x, &sessions, node)
		ktftpd_xfer_abort(x);
	spin_unlock_bh(&sessions_lock);
}

int ktftpd_server_stop_drain(unsigned int drain_ms)
{
	mutex_lock(&server_lock);
	if (!running)
		goto out;
	WRITE_ONCE(running, false);
	ktftpd_listener_stop(listener);
	listener = NULL;

	if (drain_ms)
		wait_event_timeout(sessions_wq, sessions_empty(),
				   msecs_to_jiffies(drain_ms));
	if (!sessions_empty()) {
		abort_all();
		/* Each worker ends its aborted transfers at once. */
		wait_event(sessions_wq, sessions_empty());
	}
	ktftpd_workers_stop();
	pr_info("ktftpd: stopped\n");
out:
	mutex_unlock(&server_lock);
	return 0;
}

int ktftpd_server_stop(void)
{
	return ktftpd_server_stop_drain(ktftpd_config_value(KTFTPD_P_DRAIN));
}

int ktftpd_server_admit(struct ktftpd_xfer *x, const char **why)
{
	long max = x->cfg->val[KTFTPD_P_MAX_SESSIONS];
	long per_client = x->cfg->val[KTFTPD_P_MAX_PER_CLIENT];
	struct ktftpd_xfer *other;
	long same = 0;
	int err = 0;

	spin_lock_bh(&sessions_lock);
	if (n_sessions >= max) {
		*why = "Server busy";
		err = -EBUSY;
		goto out;
	}
	list_for_each_entry(other, &sessions, node) {
		if (!ktftpd_addr_equal(&other->peer, &x->peer, false))
			continue;
		/*
		 * The same address and port: the client sent its request
		 * again because our first DATA was lost.  That transfer's
		 * timer resends it; a second transfer would only double the
		 * traffic and be refused by the client with ERROR 5.
		 */
		if (ktftpd_addr_equal(&other->peer, &x->peer, true)) {
			err = -EEXIST;
			goto out;
		}
		if (++same >= per_client) {
			*why = "Server busy: too many transfers from this client";
			err = -EBUSY;
			goto out;
		}
	}
	list_add_tail(&x->node, &sessions);
	n_sessions++;
	ktftpd_stats_session_begin();
out:
	spin_unlock_bh(&sessions_lock);
	return err;
}

void ktftpd_server_release(struct ktftpd_xfer *x)
{
	spin_lock_bh(&sessions_lock);
	list_del_init(&x->node);
	n_sessions--;
	ktftpd_stats_session_end();
	spin_unlock_bh(&sessions_lock);
	wake_up(&sessions_wq);
}

int ktftpd_server_init(unsigned int workers)
{
	n_workers = workers ? workers : min(num_online_cpus(), 16U);
	return 0;
}

void ktftpd_server_exit(void)
{
	/* rmmod: no drain, abort whatever is in flight. */
	ktftpd_server_stop_drain(0);
}
