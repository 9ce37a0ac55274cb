// SPDX-License-Identifier: GPL-2.0
/*
 * The TFTP protocol core (RFC 1350, 1123 section 4.2, 2347).  Plain C: see
 * proto.h.  Every packet is hostile: every read is bounds-checked against
 * the datagram's length, and nothing is written outside the caller's
 * buffer.
 */
#include "proto.h"

static u16 get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static void put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool tftp_streq_nocase(const char *a, const char *b)
{
	while (*a && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* The NUL-terminated string at @pkt[*pos], or NULL if it runs past @len. */
static const char *take_string(const u8 *pkt, size_t len, size_t *pos)
{
	const u8 *start = pkt + *pos;
	size_t i;

	for (i = *pos; i < len; i++) {
		if (pkt[i] == '\0') {
			*pos = i + 1;
			return (const char *)start;
		}
	}
	return NULL;
}

bool tftp_parse_request(const u8 *pkt, size_t len, struct tftp_request *req,
			struct tftp_refusal *ref)
{
	const char *name, *value;
	size_t pos = 2;

	memset(req, 0, sizeof(*req));
	if (len < 2)
		return tftp_refuse(ref, TFTP_EBADOP, "short packet");
	req->opcode = get_be16(pkt);
	if (req->opcode != TFTP_RRQ && req->opcode != TFTP_WRQ)
		return tftp_refuse(ref, TFTP_EBADOP, "not a request");
	req->filename = take_string(pkt, len, &pos);
	if (!req->filename)
		return tftp_refuse(ref, TFTP_EBADOP, "filename not terminated");
	req->filename_len = strlen(req->filename);
	if (req->filename_len == 0)
		return tftp_refuse(ref, TFTP_EBADOP, "empty filename");
	req->mode_name = take_string(pkt, len, &pos);
	if (!req->mode_name)
		return tftp_refuse(ref, TFTP_EBADOP, "mode not terminated");
	if (tftp_streq_nocase(req->mode_name, "octet"))
		req->mode = TFTP_MODE_OCTET;
	else if (tftp_streq_nocase(req->mode_name, "netascii"))
		req->mode = TFTP_MODE_NETASCII;
	else if (tftp_streq_nocase(req->mode_name, "mail"))
		req->mode = TFTP_MODE_MAIL;
	else
		return tftp_refuse(ref, TFTP_EBADOP, "unknown transfer mode");

	/*
	 * Options (RFC 2347) follow as name/value pairs.  A request cut short
	 * inside them is still a valid request: the options are dropped,
	 * not the request, as the RFC asks servers to be lenient.  Past
	 * TFTP_MAX_OPTIONS they are ignored.
	 */
	while (pos < len) {
		name = take_string(pkt, len, &pos);
		if (!name)
			break;
		value = take_string(pkt, len, &pos);
		if (!value)
			break;
		if (*name == '\0')
			continue;
		if (req->n_options < TFTP_MAX_OPTIONS) {
			req->options[req->n_options].name = name;
			req->options[req->n_options].value = value;
			req->n_options++;
		}
	}
	return true;
}

/*
 * Drop "." components and fold "x/.." pairs, in place (RFC 3986's
 * remove_dot_segments): the rules then see one spelling of a name that
 * stays in root, so "./secret" and "a/../secret" meet a rule about
 * "secret".  A ".." with nothing before it to fold stays: the lookup
 * refuses it.  A leading slash stays (strip_slashes off); repeated ones
 * inside are one.
 */
static size_t remove_dot_segments(char *name, size_t len)
{
	size_t in = 0, out = 0, keep = 0;	/* keep: what ".." cannot fold */

	while (in < len) {
		size_t end = in, n;
		bool slash, dotdot;

		while (end < len && name[end] != '/')
			end++;
		n = end - in;
		slash = end < len;
		dotdot = n == 2 && name[in] == '.' && name[in + 1] == '.';
		if ((n == 1 && name[in] == '.') || (n == 0 && out > keep)) {
			/* dropped, with its slash: "." and "//" inside */
		} else if (dotdot && out > keep) {
			/* The output ends "component/": take both back. */
			out--;
			while (out > keep && name[out - 1] != '/')
				out--;
		} else {
			memmove(name + out, name + in, n);
			out += n;
			if (slash)
				name[out++] = '/';
			if (n == 0 || dotdot)
				keep = out;
		}
		in = end + 1;
	}
	name[out] = '\0';
	return out;
}

size_t tftp_normalize_filename(char *name, size_t len, unsigned int how)
{
	size_t i, out = 0;

	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c == '\\' && (how & TFTP_NORM_BACKSLASH))
			c = '/';
		/* A slash at the start or after a slash is dropped. */
		if (c == '/' && (how & TFTP_NORM_SLASHES) &&
		    (out == 0 || name[out - 1] == '/'))
			continue;
		name[out++] = c;
	}
	name[out] = '\0';
	return remove_dot_segments(name, out);
}

