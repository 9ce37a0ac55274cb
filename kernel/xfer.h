/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One transfer's life: its own UDP socket (its TID), its timer, and the
 * send/receive loop, run as a work item (its "worker" is whichever kworker
 * runs it).  A read (RRQ) is served by xfer_read.c and an upload (WRQ) by
 * xfer_write.c; this header's struct is shared by the three files.
 */
#ifndef KTFTPD_XFER_H
#define KTFTPD_XFER_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/timer.h>
#include <linux/fs.h>
#include <linux/workqueue.h>
#include "runq.h"
#include "net.h"
#include "netascii.h"
#include "options.h"
#include "proto.h"

struct ktftpd_config;
struct ktftpd_server;
struct ktftpd_upload;

/* Event bits in ktftpd_xfer.events, set by whoever kicks the worker. */
enum {
	XFER_EV_TIMER,		/* the retransmission timer fired */
	XFER_EV_ABORT,		/* the server stops: end with an ERROR */
	XFER_EV_WRITABLE,	/* send buffer space came back */
	XFER_EV_DONE,		/* the fast path saw the last ACK: end it */
	/*
	 * Not a kick but a mark: the peer, once heard from, sent a new
	 * request from the same address and port.  It has left this
	 * transfer, and an ERROR from it would answer that request.
	 */
	XFER_EV_SUPERSEDED,
};

/* Bit in ktftpd_xfer.busy: held by whoever runs the transfer's state. */
enum { XFER_BUSY };

/*
 * ktftpd_xfer.fs: whether the run is in a file operation, which a hung
 * NFS or FUSE server can make last for ever.  A namespace's cleanup,
 * which every namespace shares, cannot wait for that: it cuts such a
 * transfer off (IN to CUT), takes its socket away, and lets it end when
 * the file system answers.  A cut transfer never touches its socket or
 * its namespace again; its server outlives the namespace until it ends.
 */
enum { XFER_FS_OUT, XFER_FS_IN, XFER_FS_CUT };

struct ktftpd_xfer {
	/*
	 * Its server.  Valid until ktftpd_server_release(): the server's
	 * exit waits for every transfer to be released.
	 */
	struct ktftpd_server *srv;
	struct list_head node;		/* the server's transfer list */
	u64 id;				/* set at admission, unique */
	/*
	 * Every run of the transfer: its setup, then each batch of events.
	 * The workqueue never runs one work item twice at once, so a
	 * transfer's state needs no lock; and a run that waits on a file
	 * system (a hung NFS or FUSE server) holds one kworker while the
	 * others run the other transfers.
	 */
	struct work_struct work;
	/*
	 * Where its next run is (runq.c), under the server's runq_lock: on
	 * run_cpu's kworker pool, or waiting for room there (run_wait).
	 * The fast path reads it without the lock (ktftpd_runq_idle(), a
	 * hint it confirms with XFER_BUSY): stored with WRITE_ONCE.
	 */
	enum ktftpd_run_state run_state;
	bool run_again;			/* kicked while RUNNING */
	int run_cpu;
	struct list_head run_wait;
	unsigned long events;
	/*
	 * A run holds XFER_BUSY from start to end; the softirq fast path
	 * (xfer_fast.c) only runs the transfer if it gets it.
	 */
	unsigned long busy;
	bool fast;			/* the fast path is hooked */
	bool ending;			/* being destroyed: abort_all() skips it */
	/*
	 * Set up by its first run and its socket's callbacks hooked: until
	 * then no packet reaches it (the server's list, a stop's abort and
	 * the sessions dump see it; the dump skips it).
	 * Read locklessly by the GET_SESSIONS dump: smp_store_release and
	 * smp_load_acquire.
	 */
	bool published;
	/* The listener's fault-injection mark, carried to every run. */
	bool make_it_fail;
	/*
	 * In its first run, counted among the transfers opening (see
	 * KTFTPD_OPENING_MAX): from that run's start to its end, or to the
	 * transfer's release.
	 */
	bool opening;
	/* Its socket shares the listening port (single_port). */
	bool shared_port;
	atomic_t fs;			/* XFER_FS_*: see above */

