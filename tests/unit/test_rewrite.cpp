// SPDX-License-Identifier: GPL-2.0
// Host tests of kernel/rewrite.c: the glob, a rule's checks, and the rules
// applied in order to the names real clients send.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rewrite.h"

namespace {

const tftp_client_id kV4{"198.18.0.7", "C6120007", "52-54-00-24-00-01"};
const tftp_client_id kV6Routed{"fd00::7", nullptr, nullptr};

struct Result {
	bool ok;
	std::string name;
	u64 applied;
	tftp_refusal ref;
};

Result rewrite(const std::vector<tftp_rule> &rules, const std::string &in,
	       const tftp_client_id &who = kV4, size_t cap = TFTP_NAME_MAX + 1)
{
	std::vector<char> name(cap), scratch(cap);
	in.copy(name.data(), cap - 1);
	name[std::min(in.size(), cap - 1)] = '\0';
	Result r{false, "", 0, {0xbeef, "untouched"}};
	r.ok = tftp_rewrite(rules.data(), rules.size(), &who, name.data(),
			    scratch.data(), cap, &r.applied, &r.ref);
	r.name = name.data();
	return r;
}

const char *check(tftp_rule rule)
{
	return tftp_rule_check(&rule);
}

TEST(Glob, StarQuestionAndClasses)
{
	EXPECT_TRUE(tftp_glob_match("*.efi", "grubx64.efi", false));
	EXPECT_FALSE(tftp_glob_match("*.efi", "grubx64.EFI", false));
	EXPECT_TRUE(tftp_glob_match("*.efi", "grubx64.EFI", true));
	EXPECT_TRUE(tftp_glob_match("pxelinux.cfg/01-?" "?-*", "pxelinux.cfg/01-52-54", false));
	EXPECT_TRUE(tftp_glob_match("[a-c]x", "bx", false));
	EXPECT_FALSE(tftp_glob_match("[!a-c]x", "bx", false));
	EXPECT_TRUE(tftp_glob_match("[A-C]x", "bX", true));
	EXPECT_TRUE(tftp_glob_match("a\\*", "a*", false));
	EXPECT_FALSE(tftp_glob_match("a\\*", "ab", false));
	EXPECT_TRUE(tftp_glob_match("[x", "[x", false));	// no ']': literal
	EXPECT_TRUE(tftp_glob_match("*", "", false));
	EXPECT_FALSE(tftp_glob_match("?", "", false));
}

TEST(Glob, IgnoringCaseASpanHoldsBothCases)
{
	// Folding the span would make [A-_] the empty span a-_.
	EXPECT_TRUE(tftp_glob_match("[A-_]", "_", true));
	EXPECT_TRUE(tftp_glob_match("[A-_]", "a", true));
	EXPECT_TRUE(tftp_glob_match("[A-_]", "B", true));
	EXPECT_FALSE(tftp_glob_match("[A-_]", "a", false));
	EXPECT_TRUE(tftp_glob_match("[a-c]", "B", true));
	EXPECT_FALSE(tftp_glob_match("[!a-c]", "B", true));
}

TEST(Glob, AClassNeverMatchesTheEnd)
{
	// glob_match() would let "[!a]" take the NUL and read past it.
	EXPECT_FALSE(tftp_glob_match("[!a]", "", false));
	EXPECT_FALSE(tftp_glob_match("x[!a]", "x", false));
	EXPECT_FALSE(tftp_glob_match("*[!a]", "", false));
}

TEST(Glob, OnlyTheLastStarBacktracks)
{
	// A pattern that makes a backtracking matcher exponential ends here
	// after at most pattern x name steps.
	std::string name(500, 'a');
	std::string pat;
	for (int i = 0; i < 60; i++)
		pat += "*a";
	pat += "b";
	EXPECT_FALSE(tftp_glob_match(pat.c_str(), name.c_str(), false));
	EXPECT_TRUE(tftp_glob_match((pat.substr(0, pat.size() - 1)).c_str(), name.c_str(), false));
}

TEST(RuleCheck, RefusesWhatCannotBeApplied)
{
	EXPECT_EQ(check({TFTP_MATCH_PREFIX, 0, "a", "b\\i"}), nullptr);
	EXPECT_STREQ(check({TFTP_MATCH_KINDS, 0, "a", ""}),
		     "unknown match kind");
	EXPECT_STREQ(check({0, 1 << 5, "a", ""}), "unknown flag");
	EXPECT_STREQ(check({0, 0, "", ""}), "empty pattern");
	EXPECT_STREQ(check({0, 0, "a", nullptr}),
		     "missing pattern or replacement");
	std::string long_text(TFTP_RULE_TEXT_MAX + 1, 'a');
	EXPECT_STREQ(check({0, 0, long_text.c_str(), ""}),
		     "pattern or replacement longer than 255 bytes");
	EXPECT_EQ(check({0, 0, long_text.c_str() + 1, ""}), nullptr);
	EXPECT_STREQ(check({0, 0, "a", "\\q"}),
		     "replacement escape other than \\i \\x \\m \\0 \\\\");
	EXPECT_NE(check({0, 0, "a", "x\\"}), nullptr);
	EXPECT_STREQ(check({TFTP_MATCH_GLOB, 0, "a\\", ""}),
		     "glob ends in a lone backslash");
	EXPECT_EQ(check({TFTP_MATCH_GLOB, 0, "a\\\\", ""}), nullptr);
	// Three: an escaped backslash, then one that escapes nothing.
	EXPECT_STREQ(check({TFTP_MATCH_GLOB, 0, "a\\\\\\", ""}),
		     "glob ends in a lone backslash");
	EXPECT_EQ(check({TFTP_MATCH_PREFIX, 0, "a\\", ""}), nullptr);
}

TEST(Rewrite, NoRulesLeaveTheName)
{
	Result r = rewrite({}, "pxelinux.0");
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.name, "pxelinux.0");
	EXPECT_EQ(r.applied, 0u);
	EXPECT_EQ(r.ref.code, 0xbeef);
}

