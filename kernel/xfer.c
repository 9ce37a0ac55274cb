// SPDX-License-Identifier: GPL-2.0
/*
 * One transfer, run as a work item: the parts that reads and uploads share
 * (socket callbacks, the timer, the receive loop, the end of the
 * transfer).  What to send and what a packet or a timeout means is decided
 * by the protocol core (proto.c, options.c); xfer_read.c and xfer_write.c
 * do the I/O for each direction.
 *
 * Runs: every event (a datagram, the timer, a stop's abort) queues the
 * transfer's work item on the ktftpd workqueue (through its server's run
 * queue, runq.c, which bounds how many wait there), and each run handles
 * all that is pending.  The workqueue is per-CPU and concurrency-managed: the
 * runs queued on a CPU take turns on one kworker, as long as none blocks;
 * when one waits on a file system (an open, a read or a write that a hung
 * NFS or FUSE server never answers), the pool wakes another kworker for
 * the rest.  So a hung mount beneath root holds up only its own transfers.
 *
 * Lifetime: the listener makes a transfer and has the server admit it,
 * which lists it and queues its first run under the lock a stop's abort
 * takes: admission is the listener's last touch.  The first run sets it up
 * (xfer_setup: the file, the options, the socket) and only then publishes
 * it to its socket's callbacks; a callback's kick queues a later run,
 * which the workqueue starts only after this one.  A transfer is freed
 * only by its own run, in ktftpd_xfer_destroy(), after the socket
 * callbacks are unhooked (under sk_callback_lock), the timer is shut down
 * and the server's stop no longer aborts it (ktftpd_server_ending()).  From
 * then on nothing can queue it, so cancelling a run queued meanwhile and
 * freeing it (the work item too, which a work function may do) is safe
 * without reference counts.
 */
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/jiffies.h>
#include <net/sock.h>
#include "compat.h"
#include "config.h"
#include "listener.h"
#include "netlink.h"
#include "rules.h"
#include "privilege.h"
#include "server.h"
#include "stats.h"
#include "lifetime.h"
#include "xfer.h"

/* The backed-off timeout never exceeds this many times the configured one. */
#define KTFTPD_RTO_MAX_FACTOR 8
/*
 * Datagrams one run takes from its socket before it lets the kworker go
 * (and queues itself again): a flood at one transfer's port, or an upload
 * faster than its file system, does not hold a CPU's shared kworker pool.
 */
#define KTFTPD_RUN_BUDGET 64

static void xfer_run(struct work_struct *work);
static bool xfer_setup(struct ktftpd_xfer *x);

void ktftpd_xfer_kick(struct ktftpd_xfer *x)
{
	/* Queued once however often kicked: one run handles every event. */
	ktftpd_runq_kick(x);
}

