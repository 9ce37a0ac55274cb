// SPDX-License-Identifier: GPL-2.0
// Host tests of kernel/validate.c, the very file the module compiles.
#include <gtest/gtest.h>
#include <string>

#include "validate.h"
#include <uapi/linux/ktftpd.h>

static bool root_ok(const std::string &s)
{
	return ktftpd_root_valid(s.data(), s.size());
}

TEST(Port, AcceptsTheWholeRange)
{
	EXPECT_TRUE(ktftpd_port_valid(1));
	EXPECT_TRUE(ktftpd_port_valid(69));
	EXPECT_TRUE(ktftpd_port_valid(65535));
}

TEST(Port, RefusesOutOfRange)
{
	EXPECT_FALSE(ktftpd_port_valid(0));
	EXPECT_FALSE(ktftpd_port_valid(-1));
	EXPECT_FALSE(ktftpd_port_valid(65536));
	EXPECT_FALSE(ktftpd_port_valid(1L << 40));
}

TEST(Root, AcceptsAbsolutePaths)
{
	EXPECT_TRUE(root_ok("/"));
	EXPECT_TRUE(root_ok("/srv/tftp"));
	EXPECT_TRUE(root_ok("/srv/with space/and-utf8-\xc3\xa9"));
	EXPECT_TRUE(root_ok("/" + std::string(KTFTPD_ROOT_MAX - 2, 'a')));
}

TEST(Root, RefusesRelativeEmptyAndTooLong)
{
	EXPECT_FALSE(root_ok(""));
	EXPECT_FALSE(root_ok("srv/tftp"));
	EXPECT_FALSE(root_ok("./srv"));
	EXPECT_FALSE(root_ok("/" + std::string(KTFTPD_ROOT_MAX - 1, 'a')));
	EXPECT_FALSE(ktftpd_root_valid(nullptr, 4));
}

TEST(Root, RefusesControlCharactersAndEmbeddedNul)
{
	EXPECT_FALSE(root_ok("/srv\n"));
	EXPECT_FALSE(root_ok("/srv\x01x"));
	EXPECT_FALSE(root_ok("/srv\x7f"));
	EXPECT_FALSE(root_ok(std::string("/srv\0/etc", 9)));
}
