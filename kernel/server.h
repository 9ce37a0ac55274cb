/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's lifecycle and admission.  sysctl.c and netlink.c call only
 * the lifecycle functions; they never touch threads or sockets themselves.
 */
#ifndef KTFTPD_SERVER_H
#define KTFTPD_SERVER_H

#include <linux/types.h>

struct ktftpd_xfer;

bool ktftpd_server_running(void);
/* Start with the config in force: listener, workers.  0 if running. */
int ktftpd_server_start(void);
/* Stop: close the listener, let transfers finish for the configured
 * drain time, then abort the rest with an ERROR.  0 if stopped. */
int ktftpd_server_stop(void);
/* The same with an explicit drain time (rmmod uses 0). */
int ktftpd_server_stop_drain(unsigned int drain_ms);

/*
 * Admission: 0 and @x counted in; -EBUSY with the reason to answer; or
 * -EEXIST when the same client address and port has a transfer already
 * (a retransmitted request: drop it, the transfer's timer answers it).
 */
int ktftpd_server_admit(struct ktftpd_xfer *x, const char **why);
/* @x has ended (called by its worker, just before freeing it). */
void ktftpd_server_release(struct ktftpd_xfer *x);

int ktftpd_server_init(unsigned int workers);
void ktftpd_server_exit(void);

#endif /* KTFTPD_SERVER_H */