static void xfer_data_ready(struct sock *sk)
{
	struct ktftpd_xfer *x;

	read_lock_bh(&sk->sk_callback_lock);
	rcu_read_lock();
	x = rcu_dereference_sk_user_data(sk);
	if (x)
		ktftpd_xfer_kick(x);
	rcu_read_unlock();
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Buffer space came back: wake a transfer that stopped on a full one. */
static void xfer_write_space(struct sock *sk)
{
	struct ktftpd_xfer *x;

	read_lock_bh(&sk->sk_callback_lock);
	rcu_read_lock();
	x = rcu_dereference_sk_user_data(sk);
	smp_mb();	/* the space freed before the flag is read: see read_pump */
	if (x && READ_ONCE(x->send_blocked)) {
		set_bit(XFER_EV_WRITABLE, &x->events);
		ktftpd_xfer_kick(x);
	}
	rcu_read_unlock();
	read_unlock_bh(&sk->sk_callback_lock);
}

static void xfer_timer_fn(struct timer_list *t)
{
	struct ktftpd_xfer *x = timer_container_of(x, t, timer);

	set_bit(XFER_EV_TIMER, &x->events);
	ktftpd_xfer_kick(x);
}

/* When a transfer whose peer never answered is given up. */
static unsigned long handshake_deadline(const struct ktftpd_xfer *x)
{
	return x->started + msecs_to_jiffies(x->cfg->val[KTFTPD_P_HANDSHAKE]);
}

void ktftpd_xfer_arm_timer(struct ktftpd_xfer *x)
{
	x->deadline = jiffies + msecs_to_jiffies(x->rto_ms);
	if (!x->heard && time_before(handshake_deadline(x), x->deadline))
		x->deadline = handshake_deadline(x);
	mod_timer(&x->timer, x->deadline);
}

/*
 * The client repeated its ACK after our timer had backed off: it is there,
 * waiting for what we keep losing.  Nothing is sent now (RFC 1123), but
 * the count of resends starts over, and the next resend comes one first
 * timeout from now if that is sooner: a doubled timer (1, 3, 7, 15 s)
 * would otherwise outwait a client that gives up after 10 s, as a link
 * that drops a storm's packets for a few seconds showed.  The rate stays
 * bounded by the timer, never by the ACKs.
 */
void ktftpd_xfer_alive(struct ktftpd_xfer *x)
{
	unsigned long sooner;

	if (!x->heard)
		return;	/* a handshake ends at its own deadline */
	tftp_send_alive(&x->send);
	if (!x->rto_fixed)
		x->rto_ms = x->cfg->val[KTFTPD_P_TIMEOUT];
	sooner = jiffies + msecs_to_jiffies(x->rto_ms);
	if (time_before(sooner, x->deadline)) {
		x->deadline = sooner;
		mod_timer(&x->timer, sooner);
	}
}

void ktftpd_xfer_backoff(struct ktftpd_xfer *x)
{
	unsigned int max = x->cfg->val[KTFTPD_P_TIMEOUT] * KTFTPD_RTO_MAX_FACTOR;

	if (!x->rto_fixed)
		x->rto_ms = min(x->rto_ms * 2, max);
}

/*
 * Send one datagram to the peer.  A failed send is a lost packet, which
 * the timer recovers from, except a full socket buffer (-EAGAIN): the
 * caller stops and the write-space callback kicks it again.
 */
int ktftpd_xfer_send(struct ktftpd_xfer *x, const void *buf, size_t len)
{
	int ret;

	if (ktftpd_xfer_cut(x))
		return 0;	/* lost: the next file operation fails it */
	ret = ktftpd_net_send(x->sock, &x->peer, buf, len);

	if (ret >= 0) {
		ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_PACKETS_SENT);
		return 0;
	}
	return ret == -EAGAIN ? ret : 0;
}

void ktftpd_xfer_send_error(struct ktftpd_xfer *x, const struct ktftpd_addr *to,
			    const struct tftp_refusal *ref)
{
	if (ktftpd_xfer_cut(x))
		return;
	if (ktftpd_net_send_error(x->sock, to, ref) >= 0)
		ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_PACKETS_SENT);
	ktftpd_stats_error_sent(&x->srv->stats, ref->code);
}

static void xfer_unhook(struct ktftpd_xfer *x)
{
	struct sock *sk;

	if (!x->published)
		return;
	sk = x->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	if (x->fast)
		ktftpd_xfer_fast_unhook(x);
	rcu_assign_sk_user_data(sk, NULL);
	sk->sk_data_ready = x->saved_data_ready;
	sk->sk_write_space = x->saved_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
}

void ktftpd_xfer_fs_begin(struct ktftpd_xfer *x)
{
	/* Once cut, it stays cut: its file operations go on regardless. */
	atomic_cmpxchg(&x->fs, XFER_FS_OUT, XFER_FS_IN);
}

bool ktftpd_xfer_fs_end(struct ktftpd_xfer *x)
{
	return atomic_cmpxchg(&x->fs, XFER_FS_IN, XFER_FS_OUT) != XFER_FS_CUT;
}

