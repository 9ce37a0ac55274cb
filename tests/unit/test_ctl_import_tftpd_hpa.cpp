// SPDX-License-Identifier: GPL-2.0
// `config import --from tftpd-hpa`: /etc/default/tftpd-hpa read as the
// shell and in.tftpd would read it, each option translated or refused
// with its line, and the output a config `config apply` takes.
#include <gtest/gtest.h>

#include <grp.h>
#include <pwd.h>

#include <map>
#include <string>

#include "config.hpp"
#include "import.hpp"
#include "networks.hpp"
#include "shell_words.hpp"

using namespace ktftpd;

namespace {

// Debian's shipped file, verbatim.
const char *const debian_default = R"(# /etc/default/tftpd-hpa

TFTP_USERNAME="tftp"
TFTP_DIRECTORY="/srv/tftp"
TFTP_ADDRESS=":69"
TFTP_OPTIONS="--secure"
)";

// Map files by path, for ReadFile.
std::map<std::string, std::string> files;

std::string read_test_file(const std::string &path)
{
	auto f = files.find(path);
	if (f == files.end())
		throw ConfigError(path, 0, "", "cannot read it");
	return f->second;
}

Imported import(const std::string &text, const std::optional<std::string> &map_file = {})
{
	return import_tftpd_hpa(text, "tftpd-hpa", read_test_file, map_file);
}

// The Debian file with its TFTP_OPTIONS (line 6) replaced.
std::string with_options(const std::string &options)
{
	std::string text = debian_default;
	auto at = text.find("TFTP_OPTIONS=");
	return text.substr(0, at) + "TFTP_OPTIONS=\"" + options + "\"\n";
}

std::string with_address(const std::string &address, const std::string &options = "--secure")
{
	std::string text = with_options(options);
	auto at = text.find("TFTP_ADDRESS=");
	auto end = text.find('\n', at);
	return text.substr(0, at) + "TFTP_ADDRESS=\"" + address + "\"" + text.substr(end);
}

// The output of import as `config apply` reads it (no defaults merged).
// user and group are resolved where the file is applied: a name this
// machine lacks is swapped for nobody and nogroup, which it has.
Config applied(const Imported &imp)
{
	auto j = imported_json(imp);
	if (j.contains("user") && !getpwnam(j["user"].get<std::string>().c_str()))
		j["user"] = "nobody";
	if (j.contains("group") && !getgrnam(j["group"].get<std::string>().c_str()))
		j["group"] = "nogroup";
	return parse_config(j.dump(2), "imported.json");
}

bool has_note(const Imported &imp, const std::string &text)
{
	for (const auto &n : imp.notes)
		if (n.find(text) != std::string::npos)
			return true;
	return false;
}

// The message of the ConfigError import raises, and its line.
std::pair<int, std::string> import_error(const std::string &text,
					 const std::optional<std::string> &map_file = {})
{
	try {
		import(text, map_file);
	} catch (const ConfigError &e) {
		return {e.line(), e.what()};
	}
	return {-1, ""};
}

} // namespace

TEST(ShellWords, AssignmentsAsTheShellReadsThem)
{
	const std::pair<const char *, const char *> cases[] = {
		{R"(A="x y")", "x y"},
		{R"(A='a"b $c')", "a\"b $c"},
		{R"(A=a\ b)", "a b"},
		{R"(A="a\"b\\c\$d\e")", "a\"b\\c$d\\e"},
		{R"(A=x"y"'z')", "xyz"},
		{"  export\tA=1  # a comment", "1"},
		{"A=a#b", "a#b"},
		{"A=", ""},
		{R"(A="")", ""},
	};
	for (auto [line, value] : cases) {
		auto a = parse_shell_assignment(line);
		ASSERT_TRUE(a) << line;
		EXPECT_EQ(a->name, "A");
		EXPECT_EQ(a->value, value) << line;
	}
	EXPECT_FALSE(parse_shell_assignment(""));
	EXPECT_FALSE(parse_shell_assignment("   # TFTP_OPTIONS=x"));
	const std::pair<const char *, const char *> bad[] = {
		{"A=$B", "a $ expansion"},
		{R"(A="x ${B}")", "a $ expansion inside"},
		{"A=`id`", "command substitution"},
		{R"(A="x)", "unterminated \" quote"},
		{"A='x", "unterminated ' quote"},
		{"A=x\\", "a \\ at the end of the line"},
		{"A=x y", "more than one word"},
		{"A=x; rm -rf /", "a ';'"},
		{"A=~/tftp", "a ~ (home directory) expansion"},
		{"echo hello", "not a NAME=VALUE assignment"},
		{"1A=x", "not a NAME=VALUE assignment"},
	};
	for (auto [line, why] : bad) {
		try {
			parse_shell_assignment(line);
			ADD_FAILURE() << line << " was taken";
		} catch (const std::invalid_argument &e) {
			EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << line << ": " << e.what();
		}
	}
	EXPECT_EQ(shell_fields("  --secure\t-c  "), (std::vector<std::string>{"--secure", "-c"}));
	EXPECT_TRUE(shell_fields(" ").empty());
}

