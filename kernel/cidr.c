// SPDX-License-Identifier: GPL-2.0
/* Client networks (cidr.h). */
#include "cidr.h"

static const u8 v4_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static unsigned int addr_bits(int family)
{
	return family == 4 ? 32 : 128;
}

/* Do the first @bits bits of @a and @b agree? */
static bool prefix_equal(const u8 *a, const u8 *b, unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;
	u8 mask = (u8)(0xff << (8 - rest));

	if (memcmp(a, b, whole))
		return false;
	return !rest || !((a[whole] ^ b[whole]) & mask);
}

const char *tftp_cidr_check(const struct tftp_cidr *net)
{
	unsigned int i, bits;

	if (net->family != 4 && net->family != 6)
		return "not an IPv4 or IPv6 network";
	bits = addr_bits(net->family);
	if (net->prefix > bits)
		return net->family == 4 ? "IPv4 prefix longer than 32" :
					  "IPv6 prefix longer than 128";
	for (i = net->prefix; i < bits; i++)
		if (net->addr[i / 8] & (0x80 >> (i % 8)))
			return "address has bits set past the prefix length";
	/* Clients arrive as IPv4 (tftp_cidr_match): this would never match. */
	if (net->family == 6 && net->prefix >= 96 &&
	    !memcmp(net->addr, v4_mapped, sizeof(v4_mapped)))
		return "an IPv4-mapped network: give it as IPv4";
	return NULL;
}

bool tftp_cidr_match(const struct tftp_cidr *net, int family, const u8 *addr)
{
	if (family == 6 && !memcmp(addr, v4_mapped, sizeof(v4_mapped))) {
		family = 4;
		addr += sizeof(v4_mapped);
	}
	if (family != net->family)
		return false;
	return prefix_equal(net->addr, addr, net->prefix);
}

static bool in_any(const struct tftp_cidr *nets, unsigned int n, int family,
		   const u8 *addr)
{
	unsigned int i;

	for (i = 0; i < n && i < TFTP_NETS_MAX; i++)
		if (tftp_cidr_match(&nets[i], family, addr))
			return true;
	return false;
}

bool tftp_client_allowed(const struct tftp_cidr *allow, unsigned int n_allow,
			 const struct tftp_cidr *deny, unsigned int n_deny,
			 int family, const u8 *addr)
{
	if (in_any(deny, n_deny, family, addr))
		return false;
	return n_allow == 0 || in_any(allow, n_allow, family, addr);
}
