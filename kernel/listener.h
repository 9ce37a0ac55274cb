/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_LISTENER_H
#define KTFTPD_LISTENER_H

#include <linux/types.h>

struct ktftpd_listener;
struct ktftpd_listen_addr;

/* Bind @port on @at (NULL: every address) and start a listener thread. */
struct ktftpd_listener *ktftpd_listener_start(u16 port,
					      const struct ktftpd_listen_addr *at,
					      int *err);
/* Close the socket and stop the thread: no new transfer after this. */
void ktftpd_listener_stop(struct ktftpd_listener *l);

#endif /* KTFTPD_LISTENER_H */
