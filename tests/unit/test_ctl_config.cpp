// SPDX-License-Identifier: GPL-2.0
// The config file and KEY=VALUE settings: what is accepted, and every way
// of being refused (with the key and line named).
#include <gtest/gtest.h>

#include <string>

#include "config.hpp"
#include "errors.hpp"
#include "networks.hpp"

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

std::string set_error(const std::string &assignment, int *code = nullptr)
{
	Config c;
	try {
		set_config_assignment(c, assignment);
	} catch (const Failure &e) {
		if (code)
			*code = e.exit_code();
		return e.what();
	}
	return "";
}

} // namespace

TEST(ConfigFile, ParsesEveryKeyWithComments)
{
	Config c = parse_config(R"({
  // line comment
  "root": "/srv/tftp", /* block
  comment */
  "listen": ["192.0.2.1", "2001:db8::1"],
  "port": 6969, "timeout": 1500, "retries": 7, "max_sessions": 10,
  "max_sessions_per_client": 2, "drain_timeout": 0, "blksize_max": 1468,
  "windowsize_max": 16, "allow_write": true, "create": false,
  "create_mode": "0640", "max_write_size": 1099511627776, "rate_limit": 20
})",
				"f");
	EXPECT_EQ(*c.root, "/srv/tftp");
	EXPECT_EQ(*c.listen, (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
	EXPECT_EQ(*c.params[KTFTPD_P_PORT], 6969);
	EXPECT_EQ(*c.params[KTFTPD_P_TIMEOUT], 1500);
	EXPECT_EQ(*c.params[KTFTPD_P_DRAIN], 0);
	EXPECT_EQ(*c.params[KTFTPD_P_ALLOW_WRITE], 1);
	EXPECT_EQ(*c.params[KTFTPD_P_CREATE], 0);
	EXPECT_EQ(*c.params[KTFTPD_P_CREATE_MODE], 0640);
	EXPECT_EQ(*c.params[KTFTPD_P_MAX_WRITE_SIZE], 1L << 40);
	EXPECT_EQ(*c.params[KTFTPD_P_RATE_LIMIT], 20);
}

TEST(ConfigFile, KeysLeftOutStayUnset)
{
	Config c = parse_config("{}", "f");
	EXPECT_TRUE(c.empty());
	Config d = parse_config(R"({"retries": 3})", "f");
	EXPECT_FALSE(d.root);
	EXPECT_EQ(*d.params[KTFTPD_P_RETRIES], 3);
}

TEST(ConfigFile, EveryErrorNamesKeyAndLine)
{
	const std::pair<const char *, const char *> cases[] = {
		{"{\n\"root\": \"/a\",\n\"bogus\": 1\n}", "f.json:3: bogus: unknown key"},
		{"{\n\"retries\": 1,\n\"retries\": 2\n}", "f.json:3: retries: given twice"},
		{"{\n\"port\": 0\n}", "f.json:2: port: must be an integer, 1..65535"},
		{"{\n\"port\": 65536\n}", "f.json:2: port: must be an integer, 1..65535"},
		{"{\n\"port\": -1\n}", "f.json:2: port: must be an integer, 1..65535"},
		{"{\n\"port\": 1.5\n}", "f.json:2: port: must be an integer"},
		{"{\n\"port\": \"69\"\n}", "f.json:2: port: must be an integer"},
		{"{\n\"max_write_size\": 18446744073709551615\n}", "f.json:2: max_write_size: must be an integer, 0..1099511627776"},
		{"{\n\"timeout\": 9\n}", "f.json:2: timeout: must be an integer, 10..255000"},
		{"{\n\"allow_write\": 1\n}", "f.json:2: allow_write: must be true or false"},
		{"{\n\"create\": \"yes\"\n}", "f.json:2: create: must be true or false"},
		{"{\n\"create_mode\": 420\n}", "f.json:2: create_mode: must be an octal mode string"},
		{"{\n\"create_mode\": \"01000\"\n}", "f.json:2: create_mode: must be an octal"},
		{"{\n\"create_mode\": \"0x1\"\n}", "f.json:2: create_mode: must be an octal"},
		{"{\n\"root\": 5\n}", "f.json:2: root: must be a string"},
		{"{\n\"root\": \"srv\"\n}", "f.json:2: root: must be an absolute path"},
		{"{\n\"root\": \"/a\\nb\"\n}", "f.json:2: root: must be an absolute path"},
		{"{\n\"listen\": \"127.0.0.1\"\n}", "f.json:2: listen: must be a list"},
		{"{\n\"listen\": [1]\n}", "f.json:2: listen: must be a list of address strings"},
		{"{\n\"listen\": [\"1.2.3\"]\n}", "f.json:2: listen: '1.2.3' is not an IPv4 or IPv6 address"},
		{"{\n\"listen\": [\"::1\", \"0::1\"]\n}", "f.json:2: listen: '0::1' is given twice"},
		{"{\n\"listen\": [\"::ffff:1.2.3.4\"]\n}", "f.json:2: listen: '::ffff:1.2.3.4' is v4-mapped"},
		{"{\n\"listen\": [\"1.0.0.1\",\"1.0.0.2\",\"1.0.0.3\",\"1.0.0.4\",\"1.0.0.5\",\"1.0.0.6\",\"1.0.0.7\",\"1.0.0.8\",\"1.0.0.9\"]\n}",
		 "f.json:2: listen: at most 8 addresses"},
		{"{\n\"retries\": 1,\n}", "f.json:3: not valid JSON"},
		{"{\n\"retries\": \n", "f.json:"},
		{"[1]", "f.json:1: the config must be a JSON object"},
		{"", "f.json:1: not valid JSON"},
		// Found by tests/fuzz/fuzz_config: a number past a double was an
		// uncaught out_of_range, and inet_pton stopped at an embedded NUL.
		{"{\n\"port\": 1111111111111e1111111\n}", "f.json:1: not valid JSON: number overflow"},
		{"{\n\"listen\": [\"::\\u0000junk\"]\n}", "f.json:2: listen: '"},
	};
	for (auto [text, want] : cases) {
		std::string got = config_error(text);
		EXPECT_NE(got.find(want), std::string::npos) << text << "\n -> " << got;
	}
}

TEST(ConfigFile, UnreadableFileIsAConfigError)
{
	EXPECT_THROW(load_config("/nonexistent/ktftpd.json"), ConfigError);
}

TEST(ConfigFile, ShowIsAFileApplyTakes)
{
	Config d = Config::defaults();
	d.listen = std::vector<std::string>{"::1"};
	d.params[KTFTPD_P_CREATE_MODE] = 0600;
	d.params[KTFTPD_P_ALLOW_WRITE] = 1;
	auto j = config_to_json(d);
	EXPECT_EQ(j["create_mode"], "0600");
	EXPECT_EQ(j["allow_write"], true);
	EXPECT_EQ(j.begin().key(), "root");	// file order
	EXPECT_EQ(parse_config(j.dump(2), "shown"), d);
}

TEST(ConfigSet, AcceptsEveryKey)
{
	Config c;
	set_config_assignment(c, "root=/srv");
	set_config_assignment(c, "listen=127.0.0.1,::1");
	set_config_assignment(c, "allow_write=on");
	set_config_assignment(c, "create=false");
	set_config_assignment(c, "create_mode=0o600");
	set_config_assignment(c, "max_write_size=0");
	EXPECT_EQ(*c.root, "/srv");
	EXPECT_EQ(c.listen->size(), 2u);
	EXPECT_EQ(*c.params[KTFTPD_P_ALLOW_WRITE], 1);
	EXPECT_EQ(*c.params[KTFTPD_P_CREATE], 0);
	EXPECT_EQ(*c.params[KTFTPD_P_CREATE_MODE], 0600);
	set_config_assignment(c, "listen=");
	EXPECT_TRUE(c.listen->empty());
}

TEST(ConfigSet, RefusesWithTheKeyNamed)
{
	int code = 0;
	EXPECT_NE(set_error("timeout=abc", &code).find("for timeout: must be an integer, 10..255000"),
		  std::string::npos);
	EXPECT_EQ(code, EXIT_DATAERR);
	EXPECT_NE(set_error("timeout=10x").find("timeout"), std::string::npos);
	EXPECT_NE(set_error("timeout=").find("timeout"), std::string::npos);
	EXPECT_NE(set_error("port=65536").find("port"), std::string::npos);
	EXPECT_NE(set_error("create=maybe").find("true or false"), std::string::npos);
	EXPECT_NE(set_error("create_mode=9").find("octal"), std::string::npos);
	EXPECT_NE(set_error("rate_limit=1000001").find("for rate_limit: must be an integer, 0..1000000"),
		  std::string::npos);
	EXPECT_NE(set_error("root=x").find("absolute"), std::string::npos);
	// The config file is JSON: what config set takes must fit it.
	EXPECT_NE(set_error("root=/srv/\xfftftp").find("must be UTF-8"), std::string::npos);
	EXPECT_EQ(set_error("root=/srv/t\xc3\xa9l\xc3\xa9"), "");
	EXPECT_NE(set_error("listen=::1,::1").find("twice"), std::string::npos);
	EXPECT_NE(set_error("nope=1", &code).find("unknown key 'nope'"), std::string::npos);
	EXPECT_EQ(code, EXIT_DATAERR);
	EXPECT_NE(set_error("timeout", &code).find("expected KEY=VALUE"), std::string::npos);
	EXPECT_EQ(code, EXIT_USAGE);
	EXPECT_NE(set_error("=5", &code).find("expected KEY=VALUE"), std::string::npos);
}

// The serving identity takes a number or a name in both the config file
// and KEY=VALUE, and a string of digits as a number: the Ansible role's
// template writes ktftpd_user: 1234 as "1234".
TEST(ConfigIdentity, NumberOrNameInBothPaths)
{
	Config f = parse_config(R"({"user": "1234", "group": 4321})", "f.json");
	EXPECT_EQ(*f.params[KTFTPD_P_USER], 1234);
	EXPECT_EQ(*f.params[KTFTPD_P_GROUP], 4321);
	f = parse_config(R"({"user": "nobody", "group": "nogroup"})", "f.json");
	EXPECT_EQ(*f.params[KTFTPD_P_USER], 65534);
	EXPECT_EQ(*f.params[KTFTPD_P_GROUP], 65534);
	EXPECT_NE(config_error(R"({"user": "no-such-user-here"})").find("names no user"),
		  std::string::npos);
	EXPECT_NE(config_error(R"({"group": "no-such-group-here"})").find("names no group"),
		  std::string::npos);

	Config c;
	set_config_assignment(c, "user=1234");
	set_config_assignment(c, "group=nogroup");
	EXPECT_EQ(*c.params[KTFTPD_P_USER], 1234);
	EXPECT_EQ(*c.params[KTFTPD_P_GROUP], 65534);
	EXPECT_NE(set_error("user=no-such-user-here").find("names no user"), std::string::npos);
}

TEST(Config, MergeAndDefaults)
{
	Config d = Config::defaults();
	EXPECT_EQ(*d.root, "/srv/tftp");
	EXPECT_EQ(*d.params[KTFTPD_P_PORT], 69);
	Config change;
	change.params[KTFTPD_P_RETRIES] = 9;
	d.merge(change);
	EXPECT_EQ(*d.params[KTFTPD_P_RETRIES], 9);
	EXPECT_EQ(*d.params[KTFTPD_P_PORT], 69);
}

// allow and deny: lists of CIDR networks, checked by the kernel's own
// tftp_cidr_check(), shown canonically.
TEST(ConfigNetworks, ParsedCheckedAndShownCanonically)
{
	Config c = parse_config(R"({
  "allow": ["198.18.0.0/15", "fd00:0::/8", "10.1.2.3", "2001:db8::1"],
  "deny": ["0.0.0.0/0"]
})",
				"f.json");
	ASSERT_EQ(c.allow->size(), 4u);
	const Network &v4 = (*c.allow)[0];
	EXPECT_EQ(v4.family, 4);
	EXPECT_EQ(v4.prefix, 15u);
	EXPECT_EQ((std::vector<int>{v4.addr[0], v4.addr[1], v4.addr[2], v4.addr[3]}),
		  (std::vector<int>{198, 18, 0, 0}));
	EXPECT_EQ((*c.allow)[1].family, 6);
	EXPECT_EQ((*c.allow)[2].prefix, 32u);	// a bare address is one host
	EXPECT_EQ((*c.allow)[3].prefix, 128u);
	EXPECT_EQ((*c.deny)[0].prefix, 0u);
	auto j = config_to_json(c);
	EXPECT_EQ(j["allow"].dump(),
		  R"(["198.18.0.0/15","fd00::/8","10.1.2.3/32","2001:db8::1/128"])");
	EXPECT_EQ(j["deny"].dump(), R"(["0.0.0.0/0"])");
	EXPECT_EQ(parse_config(j.dump(), "shown"), c);

	Config none = parse_config(R"({"allow": [], "deny": []})", "f.json");
	EXPECT_TRUE(none.allow && none.allow->empty());
	EXPECT_TRUE(none.deny && none.deny->empty());
}

