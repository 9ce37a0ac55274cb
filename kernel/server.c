// SPDX-License-Identifier: GPL-2.0
/*
 * Server lifecycle (start, stop with drain) and admission.
 *
 * Threads: one listener ("ktftpd-listen") on the well-known port; the
 * transfers are work items of the ktftpd workqueue (xfer.c), event-driven,
 * many to a kworker.  Rubini's sample ran a thread per transfer; at 1000
 * transfers that is 1000 kernel stacks, so ktftpd multiplexes instead.
 *
 * Stop order matters, and is what makes stop and rmmod safe under load:
 * the listener goes first (no new transfer can appear), then transfers
 * drain or are aborted (each is freed by its own run).  A stop waits for
 * the aborted ones as long as they keep ending; one whose run waits on a
 * hung NFS or FUSE server is left to end when the file system answers
 * (nothing it uses goes away with a stop).  When the namespace goes,
 * ktftpd_server_shutdown() cuts such a transfer off from it instead of
 * waiting (the namespaces' cleanup is one worker for the whole host),
 * and the server outlives the namespace until the transfer ends.  rmmod
 * waits for it (ktftpd_servers_exit()), since it runs the module's code.
 */
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include "compat.h"
#include "config.h"
#include "listener.h"
#include "server.h"
#include "runq.h"
#include "stats.h"
#include "xfer.h"

/*
 * After an abort, a stop waits for transfers to end as long as one ends
 * in each such period; the rest are waiting on a file system.
 */
#define KTFTPD_ABORT_PROGRESS_MS 1000
/*
 * Transfers in their first run (opening the file, reading its first
 * block): while that many are, at most half of max_sessions and at most
 * this many, a new request is answered "Server busy", and the transfers
 * in flight go on.  A first run that a hung file system holds stays in
 * its kworker for as long as it hangs; the server's workqueue runs at
 * most WQ_MAX_ACTIVE (512) items at once on a CPU, and the listener's CPU
 * takes every first run.  A healthy burst has few first runs going at
 * once (about one a CPU, plus those waiting on the disk): the ones still
 * queued are not counted.
 */
#define KTFTPD_OPENING_MAX 256
/*
 * How often a namespace's shutdown looks again for aborted transfers that
 * went into a file operation since it last looked, to cut them off; and
 * how long it waits for one aborted run to end its transfer before it
 * cuts off those whose runs have not begun.
 */
#define KTFTPD_CUT_SCAN_MS 100
/*
 * The longest it waits for those at all: the transfers it cut off free
 * their kworkers as their file operations return, and a file system that
 * answers one every KTFTPD_CUT_SCAN_MS would otherwise keep the host's
 * one namespace-cleanup worker here for a period per transfer.
 */
#define KTFTPD_CUT_GRACE_MS 1000

/* Frees servers off their own workqueue; unload waits for every one. */
static struct workqueue_struct *servers_free_wq;
static atomic_t servers_alive = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(servers_freed);

bool ktftpd_server_running(struct ktftpd_server *srv)
{
	return READ_ONCE(srv->running);
}

u64 ktftpd_server_uptime_ms(struct ktftpd_server *srv)
{
	if (!READ_ONCE(srv->running))
		return 0;
	return div_u64(ktime_get_ns() - READ_ONCE(srv->started_ns),
		       NSEC_PER_MSEC);
}

static void stop_listeners(struct ktftpd_server *srv)
{
	while (srv->n_listeners)
		ktftpd_listener_stop(srv->listeners[--srv->n_listeners]);
}

/* One listener per listen address, or one for every address. */
static int start_listeners(struct ktftpd_server *srv,
			   const struct ktftpd_config *cfg)
{
	u16 port = cfg->val[KTFTPD_P_PORT];
	unsigned int i, n = cfg->n_listen ? cfg->n_listen : 1;
	int err = 0;

	for (i = 0; i < n; i++) {
		srv->listeners[i] = ktftpd_listener_start(srv, port,
							  cfg->n_listen ?
							  &cfg->listen[i] : NULL,
							  &err);
		if (!srv->listeners[i])
			break;
		srv->n_listeners++;
	}
	if (err) {
		pr_err_ratelimited("ktftpd: cannot listen on port %u: %pe\n", port, ERR_PTR(err));
		stop_listeners(srv);
	}
	return err;
}

