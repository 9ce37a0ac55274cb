/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netascii (RFC 1350, after RFC 764): on the wire every line ends in CR LF
 * and a bare CR is sent as CR NUL.  Encoding turns one file byte into one
 * or two wire bytes, so a pair can straddle a block boundary; the state
 * below carries the half that did not fit.  Plain C, shared with the host
 * tests and the fuzzers.
 */
#ifndef KTFTPD_NETASCII_H
#define KTFTPD_NETASCII_H

#include "core_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where an encoded block starts: enough to rebuild any block again. */
struct tftp_netascii_pos {
	u64 offset;	/* file offset of the next byte to encode */
	u8 pending;	/* second byte of a split pair, owed first */
	bool has_pending;
};

/*
 * Encode file bytes @in[0..@in_len) into at most @cap wire bytes at @out,
 * starting from (and updating) *@pos: its offset advances by the file
 * bytes consumed.  Returns the wire bytes written; fewer than @cap only
 * when @in ran out.
 */
size_t tftp_netascii_encode(struct tftp_netascii_pos *pos, const u8 *in,
			    size_t in_len, u8 *out, size_t cap);

/* Decoding, for uploads: a CR is held until the next byte explains it. */
struct tftp_netascii_dec {
	bool cr_pending;
};

/*
 * Room to decode @len wire bytes: a CR held from the last block may come
 * out before them, and each wire byte gives at most one file byte.
 */
static inline size_t tftp_netascii_decode_room(size_t len)
{
	return len + 1;
}

/*
 * Decode @len wire bytes from @in into @out, which has room for
 * tftp_netascii_decode_room(@len) bytes.  Returns the file bytes written.
 */
size_t tftp_netascii_decode(struct tftp_netascii_dec *d, const u8 *in,
			    size_t len, u8 *out);

/* At the end of the transfer: 1 and a CR in *@out if one was still held. */
size_t tftp_netascii_decode_end(struct tftp_netascii_dec *d, u8 *out);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_NETASCII_H */