size_t tftp_build_error(u8 *buf, size_t cap, u16 code, const char *msg)
{
	size_t mlen = strlen(msg);

	if (cap < TFTP_HDR_LEN + 1)
		return 0;
	if (mlen > cap - TFTP_HDR_LEN - 1)
		mlen = cap - TFTP_HDR_LEN - 1;	/* truncate, never overflow */
	put_be16(buf, TFTP_ERROR);
	put_be16(buf + 2, code);
	memcpy(buf + TFTP_HDR_LEN, msg, mlen);
	buf[TFTP_HDR_LEN + mlen] = '\0';
	return TFTP_HDR_LEN + mlen + 1;
}

static size_t build_header(u8 *buf, size_t cap, u16 opcode, u16 block)
{
	if (cap < TFTP_HDR_LEN)
		return 0;
	put_be16(buf, opcode);
	put_be16(buf + 2, block);
	return TFTP_HDR_LEN;
}

size_t tftp_build_data_header(u8 *buf, size_t cap, u16 block)
{
	return build_header(buf, cap, TFTP_DATA, block);
}

size_t tftp_build_ack(u8 *buf, size_t cap, u16 block)
{
	return build_header(buf, cap, TFTP_ACK, block);
}

enum tftp_peer_packet tftp_classify_from_peer(const u8 *pkt, size_t len,
					      u16 *block)
{
	u16 op;

	if (len < TFTP_HDR_LEN)
		return TFTP_PEER_RUNT;
	op = get_be16(pkt);
	*block = get_be16(pkt + 2);
	switch (op) {
	case TFTP_ACK:
		return TFTP_PEER_ACK;
	case TFTP_DATA:
		return TFTP_PEER_DATA;
	case TFTP_ERROR:
		return TFTP_PEER_ERROR;
	default:
		return TFTP_PEER_ILLEGAL;
	}
}

void tftp_send_init(struct tftp_send *s, bool oack, u32 window,
		    u32 max_retries)
{
	memset(s, 0, sizeof(*s));
	s->base = oack ? 0 : 1;
	s->next = s->base;
	s->window = window ? window : 1;
	s->max_retries = max_retries;
}

u64 tftp_block_offset(u64 block, u32 blksize)
{
	/* 64-bit all the way: block 8388609 at 512 bytes is 4 GiB in. */
	return (block - 1) * (u64)blksize;
}

bool tftp_send_may_send(const struct tftp_send *s)
{
	if (s->done)
		return false;
	if (s->last && s->next > s->last)
		return false;
	/* An OACK (block 0) goes alone: data waits for its ACK 0. */
	if (s->base == 0)
		return s->next == 0;
	return s->next < s->base + s->window;
}

void tftp_send_sent(struct tftp_send *s, bool is_last)
{
	if (is_last)
		s->last = s->next;
	s->next++;
}

bool tftp_send_outstanding(const struct tftp_send *s)
{
	return !s->done && s->next > s->base;
}

bool tftp_send_awaits_final_ack(const struct tftp_send *s)
{
	return !s->done && s->last && s->base == s->last && s->next > s->last;
}