// Debian's file as it ships: the output, each note, and `config apply`
// taking it.
TEST(ImportTftpdHpa, DebiansDefaultFile)
{
	Imported imp = import(debian_default);
	EXPECT_EQ(imported_json(imp).dump(),
		  R"({"root":"/srv/tftp","listen":[],"port":69,"allow_write":true,"user":"tftp",)"
		  R"("backslash_to_slash":false})");
	EXPECT_EQ(imp.notes.size(), 3u);
	EXPECT_TRUE(has_note(imp, "tftpd-hpa:3: TFTP_USERNAME: tftp: tftpd-hpa also takes that "
				  "user's groups"));
	EXPECT_TRUE(has_note(imp, "tftpd-hpa: allow_write true: tftpd-hpa accepts uploads over "
				  "existing world-writable files even without --create"));
	EXPECT_TRUE(has_note(imp, "tftpd-hpa: backslash_to_slash false"));
	Config c = applied(imp);
	EXPECT_EQ(*c.root, "/srv/tftp");
	EXPECT_TRUE(c.listen->empty());
	EXPECT_EQ(*c.params[KTFTPD_P_ALLOW_WRITE], 1);
	EXPECT_FALSE(c.params[KTFTPD_P_CREATE]);	// left to the default: off
	EXPECT_FALSE(c.rules);				// none: the default
	auto j = imported_json(imp);
	EXPECT_EQ(parse_config(config_to_json(c).dump(), "again"), c);
}

TEST(ImportTftpdHpa, UploadsPortsBlocksTimeoutsAndRefusals)
{
	Imported imp = import(with_options("--secure --create --umask 022 --port-range 50000:50099 "
					   "--blocksize 1468 --retransmit 500000 --refuse tsize"));
	Config c = applied(imp);
	EXPECT_EQ(*c.params[KTFTPD_P_ALLOW_WRITE], 1);
	EXPECT_EQ(*c.params[KTFTPD_P_CREATE], 1);
	EXPECT_EQ(*c.params[KTFTPD_P_CREATE_MODE], 0644);	// 0666 & ~022
	EXPECT_EQ(*c.port_range, (PortRange{50000, 50099}));
	EXPECT_EQ(*c.params[KTFTPD_P_BLKSIZE_MAX], 1468);
	EXPECT_EQ(*c.params[KTFTPD_P_TIMEOUT], 500);		// microseconds to ms
	EXPECT_EQ(*c.params[KTFTPD_P_REFUSE_TSIZE], 1);
	EXPECT_FALSE(c.params[KTFTPD_P_REFUSE_BLKSIZE]);
	EXPECT_FALSE(has_note(imp, "allow_write true"));	// --create says so
	auto j = imported_json(imp);
	EXPECT_EQ(j["create_mode"], "0644");
	EXPECT_EQ(j["port_range"], "50000:50099");

	// The same in short options, clustered, and the = form.
	Imported shorts = import(with_options("-scU022 -R 50000:50099 -B1468 --retransmit=500000 -r tsize"));
	EXPECT_EQ(applied(shorts), c);

	// Rounded up, never shorter; the umask of a --create without one is 0.
	Imported odd = import(with_options("--secure -c -T 10001"));
	Config o = applied(odd);
	EXPECT_EQ(*o.params[KTFTPD_P_TIMEOUT], 11);
	EXPECT_TRUE(has_note(odd, "tftpd-hpa:6: -T: 10001 microseconds: timeout 11 milliseconds, rounded up"));
	EXPECT_EQ(*o.params[KTFTPD_P_CREATE_MODE], 0666);
	EXPECT_TRUE(has_note(odd, "-c: without --umask tftpd-hpa creates files 0666"));

	// --permissive: no world-readable check; its umask is the service's.
	Imported perm = import(with_options("--secure -p -c"));
	Config p = applied(perm);
	EXPECT_EQ(*p.params[KTFTPD_P_WORLD_READABLE], 0);
	EXPECT_FALSE(p.params[KTFTPD_P_CREATE_MODE]);
	EXPECT_TRUE(has_note(perm, "-p: require_world_readable false; an upload still overwrites only"));
	EXPECT_TRUE(has_note(perm, "-c: with --permissive and no --umask"));
}

