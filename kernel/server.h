/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's lifecycle API.  sysctl.c and netlink.c call only these; they
 * never touch threads or sockets themselves.
 */
#ifndef KTFTPD_SERVER_H
#define KTFTPD_SERVER_H

#include <linux/types.h>

bool ktftpd_server_running(void);
int ktftpd_server_start(void);
int ktftpd_server_stop(void);

#endif /* KTFTPD_SERVER_H */