enum tftp_ack_result tftp_send_ack(struct tftp_send *s, u16 wire_block)
{
	u64 acked, prev;

	if (s->done || s->next == s->base)
		return TFTP_ACK_IGNORED;	/* nothing in flight */
	/*
	 * Map the 16-bit number onto the 64-bit count: the one block in
	 * [base - 1, next - 1] whose low 16 bits match.  The window is far
	 * below 65536, so there is at most one.  (base - 1 wraps harmlessly
	 * when base is 0: the OACK has no earlier block.)
	 */
	prev = s->base - 1;
	acked = prev + (u16)(wire_block - (u16)prev);
	if (s->base == 0)
		acked = wire_block == 0 ? 0 : (u64)-1;
	/*
	 * The ACK before the oldest block in flight, once a timeout of ours
	 * has passed: the client's own timer repeats it, so it lives and
	 * still waits.  It resends nothing (RFC 1123: a duplicate ACK must
	 * not); the caller decides whether to believe it (tftp_send_alive).
	 */
	if (acked == prev && s->base && s->retries)
		return TFTP_ACK_ALIVE;
	if (acked == (u64)-1 || acked < s->base || acked >= s->next)
		return TFTP_ACK_IGNORED;	/* duplicate, stale or bogus */

	s->base = acked + 1;
	s->retries = 0;
	/*
	 * An ACK for a block inside the window means the blocks after it
	 * were lost (RFC 7440): go on right after the acknowledged one.
	 */
	s->next = s->base;
	if (s->last && acked >= s->last) {
		s->done = true;
		return TFTP_ACK_DONE;
	}
	return TFTP_ACK_PROGRESS;
}

void tftp_send_alive(struct tftp_send *s)
{
	/*
	 * As RFC 1123 allows, the count of resends without an answer starts
	 * over; and until the next timeout the same ACK is a duplicate.
	 */
	s->retries = 0;
}

enum tftp_timeout_result tftp_send_timeout(struct tftp_send *s)
{
	if (s->retries >= s->max_retries)
		return TFTP_TIMEOUT_GIVE_UP;
	s->retries++;
	s->next = s->base;
	return TFTP_TIMEOUT_RESEND;
}

void tftp_recv_init(struct tftp_recv *r, u32 window, u32 max_retries)
{
	memset(r, 0, sizeof(*r));
	r->expected = 1;
	r->window = window ? window : 1;
	r->max_retries = max_retries;
}

u16 tftp_recv_ack_block(const struct tftp_recv *r)
{
	return (u16)(r->expected - 1);
}

enum tftp_data_result tftp_recv_data(struct tftp_recv *r, u16 wire_block,
				     size_t len, u32 blksize, bool *ack_now)
{
	/* How far ahead of the expected block this one is, modulo 2^16. */
	u16 ahead = (u16)(wire_block - (u16)r->expected);

	*ack_now = false;
	if (len > blksize)
		return TFTP_DATA_OVERSIZE;
	if (r->done || ahead >= 0x8000) {
		/*
		 * Behind: a block stored already, or the final one again after
		 * we finished.  Its sender missed our ACK; say it again.
		 */
		*ack_now = true;
		return TFTP_DATA_DUPLICATE;
	}
	if (ahead != 0) {
		*ack_now = !r->gap_acked;
		r->gap_acked = true;
		return TFTP_DATA_GAP;
	}
	r->expected++;
	r->retries = 0;
	r->gap_acked = false;
	if (len < blksize) {
		r->done = true;
		*ack_now = true;
	} else if (++r->in_window >= r->window) {
		*ack_now = true;
	}
	if (*ack_now)
		r->in_window = 0;
	return TFTP_DATA_TAKE;
}

enum tftp_timeout_result tftp_recv_timeout(struct tftp_recv *r)
{
	if (r->retries >= r->max_retries)
		return TFTP_TIMEOUT_GIVE_UP;
	r->retries++;
	r->in_window = 0;
	return TFTP_TIMEOUT_RESEND;
}
