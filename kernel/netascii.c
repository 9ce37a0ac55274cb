// SPDX-License-Identifier: GPL-2.0
/* netascii encoding and decoding: see netascii.h. */
#include "netascii.h"

size_t tftp_netascii_encode(struct tftp_netascii_pos *pos, const u8 *in,
			    size_t in_len, u8 *out, size_t cap)
{
	size_t o = 0, i = 0;

	if (pos->has_pending && cap > 0) {
		out[o++] = pos->pending;
		pos->has_pending = false;
	}
	while (o < cap && i < in_len) {
		u8 c = in[i++];

		pos->offset++;
		if (c == '\n' || c == '\r') {
			/* LF -> CR LF; a bare CR -> CR NUL */
			out[o++] = '\r';
			pos->pending = c == '\n' ? '\n' : '\0';
			if (o < cap)
				out[o++] = pos->pending;
			else
				pos->has_pending = true;	/* owed by the next block */
		} else {
			out[o++] = c;
		}
	}
	return o;
}

size_t tftp_netascii_decode(struct tftp_netascii_dec *d, const u8 *in,
			    size_t len, u8 *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		u8 c = in[i];

		if (d->cr_pending) {
			d->cr_pending = false;
			if (c == '\n') {
				out[o++] = '\n';
				continue;
			}
			/* CR NUL is a CR; be lenient with a CR before anything else. */
			out[o++] = '\r';
			if (c == '\0')
				continue;
		}
		if (c == '\r')
			d->cr_pending = true;
		else
			out[o++] = c;
	}
	return o;
}

size_t tftp_netascii_decode_end(struct tftp_netascii_dec *d, u8 *out)
{
	if (!d->cr_pending)
		return 0;
	d->cr_pending = false;
	*out = '\r';
	return 1;
}
