/* SPDX-License-Identifier: GPL-2.0 */
/* UDP socket helpers: create, bind, send and receive from kernel space. */
#ifndef KTFTPD_NET_H
#define KTFTPD_NET_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/socket.h>

/* A peer or local address, IPv4 or IPv6 (v4-mapped on a dual-stack socket). */
struct ktftpd_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	};
	int len;
	/* Of a datagram's destination: the interface it came in on (or 0). */
	int ifindex;
};

struct net;
struct ktftpd_listen_addr;
struct tftp_refusal;

/*
 * A listening socket, in @net.  With @at NULL: IPv6 dual stack on [::]:port (so
 * IPv4 arrives v4-mapped), or plain IPv4 where IPv6 is disabled; else on
 * @at only.  It reports each datagram's destination address, so a
 * transfer answers from the address the client asked.
 */
int ktftpd_net_listen(struct net *net, u16 port,
		      const struct ktftpd_listen_addr *at, struct socket **res);

/* How a transfer's socket takes its local port. */
struct ktftpd_port_plan {
	/*
	 * Nonzero: share the listening port (single_port), connected to
	 * the peer so that the kernel hands it the peer's datagrams alone.
	 */
	u16 shared;
	u16 low, high;		/* else one of port_range's; 0: any port */
	/*
	 * Where a port_range search starts: the next port after the last
	 * one given, so that ports are reused as late as they can be.  The
	 * server's own: another namespace's transfers do not move it.
	 */
	atomic_t *cursor;
};

/*
 * A transfer's socket, in @net: of the listener's @family, bound to @local (where
 * it can be) and a port as @plan says.  -EADDRINUSE: port_range is full.
 * Ports below 1024 need the caller's CAP_NET_BIND_SERVICE.
 */
int ktftpd_net_transfer_socket(struct net *net, int family,
			       const struct ktftpd_addr *local,
			       const struct ktftpd_addr *peer,
			       const struct ktftpd_port_plan *plan,
			       struct socket **res);

/* Send one datagram without blocking; a full socket buffer is a loss. */
int ktftpd_net_send(struct socket *sock, const struct ktftpd_addr *to,
		    const void *buf, size_t len);

/*
 * Send the ERROR @ref says, as ktftpd_net_send() sends: how every ERROR
 * leaves, a refusal from the listening port and a transfer's end from its
 * own.  The message is cut to fit one small datagram.
 */
int ktftpd_net_send_error(struct socket *sock, const struct ktftpd_addr *to,
			  const struct tftp_refusal *ref);

/*
 * Receive one datagram.  @local (may be NULL) gets its destination address
 * when the socket reports it.  Returns the length, or a negative errno;
 * *@truncated says the datagram was larger than @cap.
 */
int ktftpd_net_recv(struct socket *sock, struct ktftpd_addr *from,
		    struct ktftpd_addr *local, void *buf, size_t cap,
		    bool nonblock, bool *truncated);

/*
 * Make the send buffer hold @snd bytes of datagrams and the receive buffer
 * @rcv (a buffer already larger stays), each at most the system's
 * net.core.wmem_max and rmem_max: a client's window does not buy more
 * kernel memory than a user socket may have.  A nonzero @cap lowers that
 * limit, or with @force sets it (as SO_SNDBUFFORCE may, for CAP_NET_ADMIN).
 */
void ktftpd_net_reserve(struct socket *sock, size_t snd, size_t rcv, u32 cap,
			bool force);

/*
 * The MTU of the route towards @peer (as the kernel knows it: the path
 * MTU learned, or the device's), or 0 if there is no route.
 */
unsigned int ktftpd_net_route_mtu(struct net *net,
				  const struct ktftpd_addr *peer);

/* @a's IPv4 address, plain or v4-mapped; false if it is IPv6. */
bool ktftpd_addr_v4(const struct ktftpd_addr *a, __be32 *v4);

/* An IP and a UDP header, of @peer's family (IPv4 if v4-mapped). */
unsigned int ktftpd_net_headers(const struct ktftpd_addr *peer);

bool ktftpd_addr_equal(const struct ktftpd_addr *a,
		       const struct ktftpd_addr *b, bool with_port);

#endif /* KTFTPD_NET_H */
