// SPDX-License-Identifier: GPL-2.0
// tftpd-hpa map files as ktftpd's filename rules: the common forms, each
// as the rule (or switch) it becomes, and what no rule can say, refused
// with the line and why.
#include <gtest/gtest.h>

#include <string>

#include "config.hpp"
#include "hpa_map.hpp"
#include "hpa_regex.hpp"

using namespace ktftpd;

namespace {

Rule rule(ktftpd_rule_match match, std::string pattern, std::string replace, unsigned flags = 0)
{
	return {match, flags, std::move(pattern), std::move(replace)};
}

std::vector<Rule> rules_of(const std::string &map)
{
	return translate_map_file(map, "tftpd.map").rules;
}

// The ConfigError a map file raises: its line and message.
std::pair<int, std::string> map_error(const std::string &map)
{
	try {
		translate_map_file(map, "tftpd.map");
	} catch (const ConfigError &e) {
		return {e.line(), e.what()};
	}
	return {-1, ""};
}

bool has_note(const MapTranslation &m, const std::string &text)
{
	for (const auto &n : m.notes)
		if (n.find(text) != std::string::npos)
			return true;
	return false;
}

} // namespace

TEST(HpaRegex, TheSubsetRulesCanSay)
{
	SimpleRegex re = parse_simple_regex("^pxelinux\\.cfg/([0-9a-f].*)$");
	EXPECT_TRUE(re.anchored_start);
	EXPECT_TRUE(re.anchored_end);
	ASSERT_EQ(re.pieces.size(), 15u);
	EXPECT_EQ(re.pieces[8].c, '.');
	EXPECT_EQ(re.pieces[8].kind, RegexPiece::Kind::literal);	// \. is a dot
	EXPECT_EQ(re.pieces[13].kind, RegexPiece::Kind::bracket);
	EXPECT_EQ(re.pieces[13].text, "0-9a-f");
	EXPECT_EQ(re.pieces[14].kind, RegexPiece::Kind::any_run);
	ASSERT_EQ(re.groups.size(), 1u);
	EXPECT_EQ(re.groups[0].first, 13u);
	EXPECT_EQ(re.groups[0].last, 15u);

	const std::pair<const char *, const char *> bad[] = {
		{"^(a|b)$", "an alternation (|)"},
		{"^a+$", "a repetition (+)"},
		{"^a?$", "a repetition (?)"},
		{"^a{2}$", "a repetition ({)"},
		{"^a*$", "a repetition (*) of something other than '.'"},
		{"^(.)*$", "a repetition (*) of a group"},
		{"^((a))$", "a nested group"},
		{"^a)$", "an unbalanced )"},
		{"^(a$", "a $ anchor inside a group"},
		{"^(a", "an unterminated group"},
		{"^()$", "an empty group"},
		{"^a$b", "a $ anchor in the middle"},
		{"a^b", "a ^ anchor in the middle"},
		{"^(a)\\1$", "a backreference (\\1) in the regex"},
		{"^\\w+$", "the escape \\w"},
		{"^[[:digit:]]$", "a character class"},
		{"^[a-z$", "an unterminated ["},
		{"^a\\", "a \\ at the end"},
	};
	for (auto [regex, why] : bad) {
		try {
			parse_simple_regex(regex);
			ADD_FAILURE() << regex << " was taken";
		} catch (const std::invalid_argument &e) {
			EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << regex << ": " << e.what();
		}
	}
}

// Windows clients' \ to /: ktftpd's backslash_to_slash, no rule.
TEST(HpaMap, BackslashToSlashIsTheSwitch)
{
	MapTranslation m = translate_map_file("# Convert backslashes to slashes\nrg \\\\ /\n", "tftpd.map");
	EXPECT_TRUE(m.converts_backslashes);
	EXPECT_TRUE(m.rules.empty());
	EXPECT_TRUE(has_note(m, "tftpd.map:2: \\ to / is backslash_to_slash"));
	// A rule before it that matches a \ would never apply in ktftpd.
	auto [line, why] = map_error("r ^\\\\boot\\\\ boot/\nrg \\\\ /\n");
	EXPECT_EQ(line, 1);
	EXPECT_NE(why.find("matches a \\, which never reaches the rules: line 2 converts"), std::string::npos)
		<< why;
}

