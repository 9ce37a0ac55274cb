/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's lifecycle and admission.  sysctl.c and netlink.c call only
 * the lifecycle functions; they never touch threads or sockets themselves.
 */
#ifndef KTFTPD_SERVER_H
#define KTFTPD_SERVER_H

#include <linux/types.h>

struct ktftpd_xfer;
struct ktftpd_config_change;
struct tftp_refusal;

bool ktftpd_server_running(void);
/* Milliseconds since the last start; 0 while stopped. */
u64 ktftpd_server_uptime_ms(void);
/* Start with the config in force: the listeners.  0 if running. */
int ktftpd_server_start(void);
/* Stop: close the listener, let transfers finish for the configured
 * drain time, then abort the rest with an ERROR.  0 if stopped.  A
 * transfer that waits on a hung file system ends when it answers. */
int ktftpd_server_stop(void);
/* The same with an explicit drain time (rmmod uses 0). */
int ktftpd_server_stop_drain(unsigned int drain_ms);

/*
 * Apply @chg to the config, whole or not at all: build and validate the new
 * config, rebind the listeners if the port or addresses changed while
 * running, start if @start, and only then publish.  *@changed says whether
 * the config differs from the one before; on error *@bad and *@why say what
 * (see ktftpd_config_build(); *@bad is -1 when no one field is at fault).
 * Transfers in flight keep the config they started under.
 */
int ktftpd_server_configure(const struct ktftpd_config_change *chg, bool start,
			    bool *changed, int *bad, const char **why);

/*
 * Call @fn on each transfer with an id above @after_id, in id order, under
 * the transfer list's lock (so @fn must not sleep), until it returns
 * non-zero.
 */
int ktftpd_server_for_each_xfer(u64 after_id,
				int (*fn)(struct ktftpd_xfer *x, void *arg),
				void *arg);

/*
 * Admission: 0 and @x counted in; -EBUSY, refused with @ref set; or
 * -EEXIST when the same client address and port has a transfer already
 * (a retransmitted request: drop it unanswered, the transfer's timer
 * answers it).
 */
/* 0, -EEXIST (a duplicate), -ESHUTDOWN (stopping: no answer) or -EBUSY. */
int ktftpd_server_admit(struct ktftpd_xfer *x, struct tftp_refusal *ref);
/* @x's first run begins: it counts as opening (see KTFTPD_OPENING_MAX)... */
void ktftpd_server_opening(struct ktftpd_xfer *x);
/* ...until that run has ended with @x alive (its first packet is out). */
void ktftpd_server_opened(struct ktftpd_xfer *x);
/* @x's run is destroying it: a stop no longer aborts (queues) it. */
void ktftpd_server_ending(struct ktftpd_xfer *x);
/* @x has ended (called by its run, just before freeing it). */
void ktftpd_server_release(struct ktftpd_xfer *x);

/* Unload: never start again; abort every transfer and wait for each. */
void ktftpd_server_exit(void);

#endif /* KTFTPD_SERVER_H */