static int start_locked(struct ktftpd_server *srv,
			const struct ktftpd_config *cfg)
{
	int err;

	if (srv->running)
		return 0;
	if (READ_ONCE(srv->unloading))
		return -ESHUTDOWN;
	if (!cfg->root_ok) {
		pr_err_ratelimited("ktftpd: cannot start: root does not name a directory (set net.ktftpd.root)\n");
		return -ENOENT;
	}
	if (!cfg->creds) {
		pr_err_ratelimited("ktftpd: cannot start: user %ld or group %ld has no mapping in the namespace's user namespace (set net.ktftpd.user and group)\n",
				   cfg->val[KTFTPD_P_USER], cfg->val[KTFTPD_P_GROUP]);
		return -EOVERFLOW;
	}
	/* What only a running server needs, made at its first start. */
	err = ktftpd_stats_ready(&srv->stats);
	if (err)
		return err;
	if (!srv->runq) {
		err = ktftpd_runq_init(srv);
		if (err)
			return err;
	}
	if (!srv->wq) {
		srv->wq = alloc_workqueue("ktftpd", KTFTPD_WQ_PERCPU, WQ_MAX_ACTIVE);
		if (!srv->wq)
			return -ENOMEM;
	}
	err = start_listeners(srv, cfg);
	if (err)
		return err;
	WRITE_ONCE(srv->started_ns, ktime_get_ns());
	WRITE_ONCE(srv->running, true);
	pr_info_ratelimited("ktftpd: serving on port %ld\n", cfg->val[KTFTPD_P_PORT]);
	return 0;
}

/*
 * A change waits for srv->lock as long as another one holds it, and that
 * one may wait for a root lookup in a hung file system: whoever asked
 * for the change must still be able to kill their process.
 */
static int lock_for_change(struct ktftpd_server *srv)
{
	return mutex_lock_killable(&srv->lock);
}

int ktftpd_server_start(struct ktftpd_server *srv)
{
	struct ktftpd_config *cfg;
	int err;

	err = lock_for_change(srv);
	if (err)
		return err;
	cfg = ktftpd_config_get(srv);
	err = start_locked(srv, cfg);
	ktftpd_config_put(cfg);
	mutex_unlock(&srv->lock);
	return err;
}

/*
 * Move the listeners from @cur's addresses to @next's.  The old sockets
 * close first (the new ones may want the same port); if the new ones cannot
 * bind, the old ones come back, so a refused change leaves the server as
 * it was.  Transfers in flight have sockets of their own: untouched.
 */
static int rebind_locked(struct ktftpd_server *srv,
			 const struct ktftpd_config *cur,
			 const struct ktftpd_config *next)
{
	int err;

	stop_listeners(srv);
	err = start_listeners(srv, next);
	if (err && start_listeners(srv, cur)) {
		pr_err_ratelimited("ktftpd: cannot listen on the old addresses again: stopped listening\n");
		WRITE_ONCE(srv->running, false);
	}
	return err;
}

static const char unmapped_identity[] =
	"user or group has no mapping in the namespace's user namespace";

int ktftpd_server_configure(struct ktftpd_server *srv,
			    const struct ktftpd_config_change *chg, bool start,
			    bool *changed, int *bad, const char **why)
{
	struct ktftpd_config *cur, *next;
	int err;

	err = lock_for_change(srv);
	if (err) {
		*bad = -1;
		*why = "killed while waiting for another change to end";
		return err;
	}
	next = ktftpd_config_build(srv, chg, bad, why);
	if (IS_ERR(next)) {
		err = PTR_ERR(next);
		goto out;
	}
	cur = ktftpd_config_get(srv);
	*changed = !ktftpd_config_same(cur, next);
	if (srv->running && !next->creds) {
		err = -EOVERFLOW;
		*bad = KTFTPD_P_USER;
		*why = unmapped_identity;
		goto out_put;
	}
	if (srv->running && !ktftpd_config_same_listen(cur, next)) {
		err = rebind_locked(srv, cur, next);
		if (err) {
			*bad = KTFTPD_F_LISTEN;
			*why = "cannot bind the new port or listen addresses";
			goto out_put;
		}
	}
	if (start && !srv->running) {
		err = start_locked(srv, next);
		if (err) {
			*bad = -1;
			*why = err == -ENOENT ? "root does not name a directory" :
			       err == -EOVERFLOW ? unmapped_identity :
			       err == -ENOMEM ? "out of memory" :
			       "cannot start: the port or an address could not be bound";
			goto out_put;
		}
	}
	if (*changed) {
		ktftpd_config_publish(srv, next);
		next = NULL;
	}
out_put:
	ktftpd_config_put(cur);
	ktftpd_config_put(next);
out:
	mutex_unlock(&srv->lock);
	return err;
}