// tftpd-hpa 5.2 binds an IPv4 address (0.0.0.0 too) on IPv4 only, an IPv6
// one on IPv6 only but [::] without --ipv6 (one socket takes both), and
// no address on both; ktftpd's "::" is IPv6 alone.
TEST(ImportTftpdHpa, EveryFormOfTheAddress)
{
	struct Case {
		const char *address, *options;
		std::vector<std::string> listen;
		long port;
	};
	const Case cases[] = {
		{":69", "--secure", {}, 69},
		{":69", "-s -4", {"0.0.0.0"}, 69},
		{":69", "-s --ipv6", {"::"}, 69},
		{"0.0.0.0:69", "--secure", {"0.0.0.0"}, 69},
		{"0.0.0.0:69", "-s -4", {"0.0.0.0"}, 69},
		{"[::]:69", "--secure", {}, 69},
		{"[::]:69", "-s -6", {"::"}, 69},
		{"198.18.0.1:69", "--secure", {"198.18.0.1"}, 69},
		{"198.18.0.1", "--secure", {"198.18.0.1"}, 69},
		{"[fd00::1]:1069", "--secure", {"fd00::1"}, 1069},
		{":tftp", "--secure", {}, 69},
	};
	for (const auto &k : cases) {
		Config c = applied(import(with_address(k.address, k.options)));
		EXPECT_EQ(*c.listen, k.listen) << k.address << " " << k.options;
		EXPECT_EQ(*c.params[KTFTPD_P_PORT], k.port) << k.address;
	}
	EXPECT_TRUE(has_note(import(with_address("0.0.0.0:69")),
			     "TFTP_ADDRESS: 0.0.0.0: tftpd-hpa listens on every IPv4 address and no IPv6 one"));
	EXPECT_TRUE(has_note(import(with_address("[::]:69")), "[::]: tftpd-hpa's one IPv6 socket takes IPv4 too"));
	// An --address in TFTP_OPTIONS comes later: it wins, as in tftpd-hpa.
	Config later = applied(import(with_options("--secure --address 198.18.0.2:6969")));
	EXPECT_EQ(*later.listen, std::vector<std::string>{"198.18.0.2"});
	EXPECT_EQ(*later.params[KTFTPD_P_PORT], 6969);
}

// Accepted with nothing to set: each says so, with its line.
TEST(ImportTftpdHpa, WhatHasNoEffectIsNoted)
{
	Imported imp = import(with_options("--secure -v --verbosity 3 -l -L --pidfile /run/t.pid "
					   "-t 300 --refuse rollover --refuse utimeout"));
	for (const char *note : {"tftpd-hpa:6: -v: nothing to set",
				 "tftpd-hpa:6: --verbosity: nothing to set",
				 "tftpd-hpa:6: -l: nothing to set: ktftpd always serves on its own",
				 "tftpd-hpa:6: -L: nothing to set",
				 "tftpd-hpa:6: --pidfile: nothing to set",
				 "tftpd-hpa:6: -t: nothing to set: it is how long tftpd-hpa run from "
				 "inetd waits before it exits",
				 "tftpd-hpa:6: --refuse: rollover: nothing to set: ktftpd never grants "
				 "rollover",
				 "tftpd-hpa:6: --refuse: utimeout: nothing to set"})
		EXPECT_TRUE(has_note(imp, note)) << note;
	EXPECT_EQ(applied(imp), applied(import(debian_default)));
}

