// SPDX-License-Identifier: GPL-2.0
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include "compat.h"
#include "config.h"
#include "net.h"
#include "proto.h"

static int net_bind(struct socket *sock, const struct ktftpd_addr *a)
{
	return kernel_bind(sock, (ktftpd_sockaddr_arg *)&a->sa, a->len);
}

static void addr_any(struct ktftpd_addr *a, int family, u16 port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET6) {
		a->v6.sin6_family = AF_INET6;
		a->v6.sin6_port = htons(port);
		a->len = sizeof(a->v6);
	} else {
		a->v4.sin_family = AF_INET;
		a->v4.sin_port = htons(port);
		a->len = sizeof(a->v4);
	}
}

/* A listening socket on one address: IPv6 ones only for IPv6. */
static int listen_on(struct net *net, u16 port,
		     const struct ktftpd_listen_addr *at, struct socket **res)
{
	struct ktftpd_addr addr;
	struct socket *sock;
	int err;

	err = sock_create_kern(net, at->family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
	addr_any(&addr, at->family, port);
	/* Shared with single_port's transfers: see ktftpd_net_transfer_socket. */
	sock->sk->sk_reuseport = 1;
	if (at->family == AF_INET6) {
		sock->sk->sk_ipv6only = true;
		ip6_sock_set_recvpktinfo(sock->sk);
		addr.v6.sin6_addr = at->v6;
	} else {
		ip_sock_set_pktinfo(sock->sk);
		addr.v4.sin_addr.s_addr = at->v4;
	}
	err = net_bind(sock, &addr);
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

static int listen_here(struct net *net, u16 port,
		       const struct ktftpd_listen_addr *at, struct socket **res)
{
	struct ktftpd_addr any;
	struct socket *sock;
	int err;

	if (at)
		return listen_on(net, port, at, res);
	err = sock_create_kern(net, AF_INET6, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err == 0) {
		/* Dual stack: IPv4 too, as v4-mapped addresses. */
		sock->sk->sk_ipv6only = false;
		ip6_sock_set_recvpktinfo(sock->sk);
		ip_sock_set_pktinfo(sock->sk);
		addr_any(&any, AF_INET6, port);
	} else if (err == -EAFNOSUPPORT) {
		err = sock_create_kern(net, AF_INET, SOCK_DGRAM, IPPROTO_UDP, &sock);
		if (err)
			return err;
		ip_sock_set_pktinfo(sock->sk);
		addr_any(&any, AF_INET, port);
	} else {
		return err;
	}

	sock->sk->sk_reuseport = 1;	/* as listen_on() */
	err = net_bind(sock, &any);
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

/*
 * A listener belongs to the kernel, not to whoever sent START or wrote the
 * sysctl, so it is made on a kernel worker, never in the caller's context.
 * In the caller's it would take on two things of the caller's:
 * - its cgroup, with whatever that cgroup filters: systemd's
 *   IPAddressDeny= on the unit that ran ktftpctl would drop every request
 *   to the socket for as long as the server runs;
 * - its capabilities: inet_bind() asks CAP_NET_BIND_SERVICE of current
 *   for port 69, which a ktftpctl bounded to CAP_NET_ADMIN lacks.
 * The caller has been checked already (CAP_NET_ADMIN for netlink, root for
 * the sysctl).  Transfer sockets are made by the server's own threads.
 */
struct listen_work {
	struct work_struct work;
	struct net *net;
	u16 port;
	const struct ktftpd_listen_addr *at;
	struct socket *sock;
	int err;
};

static void listen_work_fn(struct work_struct *work)
{
	struct listen_work *lw = container_of(work, struct listen_work, work);

	lw->err = listen_here(lw->net, lw->port, lw->at, &lw->sock);
}

int ktftpd_net_listen(struct net *net, u16 port,
		      const struct ktftpd_listen_addr *at, struct socket **res)
{
	struct listen_work lw = { .net = net, .port = port, .at = at };

	INIT_WORK_ONSTACK(&lw.work, listen_work_fn);
	queue_work(system_unbound_wq, &lw.work);
	flush_work(&lw.work);
	destroy_work_on_stack(&lw.work);
	if (!lw.err)
		*res = lw.sock;
	return lw.err;
}

/*
 * Bind to @port on the address the request was sent to: a client checks
 * the reply's source.  Where that address can't be bound (the request was
 * broadcast, say), the routing table picks one, unless @exact: a socket
 * on the listening port bound to every address would, until it connects,
 * take requests to addresses the listeners do not serve.
 */
static int bind_port(struct socket *sock, int family,
		     const struct ktftpd_addr *local, u16 port, bool exact)
{
	struct ktftpd_addr at;
	int err;

	if (local && local->sa.sa_family == family) {
		at = *local;
		if (family == AF_INET6)
			at.v6.sin6_port = htons(port);
		else
			at.v4.sin_port = htons(port);
		err = net_bind(sock, &at);
		if (exact || (err != -EADDRNOTAVAIL && err != -EINVAL))
			return err;
	} else if (exact) {
		return -EADDRNOTAVAIL;
	}
	addr_any(&at, family, port);
	return net_bind(sock, &at);
}

/*
 * Most ports tried for one transfer: a full range (or one a local user
 * has filled: ports from 1024 up need no privilege) costs this, no more.
 * From the cursor, the ports are the ones given longest ago: free unless
 * the range is nearly full.
 */
#define KTFTPD_RANGE_TRIES 256

static int bind_in_range(struct socket *sock, int family,
			 const struct ktftpd_addr *local,
			 const struct ktftpd_port_plan *plan)
{
	u16 low = plan->low, high = plan->high;
	unsigned int n = high - low + 1, start, i;
	int err = -EADDRINUSE;

	start = (unsigned int)atomic_inc_return(plan->cursor);
	for (i = 0; i < n && i < KTFTPD_RANGE_TRIES; i++) {
		err = bind_port(sock, family, local, low + (start + i) % n,
				false);
		if (err != -EADDRINUSE)
			break;
	}
	if (!err)
		atomic_set(plan->cursor, start + i);
	return err;
}

int ktftpd_net_transfer_socket(struct net *net, int family,
			       const struct ktftpd_addr *local,
			       const struct ktftpd_addr *peer,
			       const struct ktftpd_port_plan *plan,
			       struct socket **res)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(net, family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		return err;
	if (family == AF_INET6)
		sock->sk->sk_ipv6only = false;

	if (plan->shared) {
		/*
		 * The listeners share their port (SO_REUSEPORT, kernel
		 * sockets of uid 0 alone); once connected, this socket
		 * outscores them for the peer's address and port.
		 */
		sock->sk->sk_reuseport = 1;
		err = bind_port(sock, family, local, plan->shared, true) ?:
		      kernel_connect(sock, (ktftpd_sockaddr_arg *)&peer->sa,
				     peer->len, 0);
	} else if (plan->low) {
		err = bind_in_range(sock, family, local, plan);
	} else {
		err = bind_port(sock, family, local, 0, false);
	}
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

int ktftpd_net_send(struct socket *sock, const struct ktftpd_addr *to,
		    const void *buf, size_t len)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)&to->sa,
		.msg_namelen = to->len,
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};

	return kernel_sendmsg(sock, &msg, &vec, 1, len);
}

int ktftpd_net_send_error(struct socket *sock, const struct ktftpd_addr *to,
			  const struct tftp_refusal *ref)
{
	u8 pkt[128];
	size_t len = tftp_build_error(pkt, sizeof(pkt), ref->code, ref->why);

	return ktftpd_net_send(sock, to, pkt, len);
}

/* The destination address of a datagram, from its IP(V6)_PKTINFO. */
static void parse_pktinfo(void *control, size_t len, int family, u16 port,
			  struct ktftpd_addr *local)
{
	struct msghdr m = { .msg_control = control, .msg_controllen = len };
	struct cmsghdr *c;

	for_each_cmsghdr(c, &m) {
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo *pi = CMSG_DATA(c);

			addr_any(local, family, 0);
			if (family == AF_INET6)
				ipv6_addr_set_v4mapped(pi->ipi_addr.s_addr,
						       &local->v6.sin6_addr);
			else
				local->v4.sin_addr = pi->ipi_addr;
			local->ifindex = pi->ipi_ifindex;
			return;
		}
		if (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo)) &&
		    family == AF_INET6) {
			struct in6_pktinfo *pi = CMSG_DATA(c);

			addr_any(local, AF_INET6, 0);
			local->v6.sin6_addr = pi->ipi6_addr;
			if (ipv6_addr_type(&pi->ipi6_addr) & IPV6_ADDR_LINKLOCAL)
				local->v6.sin6_scope_id = pi->ipi6_ifindex;
			local->ifindex = pi->ipi6_ifindex;
			return;
		}
	}
}