/*
 * Whether this caller won @x from its run.  noinline: a race test
 * (test_control.py) holds the window after a win open at its return;
 * noclone keeps the name it probes.
 */
static noinline __noclone bool xfer_win_cut(struct ktftpd_xfer *x, bool idle)
{
	bool cut;

	/*
	 * Fully ordered on success, as the run's OUT to IN was: everything
	 * the run did with its socket before its file operation is seen
	 * here, and it touches the socket no more.
	 */
	cut = atomic_cmpxchg(&x->fs, XFER_FS_IN, XFER_FS_CUT) == XFER_FS_IN;
	/*
	 * No run going on (XFER_BUSY is free): one queued behind runs that
	 * wait on a file system may never begin.  Its next run finds it cut
	 * off, with the abort still pending, and only ends it.
	 */
	if (!cut && idle && !test_and_set_bit_lock(XFER_BUSY, &x->busy)) {
		cut = atomic_cmpxchg(&x->fs, XFER_FS_OUT, XFER_FS_CUT) ==
		      XFER_FS_OUT;
		clear_bit_unlock(XFER_BUSY, &x->busy);
	}
	return cut;
}

bool ktftpd_xfer_cut_off(struct ktftpd_xfer *x, bool idle,
			 struct socket **sock)
{
	if (!xfer_win_cut(x, idle))
		return false;
	/* No callback of its socket reaches @x once this returns. */
	xfer_unhook(x);
	*sock = x->sock;
	return true;
}

void ktftpd_xfer_free(struct ktftpd_xfer *x)
{
	/* A cut transfer's socket was released by whoever cut it. */
	if (x->sock && !ktftpd_xfer_cut(x))
		sock_release(x->sock);
	ktftpd_xfer_read_free(x);
	ktftpd_xfer_write_free(x);
	ktftpd_config_put(x->cfg);
	kvfree(x->buf);
	kfree(x->req_pkt);
	kfree(x->lookup);
	kfree(x->name);
	kfree(x);
	ktftpd_lifetime_freed(KTFTPD_OBJ_XFER);
}

void ktftpd_xfer_destroy(struct ktftpd_xfer *x, bool completed)
{
	enum ktftpd_counter end = x->size_probe ? KTFTPD_C_SIZE_PROBES :
				  completed ? KTFTPD_C_XFER_COMPLETED :
				  KTFTPD_C_XFER_FAILED;
	bool cut;

	/* Cut off, its callbacks were unhooked then. */
	if (!ktftpd_xfer_cut(x))
		xfer_unhook(x);
	timer_shutdown_sync(&x->timer);
	/*
	 * A server stop aborts every listed transfer, which queues its run:
	 * once ending, this one is left alone, so the run cancelled here is
	 * the last one.  (Queued again after that, a freed transfer was run:
	 * it spun on a stale XFER_BUSY.)
	 */
	ktftpd_server_ending(x);
	ktftpd_runq_cancel(x);
	/*
	 * An upload not committed loses its temporary file before anyone
	 * can see the transfer end (its counter, its event, the server
	 * idle): whoever looks then finds the old file alone.
	 */
	ktftpd_xfer_write_free(x);
	/* From here on no file operation: whether it was cut is settled. */
	cut = ktftpd_xfer_cut(x);
	if (cut) {
		/* Its namespace may be gone: no event, only the count. */
		ktftpd_stats_inc(&x->srv->stats, end);
	} else if (!x->published) {
		/* Refused while being set up: a refusal, not a transfer. */
		ktftpd_nl_event_refused(x->srv, &x->peer, x->name,
					strlen(x->name), x->is_write,
					x->err_code, x->err_msg);
	} else {
		ktftpd_stats_inc(&x->srv->stats, end);
		/* A probe ended as its client meant it to. */
		ktftpd_nl_event_end(x, end == KTFTPD_C_XFER_FAILED ?
				    KTFTPD_CMD_EVENT_ERROR :
				    KTFTPD_CMD_EVENT_FINISH);
	}
	/*
	 * The socket is its namespace's, which may go once the server is
	 * released: it goes first.  A cut one is left alone, pointer and
	 * all: its cutter, which won it inside the file operation above,
	 * may be about to read it, and releases it itself.
	 */
	if (x->sock && !cut) {
		sock_release(x->sock);
		x->sock = NULL;
	}
	/* Leave the transfer list last: the server waits on it to unload. */
	ktftpd_server_release(x);
	ktftpd_xfer_free(x);
}