// Without --secure in.tftpd takes full paths beneath the directory: a
// prefix rule strips it, after the map file's rules.
TEST(ImportTftpdHpa, WithoutSecureTheDirectoryIsStripped)
{
	files["/etc/tftpd.map"] = "r ^pxelinux\\.0$ /srv/tftp/boot/pxelinux.0\n";
	Imported imp = import(with_options("--map-file /etc/tftpd.map"));
	Config c = applied(imp);
	ASSERT_TRUE(c.rules);
	// The map rule's result is a full path, with its slash: stripped too.
	ASSERT_EQ(c.rules->size(), 3u);
	EXPECT_EQ((*c.rules)[0], (Rule{KTFTPD_MATCH_EXACT, 0, "pxelinux.0", "/srv/tftp/boot/pxelinux.0"}));
	EXPECT_EQ((*c.rules)[1], (Rule{KTFTPD_MATCH_PREFIX, 0, "srv/tftp/", ""}));
	EXPECT_EQ((*c.rules)[2], (Rule{KTFTPD_MATCH_PREFIX, 0, "/srv/tftp/", ""}));
	EXPECT_TRUE(has_note(imp, "no --secure: tftpd-hpa serves names given as full paths"));
	// Without a map file, one rule; a directory given with a final slash.
	std::string text = with_options("--create");
	text.replace(text.find("/srv/tftp\""), 10, "//srv//tftp/\"");
	Config plain = applied(import(text));
	EXPECT_EQ(*plain.rules, (std::vector<Rule>{{KTFTPD_MATCH_PREFIX, 0, "srv/tftp/", ""}}));
}

TEST(ImportTftpdHpa, TheMapFileItsOptionsNameOrTheCommandLines)
{
	files["/etc/tftpd.map"] = "rg \\\\ /\nr ^(.*)$ \\i/\\1\n";
	// Relative: in.tftpd reads it after entering the directory (--secure).
	files["/srv/tftp/rel.map"] = "a \\.key$\n";
	files["copy.map"] = "ri ^(.*)$ \\L\\1\n";

	Imported imp = import(with_options("--secure --map-file /etc/tftpd.map"));
	Config c = applied(imp);
	EXPECT_FALSE(c.params[KTFTPD_P_BACKSLASH]);	// the map converts: default, true
	ASSERT_EQ(c.rules->size(), 1u);
	EXPECT_EQ((*c.rules)[0], (Rule{KTFTPD_MATCH_GLOB, 0, "*", "\\i/\\0"}));
	EXPECT_TRUE(has_note(imp, "/etc/tftpd.map:1: \\ to / is backslash_to_slash"));

	Config rel = applied(import(with_options("-s -m rel.map")));
	EXPECT_EQ((*rel.rules)[0], (Rule{KTFTPD_MATCH_GLOB, KTFTPD_RULE_F_REFUSE, "*.key", ""}));

	// --map-file on ktftpctl's command line: instead of the option's, or
	// as if the options named it.
	Imported over = import(with_options("-s -m /etc/tftpd.map"), "copy.map");
	EXPECT_EQ(*applied(over).params[KTFTPD_P_CASE_INSENSITIVE], 1);
	EXPECT_TRUE(has_note(over, "-m: /etc/tftpd.map: reading copy.map instead"));
	EXPECT_EQ(*applied(import(debian_default, "copy.map")).params[KTFTPD_P_CASE_INSENSITIVE], 1);

	// A map file's error names its own line.
	files["/etc/bad.map"] = "rg \\\\ /\n\nr ^(pxe|efi)/(.*)$ boot/\\2\n";
	auto [line, why] = import_error(with_options("-s -m /etc/bad.map"));
	EXPECT_EQ(line, 3);
	EXPECT_NE(why.find("/etc/bad.map:3: an alternation (|)"), std::string::npos) << why;
}

