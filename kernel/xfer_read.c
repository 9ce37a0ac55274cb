// SPDX-License-Identifier: GPL-2.0
/*
 * Serving a read (RRQ): the OACK, then windows of DATA (RFC 7440), with
 * octet or netascii encoding.  The protocol core decides which block goes
 * next (proto.c); this file builds and sends it.
 *
 * netascii makes a block's content depend on every byte before it, so a
 * resend must start from a known place: the file offset and split pair
 * where each block in the window began are kept in a small ring (one
 * entry per block in flight, plus one).
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include "config.h"
#include "rules.h"
#include "server.h"
#include "stats.h"
#include "vfs.h"
#include "xfer.h"

static int read_setup_netascii(struct ktftpd_xfer *x)
{
	x->ckpt_n = x->neg.windowsize + 1;
	x->ckpt = kvcalloc(x->ckpt_n, sizeof(*x->ckpt), GFP_KERNEL);
	x->scratch = kvmalloc(x->neg.blksize, GFP_KERNEL);
	if (!x->ckpt || !x->scratch)
		return -ENOMEM;
	/* Block 1 starts at offset 0 with nothing owed. */
	return 0;
}

/*
 * Open @name (x->lookup, or another kmalloc'd name the caller frees if
 * this fails); on success it becomes x->lookup, the name looked up.
 */
static bool read_open_one(struct ktftpd_xfer *x, char *name,
			  struct tftp_refusal *ref)
{
	const struct ktftpd_config *cfg = x->cfg;
	char *folded;
	bool opened;

	/* A cut off caller refuses in read_setup(), once x->lookup is set. */
	ktftpd_xfer_fs_begin(x);
	opened = ktftpd_vfs_open(&cfg->root_path, name ? name : x->name,
				 cfg->val[KTFTPD_P_WORLD_READABLE],
				 cfg->val[KTFTPD_P_CASE_INSENSITIVE], &folded,
				 &x->file, &x->size, ref);
	ktftpd_xfer_fs_end(x);
	if (!opened) {
		kfree(folded);
		return false;
	}
	if (folded) {
		ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_CASE_FOLDED);
		if (name != x->lookup)
			kfree(name);
		name = folded;
	}
	if (name != x->lookup) {
		kfree(x->lookup);
		x->lookup = name;
	}
	return true;
}

/*
 * The file: in the client's own directory first if unique_root says so,
 * and there is one and the file is not found there, then as named.
 */
static bool read_open(struct ktftpd_xfer *x, struct tftp_refusal *ref)
{
	char dir[KTFTPD_UNIQUE_DIR_MAX];
	char *own;

	if (ktftpd_unique_dir(x->cfg, x->srv->net, &x->peer, x->local.ifindex,
			      dir)) {
		own = kasprintf(GFP_KERNEL, "%s/%s", dir, ktftpd_xfer_path(x));
		if (!own)
			return tftp_refuse(ref, TFTP_EUNDEF, "Out of memory");
		if (read_open_one(x, own, ref))
			return true;
		kfree(own);
		/* Only what is not there falls back, not what is refused. */
		if (ref->code != TFTP_ENOTFOUND)
			return false;
	}
	return read_open_one(x, x->lookup, ref);
}

bool ktftpd_xfer_read_setup(struct ktftpd_xfer *x,
			    const struct tftp_request *req,
			    struct tftp_refusal *ref)
{
	const struct ktftpd_config *cfg = x->cfg;
	struct tftp_limits lim;

	if (!read_open(x, ref))
		return false;
	/* The route's MTU is its namespace's, which a cut one may not have. */
	if (ktftpd_xfer_cut(x))
		return tftp_refuse(ref, TFTP_EUNDEF, "Server shutting down");
	ktftpd_xfer_limits(x, &lim);
	/*
	 * The size on the wire of a netascii file is not its size: no tsize.
	 * An RRQ's options are never refused.
	 */
	tftp_negotiate(req, &lim, x->mode == TFTP_MODE_OCTET ? x->size : -1,
		       &x->neg, ref);
	x->oack_len = tftp_build_oack(x->oack, sizeof(x->oack), &x->neg);
	tftp_send_init(&x->send, x->oack_len > 0, x->neg.windowsize,
		       cfg->val[KTFTPD_P_RETRIES]);