void ktftpd_xfer_asked_anew(struct ktftpd_xfer *x)
{
	/*
	 * Before we heard from the peer, its request again is its own
	 * resend (our first DATA was lost; the timer resends it).  After, it
	 * is a new request from a client that keeps its port (its final
	 * ACK lost, say): this transfer must send it no ERROR, which would
	 * answer that request.  Repeated, it is served once this one ends.
	 */
	if (READ_ONCE(x->heard))
		set_bit(XFER_EV_SUPERSEDED, &x->events);
}

void ktftpd_xfer_error_to_peer(struct ktftpd_xfer *x,
			       const struct tftp_refusal *ref)
{
	/* Nothing is sent once cut off (see send_error). */
	if (x->sock && !test_bit(XFER_EV_SUPERSEDED, &x->events))
		ktftpd_xfer_send_error(x, &x->peer, ref);
}

void ktftpd_xfer_fail(struct ktftpd_xfer *x, const struct tftp_refusal *ref)
{
	/*
	 * A failed upload's temporary file goes before the ERROR does: a
	 * peer that hears it and looks finds the old file alone.
	 */
	ktftpd_xfer_write_free(x);
	ktftpd_xfer_error_to_peer(x, ref);
	x->err_code = ref->code;
	x->err_msg = ref->why;
	ktftpd_xfer_destroy(x, false);
}

void ktftpd_xfer_peer_error(struct ktftpd_xfer *x, u16 code, bool completed)
{
	x->err_code = code;
	x->err_msg = "Aborted by the client";
	ktftpd_xfer_destroy(x, completed);
}

/* Handle one datagram; false if the transfer ended. */
static bool xfer_handle(struct ktftpd_xfer *x, const u8 *pkt, int len,
			bool truncated, const struct ktftpd_addr *from)
{
	struct tftp_refusal ref;

	if (x->shared_port && !ktftpd_addr_equal(from, &x->peer, true)) {
		/*
		 * On the listening port, a stranger's datagram can only have
		 * come in before the connect: it is a request for the
		 * listener (cut short by our small buffer: its sender asks
		 * again), not an intruder to tell off.
		 */
		if (!truncated)
			ktftpd_listener_take(x->srv, x->sock, pkt, len,
					     from,
					     x->local.len ? &x->local : NULL);
		return true;
	}
	/* Our peer's request again (single_port): never a second transfer. */
	if (x->shared_port && len >= 2 && pkt[0] == 0 &&
	    (pkt[1] == TFTP_RRQ || pkt[1] == TFTP_WRQ)) {
		ktftpd_xfer_asked_anew(x);
		return true;
	}
	if (!ktftpd_addr_equal(from, &x->peer, true)) {
		/* RFC 1350: tell the intruder, carry on with our peer. */
		tftp_refuse(&ref, TFTP_EBADID, "Unknown transfer ID");
		ktftpd_xfer_send_error(x, from, &ref);
		return true;
	}
	if (x->is_write)
		return ktftpd_xfer_write_packet(x, pkt, len);
	return ktftpd_xfer_read_packet(x, pkt, len);
}