TEST(ConfigNetworks, EveryBadEntryIsNamedWithWhy)
{
	std::string many = "{\n\"deny\": [";
	for (int i = 0; i < 65; i++)
		many += std::string(i ? "," : "") + "\"10.0.0." + std::to_string(i) + "\"";
	many += "]\n}";
	const std::pair<std::string, const char *> cases[] = {
		{"{\n\"allow\": [\"198.18.0.1/15\"]\n}",
		 "f.json:2: allow: 198.18.0.1/15: address has bits set past the prefix length"},
		{"{\n\"allow\": [\"10.0.0.0/8\",\n \"198.18.0.0/33\"]\n}",
		 "f.json:2: allow: 198.18.0.0/33: IPv4 prefix longer than 32"},
		{"{\n\"deny\": [\"fd00::/129\"]\n}", "f.json:2: deny: fd00::/129: IPv6 prefix longer than 128"},
		{"{\n\"deny\": [\"fd00::/999999999999\"]\n}", "deny: fd00::/999999999999: the prefix length must be a number"},
		{"{\n\"deny\": [\"::ffff:198.18.0.0/112\"]\n}",
		 "f.json:2: deny: ::ffff:198.18.0.0/112: an IPv4-mapped network: give it as IPv4"},
		{"{\n\"allow\": [\"lab.example\"]\n}", "f.json:2: allow: lab.example: not an IPv4 or IPv6 network"},
		{"{\n\"allow\": [\"10.0.0.0/\"]\n}", "allow: 10.0.0.0/: the prefix length must be a number"},
		{"{\n\"allow\": [\"10.0.0.0/+8\"]\n}", "allow: 10.0.0.0/+8: the prefix length must be a number"},
		{"{\n\"allow\": [\"10.0.0.0/8 \"]\n}", "allow: 10.0.0.0/8 : the prefix length must be a number"},
		{"{\n\"allow\": [\"10.0.0.0\\u0000/8\"]\n}", "allow: 10.0.0.0"},
		{"{\n\"allow\": \"10.0.0.0/8\"\n}", "f.json:2: allow: must be a list of networks"},
		{"{\n\"allow\": [8]\n}", "f.json:2: allow: must be a list of networks"},
		{many, "f.json:2: deny: at most 64 networks"},
	};
	for (const auto &[text, want] : cases) {
		std::string got = config_error(text);
		EXPECT_NE(got.find(want), std::string::npos) << text << "\n -> " << got;
	}
	// 64 is the most, and is fine.
	EXPECT_EQ(config_error(many.replace(many.find(",\"10.0.0.64\""), 12, "")), "");
}

