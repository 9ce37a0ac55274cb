// SPDX-License-Identifier: GPL-2.0
/*
 * One transfer, run by its worker.  What to send, and what an ACK or a
 * timeout means, is decided by the protocol core (proto.c); this file does
 * the I/O: file reads, datagrams, the timer, and the socket callback.
 *
 * Lifetime: a transfer is freed only by its own worker, in xfer_destroy(),
 * after the socket callback is unhooked (under sk_callback_lock) and the
 * timer is shut down.  From then on nothing can kick it, so taking it off
 * the run queue and freeing it is safe without reference counts.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/jiffies.h>
#include <net/sock.h>
#include "config.h"
#include "server.h"
#include "stats.h"
#include "vfs.h"
#include "worker.h"
#include "xfer.h"

/* The backed-off timeout never exceeds this many times the configured one. */
#define KTFTPD_RTO_MAX_FACTOR 8

static void xfer_kick(struct ktftpd_xfer *x)
{
	ktftpd_worker_kick(x->worker, &x->run_node);
}

static void xfer_data_ready(struct sock *sk)
{
	struct ktftpd_xfer *x;

	read_lock_bh(&sk->sk_callback_lock);
	rcu_read_lock();
	x = rcu_dereference_sk_user_data(sk);
	if (x)
		xfer_kick(x);
	rcu_read_unlock();
	read_unlock_bh(&sk->sk_callback_lock);
}

static void xfer_timer_fn(struct timer_list *t)
{
	struct ktftpd_xfer *x = from_timer(x, t, timer);

	set_bit(XFER_EV_TIMER, &x->events);
	xfer_kick(x);
}

static void xfer_arm_timer(struct ktftpd_xfer *x)
{
	x->deadline = jiffies + msecs_to_jiffies(x->rto_ms);
	mod_timer(&x->timer, x->deadline);
}

static void xfer_send_raw(struct ktftpd_xfer *x, const struct ktftpd_addr *to,
			  const void *buf, size_t len)
{
	/* A failed send is a lost packet: the timer recovers from it. */
	if (ktftpd_net_send(x->sock, to, buf, len) >= 0)
		ktftpd_stats_inc(KTFTPD_C_PACKETS_SENT);
}

static void xfer_send_error(struct ktftpd_xfer *x, const struct ktftpd_addr *to,
			    u16 code, const char *msg)
{
	u8 pkt[128];
	size_t len = tftp_build_error(pkt, sizeof(pkt), code, msg);

	xfer_send_raw(x, to, pkt, len);
	ktftpd_stats_error_sent(code);
}

static void xfer_unhook(struct ktftpd_xfer *x)
{
	struct sock *sk = x->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, NULL);
	sk->sk_data_ready = x->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
}

void ktftpd_xfer_free(struct ktftpd_xfer *x)
{
	if (x->sock)
		sock_release(x->sock);
	if (x->file)
		fput(x->file);
	ktftpd_config_put(x->cfg);
	kfree(x->buf);
	kfree(x->name);
	kfree(x);
}

/* The end of a started transfer, in its worker. */
static void xfer_destroy(struct ktftpd_xfer *x, bool completed)
{
	xfer_unhook(x);
	timer_shutdown_sync(&x->timer);
	ktftpd_worker_dequeue(x->worker, &x->run_node);
	ktftpd_stats_inc(completed ? KTFTPD_C_XFER_COMPLETED : KTFTPD_C_XFER_FAILED);
	/* Leave the sessions list last: the server waits on it to unload. */
	ktftpd_server_release(x);
	ktftpd_xfer_free(x);
}

static void xfer_fail(struct ktftpd_xfer *x, u16 code, const char *msg)
{
	xfer_send_error(x, &x->peer, code, msg);
	xfer_destroy(x, false);
}

/* Send block s->next (block 0 would be an OACK: none yet). */
static int xfer_send_block(struct ktftpd_xfer *x)
{
	u64 block = x->send.next;
	loff_t pos = tftp_block_offset(block, x->blksize);
	ssize_t n;

	tftp_build_data_header(x->buf, TFTP_HDR_LEN, (u16)block);
	n = ktftpd_vfs_read(x->file, x->buf + TFTP_HDR_LEN, x->blksize, pos);
	if (n < 0)
		return n;
	xfer_send_raw(x, &x->peer, x->buf, TFTP_HDR_LEN + n);
	if (block < x->sent_high) {
		x->retransmits++;
		ktftpd_stats_inc(KTFTPD_C_RETRANSMITS);
	} else {
		x->sent_high = block + 1;
		x->bytes_sent += n;
		ktftpd_stats_add(KTFTPD_C_BYTES_SENT, n);
	}
	tftp_send_sent(&x->send, (size_t)n < x->blksize);
	return 0;
}

/* Send what the window allows; false if the transfer had to be ended. */
static bool xfer_pump(struct ktftpd_xfer *x)
{
	bool sent = false;

	while (tftp_send_may_send(&x->send)) {
		if (xfer_send_block(x)) {
			xfer_fail(x, TFTP_EUNDEF, "Read error");
			return false;
		}
		sent = true;
	}
	if (sent)
		xfer_arm_timer(x);
	return true;
}