int ktftpd_net_recv(struct socket *sock, struct ktftpd_addr *from,
		    struct ktftpd_addr *local, void *buf, size_t cap,
		    bool nonblock, bool *truncated)
{
	u8 control[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		   CMSG_SPACE(sizeof(struct in_pktinfo))] __aligned(8);
	struct kvec vec = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = {
		.msg_name = &from->sa,
		.msg_namelen = sizeof(from->v6),
		.msg_control = local ? control : NULL,
		.msg_controllen = local ? sizeof(control) : 0,
	};
	int len;

	memset(from, 0, sizeof(*from));
	if (local)
		local->len = 0;
	len = kernel_recvmsg(sock, &msg, &vec, 1, cap,
			     nonblock ? MSG_DONTWAIT : 0);
	if (len < 0)
		return len;
	from->len = msg.msg_namelen;
	*truncated = msg.msg_flags & MSG_TRUNC;
	/* put_cmsg() advanced msg_controllen downwards as it wrote. */
	if (local)
		parse_pktinfo(control, sizeof(control) - msg.msg_controllen,
			      sock->sk->sk_family, 0, local);
	return len;
}

/*
 * What a buffer asked to hold @bytes is set to: doubled, as SO_SNDBUF
 * does (the kernel counts skb overhead against it), and never above
 * @limit (itself doubled, as SO_SNDBUF doubles a value clamped to
 * wmem_max).
 */