TEST(HpaMap, StripAPrefix)
{
	MapTranslation m = translate_map_file("r ^/tftpboot/\n", "tftpd.map");
	EXPECT_EQ(m.rules, (std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "tftpboot/", "")}));
	EXPECT_TRUE(has_note(m, "tftpd.map:1: the pattern's leading / is left out"));
	EXPECT_EQ(rules_of("r ^images/ boot/images/   # moved\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "images/", "boot/images/")}));
	EXPECT_EQ(rules_of("ri ^pxelinux\\.cfg/(.*)$ boot/pxelinux.cfg/\\1\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "pxelinux.cfg/", "boot/pxelinux.cfg/",
					  KTFTPD_RULE_F_NOCASE)}));
	// No $, but a final (.*): the same.
	EXPECT_EQ(rules_of("r ^efi/(.*) boot/efi/\\1\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "efi/", "boot/efi/")}));
	// A leading / alone is strip_slashes, on by default.
	MapTranslation slash = translate_map_file("r ^/\n", "tftpd.map");
	EXPECT_TRUE(slash.rules.empty());
	EXPECT_TRUE(has_note(slash, "stripping a leading / is strip_slashes"));
	EXPECT_TRUE(translate_map_file("r ^/(.*)$ \\1\n", "tftpd.map").rules.size() == 1);
}

// Lowercasing every name: case_insensitive, and the rules after it match
// ignoring case, as they saw lowercase names.
TEST(HpaMap, CaseFolding)
{
	for (const char *line : {"ri ^(.*)$ \\L\\1", "r ^(.*)$ \\L\\1", "r ^.*$ \\L\\0",
				 "rg ([A-Z]) \\L\\1", "rg [A-Z]+ \\L\\0\\E", "r (.*) \\U\\1"}) {
		MapTranslation m = translate_map_file(std::string(line) + "\nr ^boot/ efi/\n", "tftpd.map");
		EXPECT_TRUE(m.folds_case) << line;
		EXPECT_TRUE(has_note(m, "tftpd.map:1: changing every name's case is case_insensitive"))
			<< line;
		EXPECT_EQ(m.rules, (std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "boot/", "efi/",
							   KTFTPD_RULE_F_NOCASE)}))
			<< line;
	}
	// One letter, without g, is not a fold; part of a name neither.
	EXPECT_NE(map_error("r ([A-Z]) \\L\\1\n").second.find("no ^"), std::string::npos);
	EXPECT_NE(map_error("r ^(.*)$ boot/\\L\\1\n").second.find("case conversion"), std::string::npos);
}

// Each client its own directory: \i, as tftpd-hpa's.
TEST(HpaMap, PerClientRewrite)
{
	EXPECT_EQ(rules_of("r ^(.*)$ \\i/\\1\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "*", "\\i/\\0")}));
	EXPECT_EQ(rules_of("re ^(.*)$ hosts/\\i/\\1\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "*", "hosts/\\i/\\0", KTFTPD_RULE_F_STOP)}));
	EXPECT_EQ(rules_of("r ^ hosts/\\i/\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "*", "hosts/\\i/\\0")}));
	MapTranslation hex = translate_map_file("r ^pxelinux\\.cfg/default$ pxelinux.cfg/\\x\n", "m");
	EXPECT_EQ(hex.rules, (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "pxelinux.cfg/default",
						     "pxelinux.cfg/\\x")}));
	EXPECT_TRUE(has_note(hex, "m:1: \\x is the client's IPv4 address in hex"));
	// \m is no escape to tftpd-hpa: a plain m.
	EXPECT_EQ(rules_of("r ^a$ \\m\n"), (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "a", "m")}));
	// \\ is a backslash.
	EXPECT_EQ(rules_of("r ^a$ b\\\\c\n"), (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "a", "b\\\\c")}));
}

