// SPDX-License-Identifier: GPL-2.0
// `config import --from dnsmasq`: a dnsmasq.conf's TFTP lines, each
// translated or refused with its line; the rest passed over.
#include <gtest/gtest.h>

#include <grp.h>
#include <pwd.h>

#include <string>

#include "config.hpp"
#include "import.hpp"

using namespace ktftpd;

namespace {

const char *const pxe_conf = R"(# dnsmasq for PXE on the lab network
interface=eth1
dhcp-range=198.18.0.50,198.18.0.150,255.255.255.0,12h
dhcp-boot=pxelinux.0
dhcp-option=option:router,198.18.0.1

enable-tftp
tftp-root=/srv/tftp   # the boot files
tftp-unique-root=mac
tftp-port-range=50000,50099
tftp-single-port
)";

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

std::pair<int, std::string> import_error(const std::string &text)
{
	try {
		import_dnsmasq(text, "dnsmasq.conf");
	} catch (const ConfigError &e) {
		return {e.line(), e.what()};
	}
	return {-1, ""};
}

} // namespace

TEST(ImportDnsmasq, APxeConfig)
{
	Imported imp = import_dnsmasq(pxe_conf, "dnsmasq.conf");
	EXPECT_EQ(imported_json(imp).dump(),
		  R"({"root":"/srv/tftp","port_range":"50000:50099","require_world_readable":false,)"
		  R"("unique_root":"mac","single_port":true})");
	EXPECT_TRUE(has_note(imp, "dnsmasq.conf:9: tftp-unique-root: unique_root mac: ktftpd looks "
				  "in the client's directory first"));
	EXPECT_TRUE(has_note(imp, "dnsmasq.conf:2: interface: dnsmasq answers TFTP only where it serves"));
	EXPECT_TRUE(has_note(imp, "dnsmasq.conf: require_world_readable false"));
	EXPECT_EQ(imp.notes.size(), 3u);	// the dhcp- lines are not TFTP: passed over
	Config c = applied(imp);
	EXPECT_EQ(*c.root, "/srv/tftp");
	EXPECT_EQ(*c.params[KTFTPD_P_UNIQUE_ROOT], 2);
	EXPECT_EQ(*c.port_range, (PortRange{50000, 50099}));
	EXPECT_EQ(*c.params[KTFTPD_P_SINGLE_PORT], 1);
	EXPECT_EQ(parse_config(config_to_json(c).dump(), "again"), c);
}

TEST(ImportDnsmasq, EveryTftpOption)
{
	Imported imp = import_dnsmasq(R"(enable-tftp
tftp-root = "/srv/tftp boot"
tftp-unique-root
tftp-max=100
tftp-mtu=1500
tftp-no-blocksize
tftp-lowercase
tftp-secure
tftp-no-fail
user=dnsmasq
group=nogroup
port=5353
)",
				      "dnsmasq.conf");
	Config c = applied(imp);
	EXPECT_EQ(*c.root, "/srv/tftp boot");
	EXPECT_EQ(*c.params[KTFTPD_P_UNIQUE_ROOT], 1);	// bare: ip
	EXPECT_EQ(*c.params[KTFTPD_P_MAX_SESSIONS], 100);
	EXPECT_EQ(*c.params[KTFTPD_P_BLKSIZE_MAX], 1468);
	EXPECT_EQ(*c.params[KTFTPD_P_REFUSE_BLKSIZE], 1);
	EXPECT_EQ(*c.params[KTFTPD_P_CASE_INSENSITIVE], 1);
	EXPECT_EQ(imp.user, "dnsmasq");
	EXPECT_EQ(imp.group, "nogroup");
	EXPECT_FALSE(c.params[KTFTPD_P_PORT]);		// dnsmasq's DNS port: not TFTP
	for (const char *note : {"dnsmasq.conf:5: tftp-mtu: blksize_max 1468",
				 "dnsmasq.conf:7: tftp-lowercase: case_insensitive",
				 "dnsmasq.conf:8: tftp-secure: nothing to set",
				 "dnsmasq.conf:9: tftp-no-fail: nothing to set"})
		EXPECT_TRUE(has_note(imp, note)) << note;
}

TEST(ImportDnsmasq, BadConfigsAreRefusedWithLineAndReason)
{
	const std::string on = "enable-tftp\ntftp-root=/srv/tftp\n";
	struct Case {
		std::string text;
		int line;
		const char *why;
	};
	const Case cases[] = {
		{"dhcp-range=1,2\ntftp-root=/srv/tftp\n", 0, "dnsmasq.conf:0: no enable-tftp"},
		{"enable-tftp\n", 0, "no tftp-root: dnsmasq would serve files from /"},
		{"enable-tftp=eth0,eth1\ntftp-root=/srv\n", 1, "dnsmasq.conf:1: enable-tftp: =eth0,eth1: ktftpd listens on addresses"},
		{"enable-tftp\ntftp-root=/srv/tftp,eth0\n", 2, "tftp-root: a root for one interface (eth0)"},
		{on + "tftp-root=/srv/b\n", 3, "tftp-root: given twice (line 2)"},
		{"enable-tftp\ntftp-root=srv\n", 2, "tftp-root: invalid value 'srv' for root"},
		{on + "conf-dir=/etc/dnsmasq.d\n", 3, "conf-dir: an included file: import the included file itself"},
		{on + "conf-file=/etc/dnsmasq.more\n", 3, "conf-file: an included file"},
		{on + "tftp-max-failures=5\n", 3, "tftp-max-failures: ktftpd has no count of failed transfers"},
		{on + "tftp-frobnicate\n", 3, "tftp-frobnicate: not a dnsmasq TFTP option ktftpctl translates"},
		{on + "tftp-secure=yes\n", 3, "tftp-secure: takes no value"},
		{on + "tftp-max=0\n", 3, "tftp-max: invalid value '0' for max_sessions"},
		{on + "tftp-max\n", 3, "tftp-max: needs a value"},
		{on + "tftp-port-range=50099,50000\n", 3, "tftp-port-range: invalid value '50099:50000' for port_range"},
		{on + "tftp-port-range=50000\n", 3, "tftp-port-range: '50000' is not START,END"},
		{on + "tftp-unique-root=hostname\n", 3, "tftp-unique-root: 'hostname' is not ip or mac"},
		{on + "tftp-mtu=big\n", 3, "tftp-mtu: 'big' is not a number"},
		{on + "tftp-mtu=20\n", 3, "tftp-mtu: invalid value '-12' for blksize_max"},
		{on + "user=\n", 3, "user: needs a value"},
	};
	for (const auto &k : cases) {
		auto [line, why] = import_error(k.text);
		EXPECT_EQ(line, k.line) << k.text << " -> " << why;
		EXPECT_NE(why.find(k.why), std::string::npos) << k.text << " -> " << why;
	}
}