TEST(ConfigPortRange, LowHighOrNone)
{
	Config c = parse_config(R"({"port_range": "50000:50099"})", "f.json");
	EXPECT_EQ(*c.port_range, (PortRange{50000, 50099}));
	EXPECT_EQ(config_to_json(c)["port_range"], "50000:50099");
	EXPECT_EQ(parse_config(config_to_json(c).dump(), "shown"), c);
	Config one = parse_config(R"({"port_range": "1:1"})", "f.json");
	EXPECT_EQ(*one.port_range, (PortRange{1, 1}));
	Config none = parse_config(R"({"port_range": ""})", "f.json");
	EXPECT_TRUE(none.port_range && none.port_range->none());
	EXPECT_EQ(config_to_json(none)["port_range"], "");

	for (const char *bad : {"\"50000\"", "\"0:10\"", "\"10:9\"", "\"1:65536\"", "\"a:b\"",
				"\" 1:2\"", "\"1:2:3\"", "\"-1:2\"", "\":\"", "50000", "null",
				"[50000, 50099]"}) {
		std::string got = config_error(std::string("{\n\"port_range\": ") + bad + "\n}");
		EXPECT_NE(got.find("f.json:2: port_range: must be"), std::string::npos)
			<< bad << " -> " << got;
	}
	EXPECT_NE(config_error("{\"port_range\": \"9:1\"}").find("1 <= LOW <= HIGH <= 65535"),
		  std::string::npos);
}

