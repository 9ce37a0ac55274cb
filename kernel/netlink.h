/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_NETLINK_H
#define KTFTPD_NETLINK_H

#include <net/genetlink.h>
#include <uapi/linux/ktftpd.h>

struct ktftpd_xfer;
struct ktftpd_addr;

extern struct genl_family ktftpd_genl_family;

int ktftpd_netlink_init(void);
void ktftpd_netlink_exit(void);

/*
 * nl_xfers.c: the GET_SESSIONS dump and the "events" group, each of the
 * server of the namespace it is in.
 */
struct ktftpd_server;
int ktftpd_nl_dump_xfers(struct sk_buff *skb, struct netlink_callback *cb);
void ktftpd_nl_event_start(struct ktftpd_xfer *x);
/* The events may go out once the family is there, and not as it goes. */
void ktftpd_nl_events_on(void);
void ktftpd_nl_events_off(void);
/* KTFTPD_CMD_EVENT_FINISH or _ERROR, as @x ends (x->err_* say why). */
void ktftpd_nl_event_end(struct ktftpd_xfer *x, u8 cmd);
/* A request refused before any transfer began (file not found...). */
void ktftpd_nl_event_refused(struct ktftpd_server *srv,
			     const struct ktftpd_addr *peer, const char *file,
			     size_t file_len, bool is_write, u16 code,
			     const char *why);

#endif /* KTFTPD_NETLINK_H */