/* Handle every pending event of @x; false if the transfer ended. */
static bool xfer_run_owned(struct ktftpd_xfer *x)
{
	struct ktftpd_addr from;
	struct tftp_refusal ref;
	bool truncated;		/* seen in the length: see write_packet */
	u8 small[128];	/* a reader hears ACKs and ERRORs: longer ones are cut */
	unsigned int budget = KTFTPD_RUN_BUDGET;
	size_t cap;
	u8 *pkt;
	int len;

	if (test_bit(XFER_EV_DONE, &x->events)) {
		ktftpd_xfer_destroy(x, true);
		return false;
	}
	if (test_and_clear_bit(XFER_EV_ABORT, &x->events)) {
		if (x->dallying) {	/* finished already: nothing to abort */
			ktftpd_xfer_destroy(x, true);
		} else {
			tftp_refuse(&ref, TFTP_EUNDEF, "Server shutting down");
			ktftpd_xfer_fail(x, &ref);
		}
		return false;
	}
	/* Cut off (its abort is pending then): never set up or served. */
	if (ktftpd_xfer_cut(x)) {
		ktftpd_xfer_destroy(x, false);
		return false;
	}
	if (!x->published) {
		ktftpd_server_opening(x);
		if (!xfer_setup(x))
			return false;
	}
	/* An upload's buffer exists only once it is set up. */
	pkt = x->is_write ? x->buf : small;
	cap = x->is_write ? x->buf_len : sizeof(small);
	/*
	 * Whatever woke us, sending may be tried again: a write-space kick
	 * that raced with the failed send is never waited for in vain.
	 */
	clear_bit(XFER_EV_WRITABLE, &x->events);
	WRITE_ONCE(x->send_blocked, false);
	for (;;) {
		/*
		 * A stop's abort, queued while a file operation of this run
		 * waited, goes before anything else: a stopped server stores
		 * or commits nothing more.  The run it queued ends it.
		 */
		if (test_bit(XFER_EV_ABORT, &x->events))
			return true;
		/* Cut off in a file operation whose caller went on. */
		if (ktftpd_xfer_cut(x)) {
			ktftpd_xfer_destroy(x, false);
			return false;
		}
		if (!budget--) {
			ktftpd_xfer_kick(x);	/* the rest in the next run */
			break;
		}
		len = ktftpd_net_recv(x->sock, &from, NULL, pkt, cap, true,
				      &truncated);
		if (len == -EAGAIN)
			break;	/* drained */
		/*
		 * A connected (single_port) socket reports an ICMP error,
		 * which anyone can spoof, once: the datagrams behind it are
		 * still to be read.
		 */
		if (len < 0)
			continue;
		if (!xfer_handle(x, pkt, len, truncated, &from))
			return false;
	}
	/* The timer may have fired for a deadline that progress has moved. */
	if (test_and_clear_bit(XFER_EV_TIMER, &x->events) &&
	    time_after_eq(jiffies, x->deadline)) {
		if (!x->heard && time_after_eq(jiffies, handshake_deadline(x))) {
			ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_TIMEOUTS);
			tftp_refuse(&ref, TFTP_EUNDEF, "Timeout: no reply");
			ktftpd_xfer_fail(x, &ref);
			return false;
		}
		if (x->is_write)
			return ktftpd_xfer_write_timeout(x);
		if (tftp_send_outstanding(&x->send))
			return ktftpd_xfer_read_timeout(x);
	}
	if (x->is_write)
		return x->greeted || ktftpd_xfer_write_greet(x);
	return ktftpd_xfer_read_pump(x);
}

/*
 * Allocation failures are injected (failslab's task filter) where the
 * listener that admitted the transfer is marked: every run of it is the
 * server's work, whichever kworker does it.
 */
static bool fault_mark(void)
{
#ifdef CONFIG_FAULT_INJECTION
	return current->make_it_fail;
#else
	return false;
#endif
}

static void fault_mark_set(bool mark)
{
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = mark;
#endif
}