static unsigned int xfers_count(struct ktftpd_server *srv)
{
	unsigned int n;

	spin_lock_bh(&srv->xfers_lock);
	n = srv->n_xfers;
	spin_unlock_bh(&srv->xfers_lock);
	return n;
}

/* Transfers not cut off yet (each ends with an ERROR to its client). */
static unsigned int xfers_uncut(struct ktftpd_server *srv)
{
	unsigned int n;

	spin_lock_bh(&srv->xfers_lock);
	n = srv->n_xfers - srv->n_cut;
	spin_unlock_bh(&srv->xfers_lock);
	return n;
}

static bool xfers_empty(struct ktftpd_server *srv)
{
	return xfers_count(srv) == 0;
}

/*
 * Transfers not aborted yet: what a drain waits for.  One an earlier stop
 * aborted, left waiting on a hung file system, would hold every later
 * drain for its whole time.
 */
static bool xfers_unaborted(struct ktftpd_server *srv)
{
	struct ktftpd_xfer *x;
	bool any = false;

	spin_lock_bh(&srv->xfers_lock);
	list_for_each_entry(x, &srv->xfers, node) {
		if (!test_bit(XFER_EV_ABORT, &x->events)) {
			any = true;
			break;
		}
	}
	spin_unlock_bh(&srv->xfers_lock);
	return any;
}

/*
 * Wait for aborted transfers to end, as long as they do.  Returns how many
 * are left: each is in a run that waits on a file system, and ends when
 * that answers (its abort is queued behind it), or its run waits behind
 * a backlog the pool had no time for in KTFTPD_ABORT_PROGRESS_MS.
 */
static unsigned int wait_aborted(struct ktftpd_server *srv)
{
	unsigned int before, left = xfers_count(srv);

	while (left) {
		before = left;
		wait_event_timeout(srv->xfers_wq, xfers_count(srv) < before ||
				   READ_ONCE(srv->unloading),
				   msecs_to_jiffies(KTFTPD_ABORT_PROGRESS_MS));
		left = xfers_count(srv);
		/*
		 * The namespace going (ktftpd_server_shutdown()) waits for
		 * this stop's lock: a slow file system, ending one transfer
		 * a period, held the host's namespace cleanup that long.
		 */
		if (left == before || READ_ONCE(srv->unloading))
			break;
	}
	return left;
}

static void abort_all(struct ktftpd_server *srv)
{
	struct ktftpd_xfer *x;

	spin_lock_bh(&srv->xfers_lock);
	list_for_each_entry(x, &srv->xfers, node)
		if (!x->ending)
			ktftpd_xfer_abort(x);
	spin_unlock_bh(&srv->xfers_lock);
}

/* Hold the module while transfers outlive a stop (see module_pinned). */
static void pin_module(struct ktftpd_server *srv)
{
	bool pin;

	/* Not while rmmod runs: that waits for them itself. */
	if (!try_module_get(THIS_MODULE))
		return;
	spin_lock_bh(&srv->xfers_lock);
	pin = srv->n_xfers && !srv->module_pinned;
	srv->module_pinned |= pin;
	spin_unlock_bh(&srv->xfers_lock);
	if (!pin)
		module_put(THIS_MODULE);
}

static void stop_drain_locked(struct ktftpd_server *srv, unsigned int drain_ms)
{
	unsigned int left;
	bool was_running;

	was_running = srv->running;
	if (srv->running) {
		/*
		 * The port closes before "running" clears: stop reads 1 only
		 * once a request there draws a port unreachable.  (In the other
		 * order a request in between was dropped unanswered, and an
		 * operator read "stopped" with the port still bound.)  A request
		 * admitted meanwhile is drained or aborted with the rest:
		 * admission reads "running" under the lock abort_all() takes.
		 */
		stop_listeners(srv);
		WRITE_ONCE(srv->running, false);
		/* A shutdown (its namespace going) cuts a drain short. */
		if (drain_ms)
			wait_event_timeout(srv->xfers_wq,
					   !xfers_unaborted(srv) ||
					   READ_ONCE(srv->unloading),
					   msecs_to_jiffies(drain_ms));
	}
	/*
	 * Stopped or not, nothing is left running: a listener rebind that
	 * failed both ways stopped serving with transfers in flight.
	 */
	if (!xfers_empty(srv)) {
		abort_all(srv);
		/*
		 * Each run ends its aborted transfer at once... (not waited
		 * for when the namespace goes: shutdown cuts off the rest)
		 */
		left = READ_ONCE(srv->unloading) ? xfers_count(srv) :
						   wait_aborted(srv);
		/*
		 * ...unless it is in a file operation (it ends when that
		 * returns), or its run is still queued behind a backlog.
		 */
		if (left) {
			pr_warn_ratelimited("ktftpd: %u transfers not ended after the stop's abort; each ends at its next run, or, in a file operation (a hung file system?), when that returns\n",
					    left);
			pin_module(srv);
		}
	}
	if (was_running)
		pr_info_ratelimited("ktftpd: stopped\n");
}