static int buffer_size(size_t bytes, u32 limit)
{
	return min_t(size_t, bytes, limit) * 2;
}

void ktftpd_net_reserve(struct socket *sock, size_t snd, size_t rcv, u32 cap,
			bool force)
{
	u32 wmax = READ_ONCE(sysctl_wmem_max);
	u32 rmax = READ_ONCE(sysctl_rmem_max);
	struct sock *sk = sock->sk;
	int want;

	if (cap) {
		wmax = force ? cap : min(cap, wmax);
		rmax = force ? cap : min(cap, rmax);
	}

	lock_sock(sk);
	want = buffer_size(snd, wmax);
	if (want > sk->sk_sndbuf) {
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf, want);
	}
	want = buffer_size(rcv, rmax);
	if (want > sk->sk_rcvbuf) {
		sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
		WRITE_ONCE(sk->sk_rcvbuf, want);
	}
	release_sock(sk);
}

bool ktftpd_addr_equal(const struct ktftpd_addr *a,
		       const struct ktftpd_addr *b, bool with_port)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET6)
		return ipv6_addr_equal(&a->v6.sin6_addr, &b->v6.sin6_addr) &&
		       (!with_port || a->v6.sin6_port == b->v6.sin6_port);
	if (a->sa.sa_family == AF_INET)
		return a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr &&
		       (!with_port || a->v4.sin_port == b->v4.sin_port);
	return false;
}

bool ktftpd_addr_v4(const struct ktftpd_addr *a, __be32 *v4)
{
	if (a->sa.sa_family == AF_INET) {
		*v4 = a->v4.sin_addr.s_addr;
		return true;
	}
	if (ipv6_addr_v4mapped(&a->v6.sin6_addr)) {
		*v4 = a->v6.sin6_addr.s6_addr32[3];
		return true;
	}
	return false;
}

unsigned int ktftpd_net_headers(const struct ktftpd_addr *peer)
{
	__be32 v4;

	return (ktftpd_addr_v4(peer, &v4) ? sizeof(struct iphdr) :
		sizeof(struct ipv6hdr)) + sizeof(struct udphdr);
}

unsigned int ktftpd_net_route_mtu(struct net *net,
				  const struct ktftpd_addr *peer)
{
	unsigned int mtu = 0;
	__be32 v4;

	if (ktftpd_addr_v4(peer, &v4)) {
		struct flowi4 fl4 = {
			.daddr = v4,
			.flowi4_proto = IPPROTO_UDP,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt))
			return 0;
		mtu = dst_mtu(&rt->dst);
		ip_rt_put(rt);
	} else {
		struct flowi6 fl6 = {
			.daddr = peer->v6.sin6_addr,
			.flowi6_oif = peer->v6.sin6_scope_id,
			.flowi6_proto = IPPROTO_UDP,
		};
		struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

		if (!dst->error)
			mtu = dst_mtu(dst);
		dst_release(dst);
	}
	return mtu;
}