TEST(Rewrite, PrefixKeepsTheRest)
{
	Result r = rewrite({{TFTP_MATCH_PREFIX, 0, "EFI/boot/", "grub/"}},
			   "EFI/boot/grubx64.efi");
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.name, "grub/grubx64.efi");
	EXPECT_EQ(r.applied, 1u);
}

TEST(Rewrite, RulesSeeEachOthersResultsUntilOneStops)
{
	std::vector<tftp_rule> rules = {
		{TFTP_MATCH_PREFIX, TFTP_RULE_NOCASE, "boot/", "windows/boot/"},
		{TFTP_MATCH_EXACT, 0, "windows/boot/BCD", "windows/bcd", },
		{TFTP_MATCH_GLOB, TFTP_RULE_STOP, "windows/*", "w/\\0"},
		{TFTP_MATCH_GLOB, 0, "*", "never"},
	};
	Result r = rewrite(rules, "Boot/BCD");
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.name, "w/windows/bcd");
	EXPECT_EQ(r.applied, 0b0111u);
}

TEST(Rewrite, TheMatchedPartOfAPrefixKeepsItsCase)
{
	Result r = rewrite({{TFTP_MATCH_PREFIX, TFTP_RULE_NOCASE, "efi/", "x/\\0"}},
			   "EFI/boot/bootx64.efi");
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.name, "x/EFI/boot/bootx64.efi");
}

TEST(Rewrite, ExactNeedsTheWholeName)
{
	Result r = rewrite({{TFTP_MATCH_EXACT, 0, "pxelinux.0", "x"}}, "pxelinux.0.bak");
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.name, "pxelinux.0.bak");
	EXPECT_EQ(r.applied, 0u);
}

TEST(Rewrite, ClientEscapes)
{
	Result r = rewrite({{TFTP_MATCH_EXACT, 0, "pxelinux.cfg/default",
			     "pxelinux.cfg/01-\\m"}}, "pxelinux.cfg/default");
	EXPECT_EQ(r.name, "pxelinux.cfg/01-52-54-00-24-00-01");
	r = rewrite({{TFTP_MATCH_PREFIX, 0, "host/", "\\i/\\x\\\\/"}}, "host/f");
	EXPECT_EQ(r.name, "198.18.0.7/C6120007\\/f");
}

TEST(Rewrite, WhatIsNotKnownSkipsTheRule)
{
	std::vector<tftp_rule> rules = {
		{TFTP_MATCH_EXACT, TFTP_RULE_STOP, "cfg", "cfg-\\m"},
		{TFTP_MATCH_EXACT, 0, "cfg", "cfg-\\i"},
	};
	Result r = rewrite(rules, "cfg", kV6Routed);
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.name, "cfg-fd00::7");
	EXPECT_EQ(r.applied, 0b10u);
}

TEST(Rewrite, ARefusingRuleRefuses)
{
	std::vector<tftp_rule> rules = {
		{TFTP_MATCH_PREFIX, 0, "a", "b"},
		{TFTP_MATCH_GLOB, TFTP_RULE_REFUSE | TFTP_RULE_NOCASE, "*.KEY", ""},
	};
	Result r = rewrite(rules, "a/secret.key");
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.ref.code, TFTP_EACCESS);
	EXPECT_STREQ(r.ref.why, "Access violation: refused by a rule");
	EXPECT_EQ(r.applied, 0b11u);
}

TEST(Rewrite, TooLongIsRefusedNotCut)
{
	std::string big(200, 'x');
	std::vector<tftp_rule> rules = {{TFTP_MATCH_GLOB, 0, "*", "\\0\\0\\0"}};
	Result r = rewrite(rules, big);
	EXPECT_FALSE(r.ok);
	EXPECT_EQ(r.ref.code, TFTP_EACCESS);
	EXPECT_STREQ(r.ref.why, "Access violation: name too long after the rules");
	// 511 bytes fit the largest buffer; 512 do not.
	r = rewrite({{TFTP_MATCH_PREFIX, 0, "a", std::string(255, 'y').c_str()}},
		    "a" + std::string(256, 'z'));
	EXPECT_TRUE(r.ok);
	EXPECT_EQ(r.name.size(), 511u);
	r = rewrite({{TFTP_MATCH_PREFIX, 0, "a", std::string(255, 'y').c_str()}},
		    "a" + std::string(257, 'z'));
	EXPECT_FALSE(r.ok);
}

TEST(Rewrite, AnEmptyResultIsNotAFile)
{
	Result r = rewrite({{TFTP_MATCH_EXACT, 0, "x", ""}}, "x");
	EXPECT_FALSE(r.ok);
	EXPECT_STREQ(r.ref.why, "Access violation: not a file");
}

} // namespace