	struct ktftpd_addr peer;
	struct ktftpd_addr local;	/* where the request was sent (len 0: unknown) */
	int family;			/* the listening socket's */
	/* The request datagram, kept until the worker has set up from it. */
	u8 *req_pkt;
	size_t req_len;
	struct socket *sock;
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	struct timer_list timer;
	unsigned long deadline;		/* jiffies when the timer is due */
	unsigned int rto_ms;		/* current timeout */
	bool rto_fixed;			/* negotiated (RFC 2349): no backoff */
	bool greeted;			/* the first packet has gone out */
	bool size_probe;		/* ended as SIZE_PROBES counts */
	/*
	 * The peer has made progress (an ACK that moved, a block taken).
	 * Until then the transfer lives at most handshake_timeout: a spoofed
	 * request's peer never answers.  Set with WRITE_ONCE: admission
	 * reads it from another transfer's run.
	 */
	bool heard;

	struct ktftpd_config *cfg;	/* the config this transfer started under */
	char *name;			/* as requested, normalized */
	/*
	 * The name looked up beneath root, when the filename rules or the
	 * case_insensitive fallback made it other than @name; else NULL.
	 * Set in the first run, before the transfer is published.
	 */
	char *lookup;
	bool is_write;
	enum tftp_mode mode;
	struct tftp_negotiated neg;
	u8 oack[TFTP_OACK_MAX];
	size_t oack_len;		/* 0: no options granted, no OACK */
	u8 *buf;			/* one packet: header + blksize (+1) */
	size_t buf_len;

	/* Reads. */
	struct file *file;
	loff_t size;
	struct tftp_send send;
	u64 sent_high;			/* highest block sent + 1 */
	bool send_blocked;		/* a send found the buffer full: kick on space */
	bool unconfirmed;		/* finished, the last ACK never came */
	/* netascii: where each block in the window starts, and a read buffer */
	struct tftp_netascii_pos *ckpt;
	u32 ckpt_n;
	u8 *scratch;

	/* Uploads. */
	struct ktftpd_upload *upload;
	struct tftp_recv recv;
	struct tftp_netascii_dec dec;
	bool dallying;			/* done: only re-ACK a repeated final block */

	unsigned long started;		/* jiffies */
	/*
	 * Written by its run (or the fast path, holding XFER_BUSY) alone;
	 * a session dump reads them unlocked, a moment's figures: stored
	 * with WRITE_ONCE so that neither tears.
	 */
	u64 bytes;			/* payload bytes sent or stored */
	u32 retransmits;
	/* Why it failed, for the "error" event: the ERROR sent or received. */
	u16 err_code;
	const char *err_msg;		/* a string literal */
};

/*
 * Make a transfer for the request datagram @pkt (@len bytes, parsed as
 * @req) on the listener: memory only, no file and no socket, so nothing
 * a user controls can make the listener wait, and a request the server
 * refuses leaves nothing behind.  Returns NULL with @ref set.
 */
struct ktftpd_xfer *ktftpd_xfer_create(struct ktftpd_server *srv, int family,
				       const u8 *pkt, size_t len,
				       const struct tftp_request *req,
				       const struct ktftpd_addr *peer,
				       const struct ktftpd_addr *local,
				       struct tftp_refusal *ref);

/*
 * Queue an admitted transfer's first run, which opens the file, negotiates,
 * creates the socket and serves.  Only ktftpd_server_admit() calls it,
 * under the lock a stop's abort takes.
 */
void ktftpd_xfer_start(struct ktftpd_xfer *x);

/* The transfers' workqueue, for the module's whole life (past a stop). */
/* Waits for every run, even one a hung file system holds. */

/* Free a transfer that was created but never started. */
void ktftpd_xfer_free(struct ktftpd_xfer *x);

/* Ask a running transfer to end now with an ERROR (server stopping). */
void ktftpd_xfer_abort(struct ktftpd_xfer *x);

/*
 * Around each file operation of a run: false at the end if the transfer
 * was cut off meanwhile (a namespace's cleanup took its socket away),
 * after which it must only end (ktftpd_xfer_fail() and _destroy() know).
 */
void ktftpd_xfer_fs_begin(struct ktftpd_xfer *x);
bool ktftpd_xfer_fs_end(struct ktftpd_xfer *x);

static inline bool ktftpd_xfer_cut(struct ktftpd_xfer *x)
{
	return atomic_read(&x->fs) == XFER_FS_CUT;
}

