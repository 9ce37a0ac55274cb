/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_NETLINK_H
#define KTFTPD_NETLINK_H

int ktftpd_netlink_init(void);
void ktftpd_netlink_exit(void);

#endif /* KTFTPD_NETLINK_H */