static void xfer_run(struct work_struct *work)
{
	struct ktftpd_xfer *x = container_of(work, struct ktftpd_xfer, work);
	/*
	 * Everything a transfer does to a file, it does as its config's
	 * serving identity, never as this thread's root.  Our own reference
	 * (override_creds takes none from 6.14 on): a run that frees @x and
	 * its config still reverts to valid credentials.
	 */
	const struct cred *creds = get_cred(x->cfg->creds);
	const struct cred *old = override_creds(creds);
	bool was_marked = fault_mark();

	ktftpd_runq_begun(x);
	fault_mark_set(x->make_it_fail);

	/* The fast path holds it for one ACK in a softirq: not for long. */
	while (test_and_set_bit_lock(XFER_BUSY, &x->busy))
		cpu_relax();
	if (xfer_run_owned(x)) {
		if (x->opening)		/* its first packet is out */
			ktftpd_server_opened(x);
		clear_bit_unlock(XFER_BUSY, &x->busy);
		ktftpd_runq_ended(x);
	}
	fault_mark_set(was_marked);
	revert_creds(old);
	put_cred(creds);
}

struct ktftpd_xfer *ktftpd_xfer_create(struct ktftpd_server *srv, int family,
				       const u8 *pkt, size_t len,
				       const struct tftp_request *req,
				       const struct ktftpd_addr *peer,
				       const struct ktftpd_addr *local,
				       struct tftp_refusal *ref)
{
	struct ktftpd_xfer *x;
	size_t name_len;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		goto nomem;
	ktftpd_lifetime_created(KTFTPD_OBJ_XFER);
	x->srv = srv;
	INIT_LIST_HEAD(&x->node);
	INIT_WORK(&x->work, xfer_run);
	INIT_LIST_HEAD(&x->run_wait);
	x->make_it_fail = fault_mark();
	x->peer = *peer;
	if (local)
		x->local = *local;
	x->family = family;
	x->cfg = ktftpd_config_get(srv);
	x->is_write = req->opcode == TFTP_WRQ;
	x->mode = req->mode;
	x->rto_ms = x->cfg->val[KTFTPD_P_TIMEOUT];
	x->started = jiffies;
	timer_setup(&x->timer, xfer_timer_fn, 0);

	x->name = kstrndup(req->filename, req->filename_len, GFP_KERNEL);
	x->req_pkt = kmemdup(pkt, len, GFP_KERNEL);
	if (!x->name || !x->req_pkt)
		goto nomem_free;
	x->req_len = len;
	name_len = tftp_normalize_filename(x->name, req->filename_len,
					   ktftpd_name_switches(x->cfg));
	if (name_len == 0) {
		tftp_refuse(ref, TFTP_EACCESS, "Access violation: not a file");
		goto fail;
	}
	if (!x->cfg->root_ok) {
		tftp_refuse(ref, TFTP_EUNDEF, "Server root unavailable");
		goto fail;
	}
	return x;

nomem_free:
	ktftpd_xfer_free(x);
nomem:
	tftp_refuse(ref, TFTP_EUNDEF, "Out of memory");
	return NULL;
fail:
	ktftpd_xfer_free(x);
	return NULL;
}

