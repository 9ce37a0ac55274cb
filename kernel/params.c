// SPDX-License-Identifier: GPL-2.0
/*
 * The settings' descriptions, made from the table in params.h, and their
 * validation.  Plain C, no kernel headers: the host unit tests compile
 * this file as it is.
 */
#include "params.h"

#ifdef __KERNEL__
#define KTFTPD_HELP(text) NULL
#else
#define KTFTPD_HELP(text) text
#endif

#define KTFTPD_PARAM_DESC(id, name_, attr_, bits_, kind_, unit_, min_,	\
			  max_, def_, help_)				\
	[KTFTPD_P_##id] = {						\
		.name = name_, .attr = attr_, .bits = bits_,		\
		.kind = KTFTPD_KIND_##kind_, .unit = unit_,		\
		.min = min_, .max = max_, .def = def_,			\
		.help = KTFTPD_HELP(help_),				\
	},

const struct ktftpd_param_desc ktftpd_params[KTFTPD_P_COUNT] = {
	KTFTPD_PARAMS(KTFTPD_PARAM_DESC)
};

bool ktftpd_param_valid(enum ktftpd_param p, long value)
{
	if ((unsigned int)p >= KTFTPD_P_COUNT)
		return false;
	return value >= ktftpd_params[p].min && value <= ktftpd_params[p].max;
}

/* The @i-th word of @words (space-separated): its start and length. */
static const char *nth_word(const char *words, long i, size_t *len)
{
	const char *w = words;

	for (;;) {
		while (*w == ' ')
			w++;
		if (!*w)
			return NULL;
		*len = strcspn(w, " ");
		if (i-- == 0)
			return w;
		w += *len;
	}
}

bool ktftpd_param_choice_name(enum ktftpd_param p, long value, char *buf,
			      size_t len)
{
	const struct ktftpd_param_desc *d;
	const char *w;
	size_t n;

	if (!ktftpd_param_valid(p, value) ||
	    ktftpd_params[p].kind != KTFTPD_KIND_CHOICE)
		return false;
	d = &ktftpd_params[p];
	w = nth_word(d->unit, value - d->min, &n);
	if (!w || n >= len)
		return false;
	memcpy(buf, w, n);
	buf[n] = '\0';
	return true;
}

bool ktftpd_param_choice_parse(enum ktftpd_param p, const char *text,
			       long *value)
{
	const struct ktftpd_param_desc *d;
	const char *w;
	size_t n;
	long i;

	if ((unsigned int)p >= KTFTPD_P_COUNT ||
	    ktftpd_params[p].kind != KTFTPD_KIND_CHOICE)
		return false;
	d = &ktftpd_params[p];
	for (i = d->min; i <= d->max; i++) {
		w = nth_word(d->unit, i - d->min, &n);
		if (w && strlen(text) == n && !memcmp(text, w, n)) {
			*value = i;
			return true;
		}
	}
	/* The number itself, as every other sysctl takes it. */
	if (text[0] >= '0' && text[0] <= '9' && text[1] == '\0') {
		*value = text[0] - '0';
		return ktftpd_param_valid(p, *value);
	}
	return false;
}

bool ktftpd_port_valid(long port)
{
	return ktftpd_param_valid(KTFTPD_P_PORT, port);
}

/*
 * A root is an absolute path of printable characters, shorter than
 * KTFTPD_ROOT_MAX.  @len excludes any terminator; an embedded NUL or a
 * control character (a newline pasted into a sysctl, say) is refused rather
 * than silently cut, so the root in force is always exactly what was asked.
 */
bool ktftpd_root_valid(const char *root, size_t len)
{
	size_t i;

	if (!root || len == 0 || len >= KTFTPD_ROOT_MAX || root[0] != '/')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)root[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}
