// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for option negotiation (RFC 2347/2348/2349/7440): the
 * input is the option list of an otherwise valid request, so every run
 * reaches tftp_negotiate and the OACK builder instead of stopping in the
 * parser.
 *
 * Input: [0] opcode and mode bits, [1..2] blksize_max, [3..4]
 * windowsize_max, [5] the file size's magnitude, then "name\0value\0...".
 *
 * What must hold: granted values are within the limits and the RFCs'
 * ranges, what is not granted keeps its default, an OACK carries exactly
 * the granted options as name\0value\0 pairs that parse back to the
 * granted values, and it always fits TFTP_OACK_MAX.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "proto.h"

#define HEADER 6

/* The value the OACK gives for @name, or NULL. */
static const char *oack_value(const uint8_t *oack, size_t len, const char *name)
{
	size_t off = 2;

	while (off < len) {
		const char *n = (const char *)oack + off;
		const char *v = memchr(n, 0, len - off);

		assert(v != NULL);	/* every string is terminated */
		v++;
		assert((const uint8_t *)v < oack + len);
		off = (const uint8_t *)v - oack;
		assert(memchr(v, 0, len - off) != NULL);
		off += strlen(v) + 1;
		if (!strcmp(n, name))
			return v;
	}
	return NULL;
}

static void check_granted(const uint8_t *oack, size_t len, const char *name,
			  bool granted, uint64_t want)
{
	const char *v = oack_value(oack, len, name);
	u64 got;

	assert((v != NULL) == granted);
	if (!v)
		return;
	assert(tftp_parse_uint(v, UINT64_MAX, false, &got) && got == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const modes[] = { "octet", "netascii", "NetAscii", "mail" };
	struct tftp_limits lim;
	struct tftp_negotiated neg;
	struct tftp_request req;
	struct tftp_refusal ref = { 0 };
	const char *mode;
	uint8_t oack[TFTP_OACK_MAX];
	uint8_t *pkt;
	size_t len, head;
	long long file_size;

	if (size < HEADER)
		return 0;
	mode = modes[(data[0] >> 1) % 4];
	head = 2 + 2 + strlen(mode) + 1;	/* opcode, "f\0", mode */
	pkt = malloc(head + size - HEADER);
	pkt[0] = 0;
	pkt[1] = data[0] & 1 ? TFTP_WRQ : TFTP_RRQ;
	memcpy(pkt + 2, "f", 2);
	memcpy(pkt + 4, mode, strlen(mode) + 1);
	memcpy(pkt + head, data + HEADER, size - HEADER);
	len = head + size - HEADER;

	if (!tftp_parse_request(pkt, len, &req, &ref)) {
		/* Only the option list can be wrong: a string without its NUL. */
		assert(ref.code == TFTP_EBADOP && ref.why != NULL &&
		       size > HEADER);
		free(pkt);
		return 0;
	}
	lim.blksize_max = TFTP_BLKSIZE_MIN + (data[1] << 8 | data[2]) %
			  (TFTP_BLKSIZE_MAX - TFTP_BLKSIZE_MIN + 1);
	lim.windowsize_max = 1 + (data[3] << 8 | data[4]) % TFTP_WINDOWSIZE_MAX;
	lim.max_write_size = 1ull << (data[5] % 48);
	file_size = data[5] & 0x80 ? -1 : (long long)1 << (data[5] % 48);

	if (!tftp_negotiate(&req, &lim, file_size, &neg, &ref)) {
		/* Only a WRQ's too-large tsize is refused. */
		assert(ref.code == TFTP_ENOSPACE && pkt[1] == TFTP_WRQ &&
		       !strcmp(ref.why, "File too large"));
		free(pkt);
		return 0;
	}
	/* Negotiated: the refusal is left as it was. */
	assert(ref.code == 0 && ref.why == NULL);
	if (neg.granted & TFTP_OPT_BLKSIZE)
		assert(neg.blksize >= TFTP_BLKSIZE_MIN && neg.blksize <= lim.blksize_max);
	else
		assert(neg.blksize == TFTP_BLKSIZE_DEFAULT);
	if (neg.granted & TFTP_OPT_WINDOWSIZE)
		assert(neg.windowsize >= 1 && neg.windowsize <= lim.windowsize_max);
	else
		assert(neg.windowsize == 1);
	if (neg.granted & TFTP_OPT_TIMEOUT)
		assert(neg.timeout_s >= TFTP_TIMEOUT_MIN_S &&
		       neg.timeout_s <= TFTP_TIMEOUT_MAX_S);
	/* tsize may not be told for netascii (the wire size is not the file's). */
	if ((neg.granted & TFTP_OPT_TSIZE) && pkt[1] == TFTP_RRQ)
		assert(file_size > 0 && neg.tsize == (u64)file_size);

	len = tftp_build_oack(oack, sizeof(oack), &neg);
	assert((len == 0) == (neg.granted == 0));
	if (len) {
		assert(len <= sizeof(oack));
		assert(oack[0] == 0 && oack[1] == TFTP_OACK);
		check_granted(oack, len, "blksize", neg.granted & TFTP_OPT_BLKSIZE, neg.blksize);
		check_granted(oack, len, "windowsize", neg.granted & TFTP_OPT_WINDOWSIZE,
			      neg.windowsize);
		check_granted(oack, len, "timeout", neg.granted & TFTP_OPT_TIMEOUT,
			      neg.timeout_s);
		check_granted(oack, len, "tsize", neg.granted & TFTP_OPT_TSIZE, neg.tsize);
	}
	free(pkt);
	return 0;
}
