/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Option negotiation (RFC 2347 blksize 2348, tsize/timeout 2349,
 * windowsize 7440): which of the options a request carries the server
 * grants, and the OACK that says so.  Plain C, shared with the host tests
 * and the fuzzers.
 *
 * Policy for a value the server cannot grant (below the range, zero,
 * non-numeric, empty, or too long to be a number): the option is left out
 * of the OACK, as if the client had not asked, and the transfer goes on
 * with the default.  Nothing is ever answered with ERROR 8, because a
 * client that sent a bad option may still take a plain transfer.
 */
#ifndef KTFTPD_OPTIONS_H
#define KTFTPD_OPTIONS_H

#include "proto.h"
#include <uapi/linux/ktftpd.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFTP_BLKSIZE_MIN	8
#define TFTP_BLKSIZE_MAX	65464	/* RFC 2348: fits an IPv4 UDP datagram */
#define TFTP_TIMEOUT_MIN_S	1
#define TFTP_TIMEOUT_MAX_S	255
#define TFTP_WINDOWSIZE_MAX	65535

/*
 * Options the server knows, as bits of tftp_negotiated.asked and .granted:
 * the uapi's, so the events carry them as they are.
 */
enum {
	TFTP_OPT_BLKSIZE	= KTFTPD_OPT_BLKSIZE,
	TFTP_OPT_TSIZE		= KTFTPD_OPT_TSIZE,
	TFTP_OPT_TIMEOUT	= KTFTPD_OPT_TIMEOUT,
	TFTP_OPT_WINDOWSIZE	= KTFTPD_OPT_WINDOWSIZE,
};

/* What the server is configured to allow. */
struct tftp_limits {
	u32 blksize_max;	/* TFTP_BLKSIZE_MIN..TFTP_BLKSIZE_MAX */
	u32 windowsize_max;	/* 1..TFTP_WINDOWSIZE_MAX */
	u64 max_write_size;	/* bytes a WRQ may announce (tsize) or send */
	/*
	 * Largest RFC 2349 timeout granted, s (0: TFTP_TIMEOUT_MAX_S); a
	 * larger one is declined, left out of the OACK, as the RFC allows.
	 */
	u32 timeout_max_s;
	/*
	 * Most bytes in flight, windowsize x blksize (0: no cap): a larger
	 * window is clamped to fit, never below 1, never refused.
	 */
	u64 window_bytes_max;
	/* TFTP_OPT_* bits the server never grants (tftpd-hpa's --refuse). */
	unsigned int refused;
};

/* The outcome, with the defaults in place of what was not granted. */
struct tftp_negotiated {
	unsigned int asked;	/* TFTP_OPT_* bits: the known options requested */
	unsigned int granted;	/* TFTP_OPT_* bits: what the OACK carries */
	u32 blksize;		/* TFTP_BLKSIZE_DEFAULT unless granted */
	u32 windowsize;		/* 1 (lock-step) unless granted */
	u32 timeout_s;		/* meaningful only when granted */
	u64 tsize;		/* RRQ: the file's size; WRQ: the client's */
};

/*
 * Negotiate the options of @req.  @file_size is the size of the file an
 * RRQ reads, or negative when it may not be told (netascii, where the
 * size on the wire is not the file's).  Returns true, or false with @ref
 * set (TFTP_ENOSPACE) for a WRQ whose tsize exceeds @lim->max_write_size:
 * an RRQ is never refused.  Names match case-insensitively; the first of
 * duplicated options counts; unknown ones are ignored.
 */
bool tftp_negotiate(const struct tftp_request *req,
		    const struct tftp_limits *lim, long long file_size,
		    struct tftp_negotiated *neg, struct tftp_refusal *ref);

/*
 * Parse a decimal option value: digits only, not empty, at most @max.
 * Returns false for anything else, and for values past @max that
 * @clamp does not allow to be cut down.
 */
bool tftp_parse_uint(const char *s, u64 max, bool clamp, u64 *val);

/*
 * Build the OACK for @neg into @buf.  Returns its length, or 0 when
 * nothing was granted (then no OACK is sent at all) or @cap is too small.
 * With every option granted the OACK is under TFTP_OACK_MAX bytes, however
 * small the negotiated block size: it is never built in a data buffer.
 */
#define TFTP_OACK_MAX 128
size_t tftp_build_oack(u8 *buf, size_t cap, const struct tftp_negotiated *neg);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_OPTIONS_H */
