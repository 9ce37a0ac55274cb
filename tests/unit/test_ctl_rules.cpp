// SPDX-License-Identifier: GPL-2.0
// Filename rules in the config file: what is accepted, every way of being
// refused (with rules[N] and its line named), the round trip through
// config_to_json, and the one-line form people read.
#include <gtest/gtest.h>

#include <string>

#include "config.hpp"
#include "errors.hpp"
#include "rules.hpp"

using namespace ktftpd;

namespace {

// The message of the ConfigError @text raises, or "" if it parses.
std::string config_error(const std::string &text)
{
	try {
		parse_config(text, "f.json");
	} catch (const ConfigError &e) {
		return e.what();
	}
	return "";
}

// A config file whose rules are @rules (JSON), the first one on line 3.
std::string with_rules(const std::string &rules)
{
	return "{\n\"rules\": [\n" + rules + "\n]\n}";
}

Rule rule(ktftpd_rule_match match, std::string pattern, std::string replace,
	  unsigned flags = 0)
{
	return {match, flags, std::move(pattern), std::move(replace)};
}

} // namespace

TEST(ConfigRules, EveryMatchKindAndFlag)
{
	Config c = parse_config(R"({
  "rules": [
    // iPXE asks for the whole URL
    {"match": "prefix", "pattern": "tftp:/198.18.0.1/", "replace": ""},
    {"match": "glob", "pattern": "*.key", "flags": ["nocase", "refuse"]},
    {"match": "exact", "pattern": "pxelinux.0", "replace": "boot/pxelinux.0",
     "flags": ["stop"]},
    {"match": "glob", "pattern": "*", "replace": "hosts/\\i/\\x/\\m/\\0\\\\",
     "flags": ["nocase", "stop", "refuse"]}
  ]
})",
				"f.json");
	ASSERT_TRUE(c.rules);
	EXPECT_EQ(*c.rules,
		  (std::vector<Rule>{
			  rule(KTFTPD_MATCH_PREFIX, "tftp:/198.18.0.1/", ""),
			  rule(KTFTPD_MATCH_GLOB, "*.key", "", KTFTPD_RULE_F_NOCASE | KTFTPD_RULE_F_REFUSE),
			  rule(KTFTPD_MATCH_EXACT, "pxelinux.0", "boot/pxelinux.0", KTFTPD_RULE_F_STOP),
			  rule(KTFTPD_MATCH_GLOB, "*", "hosts/\\i/\\x/\\m/\\0\\\\",
			       KTFTPD_RULE_F_NOCASE | KTFTPD_RULE_F_STOP | KTFTPD_RULE_F_REFUSE),
		  }));
	// At most 64 rules; 255 bytes of pattern and of replacement.
	std::string many;
	for (int i = 0; i < KTFTPD_RULES_MAX; i++)
		many += std::string(i ? "," : "") + R"({"match": "exact", "pattern": ")" +
			std::string(255, 'p') + R"(", "replace": ")" + std::string(255, 'r') + "\"}";
	Config full = parse_config(with_rules(many), "f.json");
	ASSERT_EQ(full.rules->size(), 64u);
	EXPECT_EQ(full.rules->back().replace.size(), 255u);
}

TEST(ConfigRules, NoneIsAnEmptyListAndLeftOutMeansNone)
{
	EXPECT_EQ(*parse_config(R"({"rules": []})", "f").rules, std::vector<Rule>{});
	EXPECT_FALSE(parse_config("{}", "f").rules);
	// `config apply` fills what a file leaves out with the defaults: no rules.
	Config applied = Config::defaults();
	applied.rules = std::vector<Rule>{rule(KTFTPD_MATCH_EXACT, "a", "b")};
	Config file_without_rules = Config::defaults();
	file_without_rules.merge(parse_config(R"({"port": 69})", "f"));
	EXPECT_EQ(file_without_rules.rules, std::vector<Rule>{});
	EXPECT_FALSE(Config::defaults().empty());
	Config only_rules;
	only_rules.rules = std::vector<Rule>{};
	EXPECT_FALSE(only_rules.empty());
	Config merged;
	merged.merge(applied);
	EXPECT_EQ(merged.rules, applied.rules);
	EXPECT_NE(merged, Config{});
}