// unique_root, the first CHOICE: a word in the file and on the command
// line, the number on the wire.
TEST(ConfigChoice, UniqueRootIsAWord)
{
	for (auto [word, value] : {std::pair{"off", 0L}, {"ip", 1L}, {"mac", 2L}}) {
		Config c = parse_config(std::string(R"({"unique_root": ")") + word + "\"}", "f.json");
		EXPECT_EQ(*c.params[KTFTPD_P_UNIQUE_ROOT], value);
		EXPECT_EQ(config_to_json(c)["unique_root"], word);
		EXPECT_EQ(parse_config(config_to_json(c).dump(), "shown"), c);
		Config t;
		set_config_value(t, "unique_root", word);
		EXPECT_EQ(t, c);
	}
	for (const char *bad : {"2", "\"2\"", "\"MAC\"", "\"\"", "true", "\"off \""}) {
		std::string got = config_error(std::string("{\n\"unique_root\": ") + bad + "\n}");
		EXPECT_NE(got.find(R"(f.json:2: unique_root: must be "off", "ip" or "mac")"),
			  std::string::npos)
			<< bad << " -> " << got;
	}
	EXPECT_NE(set_error("unique_root=2").find(R"(for unique_root: must be "off", "ip" or "mac")"),
		  std::string::npos);
	// A value a newer kernel has a word for and this ktftpctl not.
	Config newer;
	newer.params[KTFTPD_P_UNIQUE_ROOT] = 7;
	EXPECT_EQ(config_to_json(newer)["unique_root"], 7);
}

