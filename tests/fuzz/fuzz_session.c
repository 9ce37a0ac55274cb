// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the transfer state machines (proto.c), driven the
 * way the module drives them: a sender pumped after every event, and a
 * receiver fed DATA, both given an arbitrary sequence of datagrams from
 * the peer (classified by the module's own classifier) and timer expiries.
 *
 * Input: a 9-byte header, then events.
 *   [0]    window - 1
 *   [1]    bits 0-2 max_retries, bit 3 the upload is netascii, bits 4-6
 *          the upload's blksize - 8
 *   [2]    flags: bit 0 an OACK first, else bit 1 start far in (to wrap)
 *   [3..6] start block (when bit 1), [7..8] the file's length in blocks
 *   then per event a tag byte: tag % 4 == 0 is a timer expiry, otherwise
 *   a datagram of (tag >> 2) % 32 bytes taken from what follows.
 *
 * The receiver is fed the way xfer_write.c is: each datagram lands in a
 * heap buffer of exactly the size the kernel allocates for the upload,
 * cut to it (and flagged) when longer, and a netascii block is decoded
 * into a heap scratch buffer of the kernel's size.  So ASan sees any
 * byte the kernel would write past its own allocation.
 *
 * What must hold, whatever the peer sends:
 *   - nothing is sent past the file's final block, and the OACK goes alone;
 *   - one event releases at most a window of datagrams (the amplification
 *     bound: a spoofed request yields at most (retries + 1) windows);
 *   - the sender is done only when the final block was acknowledged, and
 *     gives up after max_retries timeouts with no progress;
 *   - the receiver stores blocks exactly in order, 1, 2, 3, ..., stores
 *     nothing after the final block, ACKs only blocks it has, and never
 *     stores a block longer than blksize;
 *   - no buffer the kernel allocates is written past its end.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netascii.h"
#include "proto.h"

struct sender {
	struct tftp_send s;
	uint64_t first;		/* the first data block (after the OACK) */
	uint64_t final;		/* the file's short last block */
	bool oack;
	bool gave_up;
};

/* Send what may be sent, as ktftpd_xfer_read_pump does; return how many. */
static uint32_t pump(struct sender *x)
{
	uint32_t n = 0;

	while (tftp_send_may_send(&x->s)) {
		uint64_t block = x->s.next;

		if (block == 0) {
			assert(x->oack && x->s.base == 0);
		} else {
			assert(block >= x->first && block <= x->final);
			/* Data is never sent while the OACK is unanswered. */
			assert(x->s.base != 0);
		}
		tftp_send_sent(&x->s, block == x->final);
		n++;
		assert(n <= x->s.window);
	}
	assert(x->s.next >= x->s.base);
	return n;
}

static void sender_event(struct sender *x, const uint8_t *pkt, size_t len,
			 bool timer)
{
	uint64_t base_before = x->s.base;
	u16 block;

	if (x->gave_up || x->s.done)
		return;
	if (timer) {
		if (!tftp_send_outstanding(&x->s))
			return;		/* the module runs no timer then */
		if (tftp_send_timeout(&x->s) == TFTP_TIMEOUT_GIVE_UP) {
			assert(x->s.retries == x->s.max_retries);
			x->gave_up = true;
			return;
		}
		assert(x->s.next == x->s.base);
		pump(x);
		return;
	}
	if (tftp_classify_from_peer(pkt, len, &block) != TFTP_PEER_ACK)
		return;
	switch (tftp_send_ack(&x->s, block)) {
	case TFTP_ACK_DONE:
		assert(x->s.last == x->final && x->s.base == x->final + 1);
		assert(!tftp_send_may_send(&x->s) && !tftp_send_outstanding(&x->s));
		return;
	case TFTP_ACK_PROGRESS:
		/* Progress: acknowledged blocks were sent, and the count moved. */
		assert(x->s.base > base_before && x->s.retries == 0);
		assert(x->s.base <= x->final);
		pump(x);
		return;
	case TFTP_ACK_IGNORED:
		assert(x->s.base == base_before);
		return;
	case TFTP_ACK_ALIVE:
		/* The repeated ACK before base: nothing moves, nothing sent. */
		assert(x->s.base == base_before && x->s.retries > 0);
		assert(x->s.base >= 1);
		tftp_send_alive(&x->s);
		return;
	}
}

struct receiver {
	struct tftp_recv r;
	u32 blksize;
	bool netascii;
	u8 *buf;		/* x->buf, x->buf_len bytes */
	size_t buf_len;
	u8 *scratch;		/* x->scratch, netascii only */
	struct tftp_netascii_dec dec;
	uint64_t stored;	/* blocks stored, in order */
	bool done;
	bool gave_up;		/* or refused a datagram: the upload ended */
};

/* Allocate what ktftpd_xfer_write_setup allocates, to the byte. */
static void receiver_init(struct receiver *y, u32 blksize, bool netascii)
{
	y->blksize = blksize;
	y->netascii = netascii;
	y->buf_len = tftp_recv_buf_len(blksize);
	y->buf = malloc(y->buf_len);
	y->scratch = netascii ? malloc(tftp_netascii_decode_room(blksize)) : NULL;
	assert(y->buf && (!netascii || y->scratch));
}

static void receiver_free(struct receiver *y)
{
	free(y->buf);
	free(y->scratch);
}

/* Store a block as write_store does: decoded into scratch first. */
static void receiver_store(struct receiver *y, const u8 *payload, size_t n)
{
	assert(n <= y->blksize);
	if (y->netascii)
		tftp_netascii_decode(&y->dec, payload, n, y->scratch);
}

static void receiver_event(struct receiver *y, const uint8_t *dgram,
			   size_t dgram_len, bool timer)
{
	bool truncated = dgram_len > y->buf_len;
	size_t len = truncated ? y->buf_len : dgram_len;
	enum tftp_data_result res;
	bool ack_now;
	u16 block;

	if (y->gave_up)
		return;
	if (timer) {
		if (y->done)
			return;
		if (tftp_recv_timeout(&y->r) == TFTP_TIMEOUT_GIVE_UP)
			y->gave_up = true;
		return;
	}
	/* What recvmsg leaves in the kernel's buffer. */
	memcpy(y->buf, dgram, len);
	if (tftp_classify_from_peer(y->buf, len, &block) != TFTP_PEER_DATA)
		return;
	res = tftp_recv_data(&y->r, block, len - TFTP_HDR_LEN, y->blksize,
			     &ack_now);
	/* Anything longer than a block is refused, a cut datagram included. */
	assert((res == TFTP_DATA_OVERSIZE) == (len - TFTP_HDR_LEN > y->blksize));
	assert(!truncated || res == TFTP_DATA_OVERSIZE);
	switch (res) {
	case TFTP_DATA_OVERSIZE:
		y->gave_up = true;	/* the kernel ends it with ERROR 4 */
		return;
	case TFTP_DATA_TAKE:
		assert(!y->done);
		assert(block == (u16)(y->stored + 1));
		receiver_store(y, y->buf + TFTP_HDR_LEN, len - TFTP_HDR_LEN);
		y->stored++;
		if (len - TFTP_HDR_LEN < y->blksize) {
			assert(ack_now && y->r.done);
			y->done = true;
		}
		break;
	case TFTP_DATA_DUPLICATE:
	case TFTP_DATA_GAP:
		break;
	}
	assert(y->r.expected == y->stored + 1);
	/* An ACK only ever names the last block stored. */
	if (ack_now)
		assert(tftp_recv_ack_block(&y->r) == (u16)y->stored);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sender x = { 0 };
	struct receiver y = { 0 };
	size_t i;

	if (size < 9)
		return 0;
	x.oack = data[2] & 1;
	tftp_send_init(&x.s, x.oack, 1 + data[0], data[1] & 7);
	x.first = 1;
	if ((data[2] & 2) && !x.oack) {
		/* Resume far in, so the 16-bit block numbers wrap. */
		uint32_t start;

		memcpy(&start, data + 3, sizeof(start));
		x.first = 1 + (uint64_t)start;
		x.s.base = x.s.next = x.first;
	}
	x.final = x.first + (uint64_t)(data[7] << 8 | data[8]);
	tftp_recv_init(&y.r, 1 + data[0], data[1] & 7);
	receiver_init(&y, 8 + ((data[1] >> 4) & 7), data[1] & 8);

	assert(pump(&x) == (x.oack ? 1 : (x.s.window < x.final - x.first + 1 ?
					   x.s.window : x.final - x.first + 1)));
	for (i = 9; i < size;) {
		uint8_t tag = data[i++];
		size_t len = (tag >> 2) % 32;

		if (tag % 4 == 0) {
			sender_event(&x, NULL, 0, true);
			receiver_event(&y, NULL, 0, true);
			continue;
		}
		if (len > size - i)
			len = size - i;
		sender_event(&x, data + i, len, false);
		receiver_event(&y, data + i, len, false);
		i += len;
	}
	receiver_free(&y);
	return 0;
}