TEST(ConfigRules, EveryErrorNamesTheRuleAndItsLine)
{
	const std::string ok = R"({"match": "exact", "pattern": "a"},)" "\n";
	const std::pair<std::string, const char *> cases[] = {
		{with_rules(R"({"match": "regex", "pattern": "a"})"),
		 "f.json:3: rules[0]: match must be \"exact\", \"prefix\" or \"glob\""},
		{with_rules(ok + R"({"match": "glob", "pattern": "a", "flags": ["fast"]})"),
		 "f.json:4: rules[1]: unknown flag 'fast' (known: nocase, stop, refuse)"},
		{with_rules(ok + ok + R"({"match": "glob", "pattern": "a", "to": "b"})"),
		 "f.json:5: rules[2]: unknown key 'to' (known: match, pattern, replace, flags)"},
		{with_rules(R"({"match": "exact", "pattern": 5})"),
		 "f.json:3: rules[0]: pattern must be a string"},
		{with_rules(R"({"match": "exact", "pattern": "a", "replace": ["b"]})"),
		 "f.json:3: rules[0]: replace must be a string"},
		{with_rules(R"({"match": 1, "pattern": "a"})"), "f.json:3: rules[0]: match must be"},
		{with_rules(R"({"match": "glob", "pattern": "a", "flags": "stop"})"),
		 "f.json:3: rules[0]: flags must be a list of flag names"},
		{with_rules(R"({"match": "glob", "pattern": "a", "flags": [1]})"),
		 "f.json:3: rules[0]: flags must be a list of flag names"},
		{with_rules(R"({"match": "glob", "pattern": "a", "flags": ["stop", "stop"]})"),
		 "f.json:3: rules[0]: flag 'stop' given twice"},
		{with_rules(R"("exact a")"), "f.json:3: rules[0]: must be an object"},
		{with_rules(R"({"pattern": "a"})"), "f.json:3: rules[0]: needs a match"},
		{with_rules(R"({"match": "exact"})"), "f.json:3: rules[0]: needs a pattern"},
		{with_rules(R"({"match": "exact", "pattern": "a",)" "\n" R"("match": "glob"})"),
		 "f.json:3: rules[0]: 'match' given twice"},
		{with_rules(R"({"match": "exact", "pattern": ""})"),
		 "f.json:3: rules[0]: empty pattern"},
		{with_rules(R"({"match": "exact", "pattern": ")" + std::string(256, 'p') + "\"}"),
		 "f.json:3: rules[0]: pattern or replacement longer than 255 bytes"},
		{with_rules(R"({"match": "exact", "pattern": "a", "replace": ")" +
			    std::string(256, 'r') + "\"}"),
		 "f.json:3: rules[0]: pattern or replacement longer than 255 bytes"},
		{with_rules(ok + R"({"match": "exact", "pattern": "a", "replace": "b\\q"})"),
		 "f.json:4: rules[1]: replacement escape other than \\i \\x \\m \\0 \\\\"},
		{with_rules(R"({"match": "glob", "pattern": "a\\"})"),
		 "f.json:3: rules[0]: glob ends in a lone backslash"},
		{with_rules(R"({"match": "exact", "pattern": "a\u0000b"})"),
		 "f.json:3: rules[0]: pattern holds a NUL byte"},
		{with_rules(R"({"match": "exact", "pattern": "a", "replace": "\u0000"})"),
		 "f.json:3: rules[0]: replace holds a NUL byte"},
		{"{\n\"rules\": {}\n}", "f.json:2: rules: must be a list of rule objects"},
		{"{\n\"rules\": [],\n\"rules\": []\n}", "f.json:3: rules: given twice"},
	};
	for (const auto &[text, want] : cases) {
		std::string got = config_error(text);
		EXPECT_NE(got.find(want), std::string::npos) << text << "\n -> " << got;
	}

	// The 65th rule is named, on its own line.
	std::string many;
	for (int i = 0; i <= KTFTPD_RULES_MAX; i++)
		many += std::string(i ? ",\n" : "") + R"({"match": "exact", "pattern": "a"})";
	EXPECT_NE(config_error(with_rules(many)).find("f.json:67: rules[64]: more than 64 rules"),
		  std::string::npos)
		<< config_error(with_rules(many));
}

