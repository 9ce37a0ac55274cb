// SPDX-License-Identifier: GPL-2.0
/*
 * Transfers as netlink sees them: the GET_SESSIONS dump and the "events"
 * multicast group.  Both describe a transfer with the same
 * KTFTPD_A_SESSION nest.
 */
#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include "netlink.h"
#include "server.h"
#include "xfer.h"

static int put_peer(struct sk_buff *msg, const struct ktftpd_addr *peer)
{
	const struct in6_addr *a6;

	if (peer->sa.sa_family == AF_INET)
		return nla_put_in_addr(msg, KTFTPD_SESSION_PEER_IPV4,
				       peer->v4.sin_addr.s_addr) ||
		       nla_put_u16(msg, KTFTPD_SESSION_PEER_PORT,
				   ntohs(peer->v4.sin_port));
	a6 = &peer->v6.sin6_addr;
	/* IPv4 arrives v4-mapped on the dual-stack socket: show it as IPv4. */
	if (ipv6_addr_v4mapped(a6)) {
		if (nla_put_in_addr(msg, KTFTPD_SESSION_PEER_IPV4,
				    a6->s6_addr32[3]))
			return -EMSGSIZE;
	} else if (nla_put_in6_addr(msg, KTFTPD_SESSION_PEER_IPV6, a6)) {
		return -EMSGSIZE;
	}
	return nla_put_u16(msg, KTFTPD_SESSION_PEER_PORT,
			   ntohs(peer->v6.sin6_port));
}

static u64 age_ms(unsigned long since)
{
	return jiffies64_to_msecs(get_jiffies_64() - since);
}

/*
 * The KTFTPD_A_SESSION nest of @x.  Called under the transfer list's lock
 * (the dump) or by the transfer's own worker (events): @x cannot go away,
 * but its counters move while the dump reads them, hence READ_ONCE.
 */
