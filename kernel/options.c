// SPDX-License-Identifier: GPL-2.0
/*
 * Option negotiation: see options.h for the policy.  Every value comes
 * from a hostile datagram; it is parsed with explicit bounds, never with
 * a library routine that might accept signs, spaces or overflow.
 */
#include "options.h"

bool tftp_parse_uint(const char *s, u64 max, bool clamp, u64 *val)
{
	u64 v = 0;
	bool over = false;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (!over) {
			v = v * 10 + (u64)(*s - '0');
			/* max < 2^64 / 10, so v cannot wrap before this check */
			if (v > max)
				over = true;
		}
	}
	if (over) {
		if (!clamp)
			return false;
		v = max;
	}
	*val = v;
	return true;
}

/* Limits past this are out of range however they are configured. */
#define OPTION_VALUE_CAP 1000000000000000000ULL	/* 10^18 < 2^64 / 10 */

static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

static void grant_blksize(struct tftp_negotiated *neg,
			  const struct tftp_limits *lim, const char *value)
{
	u64 v;

	/* Larger than any block is clamped; below 8 is not granted. */
	if (!tftp_parse_uint(value, OPTION_VALUE_CAP, true, &v) ||
	    v < TFTP_BLKSIZE_MIN)
		return;
	if (v > TFTP_BLKSIZE_MAX)
		v = TFTP_BLKSIZE_MAX;
	neg->blksize = min_u32((u32)v, lim->blksize_max);
	if (neg->blksize < TFTP_BLKSIZE_MIN)
		neg->blksize = TFTP_BLKSIZE_MIN;
	neg->granted |= TFTP_OPT_BLKSIZE;
}

static void grant_windowsize(struct tftp_negotiated *neg,
			     const struct tftp_limits *lim, const char *value)
{
	u64 v;

	if (!tftp_parse_uint(value, TFTP_WINDOWSIZE_MAX, false, &v) || v == 0)
		return;
	neg->windowsize = min_u32((u32)v, lim->windowsize_max ? lim->windowsize_max : 1);
	neg->granted |= TFTP_OPT_WINDOWSIZE;
}

static void grant_timeout(struct tftp_negotiated *neg,
			  const struct tftp_limits *lim, const char *value)
{
	u64 max = lim->timeout_max_s ? min_u32(lim->timeout_max_s, TFTP_TIMEOUT_MAX_S)
				     : TFTP_TIMEOUT_MAX_S;
	u64 v;

	/* RFC 2349: echoed exactly, or not at all. */
	if (!tftp_parse_uint(value, max, false, &v) || v < TFTP_TIMEOUT_MIN_S)
		return;
	neg->timeout_s = (u32)v;
	neg->granted |= TFTP_OPT_TIMEOUT;
}

/* The only option that refuses a request: a WRQ's tsize past the limit. */
static bool grant_tsize(struct tftp_negotiated *neg,
			const struct tftp_request *req,
			const struct tftp_limits *lim, long long file_size,
			const char *value, struct tftp_refusal *ref)
{
	u64 v;

	if (!tftp_parse_uint(value, OPTION_VALUE_CAP, false, &v))
		return true;
	if (req->opcode == TFTP_WRQ) {
		if (v > lim->max_write_size)
			return tftp_refuse(ref, TFTP_ENOSPACE, "File too large");
		neg->tsize = v;
	} else {
		/*
		 * An RRQ asks with 0 (RFC 2349); the answer is the size.  Not
		 * for an empty file: curl refuses an OACK with "tsize 0" and
		 * the download fails, while leaving the option out costs every
		 * client nothing (a server may decline any option).
		 */
		if (file_size <= 0)
			return true;
		neg->tsize = (u64)file_size;
	}
	neg->granted |= TFTP_OPT_TSIZE;
	return true;
}

bool tftp_negotiate(const struct tftp_request *req,
		    const struct tftp_limits *lim, long long file_size,
		    struct tftp_negotiated *neg, struct tftp_refusal *ref)
{
	unsigned int seen = 0, bit;
	unsigned int i;

	memset(neg, 0, sizeof(*neg));
	neg->blksize = TFTP_BLKSIZE_DEFAULT;
	neg->windowsize = 1;

	for (i = 0; i < req->n_options; i++) {
		const char *name = req->options[i].name;
		const char *value = req->options[i].value;

		if (tftp_streq_nocase(name, "blksize"))
			bit = TFTP_OPT_BLKSIZE;
		else if (tftp_streq_nocase(name, "tsize"))
			bit = TFTP_OPT_TSIZE;
		else if (tftp_streq_nocase(name, "timeout"))
			bit = TFTP_OPT_TIMEOUT;
		else if (tftp_streq_nocase(name, "windowsize"))
			bit = TFTP_OPT_WINDOWSIZE;
		else
			continue;	/* unknown: ignored (RFC 2347) */
		/* A duplicate never overrides the first, granted or not. */
		if (seen & bit)
			continue;
		seen |= bit;
		neg->asked = seen;
		if (lim->refused & bit)
			continue;	/* as if not asked, but reported asked */

		switch (bit) {
		case TFTP_OPT_BLKSIZE:
			grant_blksize(neg, lim, value);
			break;
		case TFTP_OPT_TSIZE:
			if (!grant_tsize(neg, req, lim, file_size, value, ref))
				return false;
			break;
		case TFTP_OPT_TIMEOUT:
			grant_timeout(neg, lim, value);
			break;
		case TFTP_OPT_WINDOWSIZE:
			grant_windowsize(neg, lim, value);
			break;
		}
	}
	/* Once the block size is known: the window's bytes. */
	if ((neg->granted & TFTP_OPT_WINDOWSIZE) && lim->window_bytes_max &&
	    (u64)neg->windowsize * neg->blksize > lim->window_bytes_max) {
		u64 fits = lim->window_bytes_max / neg->blksize;

		neg->windowsize = fits ? (u32)fits : 1;
	}
	return true;
}

/* Append "name\0value\0"; false if it does not fit. */
static bool put_option(u8 *buf, size_t cap, size_t *pos, const char *name,
		       u64 value)
{
	char digits[21];
	size_t nlen = strlen(name), dlen = 0, i;

	do {
		digits[dlen++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	if (*pos + nlen + 1 + dlen + 1 > cap)
		return false;
	memcpy(buf + *pos, name, nlen + 1);
	*pos += nlen + 1;
	for (i = 0; i < dlen; i++)
		buf[*pos + i] = (u8)digits[dlen - 1 - i];
	buf[*pos + dlen] = '\0';
	*pos += dlen + 1;
	return true;
}

size_t tftp_build_oack(u8 *buf, size_t cap, const struct tftp_negotiated *neg)
{
	size_t pos = 2;
	bool ok = true;

	if (!neg->granted || cap < 2)
		return 0;
	buf[0] = 0;
	buf[1] = TFTP_OACK;
	if (neg->granted & TFTP_OPT_BLKSIZE)
		ok = ok && put_option(buf, cap, &pos, "blksize", neg->blksize);
	if (neg->granted & TFTP_OPT_TSIZE)
		ok = ok && put_option(buf, cap, &pos, "tsize", neg->tsize);
	if (neg->granted & TFTP_OPT_TIMEOUT)
		ok = ok && put_option(buf, cap, &pos, "timeout", neg->timeout_s);
	if (neg->granted & TFTP_OPT_WINDOWSIZE)
		ok = ok && put_option(buf, cap, &pos, "windowsize", neg->windowsize);
	return ok ? pos : 0;
}