// An unknown top-level key lists the keys, then "rules".
TEST(ConfigRules, UnknownKeyNamesRules)
{
	std::string got = config_error("{\"rule\": []}");
	EXPECT_NE(got.find("unknown key (known: root, listen, "), std::string::npos) << got;
	EXPECT_NE(got.find(") and \"rules\" (the filename rules)"), std::string::npos) << got;
}

TEST(ConfigRules, ShowIsAFileApplyTakes)
{
	Config d = Config::defaults();
	d.rules = std::vector<Rule>{
		rule(KTFTPD_MATCH_PREFIX, "tftp:/198.18.0.1/", ""),
		rule(KTFTPD_MATCH_GLOB, "*.KEY", "", KTFTPD_RULE_F_NOCASE | KTFTPD_RULE_F_REFUSE),
		rule(KTFTPD_MATCH_GLOB, "*", "hosts/\\i/\\0", KTFTPD_RULE_F_STOP),
		rule(KTFTPD_MATCH_EXACT, "a\"b\x01", "\xc3\xa9"),
	};
	auto j = config_to_json(d);
	EXPECT_EQ(j["rules"][2].dump(),
		  R"({"match":"glob","pattern":"*","replace":"hosts/\\i/\\0","flags":["stop"]})");
	EXPECT_EQ(j["rules"][1]["flags"].dump(), R"(["nocase","refuse"])");
	EXPECT_EQ(std::prev(j.end()).key(), "rules");	// last, as they apply
	EXPECT_EQ(parse_config(j.dump(2), "shown"), d);
	Config none = Config::defaults();
	EXPECT_EQ(config_to_json(none)["rules"].dump(), "[]");
	EXPECT_EQ(parse_config(config_to_json(none).dump(), "shown"), none);
}

TEST(ConfigRules, SetRefusesRulesPointingAtTheFile)
{
	Config c;
	try {
		set_config_assignment(c, "rules=[]");
		FAIL() << "accepted";
	} catch (const Failure &e) {
		EXPECT_EQ(e.exit_code(), EXIT_DATAERR);
		EXPECT_NE(std::string(e.what()).find("config file"), std::string::npos) << e.what();
	}
	EXPECT_TRUE(c.empty());
	// Nor is it one of the keys with a text form (start's --KEY options).
	for (const auto &k : config_keys())
		EXPECT_NE(k, "rules");
}

TEST(RuleText, OneLineForPeople)
{
	EXPECT_EQ(rule_text(rule(KTFTPD_MATCH_PREFIX, "tftp:/198.18.0.1/", "")),
		  R"(prefix "tftp:/198.18.0.1/" -> "")");
	EXPECT_EQ(rule_text(rule(KTFTPD_MATCH_GLOB, "*", "hosts/\\i/\\0", KTFTPD_RULE_F_STOP)),
		  R"(glob "*" -> "hosts/\i/\0" [stop])");
	EXPECT_EQ(rule_text(rule(KTFTPD_MATCH_GLOB, "*.key", "",
				 KTFTPD_RULE_F_NOCASE | KTFTPD_RULE_F_REFUSE | KTFTPD_RULE_F_STOP)),
		  R"(glob "*.key" refuse [nocase stop])");
	// A quote, and bytes that would break the line or reach the terminal.
	EXPECT_EQ(rule_text(rule(KTFTPD_MATCH_EXACT, "a\"b\n\x1b", "c")),
		  R"(exact "a\"b\u000a\u001b" -> "c")");
	// A kind a newer kernel has: shown by number, not refused.
	EXPECT_EQ(rule_text(rule(static_cast<ktftpd_rule_match>(7), "a", "b")), R"(7 "a" -> "b")");
}
