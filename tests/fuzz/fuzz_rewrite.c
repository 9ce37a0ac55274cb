// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the filename rules (kernel/rewrite.c): the rules
 * and the name both come from the input, the name's buffers are exactly
 * the size the module allocates, and the client's address and MAC are
 * known or not as the input says.
 *
 * Every string is copied into an allocation of exactly its own size, so a
 * read past its NUL is an ASan report, not a read inside the input.
 *
 * Input: [0] the number of rules (low 3 bits) and which client facts are
 * known (bits 3..5), then per rule a match byte, a flags byte and
 * "pattern\0replacement\0", then the name.
 *
 * What must hold: a rule tftp_rule_check() refuses is never used; the
 * result is NUL-terminated inside the buffer and not empty; a refusal is
 * "access violation"; only rules that exist are marked applied.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rewrite.h"

#define CAP (TFTP_NAME_MAX + 1)

/* The next NUL-terminated string of the input, or NULL at its end. */
static const char *next_string(const uint8_t *data, size_t size, size_t *off)
{
	const uint8_t *s = data + *off, *nul;

	if (*off >= size)
		return NULL;
	nul = memchr(s, 0, size - *off);
	if (!nul)
		return NULL;
	*off = nul - data + 1;
	return (const char *)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tftp_rule rules[8];
	struct tftp_client_id who = { NULL, NULL, NULL };
	struct tftp_refusal ref = { 0, NULL };
	unsigned int n = 0, want, i;
	size_t off = 1, len;
	char *name, *scratch, *exact;
	u64 applied = 0;
	bool ok;

	if (size < 1)
		return 0;
	want = data[0] & 7;
	who.ip = data[0] & 8 ? "198.18.0.7" : "fd00::7";
	who.ip_hex = data[0] & 16 ? "C6120007" : NULL;
	who.mac = data[0] & 32 ? "52-54-00-24-00-01" : NULL;
	while (n < want && off + 2 <= size) {
		struct tftp_rule r;

		r.match = data[off];
		r.flags = data[off + 1];
		off += 2;
		r.pattern = next_string(data, size, &off);
		r.replace = next_string(data, size, &off);
		if (!r.pattern || !r.replace)
			break;
		if (tftp_rule_check(&r) == NULL) {
			r.pattern = strdup(r.pattern);
			r.replace = strdup(r.replace);
			rules[n++] = r;
		}
	}
	len = off < size ? size - off : 0;
	if (len > TFTP_NAME_MAX)
		len = TFTP_NAME_MAX;
	name = malloc(CAP);
	scratch = malloc(CAP);
	memcpy(name, data + off, len);
	name[len] = '\0';
	ok = tftp_rewrite(rules, n, &who, name, scratch, CAP, &applied, &ref);
	assert(memchr(name, 0, CAP) != NULL);
	assert(n == 64 || applied >> n == 0);
	if (ok) {
		assert(name[0] != '\0');
		assert(ref.code == 0 && ref.why == NULL);
	} else {
		assert(ref.code == TFTP_EACCESS && ref.why != NULL);
	}
	exact = strdup(name);
	for (i = 0; i < n; i++) {
		(void)tftp_glob_match(rules[i].pattern, exact, i & 1);
		free((char *)rules[i].pattern);
		free((char *)rules[i].replace);
	}
	free(exact);
	free(scratch);
	free(name);
	return 0;
}