// Every error names the line, and the variable or option, and why.
TEST(ImportTftpdHpa, BadFilesAreRefusedWithLineAndReason)
{
	std::string base = debian_default;
	struct Case {
		std::string text;
		int line;
		const char *why;
	};
	const Case cases[] = {
		{base + "RUN_DAEMON=\"yes\"\n", 7, "tftpd-hpa:7: RUN_DAEMON: not a variable tftpd-hpa's service reads"},
		{base + "TFTP_OPTIONS=\"-c\"\n", 7, "tftpd-hpa:7: TFTP_OPTIONS: given twice (line 6)"},
		{base + "TFTP_OPTIONS=$EXTRA\n", 7, "tftpd-hpa:7: a $ expansion"},
		{"TFTP_USERNAME=\"tftp\n", 1, "tftpd-hpa:1: an unterminated \" quote"},
		{"TFTP_OPTIONS=--secure --create\n", 1, "more than one word after '='"},
		{with_address(""), 5, "tftpd-hpa:5: TFTP_ADDRESS: empty: the service's option before it"},
		{with_address("fd00::1:69"), 5, "TFTP_ADDRESS: 'fd00::1:69': a numeric IPv6 address needs brackets"},
		{with_address("tftp.example:69"), 5, "TFTP_ADDRESS: 'tftp.example' is not an IPv4 or IPv6 address"},
		{with_address(":bootps"), 5, "TFTP_ADDRESS: 'bootps': a service name other than tftp"},
		{with_address(":0"), 5, "TFTP_ADDRESS: invalid value '0' for port"},
		{with_address("198.18.0.1:69", "-s -6"), 5, "'198.18.0.1' is not an IPv6 address, and -6 asks for IPv6 only"},
		{with_options("-s -4 -6"), 6, "-6: given with -4"},
		{with_options("--secure --chroot"), 6, "tftpd-hpa:6: --chroot: not an option of in.tftpd"},
		{with_options("-sV"), 6, "tftpd-hpa:6: -V: not an option of in.tftpd"},
		{with_options("--secure --create=yes"), 6, "--create: takes no value"},
		{"TFTP_USERNAME=tftp\nTFTP_ADDRESS=:69\nTFTP_OPTIONS=\"-s --map-file\"\n", 3,
		 "tftpd-hpa:3: --map-file: needs a value"},
		{with_options("--secure --retransmit 5000"), 6, "--retransmit: 5000 microseconds (5 ms) is outside ktftpd's timeout, 10..255000"},
		{with_options("--secure --retransmit 255000001"), 6, "(255001 ms) is outside ktftpd's timeout"},
		{with_options("--secure --retransmit 1s"), 6, "'1s' is not a number of microseconds"},
		{with_options("--secure --refuse utimeoutx"), 6, "--refuse: 'utimeoutx' is not a TFTP option tftpd-hpa knows"},
		{with_options("--secure --umask 8"), 6, "--umask: '8' is not an octal umask"},
		{with_options("--secure --blocksize 70000"), 6, "--blocksize: invalid value '70000' for blksize_max: must be an integer, 8..65464"},
		{with_options("--secure --port-range 0:10"), 6, "--port-range: invalid value '0:10' for port_range: must be LOW:HIGH"},
		// An operand in TFTP_OPTIONS is a directory too, before TFTP_DIRECTORY's.
		{with_options("--secure /srv/other"), 4, "TFTP_DIRECTORY: a second directory ('/srv/tftp')"},
		{with_options("--secure -m /etc/none.map"), 6, "-m: cannot read /etc/none.map: give a copy with"},
		{with_options("--secure \\\"x\\\""), 6, "holds a quote"},
		{"TFTP_USERNAME=tftp\nTFTP_ADDRESS=:69\n", 0, "tftpd-hpa:0: TFTP_DIRECTORY: no directory"},
		{"TFTP_DIRECTORY=/srv\nTFTP_ADDRESS=:69\n", 0, "TFTP_USERNAME: not set"},
		{"TFTP_USERNAME=tftp\nTFTP_ADDRESS=:69\nTFTP_DIRECTORY=srv\n", 3, "TFTP_DIRECTORY: invalid value 'srv' for root: must be an absolute path"},
	};
	for (const auto &k : cases) {
		auto [line, why] = import_error(k.text);
		EXPECT_EQ(line, k.line) << k.text << " -> " << why;
		EXPECT_NE(why.find(k.why), std::string::npos) << k.text << " -> " << why;
	}
}