int ktftpd_server_stop_drain(struct ktftpd_server *srv, unsigned int drain_ms)
{
	int err = lock_for_change(srv);

	if (err)
		return err;
	stop_drain_locked(srv, drain_ms);
	mutex_unlock(&srv->lock);
	return 0;
}

int ktftpd_server_stop(struct ktftpd_server *srv)
{
	return ktftpd_server_stop_drain(srv,
					ktftpd_config_value(srv, KTFTPD_P_DRAIN));
}

int ktftpd_server_admit(struct ktftpd_xfer *x, struct tftp_refusal *ref)
{
	struct ktftpd_server *srv = x->srv;
	long max = x->cfg->val[KTFTPD_P_MAX_SESSIONS];
	long per_client = x->cfg->val[KTFTPD_P_MAX_PER_CLIENT];
	long opening_max = clamp(max / 2, 1L, (long)KTFTPD_OPENING_MAX);
	struct ktftpd_xfer *other;
	long same = 0;
	int err = 0;

	spin_lock_bh(&srv->xfers_lock);
	/*
	 * Not while stopping: a transfer admitted after the stop's
	 * abort_all() would never be aborted.  The listeners are gone by
	 * then, but a single_port transfer hands on what its socket caught
	 * (ktftpd_listener_take).  Read under the lock abort_all() takes.
	 */
	if (!READ_ONCE(srv->running)) {
		err = -ESHUTDOWN;
		goto out;
	}
	/*
	 * Made under a config with no identity (unmapped ids), read just
	 * before a start with another config published it: never run, as
	 * if it came before the start.  The client asks again.
	 */
	if (!x->cfg->creds) {
		err = -ESHUTDOWN;
		goto out;
	}
	if (srv->n_xfers >= max) {
		tftp_refuse(ref, TFTP_EUNDEF, "Server busy");
		err = -EBUSY;
		goto out;
	}
	if (srv->n_opening >= opening_max) {
		tftp_refuse(ref, TFTP_EUNDEF,
			    "Server busy: too many transfers opening");
		err = -EBUSY;
		goto out;
	}
	list_for_each_entry(other, &srv->xfers, node) {
		if (!ktftpd_addr_equal(&other->peer, &x->peer, false))
			continue;
		/*
		 * The same address and port: the client sent its request
		 * again because our first DATA was lost.  That transfer's
		 * timer resends it; a second transfer would only double the
		 * traffic and be refused by the client with ERROR 5.  (Or a
		 * new request: see ktftpd_xfer_asked_anew.)
		 */
		if (ktftpd_addr_equal(&other->peer, &x->peer, true)) {
			ktftpd_xfer_asked_anew(other);
			err = -EEXIST;
			goto out;
		}
		if (++same >= per_client) {
			tftp_refuse(ref, TFTP_EUNDEF,
				    "Server busy: too many transfers from this client");
			err = -EBUSY;
			goto out;
		}
	}
	x->id = ++srv->last_xfer_id;
	list_add_tail(&x->node, &srv->xfers);
	srv->n_xfers++;
	ktftpd_stats_xfer_begin(&srv->stats);
	/*
	 * Queued before the lock goes: once listed, a stop's abort_all() may
	 * free @x at any moment (a single_port transfer's run admits while
	 * the server stops), so a kick after the unlock could touch freed
	 * memory.
	 */
	ktftpd_xfer_start(x);
out:
	spin_unlock_bh(&srv->xfers_lock);
	return err;
}

/*
 * @x's run is destroying it: stop aborting it (which would queue a run
 * again after the last one was cancelled).  It stays listed until
 * ktftpd_server_release(), so a stop still waits for it.
 */