/*
 * Cut @x off if its run is in a file operation, or, if @idle too, if no
 * run of it is going on: its socket's callbacks unhooked, and *@sock
 * (maybe NULL) for the caller to release.  False if it was not cut off.
 * Under the server's transfer list lock.
 */
bool ktftpd_xfer_cut_off(struct ktftpd_xfer *x, bool idle,
			 struct socket **sock);

/* Shared by xfer.c, xfer_read.c, xfer_write.c and xfer_fast.c. */
void ktftpd_xfer_kick(struct ktftpd_xfer *x);
void ktftpd_xfer_arm_timer(struct ktftpd_xfer *x);
int ktftpd_xfer_send(struct ktftpd_xfer *x, const void *buf, size_t len);
void ktftpd_xfer_send_error(struct ktftpd_xfer *x, const struct ktftpd_addr *to,
			    const struct tftp_refusal *ref);
/* End the transfer: free everything (the worker's last touch of @x). */
void ktftpd_xfer_destroy(struct ktftpd_xfer *x, bool completed);
/* Send the ERROR @ref says to the peer and end the transfer as failed. */
void ktftpd_xfer_fail(struct ktftpd_xfer *x, const struct tftp_refusal *ref);
/* The peer sent a request from the transfer's own address and port. */
void ktftpd_xfer_asked_anew(struct ktftpd_xfer *x);
/* The ERROR that ends the transfer, to its peer, unless superseded. */
void ktftpd_xfer_error_to_peer(struct ktftpd_xfer *x,
			       const struct tftp_refusal *ref);
/* The peer sent ERROR @code: end, as done if @completed, else failed. */
void ktftpd_xfer_peer_error(struct ktftpd_xfer *x, u16 code, bool completed);
/* The timer fired with nothing heard: the backed-off next timeout. */
void ktftpd_xfer_backoff(struct ktftpd_xfer *x);
/* The client repeated its ACK after a timeout (TFTP_ACK_ALIVE). */
void ktftpd_xfer_alive(struct ktftpd_xfer *x);

/*
 * Reads (xfer_read.c).  Setup returns false with @ref set if it refuses;
 * the handlers return false if the transfer ended.
 */
bool ktftpd_xfer_read_setup(struct ktftpd_xfer *x,
			    const struct tftp_request *req,
			    struct tftp_refusal *ref);
bool ktftpd_xfer_read_packet(struct ktftpd_xfer *x, const u8 *pkt, int len);
bool ktftpd_xfer_read_timeout(struct ktftpd_xfer *x);
bool ktftpd_xfer_read_pump(struct ktftpd_xfer *x);
void ktftpd_xfer_read_sent(struct ktftpd_xfer *x, u64 block, size_t n);
void ktftpd_xfer_read_free(struct ktftpd_xfer *x);

/* Uploads (xfer_write.c), likewise. */
bool ktftpd_xfer_write_setup(struct ktftpd_xfer *x,
			     const struct tftp_request *req,
			     struct tftp_refusal *ref);
bool ktftpd_xfer_write_packet(struct ktftpd_xfer *x, const u8 *pkt, int len);
bool ktftpd_xfer_write_timeout(struct ktftpd_xfer *x);
bool ktftpd_xfer_write_greet(struct ktftpd_xfer *x);
void ktftpd_xfer_write_free(struct ktftpd_xfer *x);

/* The softirq fast path of reads (xfer_fast.c). */
int ktftpd_xfer_fast_init(void);
void ktftpd_xfer_fast_exit(void);
bool ktftpd_xfer_fast_eligible(const struct ktftpd_xfer *x);
bool ktftpd_xfer_fast_prepare(struct ktftpd_xfer *x);
void ktftpd_xfer_fast_hook(struct ktftpd_xfer *x);
void ktftpd_xfer_fast_unhook(struct ktftpd_xfer *x);

/*
 * What @x's config lets its client negotiate: the settings, and a block
 * that fits the route's MTU towards the client (blksize_fit_mtu).
 */
void ktftpd_xfer_limits(const struct ktftpd_xfer *x, struct tftp_limits *lim);

/* The name @x looks up beneath root (see ktftpd_xfer.lookup). */
static inline const char *ktftpd_xfer_path(const struct ktftpd_xfer *x)
{
	return x->lookup ? x->lookup : x->name;
}

#endif /* KTFTPD_XFER_H */