static int put_xfer(struct sk_buff *msg, struct ktftpd_xfer *x)
{
	struct nlattr *nest;
	u64 total = 0;
	bool has_total;

	if (x->is_write) {
		has_total = x->neg.granted & TFTP_OPT_TSIZE;
		total = x->neg.tsize;
	} else {
		has_total = true;
		total = x->size;
	}
	nest = nla_nest_start(msg, KTFTPD_A_SESSION);
	if (!nest ||
	    nla_put_u64_64bit(msg, KTFTPD_SESSION_ID, x->id, KTFTPD_SESSION_PAD) ||
	    put_peer(msg, &x->peer) ||
	    nla_put_string(msg, KTFTPD_SESSION_FILE, x->name) ||
	    (x->lookup &&
	     nla_put_string(msg, KTFTPD_SESSION_LOOKUP, x->lookup)) ||
	    nla_put_u8(msg, KTFTPD_SESSION_DIRECTION,
		       x->is_write ? KTFTPD_DIR_WRITE : KTFTPD_DIR_READ) ||
	    nla_put_u64_64bit(msg, KTFTPD_SESSION_BYTES, READ_ONCE(x->bytes),
			      KTFTPD_SESSION_PAD) ||
	    (has_total && nla_put_u64_64bit(msg, KTFTPD_SESSION_TOTAL, total,
					    KTFTPD_SESSION_PAD)) ||
	    nla_put_u32(msg, KTFTPD_SESSION_BLKSIZE, x->neg.blksize) ||
	    nla_put_u32(msg, KTFTPD_SESSION_WINDOWSIZE, x->neg.windowsize) ||
	    nla_put_u32(msg, KTFTPD_SESSION_RETRANSMITS,
			READ_ONCE(x->retransmits)) ||
	    nla_put_u64_64bit(msg, KTFTPD_SESSION_AGE_MS, age_ms(x->started),
			      KTFTPD_SESSION_PAD) ||
	    nla_put_u32(msg, KTFTPD_SESSION_OPTIONS, x->neg.asked) ||
	    nla_put_u32(msg, KTFTPD_SESSION_OACK, x->neg.granted) ||
	    ((x->neg.granted & TFTP_OPT_TIMEOUT) &&
	     nla_put_u32(msg, KTFTPD_SESSION_TIMEOUT, x->neg.timeout_s)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

struct dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u64 last_id;		/* of the last transfer that fitted */
	int count;
};

static int dump_one(struct ktftpd_xfer *x, void *arg)
{
	struct dump_ctx *d = arg;
	void *hdr;

	/* Admitted but not yet set up by its worker: nothing to show yet. */
	if (!smp_load_acquire(&x->published))
		return 0;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &ktftpd_genl_family,
			  NLM_F_MULTI, KTFTPD_CMD_GET_SESSIONS);
	if (!hdr)
		return -EMSGSIZE;
	if (put_xfer(d->skb, x)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	d->last_id = x->id;
	d->count++;
	return 0;
}

/*
 * The cursor (cb->args[0]) is the id of the last transfer sent.  Ids grow
 * in the order of the transfer list, so the next call resumes right after
 * it however the list changed in between.
 */
int ktftpd_nl_dump_xfers(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ktftpd_server *srv = ktftpd_server_of(sock_net(skb->sk));
	struct dump_ctx d = { .skb = skb, .cb = cb, .last_id = cb->args[0] };
	int err;

	err = ktftpd_server_visit_xfers(srv, cb->args[0], dump_one, &d);
	cb->args[0] = d.last_id;
	if (err && d.count == 0)
		return err;	/* one transfer larger than a message: cannot be */
	return skb->len;
}

/*
 * Whether the family's group may be used: cleared, and an RCU grace
 * period waited for, before the family goes (ktftpd_nl_events_off()).
 * rmmod stops every server first; a namespace on its way out at that
 * moment stops its own, perhaps after.
 */
static bool events_live;

void ktftpd_nl_events_on(void)
{
	WRITE_ONCE(events_live, true);
}

void ktftpd_nl_events_off(void)
{
	WRITE_ONCE(events_live, false);
	synchronize_rcu();
}

static bool anyone_listens(struct ktftpd_server *srv)
{
	bool yes;

	rcu_read_lock();
	yes = READ_ONCE(events_live) &&
	      genl_has_listeners(&ktftpd_genl_family, srv->net, 0);
	rcu_read_unlock();
	return yes;
}

/* To @srv's namespace's listeners alone. */
static void event_send(struct ktftpd_server *srv, struct sk_buff *msg,
		       void *hdr)
{
	genlmsg_end(msg, hdr);
	rcu_read_lock();
	if (READ_ONCE(events_live))
		genlmsg_multicast_netns(&ktftpd_genl_family, srv->net, msg, 0,
					0, GFP_ATOMIC);
	else
		nlmsg_free(msg);
	rcu_read_unlock();
}

static struct sk_buff *event_new(struct ktftpd_server *srv, u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	/* Nobody listening (the usual case): no message at all. */
	if (!anyone_listens(srv))
		return NULL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &ktftpd_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

void ktftpd_nl_event_start(struct ktftpd_xfer *x)
{
	struct sk_buff *msg;
	void *hdr;

	msg = event_new(x->srv, KTFTPD_CMD_EVENT_START, &hdr);
	if (!msg)
		return;
	if (put_xfer(msg, x)) {
		nlmsg_free(msg);
		return;
	}
	event_send(x->srv, msg, hdr);
}

void ktftpd_nl_event_end(struct ktftpd_xfer *x, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = event_new(x->srv, cmd, &hdr);
	if (!msg)
		return;
	if (put_xfer(msg, x) ||
	    (x->unconfirmed && nla_put_flag(msg, KTFTPD_A_UNCONFIRMED)) ||
	    (cmd == KTFTPD_CMD_EVENT_ERROR &&
	     (nla_put_u16(msg, KTFTPD_A_ERROR_CODE, x->err_code) ||
	      nla_put_string(msg, KTFTPD_A_ERROR_MSG,
			     x->err_msg ? x->err_msg : "Failed")))) {
		nlmsg_free(msg);
		return;
	}
	event_send(x->srv, msg, hdr);
}

void ktftpd_nl_event_refused(struct ktftpd_server *srv,
			     const struct ktftpd_addr *peer, const char *file,
			     size_t file_len, bool is_write, u16 code,
			     const char *why)
{
	struct nlattr *nest, *name;
	struct sk_buff *msg;
	void *hdr;

	msg = event_new(srv, KTFTPD_CMD_EVENT_ERROR, &hdr);
	if (!msg)
		return;
	/* The name as the client sent it: not NUL-terminated, maybe long. */
	file_len = min_t(size_t, file_len, KTFTPD_FILE_MAX - 1);
	nest = nla_nest_start(msg, KTFTPD_A_SESSION);
	if (!nest || put_peer(msg, peer))
		goto drop;
	name = nla_reserve(msg, KTFTPD_SESSION_FILE, file_len + 1);
	if (!name)
		goto drop;
	memcpy(nla_data(name), file, file_len);
	((char *)nla_data(name))[file_len] = '\0';
	if (nla_put_u8(msg, KTFTPD_SESSION_DIRECTION,
		       is_write ? KTFTPD_DIR_WRITE : KTFTPD_DIR_READ))
		goto drop;
	nla_nest_end(msg, nest);
	if (nla_put_u16(msg, KTFTPD_A_ERROR_CODE, code) ||
	    nla_put_string(msg, KTFTPD_A_ERROR_MSG, why))
		goto drop;
	event_send(srv, msg, hdr);
	return;
drop:
	nlmsg_free(msg);
}
