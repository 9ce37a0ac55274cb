// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the client networks (kernel/cidr.c): lists of
 * networks and a client address, all from the input, in allocations of
 * exactly the sizes the module uses.
 *
 * Input: [0] how many allow networks (low 3 bits) and deny networks (next
 * 3 bits), bit 6 the client's family; then 18 bytes per network (family,
 * prefix, address); then the client's address.
 *
 * What must hold: a network tftp_cidr_check() takes contains its own
 * address and, with prefix 0, every address of its family (an IPv4-mapped
 * one as IPv4); deny wins over allow; an empty allow lets in whoever deny
 * does not refuse.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int n_allow, n_deny, i, n_valid = 0;
	struct tftp_cidr *allow, *deny, *all;
	int family;
	uint8_t *addr;
	bool ok;

	if (size < 1)
		return 0;
	n_allow = data[0] & 7;
	n_deny = (data[0] >> 3) & 7;
	family = data[0] & 0x40 ? 6 : 4;
	if (size < 1 + 18 * (n_allow + n_deny) + 16)
		return 0;
	all = malloc(sizeof(*all) * (n_allow + n_deny + 1));
	for (i = 0; i < n_allow + n_deny; i++) {
		struct tftp_cidr *net = &all[n_valid];

		memcpy(net, data + 1 + 18 * i, sizeof(*net));
		if (tftp_cidr_check(net))
			continue;	/* the config never holds one */
		assert(tftp_cidr_match(net, net->family, net->addr));
		if (net->prefix == 0) {
			uint8_t any[16];

			memcpy(any, data + 1 + 18 * (n_allow + n_deny), 16);
			assert(tftp_cidr_match(net, net->family, any) ||
			       (net->family == 6 && !memcmp(any, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)));
		}
		n_valid++;
	}
	/* The first valid ones allow, the rest deny: sizes exactly used. */
	n_allow = n_allow < n_valid ? n_allow : n_valid;
	n_deny = n_valid - n_allow;
	allow = malloc(sizeof(*allow) * (n_allow ? n_allow : 1));
	deny = malloc(sizeof(*deny) * (n_deny ? n_deny : 1));
	memcpy(allow, all, sizeof(*all) * n_allow);
	memcpy(deny, all + n_allow, sizeof(*all) * n_deny);
	addr = malloc(family == 4 ? 4 : 16);
	memcpy(addr, data + 1 + 18 * ((data[0] & 7) + ((data[0] >> 3) & 7)),
	       family == 4 ? 4 : 16);

	ok = tftp_client_allowed(allow, n_allow, deny, n_deny, family, addr);
	for (i = 0; i < n_deny; i++)
		if (tftp_cidr_match(&deny[i], family, addr))
			assert(!ok);
	if (!n_allow) {
		bool denied = false;

		for (i = 0; i < n_deny; i++)
			denied |= tftp_cidr_match(&deny[i], family, addr);
		assert(ok == !denied);
	}
	free(addr);
	free(deny);
	free(allow);
	free(all);
	return 0;
}
