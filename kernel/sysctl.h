/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_SYSCTL_H
#define KTFTPD_SYSCTL_H

struct ktftpd_server;

/* net.ktftpd in @srv's namespace, showing and changing @srv. */
int ktftpd_sysctl_init(struct ktftpd_server *srv);
void ktftpd_sysctl_exit(struct ktftpd_server *srv);

#endif /* KTFTPD_SYSCTL_H */