	x->buf_len = TFTP_HDR_LEN + x->neg.blksize;
	x->buf = kvmalloc(x->buf_len, GFP_KERNEL);
	if (!x->buf || (x->mode == TFTP_MODE_NETASCII && read_setup_netascii(x)))
		return tftp_refuse(ref, TFTP_EUNDEF, "Out of memory");
	return true;
}

void ktftpd_xfer_read_free(struct ktftpd_xfer *x)
{
	if (x->file)
		fput(x->file);
	kvfree(x->ckpt);
	kvfree(x->scratch);
}

/* One read of the file; -ESHUTDOWN if the transfer was cut off in it. */
static ssize_t read_file(struct ktftpd_xfer *x, void *out, loff_t pos)
{
	ssize_t n;

	ktftpd_xfer_fs_begin(x);
	n = ktftpd_vfs_read(x->file, out, x->neg.blksize, pos);
	return ktftpd_xfer_fs_end(x) ? n : -ESHUTDOWN;
}

/* Read block @block's payload into @out (blksize bytes of room). */
static ssize_t read_block(struct ktftpd_xfer *x, u64 block, u8 *out)
{
	struct tftp_netascii_pos pos;
	ssize_t n;

	if (x->mode != TFTP_MODE_NETASCII)
		return read_file(x, out,
				 tftp_block_offset(block, x->neg.blksize));
	pos = x->ckpt[block % x->ckpt_n];
	/* Every file byte makes at least one wire byte: blksize is enough. */
	n = read_file(x, x->scratch, pos.offset);
	if (n < 0)
		return n;
	n = tftp_netascii_encode(&pos, x->scratch, n, out, x->neg.blksize);
	x->ckpt[(block + 1) % x->ckpt_n] = pos;
	return n;
}

/*
 * Account for block @block (0: the OACK) of @n bytes, just sent by the
 * worker or the fast path: a resend, or new bytes.
 */
void ktftpd_xfer_read_sent(struct ktftpd_xfer *x, u64 block, size_t n)
{
	if (block < x->sent_high) {
		WRITE_ONCE(x->retransmits, x->retransmits + 1);
		ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_RETRANSMITS);
	} else {
		x->sent_high = block + 1;
		WRITE_ONCE(x->bytes, x->bytes + n);
		ktftpd_stats_add(&x->srv->stats, KTFTPD_C_BYTES_SENT, n);
	}
	tftp_send_sent(&x->send, block != 0 && n < x->neg.blksize);
}

/* Send block s->next (block 0 is the OACK).  0, -EAGAIN or -errno. */
static int send_block(struct ktftpd_xfer *x)
{
	u64 block = x->send.next;
	ssize_t n = 0;
	int err;

	if (block == 0) {
		err = ktftpd_xfer_send(x, x->oack, x->oack_len);
	} else {
		tftp_build_data_header(x->buf, TFTP_HDR_LEN, (u16)block);
		n = read_block(x, block, x->buf + TFTP_HDR_LEN);
		if (n < 0)
			return n;
		err = ktftpd_xfer_send(x, x->buf, TFTP_HDR_LEN + n);
	}
	if (err)
		return err;
	ktftpd_xfer_read_sent(x, block, n);
	return 0;
}

