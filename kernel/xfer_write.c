// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving an upload (WRQ), when writes are enabled: the OACK or ACK 0,
 * then DATA stored in order into an atomic upload (upload.c), ACKed every
 * window (RFC 7440).  The final block commits the upload; the transfer
 * then dallies for a while to re-ACK it in case our ACK was lost (RFC
 * 1350), and stores nothing more.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include "config.h"
#include "server.h"
#include "stats.h"
#include "upload.h"
#include "xfer.h"

bool ktftpd_xfer_write_setup(struct ktftpd_xfer *x,
			     const struct tftp_request *req,
			     struct tftp_refusal *ref)
{
	const struct ktftpd_config *cfg = x->cfg;
	struct ktftpd_upload_policy policy = {
		.create = cfg->val[KTFTPD_P_CREATE],
		.create_mode = cfg->val[KTFTPD_P_CREATE_MODE],
		.sync = cfg->val[KTFTPD_P_SYNC_UPLOADS],
	};

	struct tftp_limits lim;

	if (!cfg->val[KTFTPD_P_ALLOW_WRITE])
		return tftp_refuse(ref, TFTP_EACCESS, "Writes are disabled");
	ktftpd_xfer_limits(x, &lim);
	if (!tftp_negotiate(req, &lim, -1, &x->neg, ref))
		return false;
	x->oack_len = tftp_build_oack(x->oack, sizeof(x->oack), &x->neg);
	tftp_recv_init(&x->recv, x->neg.windowsize, cfg->val[KTFTPD_P_RETRIES]);

	/* One byte more than a block, so an oversized DATA shows as one. */
	x->buf_len = tftp_recv_buf_len(x->neg.blksize);
	x->buf = kvmalloc(x->buf_len, GFP_KERNEL);
	if (x->mode == TFTP_MODE_NETASCII)
		x->scratch = kvmalloc(tftp_netascii_decode_room(x->neg.blksize),
				      GFP_KERNEL);
	if (!x->buf || (x->mode == TFTP_MODE_NETASCII && !x->scratch))
		return tftp_refuse(ref, TFTP_EUNDEF, "Out of memory");
	ktftpd_xfer_fs_begin(x);
	x->upload = ktftpd_upload_begin(&cfg->root_path, ktftpd_xfer_path(x), &policy, ref);
	/* Cut off in it: xfer_setup() ends the transfer. */
	ktftpd_xfer_fs_end(x);
	return x->upload;
}

void ktftpd_xfer_write_free(struct ktftpd_xfer *x)
{
	if (!x->upload)
		return;
	/* Removes the temporary file of an upload that did not finish. */
	ktftpd_xfer_fs_begin(x);
	ktftpd_upload_free(x->upload);
	ktftpd_xfer_fs_end(x);
	x->upload = NULL;
}

/* ACK the last block stored; before the first, repeat the OACK if any. */
static void write_send_ack(struct ktftpd_xfer *x)
{
	u8 ack[TFTP_HDR_LEN];

	/* A full buffer loses this ACK like the network might: the timer
	 * or the peer's next DATA brings another.
	 */
	if (x->recv.expected == 1 && x->oack_len) {
		ktftpd_xfer_send(x, x->oack, x->oack_len);
	} else {
		tftp_build_ack(ack, sizeof(ack), tftp_recv_ack_block(&x->recv));
		ktftpd_xfer_send(x, ack, sizeof(ack));
	}
	ktftpd_xfer_arm_timer(x);
}

bool ktftpd_xfer_write_greet(struct ktftpd_xfer *x)
{
	x->greeted = true;
	write_send_ack(x);
	return true;
}