void ktftpd_server_ending(struct ktftpd_xfer *x)
{
	spin_lock_bh(&x->srv->xfers_lock);
	x->ending = true;
	spin_unlock_bh(&x->srv->xfers_lock);
}

void ktftpd_server_opening(struct ktftpd_xfer *x)
{
	spin_lock_bh(&x->srv->xfers_lock);
	x->opening = true;
	x->srv->n_opening++;
	spin_unlock_bh(&x->srv->xfers_lock);
}

void ktftpd_server_opened(struct ktftpd_xfer *x)
{
	spin_lock_bh(&x->srv->xfers_lock);
	x->opening = false;
	x->srv->n_opening--;
	spin_unlock_bh(&x->srv->xfers_lock);
}

void ktftpd_server_release(struct ktftpd_xfer *x)
{
	struct ktftpd_server *srv = x->srv;
	/* The cut took a hold on the server for it (cut_off_waiters()). */
	bool cut = ktftpd_xfer_cut(x);
	bool unpin;

	spin_lock_bh(&srv->xfers_lock);
	list_del_init(&x->node);
	srv->n_xfers--;
	if (cut)
		srv->n_cut--;
	if (x->opening)
		srv->n_opening--;
	unpin = srv->module_pinned && !srv->n_xfers;
	if (unpin)
		srv->module_pinned = false;
	ktftpd_stats_xfer_end(&srv->stats);
	/*
	 * Under the lock: the last use of @srv.  An exit that sees the list
	 * empty (under this lock) may free @srv right after.
	 */
	wake_up(&srv->xfers_wq);
	spin_unlock_bh(&srv->xfers_lock);
	/*
	 * rmmod may go ahead from here: its exit still waits for this run's
	 * tail (destroy_workqueue), which is module code.
	 */
	if (unpin)
		module_put(THIS_MODULE);
	if (cut)
		ktftpd_server_put(srv);
}

int ktftpd_server_visit_xfers(struct ktftpd_server *srv, u64 after_id,
			      int (*fn)(struct ktftpd_xfer *x, void *arg),
			      void *arg)
{
	struct ktftpd_xfer *x;
	int ret = 0;

	spin_lock_bh(&srv->xfers_lock);
	list_for_each_entry(x, &srv->xfers, node) {
		if (x->id <= after_id)
			continue;
		ret = fn(x, arg);
		if (ret)
			break;
	}
	spin_unlock_bh(&srv->xfers_lock);
	return ret;
}

static void server_free(struct work_struct *work)
{
	struct ktftpd_server *srv = container_of(work, struct ktftpd_server,
						 free_work);

	/* Waits for the last runs' tails (they free their transfers). */
	if (srv->wq)
		destroy_workqueue(srv->wq);
	ktftpd_runq_exit(srv);
	ktftpd_stats_exit(&srv->stats);
	ktftpd_config_exit(srv);
	kfree(srv);
	if (atomic_dec_and_test(&servers_alive))
		wake_up(&servers_freed);
}

static void server_release(struct kref *ref)
{
	struct ktftpd_server *srv = container_of(ref, struct ktftpd_server,
						 ref);

	/* The last put may be a run on srv->wq, which must not destroy it. */
	queue_work(servers_free_wq, &srv->free_work);
}

void ktftpd_server_put(struct ktftpd_server *srv)
{
	kref_put(&srv->ref, server_release);
}

void ktftpd_server_get(struct ktftpd_server *srv)
{
	kref_get(&srv->ref);
}

struct ktftpd_server *ktftpd_server_create(struct net *net)
{
	struct ktftpd_server *srv;
	int err;

	srv = kzalloc(sizeof(*srv), GFP_KERNEL);
	if (!srv)
		return ERR_PTR(-ENOMEM);
	srv->net = net;
	kref_init(&srv->ref);
	INIT_WORK(&srv->free_work, server_free);
	mutex_init(&srv->lock);
	spin_lock_init(&srv->xfers_lock);
	spin_lock_init(&srv->runq_lock);
	INIT_LIST_HEAD(&srv->xfers);
	INIT_LIST_HEAD(&srv->cut_xfers);
	init_waitqueue_head(&srv->xfers_wq);
	ktftpd_stats_init(&srv->stats);
	atomic_inc(&servers_alive);
	err = ktftpd_config_init(srv);
	if (err) {
		ktftpd_server_put(srv);
		return ERR_PTR(err);
	}
	return srv;
}

