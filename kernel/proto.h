/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TFTP protocol core: packet parsing and building, and the decisions
 * of a sending transfer (what to send next, what an ACK or a timeout
 * means).  Plain C with no kernel headers: the module compiles it, and so
 * do the host unit tests and the fuzzers.  Nothing here does I/O.
 */
#ifndef KTFTPD_PROTO_H
#define KTFTPD_PROTO_H

#include "core_types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tftp_opcode {
	TFTP_RRQ	= 1,
	TFTP_WRQ	= 2,
	TFTP_DATA	= 3,
	TFTP_ACK	= 4,
	TFTP_ERROR	= 5,
	TFTP_OACK	= 6,
};

enum tftp_error_code {
	TFTP_EUNDEF	= 0,	/* not defined, see message */
	TFTP_ENOTFOUND	= 1,
	TFTP_EACCESS	= 2,
	TFTP_ENOSPACE	= 3,
	TFTP_EBADOP	= 4,
	TFTP_EBADID	= 5,	/* unknown transfer ID */
	TFTP_EEXISTS	= 6,
	TFTP_ENOUSER	= 7,
	TFTP_EOPTNEG	= 8,	/* option negotiation refused (RFC 2347) */
	TFTP_ERROR_CODES		/* how many codes there are */
};

enum tftp_mode {
	TFTP_MODE_OCTET,
	TFTP_MODE_NETASCII,
	TFTP_MODE_MAIL,
};

#define TFTP_HDR_LEN		4	/* opcode + block number / error code */
#define TFTP_BLKSIZE_DEFAULT	512
#define TFTP_MAX_OPTIONS	16	/* more are ignored, never overflow */

struct tftp_option {
	const char *name;
	const char *value;
};

/* A parsed RRQ/WRQ.  Its strings point into the packet buffer. */
struct tftp_request {
	u16 opcode;
	const char *filename;
	size_t filename_len;
	const char *mode_name;
	enum tftp_mode mode;
	unsigned int n_options;
	struct tftp_option options[TFTP_MAX_OPTIONS];
};

/*
 * A refusal: the ERROR that answers a request the server will not serve.
 * It is the one way to refuse, in the protocol core and in the module
 * alike.  A function that may refuse takes a struct tftp_refusal * as its
 * last argument; when it refuses it fills it in (tftp_refuse()) and says
 * so with its return value: false, or NULL for one that returns what it
 * made.  When it does not refuse, it leaves the refusal untouched.  The
 * caller answers with the refusal as it is, and frees nothing it named:
 * @why is a string literal, sent as the ERROR's message and kept by the
 * events, so it outlives the request and whatever refused it.
 */
struct tftp_refusal {
	u16 code;		/* enum tftp_error_code */
	const char *why;	/* the ERROR's message: a string literal */
};

/* Fill in @ref; returns false, so "return tftp_refuse(...);" refuses. */
static inline bool tftp_refuse(struct tftp_refusal *ref, u16 code,
			       const char *why)
{
	ref->code = code;
	ref->why = why;
	return false;
}

/*
 * Parse a request datagram of @len bytes in @pkt.  Every string must be
 * NUL-terminated inside the datagram.  Returns true, or false with @ref
 * set (TFTP_EBADOP for a malformed request).  @pkt is not modified.
 */
bool tftp_parse_request(const u8 *pkt, size_t len, struct tftp_request *req,
			struct tftp_refusal *ref);

/* Case-insensitive ASCII comparison of NUL-terminated strings. */
bool tftp_streq_nocase(const char *a, const char *b);

/* The built-in name switches (settings backslash_to_slash, strip_slashes). */
enum tftp_normalize {
	TFTP_NORM_BACKSLASH	= 1 << 0,	/* a backslash is a slash */
	TFTP_NORM_SLASHES	= 1 << 1,	/* no leading or repeated slash */
};

/*
 * Rewrite a requested filename (in place, NUL-terminated) into a path
 * relative to the served root, as the switches in @how say: backslashes
 * become slashes (Windows PXE clients send them), and leading slashes are
 * dropped and repeated ones collapsed, so "/pxelinux.0" means
 * root/pxelinux.0 and "//x" is "x" to the filename rules too.  Whether
 * the result stays beneath root is the lookup's business (LOOKUP_BENEATH),
 * not this string's.  Returns the new length; 0 means nothing is left to
 * look up.
 */
size_t tftp_normalize_filename(char *name, size_t len, unsigned int how);

/* Packet builders: return the length written, or 0 if @cap is too small. */
size_t tftp_build_error(u8 *buf, size_t cap, u16 code, const char *msg);
size_t tftp_build_data_header(u8 *buf, size_t cap, u16 block);
size_t tftp_build_ack(u8 *buf, size_t cap, u16 block);

/* What arrived from a transfer's peer. */
enum tftp_peer_packet {
	TFTP_PEER_ACK,		/* *block set */
	TFTP_PEER_DATA,		/* *block set; the payload follows the header */
	TFTP_PEER_ERROR,	/* *block holds the error code */
	TFTP_PEER_ILLEGAL,	/* a well-formed packet this transfer can't take */
	TFTP_PEER_RUNT,		/* too short to mean anything: ignore it */
};

