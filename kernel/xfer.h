/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One transfer's life: its own UDP socket (its TID), its timer, and the
 * send/receive loop, driven by its worker.
 */
#ifndef KTFTPD_XFER_H
#define KTFTPD_XFER_H

#include <linux/list.h>
#include <linux/timer.h>
#include <linux/fs.h>
#include "net.h"
#include "proto.h"

struct ktftpd_worker;
struct ktftpd_config;

/* Event bits in ktftpd_xfer.events, set by whoever kicks the worker. */
enum {
	XFER_EV_TIMER,		/* the retransmission timer fired */
	XFER_EV_ABORT,		/* the server stops: end with an ERROR */
};

struct ktftpd_xfer {
	struct list_head node;		/* the server's sessions list */
	struct list_head run_node;	/* its worker's run queue */
	struct ktftpd_worker *worker;
	unsigned long events;

	struct ktftpd_addr peer;
	struct socket *sock;
	void (*saved_data_ready)(struct sock *sk);
	struct timer_list timer;
	unsigned long deadline;		/* jiffies when the timer is due */
	unsigned int rto_ms;		/* current timeout, doubled per retry */

	struct ktftpd_config *cfg;	/* the config this transfer started under */
	struct file *file;
	loff_t size;
	char *name;
	u32 blksize;
	u8 *buf;			/* one packet: header + blksize */
	struct tftp_send send;
	u64 sent_high;			/* highest block sent + 1 */

	unsigned long started;		/* jiffies */
	u64 bytes_sent;
	u32 retransmits;
};

/*
 * Set up a transfer for a parsed read request.  Returns the transfer, or
 * NULL with @code and @why set to the ERROR to answer the request with.
 */
struct ktftpd_xfer *ktftpd_xfer_create(struct socket *listener,
				       const struct tftp_request *req,
				       const struct ktftpd_addr *peer,
				       const struct ktftpd_addr *local,
				       int *code, const char **why);

/* Start serving (after the server admitted it): arms callbacks, kicks. */
void ktftpd_xfer_start(struct ktftpd_xfer *x);

/* Free a transfer that was created but never started. */
void ktftpd_xfer_free(struct ktftpd_xfer *x);

/* Ask a running transfer to end now with an ERROR (server stopping). */
void ktftpd_xfer_abort(struct ktftpd_xfer *x);

/* Called by the worker: handle every pending event of @x. */
void ktftpd_xfer_run(struct ktftpd_xfer *x);

#endif /* KTFTPD_XFER_H */
