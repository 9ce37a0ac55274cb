// SPDX-License-Identifier: GPL-2.0
/*
 * The listener: one kernel thread on the well-known port.  It parses each
 * request, refuses what it must (with an ERROR from the well-known port
 * and no state kept), admits the rest and hands each to a worker.  It never
 * touches a file: an open can wait on a lease, a hung NFS or FUSE mount,
 * and every client waits on the listener.
 */
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/sock.h>
#include "config.h"
#include "listener.h"
#include "net.h"
#include "netlink.h"
#include "privilege.h"
#include "proto.h"
#include "ratelimit.h"
#include "server.h"
#include "stats.h"
#include "xfer.h"

/* Longest request taken: RFC 1350 requests fit 512 bytes; options add some. */
#define KTFTPD_REQ_MAX 1500

/*
 * A PXE farm powering on sends its requests in one burst; the default
 * receive buffer (about 200 KiB, some 250 requests) would drop most of a
 * thousand.  Requests are small, so this holds several thousand.
 */
#define KTFTPD_LISTEN_RCVBUF (4 << 20)

/*
 * Past net.core.rmem_max only for the host's root: a user namespace's
 * (userns_admin=1) eight listeners a namespace, in as many namespaces as
 * it likes, would hold 32 MiB each of the host's memory.
 */
static int listen_rcvbuf(const struct net *net)
{
	if (ktftpd_host_administered(net))
		return KTFTPD_LISTEN_RCVBUF;
	return min_t(int, KTFTPD_LISTEN_RCVBUF, READ_ONCE(sysctl_rmem_max));
}

struct ktftpd_listener {
	struct ktftpd_server *srv;
	struct socket *sock;
	struct task_struct *task;
	u8 buf[KTFTPD_REQ_MAX];
	struct ktftpd_ratelimit rl;
};

/*
 * May @from ask (allow and deny), and is it within rate_limit?  Counted
 * as dropped if not: the first thing done with a datagram, so a refused
 * address costs no parsing and gets no answer.
 */
static bool may_ask(struct ktftpd_server *srv, struct ktftpd_ratelimit *rl,
		    const struct ktftpd_addr *from)
{
	struct ktftpd_config *cfg = ktftpd_config_get(srv);
	bool allowed = ktftpd_config_allows(cfg, from);
	bool ok = allowed &&
		  (!rl || ktftpd_ratelimit_allow(rl, from,
						 cfg->val[KTFTPD_P_RATE_LIMIT],
						 ktime_get_ns()));

	ktftpd_config_put(cfg);
	if (!allowed)
		ktftpd_stats_inc(&srv->stats, KTFTPD_C_DENIED);
	else if (!ok)
		ktftpd_stats_inc(&srv->stats, KTFTPD_C_RATE_LIMITED);
	return ok;
}

/* Answer @to with @ref from the well-known port: no state is kept. */
static void reply_refusal(struct ktftpd_server *srv, struct socket *sock,
			  const struct ktftpd_addr *to,
			  const struct tftp_refusal *ref)
{
	if (ktftpd_net_send_error(sock, to, ref) >= 0) {
		ktftpd_stats_inc(&srv->stats, KTFTPD_C_PACKETS_SENT);
		ktftpd_stats_error_sent(&srv->stats, ref->code);
	}
}

/* Answer a parsed request with @ref, and tell the events who was refused. */
static void refuse_request(struct ktftpd_server *srv, struct socket *sock,
			   const struct ktftpd_addr *from,
			   const struct tftp_request *req,
			   const struct tftp_refusal *ref)
{
	reply_refusal(srv, sock, from, ref);
	ktftpd_nl_event_refused(srv, from, req->filename, req->filename_len,
				req->opcode == TFTP_WRQ, ref->code, ref->why);
}

/*
 * One datagram to the listening port, received on @sock (with @rl its
 * rate limiter, NULL for none) into @buf.
 */