enum tftp_peer_packet tftp_classify_from_peer(const u8 *pkt, size_t len,
					      u16 *block);

/*
 * The state of a sending transfer, block numbers counted in 64 bits from
 * 1 (so files past 4 GiB and past the 16-bit wrap work), and wrapped to 16
 * bits only on the wire: 65535 is followed by 0, as every mainstream
 * client expects.  Block 0 stands for an OACK, when one is sent.
 */
struct tftp_send {
	u64 base;	/* oldest block not yet acknowledged */
	u64 next;	/* next block to send */
	u64 last;	/* the final (short) block, 0 while not yet read */
	u32 window;	/* blocks in flight at most (1: lock-step) */
	u32 retries;	/* timeouts since the last progress */
	u32 max_retries;
	bool done;
};

void tftp_send_init(struct tftp_send *s, bool oack, u32 window,
		    u32 max_retries);

/* The file offset where (64-bit, 1-based) block @block starts. */
u64 tftp_block_offset(u64 block, u32 blksize);

/* May block @s->next be sent now?  (The caller then sends it and calls
 * tftp_send_sent, passing is_last if it was the short final block.)
 */
bool tftp_send_may_send(const struct tftp_send *s);
void tftp_send_sent(struct tftp_send *s, bool is_last);

enum tftp_ack_result {
	TFTP_ACK_PROGRESS,	/* new blocks acknowledged: send more */
	TFTP_ACK_DONE,		/* the final block is acknowledged */
	TFTP_ACK_IGNORED,	/* duplicate or stale: no resend (RFC 1123) */
	/*
	 * the client repeats its last ACK after a timeout of ours: it is there,
	 * still waiting (see tftp_send_alive)
	 */
	TFTP_ACK_ALIVE,
};

enum tftp_ack_result tftp_send_ack(struct tftp_send *s, u16 wire_block);

/* Believe a TFTP_ACK_ALIVE: the count of resends starts over. */
void tftp_send_alive(struct tftp_send *s);

enum tftp_timeout_result {
	TFTP_TIMEOUT_RESEND,	/* resend from s->base */
	TFTP_TIMEOUT_GIVE_UP,	/* retries exhausted: abandon the transfer */
};

enum tftp_timeout_result tftp_send_timeout(struct tftp_send *s);

/* Is anything sent and not yet acknowledged (so a timer should run)? */
bool tftp_send_outstanding(const struct tftp_send *s);

/*
 * Has every block gone out, and every one but the last been acknowledged?
 * A transfer given up then was most likely received whole: the final ACK
 * is the one packet RFC 1350 lets a client lose without a way back.
 */
bool tftp_send_awaits_final_ack(const struct tftp_send *s);

/*
 * The state of a receiving transfer (an upload).  Blocks are counted in 64
 * bits from 1 and wrap to 16 bits on the wire, as for sending.  The server
 * ACKs every @window blocks (RFC 7440), on the final block, and whenever
 * it sees a block it already has (the ACK that said so was lost).  A
 * block from further ahead means some were lost: the server ACKs the last
 * one it has, once, so the sender restarts from there.
 */
struct tftp_recv {
	u64 expected;	/* next block wanted */
	u32 window;
	u32 in_window;	/* blocks taken since the last ACK */
	u32 retries;	/* timeouts since the last progress */
	u32 max_retries;
	bool gap_acked;	/* the ACK for the current gap has gone out */
	bool done;	/* the final block is in */
};

void tftp_recv_init(struct tftp_recv *r, u32 window, u32 max_retries);

/*
 * An upload's receive buffer: the header and one block, and one byte more
 * so that a DATA longer than the block arrives longer than a block (and
 * is refused) instead of being cut to size.  The kernel allocates this
 * and the fuzzers allocate the same, so ASan checks the kernel's sizes.
 */
static inline size_t tftp_recv_buf_len(u32 blksize)
{
	return TFTP_HDR_LEN + (size_t)blksize + 1;
}

enum tftp_data_result {
	TFTP_DATA_TAKE,		/* the next block: store it */
	TFTP_DATA_DUPLICATE,	/* stored already: do not store it again */
	TFTP_DATA_GAP,		/* from beyond a lost block: drop it */
	TFTP_DATA_OVERSIZE,	/* longer than blksize: illegal, end the upload */
};

/*
 * A DATA @wire_block of @len payload bytes arrived; @blksize is the
 * negotiated size, so a shorter block is the final one and a longer one is
 * TFTP_DATA_OVERSIZE, which changes nothing: no block longer than blksize
 * is ever taken, so every buffer sized by blksize holds what is taken.
 * *@ack_now says whether to send an ACK for tftp_recv_ack_block() now.
 */
enum tftp_data_result tftp_recv_data(struct tftp_recv *r, u16 wire_block,
				     size_t len, u32 blksize, bool *ack_now);

/* The wire number of the last block stored (0 before the first). */
u16 tftp_recv_ack_block(const struct tftp_recv *r);

/* The timer fired: resend the last ACK, or give up after the retries. */
enum tftp_timeout_result tftp_recv_timeout(struct tftp_recv *r);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_PROTO_H */
