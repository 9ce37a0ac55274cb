// SPDX-License-Identifier: GPL-2.0
// Host tests of kernel/params.c, the very file the module compiles.
#include <gtest/gtest.h>
#include <string>

#include "params.h"
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

TEST(Params, DefaultsAreValid)
{
	for (int p = 0; p < KTFTPD_P_COUNT; p++) {
		auto id = static_cast<ktftpd_param>(p);
		EXPECT_TRUE(ktftpd_param_valid(id, ktftpd_params[p].def)) << ktftpd_params[p].name;
		EXPECT_TRUE(ktftpd_param_valid(id, ktftpd_params[p].min));
		EXPECT_TRUE(ktftpd_param_valid(id, ktftpd_params[p].max));
		EXPECT_FALSE(ktftpd_param_valid(id, ktftpd_params[p].min - 1));
		EXPECT_FALSE(ktftpd_param_valid(id, ktftpd_params[p].max + 1));
	}
	EXPECT_FALSE(ktftpd_param_valid(static_cast<ktftpd_param>(KTFTPD_P_COUNT), 1));
	EXPECT_FALSE(ktftpd_param_valid(static_cast<ktftpd_param>(-1), 1));
}

TEST(Params, DefaultsMatchTheDocumentedServer)
{
	EXPECT_EQ(ktftpd_params[KTFTPD_P_PORT].def, 69);
	EXPECT_EQ(ktftpd_params[KTFTPD_P_TIMEOUT].def, 1000);	// ms, RFC 1123
	EXPECT_STREQ(ktftpd_params[KTFTPD_P_MAX_PER_CLIENT].name, "max_sessions_per_client");
}

// What the table must hold for everything derived from it to work: the
// netlink attribute can carry the range, names and attributes are unique,
// and the kinds agree with their ranges.
TEST(Params, EachRowIsConsistent)
{
	for (int p = 0; p < KTFTPD_P_COUNT; p++) {
		const ktftpd_param_desc &d = ktftpd_params[p];
		SCOPED_TRACE(d.name);
		ASSERT_TRUE(d.bits == 8 || d.bits == 16 || d.bits == 32 || d.bits == 64);
		if (d.bits < 64)
			EXPECT_LE(d.max, (1L << d.bits) - 1) << "the attribute cannot carry max";
		EXPECT_GE(d.min, 0);
		EXPECT_GT(d.attr, KTFTPD_CFG_PAD);
		EXPECT_LE(d.attr, KTFTPD_CFG_MAX);
		EXPECT_NE(d.attr, KTFTPD_CFG_ROOT);
		EXPECT_NE(d.attr, KTFTPD_CFG_LISTEN);
		ASSERT_NE(d.help, nullptr);
		EXPECT_GT(std::string(d.help).size(), 10u);
		if (d.kind == KTFTPD_KIND_BOOL) {
			EXPECT_EQ(d.min, 0);
			EXPECT_EQ(d.max, 1);
			EXPECT_EQ(d.bits, 8);
		}
		for (int q = 0; q < p; q++) {
			EXPECT_STRNE(d.name, ktftpd_params[q].name);
			EXPECT_NE(d.attr, ktftpd_params[q].attr);
		}
	}
}

TEST(Params, ChoiceWordsAndNumbers)
{
	char buf[16];
	long v = -1;
	ASSERT_EQ(ktftpd_params[KTFTPD_P_UNIQUE_ROOT].kind, KTFTPD_KIND_CHOICE);
	EXPECT_TRUE(ktftpd_param_choice_name(KTFTPD_P_UNIQUE_ROOT, 0, buf, sizeof(buf)));
	EXPECT_STREQ(buf, "off");
	EXPECT_TRUE(ktftpd_param_choice_name(KTFTPD_P_UNIQUE_ROOT, 2, buf, sizeof(buf)));
	EXPECT_STREQ(buf, "mac");
	EXPECT_FALSE(ktftpd_param_choice_name(KTFTPD_P_UNIQUE_ROOT, 3, buf, sizeof(buf)));
	EXPECT_FALSE(ktftpd_param_choice_name(KTFTPD_P_UNIQUE_ROOT, 1, buf, 2));	// "ip" + NUL
	EXPECT_FALSE(ktftpd_param_choice_name(KTFTPD_P_PORT, 1, buf, sizeof(buf)));
	EXPECT_TRUE(ktftpd_param_choice_parse(KTFTPD_P_UNIQUE_ROOT, "ip", &v));
	EXPECT_EQ(v, 1);
	EXPECT_TRUE(ktftpd_param_choice_parse(KTFTPD_P_UNIQUE_ROOT, "2", &v));
	EXPECT_EQ(v, 2);
	for (const char *bad : {"", "IP", "i", "ipx", "off ", "3", "12", "-1", "mac ip"})
		EXPECT_FALSE(ktftpd_param_choice_parse(KTFTPD_P_UNIQUE_ROOT, bad, &v)) << bad;
	// Every CHOICE has a word for each of its values.
	for (int p = 0; p < KTFTPD_P_COUNT; p++) {
		if (ktftpd_params[p].kind != KTFTPD_KIND_CHOICE)
			continue;
		for (long i = ktftpd_params[p].min; i <= ktftpd_params[p].max; i++)
			EXPECT_TRUE(ktftpd_param_choice_name((ktftpd_param)p, i, buf, sizeof(buf)))
				<< ktftpd_params[p].name << " " << i;
	}
}