void ktftpd_xfer_limits(const struct ktftpd_xfer *x, struct tftp_limits *lim)
{
	const long *val = x->cfg->val;
	unsigned int mtu, fits;

	*lim = (struct tftp_limits) {
		.blksize_max = val[KTFTPD_P_BLKSIZE_MAX],
		.windowsize_max = val[KTFTPD_P_WINDOWSIZE_MAX],
		.max_write_size = val[KTFTPD_P_MAX_WRITE_SIZE],
		.timeout_max_s = val[KTFTPD_P_TIMEOUT_MAX],
		.window_bytes_max = val[KTFTPD_P_WINDOW_BYTES_MAX],
		.refused = (val[KTFTPD_P_REFUSE_BLKSIZE] ? TFTP_OPT_BLKSIZE : 0) |
			   (val[KTFTPD_P_REFUSE_TSIZE] ? TFTP_OPT_TSIZE : 0) |
			   (val[KTFTPD_P_REFUSE_TIMEOUT] ? TFTP_OPT_TIMEOUT : 0) |
			   (val[KTFTPD_P_REFUSE_WINDOWSIZE] ?
			    TFTP_OPT_WINDOWSIZE : 0),
	};
	if (!val[KTFTPD_P_BLKSIZE_FIT_MTU])
		return;
	/* One lost fragment would cost the whole block: none are sent. */
	mtu = ktftpd_net_route_mtu(x->srv->net, &x->peer);
	if (mtu <= ktftpd_net_headers(&x->peer) + TFTP_HDR_LEN)
		return;		/* no route, or a nonsense MTU: no cap */
	fits = mtu - ktftpd_net_headers(&x->peer) - TFTP_HDR_LEN;
	if (fits < lim->blksize_max)
		lim->blksize_max = max(fits, (unsigned int)TFTP_BLKSIZE_MIN);
}

/* What the filename rules make of the request's name: x->lookup. */
static bool xfer_apply_rules(struct ktftpd_xfer *x, struct tftp_refusal *ref)
{
	struct ktftpd_rewritten rw;

	if (!ktftpd_rules_apply(x->cfg, x->srv->net, &x->peer,
				x->local.ifindex, x->name, &rw, ref)) {
		ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_RULE_REFUSED);
		return false;
	}
	if (rw.lookup)
		ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_REWRITTEN);
	x->lookup = rw.lookup;
	return true;
}

/* Open, negotiate and allocate for the request; false if it refuses. */
static bool xfer_setup_request(struct ktftpd_xfer *x, struct tftp_refusal *ref)
{
	struct tftp_request req;
	bool ok;

	/* The listener parsed this very datagram: it parses the same. */
	if (!tftp_parse_request(x->req_pkt, x->req_len, &req, ref))
		return false;
	if (!xfer_apply_rules(x, ref))
		return false;
	if (x->is_write)
		ok = ktftpd_xfer_write_setup(x, &req, ref);
	else
		ok = ktftpd_xfer_read_setup(x, &req, ref);
	kfree(x->req_pkt);
	x->req_pkt = NULL;
	if (!ok)
		return false;
	if (x->neg.granted & TFTP_OPT_TIMEOUT) {
		x->rto_ms = x->neg.timeout_s * 1000;
		x->rto_fixed = true;
	}
	return true;
}

/*
 * Room for a whole window of DATA in the direction it flows, so a burst is
 * not dropped by our own socket, within the system's limits (a larger
 * window waits for buffer space, or its peer resends).  The other way
 * carries only ACKs: the default buffer holds plenty.  sockbuf_max goes
 * past the system's limits only for the host's root: set from a user
 * namespace (userns_admin=1), 64 MiB a transfer would be a user buying
 * the host's memory.
 */
static void xfer_reserve(struct ktftpd_xfer *x)
{
	size_t window = (size_t)x->neg.windowsize *
			(x->neg.blksize + TFTP_HDR_LEN + 64);

	ktftpd_net_reserve(x->sock, x->is_write ? 0 : window,
			   x->is_write ? window : 0,
			   x->cfg->val[KTFTPD_P_SOCKBUF_MAX],
			   ktftpd_host_administered(x->srv->net));
}

/* Hook the socket's callbacks: from now on its datagrams kick @x. */
static void xfer_publish(struct ktftpd_xfer *x)
{
	struct sock *sk = x->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	x->saved_data_ready = sk->sk_data_ready;
	x->saved_write_space = sk->sk_write_space;
	rcu_assign_sk_user_data(sk, x);
	sk->sk_data_ready = xfer_data_ready;
	sk->sk_write_space = xfer_write_space;
	if (x->fast)
		ktftpd_xfer_fast_hook(x);
	write_unlock_bh(&sk->sk_callback_lock);
	/* Pairs with dump_one()'s acquire: a listed transfer is set up. */
	smp_store_release(&x->published, true);
}

