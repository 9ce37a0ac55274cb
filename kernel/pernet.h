/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_PERNET_H
#define KTFTPD_PERNET_H

struct ktftpd_server;

/*
 * A server for every network namespace, now and to come; @setup is run
 * on the initial namespace's before its sysctls appear (the module
 * parameters).
 */
int ktftpd_pernet_init(int (*setup)(struct ktftpd_server *srv));
/* rmmod, first: stop every server for good, and end its transfers. */
void ktftpd_pernet_shutdown(void);
/* rmmod, once no command can come: free every server. */
void ktftpd_pernet_exit(void);

#endif /* KTFTPD_PERNET_H */
