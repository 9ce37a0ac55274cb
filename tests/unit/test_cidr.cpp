// SPDX-License-Identifier: GPL-2.0
// The client networks (kernel/cidr.c), compiled as the module has them.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include "cidr.h"
}

namespace {

tftp_cidr net(const std::string &text)
{
	tftp_cidr n{};
	auto slash = text.find('/');
	std::string addr = text.substr(0, slash);
	n.family = addr.find(':') == std::string::npos ? 4 : 6;
	EXPECT_EQ(inet_pton(n.family == 4 ? AF_INET : AF_INET6, addr.c_str(), n.addr), 1) << text;
	n.prefix = slash == std::string::npos ? (n.family == 4 ? 32 : 128)
					       : std::stoi(text.substr(slash + 1));
	return n;
}

bool in(const std::string &network, const std::string &addr)
{
	tftp_cidr n = net(network);
	unsigned char a[16];
	int family = addr.find(':') == std::string::npos ? 4 : 6;
	EXPECT_EQ(inet_pton(family == 4 ? AF_INET : AF_INET6, addr.c_str(), a), 1) << addr;
	return tftp_cidr_match(&n, family, a);
}

} // namespace

TEST(Cidr, ChecksPrefixAndHostBits)
{
	for (const char *good : {"198.18.0.0/15", "0.0.0.0/0", "198.18.0.7/32", "fd00::/8",
				 "::/0", "fd00::7/128", "10.0.0.0/8"}) {
		tftp_cidr n = net(good);
		EXPECT_EQ(tftp_cidr_check(&n), nullptr) << good;
	}
	tftp_cidr n = net("198.18.0.1/15");
	EXPECT_STREQ(tftp_cidr_check(&n), "address has bits set past the prefix length");
	n = net("fd00::1/8");
	EXPECT_STREQ(tftp_cidr_check(&n), "address has bits set past the prefix length");
	n = net("10.0.0.0/8");
	n.prefix = 33;
	EXPECT_STREQ(tftp_cidr_check(&n), "IPv4 prefix longer than 32");
	n = net("fd00::/8");
	n.prefix = 129;
	EXPECT_STREQ(tftp_cidr_check(&n), "IPv6 prefix longer than 128");
	n.family = 5;
	EXPECT_STREQ(tftp_cidr_check(&n), "not an IPv4 or IPv6 network");
	n = net("::ffff:198.18.0.0/111");
	EXPECT_STREQ(tftp_cidr_check(&n), "an IPv4-mapped network: give it as IPv4");
}

TEST(Cidr, MatchesByPrefixAndFamily)
{
	EXPECT_TRUE(in("198.18.0.0/15", "198.19.255.255"));
	EXPECT_FALSE(in("198.18.0.0/15", "198.20.0.0"));
	EXPECT_FALSE(in("198.18.0.0/15", "198.17.255.255"));
	EXPECT_TRUE(in("198.18.0.7/32", "198.18.0.7"));
	EXPECT_FALSE(in("198.18.0.7/32", "198.18.0.6"));
	EXPECT_TRUE(in("0.0.0.0/0", "203.0.113.9"));
	EXPECT_FALSE(in("0.0.0.0/0", "fd00::1"));	// the other family
	EXPECT_TRUE(in("fd00::/8", "fdff::1"));
	EXPECT_FALSE(in("fd00::/8", "fe80::1"));
	EXPECT_TRUE(in("fd00:1:2:3::/63", "fd00:1:2:2::9"));
	EXPECT_FALSE(in("fd00:1:2:3::/64", "fd00:1:2:2::9"));
	EXPECT_TRUE(in("::/0", "::1"));
}

TEST(Cidr, AnIpv4MappedClientIsIpv4)
{
	EXPECT_TRUE(in("198.18.0.0/15", "::ffff:198.18.0.7"));
	EXPECT_FALSE(in("::/0", "::ffff:198.18.0.7"));
	EXPECT_FALSE(in("198.18.0.0/15", "::ffff:10.0.0.1"));
}

TEST(Cidr, DenyWinsAndEmptyAllowLetsEveryoneIn)
{
	tftp_cidr allow[] = {net("198.18.0.0/15"), net("fd00::/8")};
	tftp_cidr deny[] = {net("198.18.0.66/32")};
	unsigned char a4[4];
	auto ok = [&](const char *addr, unsigned n_allow, unsigned n_deny) {
		inet_pton(AF_INET, addr, a4);
		return tftp_client_allowed(allow, n_allow, deny, n_deny, 4, a4);
	};
	EXPECT_TRUE(ok("198.18.0.7", 2, 1));
	EXPECT_FALSE(ok("198.18.0.66", 2, 1));
	EXPECT_FALSE(ok("10.0.0.1", 2, 1));
	EXPECT_TRUE(ok("10.0.0.1", 0, 1));	// no allow list: everyone
	EXPECT_FALSE(ok("198.18.0.66", 0, 1));
	EXPECT_TRUE(ok("198.18.0.66", 0, 0));
}