/*
 * The first run of @x: everything that touches a file or makes a socket,
 * none of it on the listener.  False if the transfer ended (it was
 * refused, answered with an ERROR from its own socket, as tftp-hpa's
 * are).
 */
/*
 * @x's socket, as its config says: sharing the listening port, in
 * port_range, or on any port.  Made with this thread's own credentials,
 * not the serving identity's: the server binds its ports (below 1024,
 * and shared with its listeners, which only sockets of one owner may be),
 * no client's file is touched.  When port_range is full, the socket is
 * one on the listening port, to say "busy" from where it was asked.
 */
static int xfer_socket(struct ktftpd_xfer *x, bool *exhausted)
{
	const long *val = x->cfg->val;
	struct ktftpd_port_plan plan = {
		.low = x->cfg->port_low,
		.high = x->cfg->port_high,
		.cursor = &x->srv->port_cursor,
	};
	const struct ktftpd_addr *local = x->local.len ? &x->local : NULL;
	const struct cred *identity;
	int err;

	*exhausted = false;
	if (val[KTFTPD_P_SINGLE_PORT]) {
		plan.shared = val[KTFTPD_P_PORT];
		x->shared_port = true;
	}
	identity = override_creds(current_real_cred());
	err = ktftpd_net_transfer_socket(x->srv->net, x->family, local,
					 &x->peer, &plan, &x->sock);
	if (err == -EADDRINUSE && !plan.shared && plan.low) {
		*exhausted = true;
		ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_PORTS_EXHAUSTED);
		plan = (struct ktftpd_port_plan) {
			.shared = val[KTFTPD_P_PORT],
		};
		x->shared_port = true;
		err = ktftpd_net_transfer_socket(x->srv->net, x->family, local,
						 &x->peer, &plan, &x->sock);
	}
	revert_creds(identity);
	return err;
}

static bool xfer_setup(struct ktftpd_xfer *x)
{
	struct tftp_refusal ref;
	bool exhausted;
	int err;

	err = xfer_socket(x, &exhausted);
	if (!err && exhausted) {
		tftp_refuse(&ref, TFTP_EUNDEF, "Server busy: no free port");
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	if (err) {
		/* Nothing to answer from: the client asks again. */
		x->err_code = TFTP_EUNDEF;
		x->err_msg = "Cannot create transfer socket";
		ktftpd_xfer_destroy(x, false);
		return false;
	}
	if (!xfer_setup_request(x, &ref)) {
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	if (test_bit(XFER_EV_ABORT, &x->events) || ktftpd_xfer_cut(x)) {
		/* Stopped while its open waited: serve nothing, announce nothing. */
		tftp_refuse(&ref, TFTP_EUNDEF, "Server shutting down");
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	xfer_reserve(x);
	x->fast = ktftpd_xfer_fast_eligible(x) && ktftpd_xfer_fast_prepare(x);
	if (ktftpd_xfer_cut(x)) {	/* in the fast path's first read */
		ktftpd_xfer_destroy(x, false);
		return false;
	}
	/* The handshake's time counts from here, not from a wait in a queue. */
	x->started = jiffies;
	/*
	 * Kicks from here on queue a run that starts after this one, and the
	 * fast path waits for XFER_BUSY, which this run holds.
	 */
	xfer_publish(x);
	ktftpd_nl_event_start(x);
	return true;
}

void ktftpd_xfer_start(struct ktftpd_xfer *x)
{
	/* Its first run sets it up, then sends the OACK, DATA 1 or ACK 0. */
	ktftpd_xfer_kick(x);
}

void ktftpd_xfer_abort(struct ktftpd_xfer *x)
{
	set_bit(XFER_EV_ABORT, &x->events);
	ktftpd_xfer_kick(x);
}