int ktftpd_servers_init(void)
{
	servers_free_wq = alloc_workqueue("ktftpd_free", KTFTPD_WQ_PERCPU, 0);
	return servers_free_wq ? 0 : -ENOMEM;
}

void ktftpd_servers_exit(void)
{
	/* Each waits for its transfers cut off in a hung file system. */
	wait_event(servers_freed, !atomic_read(&servers_alive));
	destroy_workqueue(servers_free_wq);
}

/* Whether every transfer left has been cut off (moved to cut_xfers). */
static bool xfers_all_cut(struct ktftpd_server *srv)
{
	bool all;

	spin_lock_bh(&srv->xfers_lock);
	all = list_empty(&srv->xfers);
	spin_unlock_bh(&srv->xfers_lock);
	return all;
}

/* Sockets released per pass of cut_off_waiters(), outside the lock. */
#define KTFTPD_CUT_BATCH 16

/*
 * Cut off every transfer whose run is in a file operation, and if @idle,
 * every one with no run going on, a batch at a time: their sockets are
 * released outside the lock (sock_release() sleeps), and a transfer may
 * end and be freed the moment the lock goes.  How many were cut off.
 */
static unsigned int cut_off_waiters(struct ktftpd_server *srv, bool idle)
{
	struct socket *socks[KTFTPD_CUT_BATCH];
	unsigned int n, i, total = 0;
	struct ktftpd_xfer *x, *next;
	struct socket *sock;

	do {
		n = 0;
		spin_lock_bh(&srv->xfers_lock);
		list_for_each_entry_safe(x, next, &srv->xfers, node) {
			sock = NULL;
			if (!ktftpd_xfer_cut_off(x, idle, &sock))
				continue;
			/* Out of the next batch's scan, till it ends. */
			list_move_tail(&x->node, &srv->cut_xfers);
			srv->n_cut++;
			/* Dropped when it ends (server_release()). */
			ktftpd_server_get(srv);
			total++;
			if (sock)
				socks[n++] = sock;
			if (n == KTFTPD_CUT_BATCH)
				break;
		}
		spin_unlock_bh(&srv->xfers_lock);
		for (i = 0; i < n; i++)
			sock_release(socks[i]);
	} while (n == KTFTPD_CUT_BATCH);
	return total;
}

void ktftpd_server_shutdown(struct ktftpd_server *srv)
{
	unsigned long spare_until;
	unsigned int before, cut = 0;
	bool idle = false;

	/*
	 * Before the lock: a stop may hold it through a drain of up to
	 * drain_timeout, which this ends (the namespace's cleanup, which
	 * every namespace shares, must not wait for it).
	 */
	WRITE_ONCE(srv->unloading, true);
	wake_up(&srv->xfers_wq);
	/* No drain: abort whatever is in flight.  Not killable: it must end. */
	mutex_lock(&srv->lock);
	stop_drain_locked(srv, 0);
	mutex_unlock(&srv->lock);
	/*
	 * Every transfer ends before its namespace goes, one a start left
	 * behind when it failed halfway too (never stopped, as the server
	 * never ran); one that waits on a hung file system is cut off from
	 * the namespace instead.  Each aborted run either ends its transfer
	 * soon or is in a file operation by the next look.
	 */
	spare_until = jiffies + msecs_to_jiffies(KTFTPD_CUT_GRACE_MS);
	for (;;) {
		abort_all(srv);
		cut += cut_off_waiters(srv, idle);
		before = xfers_uncut(srv);
		if (wait_event_timeout(srv->xfers_wq, xfers_all_cut(srv),
				       msecs_to_jiffies(KTFTPD_CUT_SCAN_MS)))
			break;
		/*
		 * While the aborted runs keep ending their transfers, each
		 * with an ERROR to its client, the ones not begun yet are let
		 * begin, up to KTFTPD_CUT_GRACE_MS; a period in which none
		 * ended means they wait behind file operations, and those
		 * with no run going are cut off.  (Cutting them off after the
		 * first period left clients of a slow host's large swarm with
		 * no word.)  A cut transfer's end is not progress: it is the
		 * file system's pace.
		 */
		idle = xfers_uncut(srv) >= before ||
		       time_after(jiffies, spare_until);
	}
	if (cut)
		pr_warn_ratelimited("ktftpd: %u transfers cut off from their namespace as it went; each ends when its file operation returns\n",
				    cut);
}