bool ktftpd_xfer_read_pump(struct ktftpd_xfer *x)
{
	struct tftp_refusal ref;
	bool sent = false;
	int err;

	x->greeted = true;
	while (tftp_send_may_send(&x->send)) {
		err = send_block(x);
		if (err == -EAGAIN && !x->send_blocked) {
			/*
			 * Ask for a write-space kick, then try once more: the
			 * buffer may have drained between the failed send and
			 * the request, and then no kick would ever come.
			 */
			WRITE_ONCE(x->send_blocked, true);
			smp_mb();	/* pairs with xfer_write_space()'s */
			continue;
		}
		if (err == -EAGAIN) {
			/* The kick resumes us; the timer, in case it never comes. */
			if (!timer_pending(&x->timer))
				ktftpd_xfer_arm_timer(x);
			break;
		}
		if (err) {
			tftp_refuse(&ref, TFTP_EUNDEF, "Read error");
			ktftpd_xfer_fail(x, &ref);
			return false;
		}
		WRITE_ONCE(x->send_blocked, false);
		sent = true;
	}
	if (sent)
		ktftpd_xfer_arm_timer(x);
	return true;
}

bool ktftpd_xfer_read_packet(struct ktftpd_xfer *x, const u8 *pkt, int len)
{
	struct tftp_refusal ref;
	u16 num;

	switch (tftp_classify_from_peer(pkt, len, &num)) {
	case TFTP_PEER_ACK:
		switch (tftp_send_ack(&x->send, num)) {
		case TFTP_ACK_DONE:
			ktftpd_xfer_destroy(x, true);
			return false;
		case TFTP_ACK_PROGRESS:
			WRITE_ONCE(x->heard, true);
			if (!x->rto_fixed)
				x->rto_ms = x->cfg->val[KTFTPD_P_TIMEOUT];
			return true;
		case TFTP_ACK_IGNORED:
			/* Sorcerer's Apprentice: only the timer resends. */
			return true;
		case TFTP_ACK_ALIVE:
			ktftpd_xfer_alive(x);
			return true;
		}
		return true;
	case TFTP_PEER_ERROR:
		/*
		 * The client gave up; answering an ERROR is not allowed.  An
		 * ERROR 8 (UEFI) or 0 (U-Boot, GRUB) to an OACK that granted
		 * tsize, before any DATA, is a client that only wanted the
		 * size and asks again: a probe, not a failure.
		 */
		x->size_probe = x->send.base == 0 &&
				(x->neg.granted & TFTP_OPT_TSIZE) &&
				(num == TFTP_EOPTNEG || num == TFTP_EUNDEF);
		ktftpd_xfer_peer_error(x, num, false);
		return false;
	case TFTP_PEER_DATA:
	case TFTP_PEER_ILLEGAL:
		tftp_refuse(&ref, TFTP_EBADOP, "Illegal TFTP operation");
		ktftpd_xfer_fail(x, &ref);
		return false;
	case TFTP_PEER_RUNT:
		return true;
	}
	return true;
}

bool ktftpd_xfer_read_timeout(struct ktftpd_xfer *x)
{
	struct tftp_refusal ref;

	if (tftp_send_timeout(&x->send) == TFTP_TIMEOUT_GIVE_UP) {
		tftp_refuse(&ref, TFTP_EUNDEF, "Timeout");
		/*
		 * Only the last block's ACK missing: the client most likely
		 * has it all, as dnsmasq judges too, and a firmware that
		 * boots at once may lose that ACK on its way out (OVMF's GRUB
		 * did, its NIC reset).  A finish, counted apart.  The ERROR
		 * still goes: a client that has it all has gone and never
		 * hears it (unless it asked anew from the same port: then
		 * none goes), but one whose every copy of the last block was
		 * lost learns now, not at its own timeout.  Only for a peer
		 * heard from: a one-block file's spoofed request has nothing
		 * but its last block to await.
		 */
		if (x->heard && tftp_send_awaits_final_ack(&x->send)) {
			ktftpd_stats_inc(&x->srv->stats,
					 KTFTPD_C_FINAL_ACK_MISSING);
			ktftpd_xfer_error_to_peer(x, &ref);
			x->unconfirmed = true;
			ktftpd_xfer_destroy(x, true);
			return false;
		}
		ktftpd_xfer_fail(x, &ref);
		return false;
	}
	ktftpd_stats_inc(&x->srv->stats, KTFTPD_C_TIMEOUTS);
	ktftpd_xfer_backoff(x);
	return ktftpd_xfer_read_pump(x);
}