/* Handle one datagram; false if the transfer ended. */
static bool xfer_handle(struct ktftpd_xfer *x, const u8 *pkt, int len,
			const struct ktftpd_addr *from)
{
	u16 num;

	if (!ktftpd_addr_equal(from, &x->peer, true)) {
		/* RFC 1350: tell the intruder, carry on with our peer. */
		xfer_send_error(x, from, TFTP_EBADID, "Unknown transfer ID");
		return true;
	}
	switch (tftp_classify_from_peer(pkt, len, &num)) {
	case TFTP_PEER_ACK:
		switch (tftp_send_ack(&x->send, num)) {
		case TFTP_ACK_DONE:
			xfer_destroy(x, true);
			return false;
		case TFTP_ACK_PROGRESS:
			x->rto_ms = x->cfg->val[KTFTPD_P_TIMEOUT];
			return true;
		case TFTP_ACK_IGNORED:
			/* Sorcerer's Apprentice: only the timer resends. */
			return true;
		}
		return true;
	case TFTP_PEER_ERROR:
		/* The client gave up; answering an ERROR is not allowed. */
		xfer_destroy(x, false);
		return false;
	case TFTP_PEER_ILLEGAL:
		xfer_fail(x, TFTP_EBADOP, "Illegal TFTP operation");
		return false;
	case TFTP_PEER_RUNT:
		return true;
	}
	return true;
}

static void xfer_timeout(struct ktftpd_xfer *x)
{
	unsigned int max = x->cfg->val[KTFTPD_P_TIMEOUT] * KTFTPD_RTO_MAX_FACTOR;

	if (tftp_send_timeout(&x->send) == TFTP_TIMEOUT_GIVE_UP) {
		xfer_fail(x, TFTP_EUNDEF, "Timeout");
		return;
	}
	x->rto_ms = min(x->rto_ms * 2, max);
	xfer_pump(x);
}

void ktftpd_xfer_run(struct ktftpd_xfer *x)
{
	struct ktftpd_addr from;
	bool truncated;
	u8 pkt[128];	/* ACKs and ERRORs: a longer datagram is cut, harmlessly */
	int len;

	if (test_and_clear_bit(XFER_EV_ABORT, &x->events)) {
		xfer_fail(x, TFTP_EUNDEF, "Server shutting down");
		return;
	}
	for (;;) {
		len = ktftpd_net_recv(x->sock, &from, NULL, pkt, sizeof(pkt),
				      true, &truncated);
		if (len < 0)
			break;	/* -EAGAIN: drained */
		if (!xfer_handle(x, pkt, len, &from))
			return;
	}
	/* The timer may have fired for a deadline that progress has moved. */
	if (test_and_clear_bit(XFER_EV_TIMER, &x->events) &&
	    tftp_send_outstanding(&x->send) &&
	    time_after_eq(jiffies, x->deadline)) {
		xfer_timeout(x);
		return;
	}
	xfer_pump(x);
}

struct ktftpd_xfer *ktftpd_xfer_create(struct socket *listener,
				       const struct tftp_request *req,
				       const struct ktftpd_addr *peer,
				       const struct ktftpd_addr *local,
				       int *code, const char **why)
{
	struct ktftpd_xfer *x;
	size_t len;
	int err;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		goto nomem;
	INIT_LIST_HEAD(&x->node);
	INIT_LIST_HEAD(&x->run_node);
	x->peer = *peer;
	x->cfg = ktftpd_config_get();
	x->blksize = TFTP_BLKSIZE_DEFAULT;
	x->rto_ms = x->cfg->val[KTFTPD_P_TIMEOUT];
	x->started = jiffies;
	timer_setup(&x->timer, xfer_timer_fn, 0);
	tftp_send_init(&x->send, false, 1, x->cfg->val[KTFTPD_P_RETRIES]);

	x->name = kstrndup(req->filename, req->filename_len, GFP_KERNEL);
	x->buf = kmalloc(TFTP_HDR_LEN + x->blksize, GFP_KERNEL);
	if (!x->name || !x->buf)
		goto nomem_free;
	len = tftp_normalize_filename(x->name, req->filename_len);
	if (len == 0) {
		*code = TFTP_EACCESS;
		*why = "Access violation: not a file";
		goto fail;
	}

	if (!x->cfg->root_ok) {
		*code = TFTP_EUNDEF;
		*why = "Server root unavailable";
		goto fail;
	}
	if (ktftpd_vfs_open(&x->cfg->root_path, x->name, &x->file, &x->size,
			    code, why))
		goto fail;

	err = ktftpd_net_transfer_socket(listener, local, &x->sock);
	if (err) {
		*code = TFTP_EUNDEF;
		*why = "Cannot create transfer socket";
		goto fail;
	}
	return x;

nomem_free:
	ktftpd_xfer_free(x);
nomem:
	*code = TFTP_EUNDEF;
	*why = "Out of memory";
	return NULL;
fail:
	ktftpd_xfer_free(x);
	return NULL;
}

void ktftpd_xfer_start(struct ktftpd_xfer *x)
{
	struct sock *sk = x->sock->sk;

	x->worker = ktftpd_worker_pick();
	write_lock_bh(&sk->sk_callback_lock);
	x->saved_data_ready = sk->sk_data_ready;
	rcu_assign_sk_user_data(sk, x);
	sk->sk_data_ready = xfer_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	/* The first run sends DATA 1. */
	xfer_kick(x);
}

void ktftpd_xfer_abort(struct ktftpd_xfer *x)
{
	set_bit(XFER_EV_ABORT, &x->events);
	xfer_kick(x);
}