TEST(HpaMap, ExactNames)
{
	EXPECT_EQ(rules_of("r ^pxelinux\\.0$ boot/pxelinux.0\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "pxelinux.0", "boot/pxelinux.0")}));
	// An unescaped '.' is taken as the dot it is meant to be, said in a note.
	MapTranslation m = translate_map_file("r ^pxelinux.0$ boot/pxelinux.0\n", "tftpd.map");
	EXPECT_EQ(m.rules, rules_of("r ^pxelinux\\.0$ boot/pxelinux.0\n"));
	EXPECT_TRUE(has_note(m, "tftpd.map:1: '.' taken as a dot"));
	// Part of an exact name is known text.
	EXPECT_EQ(rules_of("r ^(pxelinux)\\.0$ boot/\\1.efi\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "pxelinux.0", "boot/pxelinux.efi")}));
	// Wildcards anchored at both ends: a glob, the whole name \0.
	EXPECT_EQ(rules_of("ri ^(.*\\.EFI)$ efi/\\1\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "*.EFI", "efi/\\0", KTFTPD_RULE_F_NOCASE)}));
	EXPECT_EQ(rules_of("r ^grub/x86_64-efi/[a-z].*.mod$ grub.mod\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "grub/x86_64-efi/[a-z]*?mod", "grub.mod")}));
	EXPECT_EQ(rules_of("r ^a\\*b$ c\n"), (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "a*b", "c")}));
	EXPECT_EQ(rules_of("r ^a\\*.$ c\n"), (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "a*.", "c")}));
	EXPECT_EQ(rules_of("r ^a\\*.*$ c\n"), (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "a\\**", "c")}));
}

TEST(HpaMap, AbortAndEnd)
{
	EXPECT_EQ(rules_of("a \\.\\./\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "*../*", "", KTFTPD_RULE_F_REFUSE)}));
	EXPECT_EQ(rules_of("ai \\.key$\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "*.key", "",
					  KTFTPD_RULE_F_REFUSE | KTFTPD_RULE_F_NOCASE)}));
	EXPECT_EQ(rules_of("a ^/private/\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "private/", "", KTFTPD_RULE_F_REFUSE)}));
	EXPECT_EQ(rules_of("a ^secret$\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "secret", "", KTFTPD_RULE_F_REFUSE)}));
	EXPECT_EQ(rules_of("e ^boot/\n"),
		  (std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "boot/", "\\0", KTFTPD_RULE_F_STOP)}));
	MapTranslation nothing = translate_map_file("i ^x\n", "tftpd.map");
	EXPECT_TRUE(nothing.rules.empty());
	EXPECT_TRUE(has_note(nothing, "tftpd.map:1: does nothing"));
	for (const char *empty : {"r ^$ default\n", "a ^$\n"}) {
		MapTranslation m = translate_map_file(empty, "tftpd.map");
		EXPECT_TRUE(m.rules.empty()) << empty;
		EXPECT_TRUE(has_note(m, "tftpd.map:1: matches an empty name only")) << empty;
	}
}

// What no ktftpd rule can say: refused, naming the line and why.
TEST(HpaMap, WhatNoRuleCanSayIsRefused)
{
	const std::pair<const char *, const char *> cases[] = {
		{"r ^(pxe|efi)/(.*)$ boot/\\2", "an alternation (|)"},
		{"r ^(.*)\\.cfg$ cfg/\\1", "a backreference (\\1) to part of the name"},
		{"r ^(.*)/(.*)$ \\2/\\1", "a backreference (\\2) to part of the name"},
		{"r ^boot/(.*)$ \\1/x", "\\1, the rest of the name, is not at the end"},
		{"r ^boot/(.*)$ \\0/\\1", "\\0 is the whole name here"},
		{"r ^a$ \\3", "\\3 names no group"},
		{"rs ^a$ b", "s (start again from the first rule)"},
		{"r~ ^a$ b", "~ (apply when the regex does not match)"},
		{"r4 ^a$ b", "4 (IPv4 clients only)"},
		{"rG ^a$ b", "G (reads only)"},
		{"rE ^a$ b", "E (end if the result names a file)"},
		{"j ^a$ lbl", "j (jump to a label)"},
		{":lbl", "a label (:NAME)"},
		{"rq ^a$ b", "unknown operation 'q'"},
		{"ra ^a$", "a with r: tftpd-hpa refuses that combination too"},
		{"r tftpboot/ ''", "no ^"},
		{"rg ^a b", "g (repeat while it matches)"},
		{"r ^a.*b c", "hold"},
		{"r ^[0-9]+ x", "a repetition (+)"},
		{"r ^[[:upper:]]x$ y", "a character class"},
		{"r ^/ boot/", "puts text in place of a leading '/'"},
		{"a ^/$", "matches the names that begin with '/'"},
		{"r ^a \"\"", "the replacement \"\" is two quote characters"},
		{"r ^a b c", "more than OPERATION REGEX REPLACEMENT"},
		{"r", "no regex"},
		{"re ^(.*)$ \\L\\1", "e on a line that folds case"},
		{"r ^\xff$ b", "not UTF-8"},
		{"r ^a$ x\\Ly", "case conversion"},
	};
	for (auto [line, why] : cases) {
		auto [at, got] = map_error(std::string("# first\n\n") + line + "\n");
		if (std::string(why) == "hold")	// wildcards, no end: the rest of the name
			why = "wildcards and no $";
		EXPECT_EQ(at, 3) << line << " -> " << got;
		EXPECT_NE(got.find(std::string("tftpd.map:3: ") + why), std::string::npos)
			<< line << " -> " << got;
	}
	std::string many;
	for (int i = 0; i < 65; i++)
		many += "r ^a" + std::to_string(i) + "$ b\n";
	auto [at, got] = map_error(many);
	EXPECT_EQ(at, 65);
	EXPECT_NE(got.find("more than 64 rules"), std::string::npos) << got;
}

// The rules go through the config file as any: parse_config takes them.
TEST(HpaMap, RulesSurviveTheConfigFile)
{
	Config c;
	c.rules = rules_of("rg \\\\ /\nr ^/tftpboot/\nr ^pxelinux\\.0$ boot/pxelinux.0\n"
			   "a \\.\\./\nr ^(.*)$ \\i/\\1\nri ^(.*\\.efi)$ efi/\\1\n");
	ASSERT_EQ(c.rules->size(), 5u);
	EXPECT_EQ(parse_config(config_to_json(c).dump(2), "rules.json"), c);
}