static void serve_request(struct ktftpd_server *srv, struct socket *sock,
			  struct ktftpd_ratelimit *rl,
			  const u8 *buf, int len, bool truncated,
			  const struct ktftpd_addr *from,
			  const struct ktftpd_addr *local)
{
	struct tftp_refusal ref;
	struct tftp_request req;
	struct ktftpd_xfer *x;

	ktftpd_stats_inc(&srv->stats, KTFTPD_C_REQUESTS);
	if (!may_ask(srv, rl, from))
		return;
	/* Too short to answer, or an ERROR: answering could start a loop. */
	if (len < 2 || (buf[0] == 0 && buf[1] == TFTP_ERROR))
		return;
	if (truncated) {
		tftp_refuse(&ref, TFTP_EBADOP, "Request too long");
		reply_refusal(srv, sock, from, &ref);
		return;
	}
	if (!tftp_parse_request(buf, len, &req, &ref)) {
		reply_refusal(srv, sock, from, &ref);
		return;
	}
	/* "mail" (RFC 1350) delivered to users' mailboxes: obsolete. */
	if (req.mode == TFTP_MODE_MAIL) {
		tftp_refuse(&ref, TFTP_EBADOP, "Mail mode is not supported");
		reply_refusal(srv, sock, from, &ref);
		return;
	}

	x = ktftpd_xfer_create(srv, sock->sk->sk_family, buf, len, &req, from,
			       local, &ref);
	if (!x) {
		refuse_request(srv, sock, from, &req, &ref);
		return;
	}
	switch (ktftpd_server_admit(x, &ref)) {
	case 0:			/* started: @x may be gone already */
		return;
	case -EEXIST:		/* a duplicate of one in flight */
	case -ESHUTDOWN:	/* stopping: the client asks again */
		ktftpd_xfer_free(x);
		return;
	default:
		ktftpd_stats_inc(&srv->stats, KTFTPD_C_REFUSED_BUSY);
		ktftpd_xfer_free(x);
		refuse_request(srv, sock, from, &req, &ref);
		return;
	}
}

void ktftpd_listener_take(struct ktftpd_server *srv, struct socket *sock,
			  const u8 *buf, int len,
			  const struct ktftpd_addr *from,
			  const struct ktftpd_addr *local)
{
	if (ktftpd_server_running(srv))
		serve_request(srv, sock, NULL, buf, len, false, from, local);
}

static int listener_fn(void *data)
{
	struct ktftpd_listener *l = data;
	struct ktftpd_addr from, local;
	bool truncated;
	int len;

	/* Run until told to stop, never return early: stop owns the task. */
	while (!kthread_should_stop()) {
		len = ktftpd_net_recv(l->sock, &from, &local, l->buf,
				      sizeof(l->buf), false, &truncated);
		if (kthread_should_stop())
			break;
		if (len < 0) {
			/* Timeouts and transient errors: look again. */
			cond_resched();
			continue;
		}
		serve_request(l->srv, l->sock, &l->rl, l->buf, len, truncated,
			      &from, local.len ? &local : NULL);
		cond_resched();
	}
	return 0;
}

struct ktftpd_listener *ktftpd_listener_start(struct ktftpd_server *srv,
					      u16 port,
					      const struct ktftpd_listen_addr *at,
					      int *err)
{
	struct ktftpd_listener *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l) {
		*err = -ENOMEM;
		return NULL;
	}
	l->srv = srv;
	ktftpd_ratelimit_init(&l->rl);
	*err = ktftpd_net_listen(srv->net, port, at, &l->sock);
	if (*err)
		goto err_free;
	/*
	 * A bounded wait, so the thread looks at kthread_should_stop() now
	 * and then even if a wake-up were ever missed.
	 */
	l->sock->sk->sk_rcvtimeo = HZ;
	sock_set_rcvbuf(l->sock->sk, listen_rcvbuf(srv->net));
	l->task = kthread_run(listener_fn, l, "ktftpd-listen");
	if (IS_ERR(l->task)) {
		*err = PTR_ERR(l->task);
		goto err_sock;
	}
	return l;

err_sock:
	sock_release(l->sock);
err_free:
	kfree(l);
	return NULL;
}

void ktftpd_listener_stop(struct ktftpd_listener *l)
{
	/* Shutdown wakes a blocked receive, which then returns at once. */
	kernel_sock_shutdown(l->sock, SHUT_RDWR);
	kthread_stop(l->task);
	sock_release(l->sock);
	kfree(l);
}
