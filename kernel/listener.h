/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_LISTENER_H
#define KTFTPD_LISTENER_H

#include <linux/types.h>

struct ktftpd_listener;
struct ktftpd_server;
struct ktftpd_listen_addr;

/*
 * Bind @port on @at (NULL: every address) in @srv's namespace and start a
 * listener thread for @srv.
 */
struct ktftpd_listener *ktftpd_listener_start(struct ktftpd_server *srv,
					      u16 port,
					      const struct ktftpd_listen_addr *at,
					      int *err);
/* Close the socket and stop the thread: no new transfer after this. */
void ktftpd_listener_stop(struct ktftpd_listener *l);

struct socket;
struct ktftpd_addr;
/*
 * A request that reached a transfer's socket sharing the listening port
 * (single_port) in the moment before it connected to its own peer: served
 * as a listener serves one (but for rate_limit), answered from @sock.
 */
void ktftpd_listener_take(struct ktftpd_server *srv, struct socket *sock,
			  const u8 *buf, int len,
			  const struct ktftpd_addr *from,
			  const struct ktftpd_addr *local);

#endif /* KTFTPD_LISTENER_H */
