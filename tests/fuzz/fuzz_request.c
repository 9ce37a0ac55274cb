// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the protocol core, the very files the module
 * compiles: the request parser, option negotiation and the OACK builder,
 * filename normalization, and netascii both ways.  (The transfer state
 * machines have their own target, fuzz_session.c.)
 * AddressSanitizer and UBSan turn any out-of-bounds access, overflow or
 * undefined shift into a crash.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netascii.h"
#include "options.h"
#include "proto.h"

static void fuzz_negotiation(const struct tftp_request *req, const uint8_t *data)
{
	struct tftp_limits lim = { 8 + data[0] * 256u, 1 + data[1], 1u << 20 };
	struct tftp_negotiated neg;
	struct tftp_refusal ref = { 0 };
	uint8_t oack[TFTP_OACK_MAX];
	size_t len;

	if (lim.blksize_max > TFTP_BLKSIZE_MAX)
		lim.blksize_max = TFTP_BLKSIZE_MAX;
	if (!tftp_negotiate(req, &lim, (long long)data[2] << 30, &neg, &ref)) {
		assert(ref.code == TFTP_ENOSPACE && ref.why != NULL);
		return;
	}
	/* Negotiated: the refusal is left as it was. */
	assert(ref.code == 0 && ref.why == NULL);
	/* Granted values respect the limits; the defaults are the RFC's. */
	if (neg.granted & TFTP_OPT_BLKSIZE)
		assert(neg.blksize >= TFTP_BLKSIZE_MIN && neg.blksize <= lim.blksize_max);
	else
		assert(neg.blksize == TFTP_BLKSIZE_DEFAULT);
	assert(neg.windowsize >= 1 && neg.windowsize <= lim.windowsize_max);
	len = tftp_build_oack(oack, sizeof(oack), &neg);
	assert(len <= sizeof(oack));
	/* Every granted option always fits, so an OACK is never lost. */
	assert((len == 0) == (neg.granted == 0));
}

static void fuzz_netascii(const uint8_t *data, size_t size)
{
	struct tftp_netascii_pos pos = { 0 };
	struct tftp_netascii_dec dec = { 0 };
	uint8_t out[64], back[65];
	size_t blk = 8 + (size ? data[0] % 32 : 0), n, off = 0;

	while (off < size) {
		size_t avail = size - off < blk ? size - off : blk;

		n = tftp_netascii_encode(&pos, data + off, avail, out, blk);
		assert(n <= blk);
		off = pos.offset;
		tftp_netascii_decode(&dec, out, n, back);
		if (n < blk)
			break;
	}
	tftp_netascii_decode_end(&dec, back);
	/* Decoding arbitrary wire bytes: never past len + 1. */
	n = size < 64 ? size : 64;
	assert(tftp_netascii_decode(&dec, data, n, back) <= n + 1);
}

/* No "." component anywhere, and ".." only in a leading run. */
static void assert_dot_segments_folded(const char *name)
{
	bool leading = true;
	const char *c = name;

	while (*c) {
		size_t n = strcspn(c, "/");

		assert(!(n == 1 && c[0] == '.'));
		if (n == 2 && c[0] == '.' && c[1] == '.')
			assert(leading);
		else if (n)
			leading = false;
		c += n;
		if (*c == '/')
			c++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_request req;
	struct tftp_refusal ref = { 0 };
	char *name;
	size_t len;

	/* The parser must take any bytes, and never read past them. */
	uint8_t *pkt = malloc(size ? size : 1);

	memcpy(pkt, data, size);
	if (tftp_parse_request(pkt, size, &req, &ref)) {
		assert(ref.code == 0 && ref.why == NULL);
		assert(req.filename_len > 0 && req.n_options <= TFTP_MAX_OPTIONS);
		if (size >= 3)
			fuzz_negotiation(&req, data);
		/* Every combination of the switches, the exact allocation. */
		name = strndup(req.filename, req.filename_len);
		len = tftp_normalize_filename(name, req.filename_len, size & 3);
		assert(len <= req.filename_len && name[len] == '\0');
		if (size & TFTP_NORM_SLASHES)
			assert(name[0] != '/' && !strstr(name, "//"));
		assert_dot_segments_folded(name);
		free(name);
	} else {
		/* Every malformed request is answered "illegal operation". */
		assert(ref.code == TFTP_EBADOP && ref.why != NULL);
	}
	free(pkt);
	fuzz_netascii(data, size);
	return 0;
}