TEST(ConfigSet, NetworksAndPortRange)
{
	Config c;
	set_config_assignment(c, "allow=198.18.0.0/15, fd00::/8");
	set_config_assignment(c, "deny=198.18.0.7");
	set_config_assignment(c, "port_range=50000:50099");
	EXPECT_EQ(c.allow->size(), 2u);
	EXPECT_EQ(network_text((*c.deny)[0]), "198.18.0.7/32");
	EXPECT_EQ(*c.port_range, (PortRange{50000, 50099}));
	set_config_assignment(c, "allow=");
	set_config_assignment(c, "port_range=");
	EXPECT_TRUE(c.allow->empty());
	EXPECT_TRUE(c.port_range->none());

	int code = 0;
	EXPECT_EQ(set_error("allow=10.0.0.0/8,198.18.0.1/15", &code),
		  "invalid value '10.0.0.0/8,198.18.0.1/15' for allow: 198.18.0.1/15: address has "
		  "bits set past the prefix length");
	EXPECT_EQ(code, EXIT_DATAERR);
	EXPECT_NE(set_error("deny=fd00::/200").find("for deny: fd00::/200: IPv6 prefix longer than 128"),
		  std::string::npos);
	EXPECT_NE(set_error("port_range=2:1").find("for port_range: must be LOW:HIGH"),
		  std::string::npos);
	EXPECT_NE(set_error("port_range=50000").find("for port_range: must be LOW:HIGH"),
		  std::string::npos);
}

// Every key of the tables has its text form and its default; a row added
// to KTFTPD_TEXT_SETTINGS without a parser here throws in defaults().
TEST(Config, EveryKeyOfTheTablesRoundTrips)
{
	Config d = Config::defaults();
	EXPECT_TRUE(d.allow && d.allow->empty());
	EXPECT_TRUE(d.deny && d.deny->empty());
	EXPECT_TRUE(d.port_range && d.port_range->none());
	EXPECT_EQ(*d.params[KTFTPD_P_UNIQUE_ROOT], 0);
	auto j = config_to_json(d);
	std::vector<std::string> keys;
	for (const auto &item : j.items())
		if (item.key() != "rules")
			keys.push_back(item.key());
	EXPECT_EQ(keys, config_keys());
	EXPECT_EQ(keys.front(), "root");
	EXPECT_EQ(parse_config(j.dump(2), "shown"), d);
	// And through KEY=VALUE, each from its default as `config show` prints it.
	Config again;
	for (const auto &item : j.items()) {
		if (item.key() == "rules")
			continue;
		std::string text;
		if (item.value().is_array())
			for (const auto &v : item.value())
				text += (text.empty() ? "" : ",") + v.get<std::string>();
		else if (item.value().is_string())
			text = item.value().get<std::string>();
		else
			text = item.value().dump();
		set_config_value(again, item.key(), text);
	}
	again.rules = d.rules;
	EXPECT_EQ(again, d);
}