/* Store @n payload bytes; false if the transfer had to end. */
static bool write_store(struct ktftpd_xfer *x, const u8 *data, size_t n)
{
	struct tftp_refusal ref;
	int err;

	if (x->mode == TFTP_MODE_NETASCII) {
		n = tftp_netascii_decode(&x->dec, data, n, x->scratch);
		data = x->scratch;
	}
	if (x->bytes + n > (u64)x->cfg->val[KTFTPD_P_MAX_WRITE_SIZE]) {
		tftp_refuse(&ref, TFTP_ENOSPACE, "File too large");
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	ktftpd_xfer_fs_begin(x);
	err = ktftpd_upload_write(x->upload, data, n);
	if (!ktftpd_xfer_fs_end(x))
		err = -ESHUTDOWN;
	if (err) {
		/* The partial file goes with the transfer: nothing half-written. */
		ktftpd_upload_refuse(err, &ref);
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	WRITE_ONCE(x->bytes, x->bytes + n);
	ktftpd_stats_add(&x->srv->stats, KTFTPD_C_BYTES_RECEIVED, n);
	return true;
}

/* The final block is stored: commit, ACK, and dally. */
static bool write_finish(struct ktftpd_xfer *x)
{
	struct tftp_refusal ref;
	int err;
	u8 cr;

	if (x->mode == TFTP_MODE_NETASCII &&
	    tftp_netascii_decode_end(&x->dec, &cr) && !write_store(x, &cr, 1))
		return false;
	/* Stopped while the last block's write waited: never commit it. */
	if (test_bit(XFER_EV_ABORT, &x->events)) {
		tftp_refuse(&ref, TFTP_EUNDEF, "Server shutting down");
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	ktftpd_xfer_fs_begin(x);
	err = ktftpd_upload_commit(x->upload);
	/* Cut off in it, it is stored (or not) all the same: no ACK. */
	if (!ktftpd_xfer_fs_end(x) && !err)
		err = -ESHUTDOWN;
	if (err) {
		ktftpd_upload_refuse(err, &ref);
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	x->dallying = true;
	/* Dally for two timeouts: long enough for a resent final block. */
	x->rto_ms *= 2;
	write_send_ack(x);
	return true;
}

bool ktftpd_xfer_write_packet(struct ktftpd_xfer *x, const u8 *pkt, int len)
{
	struct tftp_refusal ref;
	enum tftp_data_result res;
	bool ack_now;
	u16 num;

	switch (tftp_classify_from_peer(pkt, len, &num)) {
	case TFTP_PEER_DATA:
		/*
		 * A datagram longer than the buffer was cut to it, which
		 * leaves blksize + 1 bytes of payload: oversized all the same.
		 */
		res = tftp_recv_data(&x->recv, num, len - TFTP_HDR_LEN,
				     x->neg.blksize, &ack_now);
		if (res == TFTP_DATA_OVERSIZE) {
			tftp_refuse(&ref, TFTP_EBADOP,
				    "Block larger than negotiated");
			ktftpd_xfer_fail(x, &ref);
			return false;
		}
		if (res == TFTP_DATA_TAKE) {
			WRITE_ONCE(x->heard, true);
			if (!write_store(x, pkt + TFTP_HDR_LEN, len - TFTP_HDR_LEN))
				return false;
			if (x->recv.done)
				return write_finish(x);
			/* Progress: the peer is alive, push the deadline out. */
			if (!x->rto_fixed)
				x->rto_ms = x->cfg->val[KTFTPD_P_TIMEOUT];
			ktftpd_xfer_arm_timer(x);
		}
		if (ack_now)
			write_send_ack(x);
		return true;
	case TFTP_PEER_ERROR:
		/* The peer gave up (or, dallying, had all it needed). */
		ktftpd_xfer_peer_error(x, num, x->dallying);
		return false;
	case TFTP_PEER_ACK:
	case TFTP_PEER_ILLEGAL:
		tftp_refuse(&ref, TFTP_EBADOP, "Illegal TFTP operation");
		ktftpd_xfer_fail(x, &ref);
		return false;
	case TFTP_PEER_RUNT:
		return true;
	}
	return true;
}

bool ktftpd_xfer_write_timeout(struct ktftpd_xfer *x)
{
	struct tftp_refusal ref;

	if (x->dallying) {
		ktftpd_xfer_destroy(x, true);
		return false;
	}
	if (tftp_recv_timeout(&x->recv) == TFTP_TIMEOUT_GIVE_UP) {
		tftp_refuse(&ref, TFTP_EUNDEF, "Timeout");
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	ktftpd_xfer_backoff(x);
	WRITE_ONCE(x->retransmits, x->retransmits + 1);
	ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_RETRANSMITS);
	ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_TIMEOUTS);
	write_send_ack(x);
	return true;
}
