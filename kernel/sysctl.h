/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_SYSCTL_H
#define KTFTPD_SYSCTL_H

int ktftpd_sysctl_init(void);
void ktftpd_sysctl_exit(void);

#endif /* KTFTPD_SYSCTL_H */
