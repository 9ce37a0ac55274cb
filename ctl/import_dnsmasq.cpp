// SPDX-License-Identifier: GPL-2.0
// `config import --from dnsmasq`: the TFTP lines of a dnsmasq.conf.  Lines
// that are not about TFTP (dhcp-range, server, ...) are none of ktftpd's
// business and are passed over; a TFTP line ktftpctl does not translate is
// an error, and the lines that limit where dnsmasq answers (interface=,
// listen-address=) get a note, as ktftpd listens on addresses of its own.
#include <algorithm>
#include <optional>
#include <sstream>

#include "config.hpp"
#include "import.hpp"

namespace ktftpd {
namespace {

using import_detail::where;

// A line as dnsmasq's read_file() reads it: "..." quotes removed (with
// their \" \\ \t \n escapes), a '#' at the start or after a blank begins
// a comment, then OPTION or OPTION=VALUE with blanks around '=' dropped.
struct Line {
	std::string option;
	std::optional<std::string> value;
};

std::string trim(const std::string &s)
{
	auto b = s.find_first_not_of(" \t");
	if (b == std::string::npos)
		return "";
	return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::optional<Line> parse_line(const std::string &raw)
{
	std::string text;
	bool white = true;
	for (std::size_t i = 0; i < raw.size(); i++) {
		char c = raw[i];
		if (c == '"') {
			for (i++; i < raw.size() && raw[i] != '"'; i++) {
				char d = raw[i];
				if (d == '\\' && i + 1 < raw.size()) {
					char e = raw[++i];
					d = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
				}
				text += d;
			}
			white = false;
			continue;
		}
		if (c == '#' && white)
			break;
		white = c == ' ' || c == '\t';
		text += c;
	}
	text = trim(text);
	if (text.empty())
		return std::nullopt;
	auto eq = text.find('=');
	if (eq == std::string::npos)
		return Line{text, std::nullopt};
	return Line{trim(text.substr(0, eq)), trim(text.substr(eq + 1))};
}

class DnsmasqImport {
public:
	explicit DnsmasqImport(const std::string &file) : file_(file) {}
	Imported run(std::string_view text);

private:
	void line(const Line &l);
	void note(const std::string &text)
	{
		imp_.notes.push_back(where(file_, line_) + (option_.empty() ? "" : option_ + ": ") + text);
	}
	[[noreturn]] void fail(const std::string &why) { throw ConfigError(file_, line_, option_, why); }
	void set(const std::string &key, const std::string &value)
	{
		import_detail::set(imp_, file_, line_, option_, key, value);
	}
	void no_value(const Line &l)
	{
		if (l.value)
			fail("takes no value (dnsmasq refuses it too)");
	}
	const std::string &value(const Line &l)
	{
		if (!l.value || l.value->empty())
			fail("needs a value");
		return *l.value;
	}

	std::string file_;
	int line_ = 0;
	std::string option_;
	Imported imp_;
	int enabled_ = 0, root_ = 0;		// the lines that say so
	std::vector<std::string> where_notes_;	// interface=... : noted if TFTP is on
};

void DnsmasqImport::line(const Line &l)
{
	const std::string &o = l.option;
	if (o == "enable-tftp") {
		if (l.value)
			fail("=" + *l.value + ": ktftpd listens on addresses, not interfaces: leave "
			     "the interfaces out and set listen to their addresses");
		enabled_ = line_;
	} else if (o == "tftp-root") {
		const std::string &dir = value(l);
		if (dir.find(',') != std::string::npos)
			fail("a root for one interface (" + dir.substr(dir.find(',') + 1) +
			     "): ktftpd has one root for every client");
		if (root_)
			fail("given twice (line " + std::to_string(root_) + "): ktftpd has one root");
		set("root", dir);
		root_ = line_;
	} else if (o == "tftp-unique-root") {
		std::string how = l.value.value_or("ip");
		if (how != "ip" && how != "mac")
			fail("'" + how + "' is not ip or mac");
		set("unique_root", how);
		note("unique_root " + how + ": ktftpd looks in the client's directory first, then in "
		     "root; dnsmasq, when the directory exists, looks in it alone" +
		     std::string(how == "mac" ? " (and ktftpd knows a MAC from the neighbour table "
						"only, dnsmasq from its DHCP leases too)"
					      : ""));
	} else if (o == "tftp-secure") {
		no_value(l);
		note("nothing to set: dnsmasq then serves only files its own user owns, which "
		     "ktftpd cannot check; ktftpd serves what its user and group may read");
	} else if (o == "tftp-no-fail") {
		no_value(l);
		note("nothing to set: ktftpd's start fails when root is not a directory, and "
		     "dnsmasq's other services do not depend on it");
	} else if (o == "tftp-port-range") {
		const std::string &range = value(l);
		auto comma = range.find(',');
		if (comma == std::string::npos)
			fail("'" + range + "' is not START,END");
		set("port_range", trim(range.substr(0, comma)) + ":" + trim(range.substr(comma + 1)));
	} else if (o == "tftp-single-port") {
		no_value(l);
		set("single_port", "true");
	} else if (o == "tftp-max") {
		set("max_sessions", value(l));
	} else if (o == "tftp-mtu") {
		const std::string &mtu = value(l);
		if (mtu.empty() || mtu.size() > 6 ||
		    !std::all_of(mtu.begin(), mtu.end(), [](char c) { return c >= '0' && c <= '9'; }))
			fail("'" + mtu + "' is not a number");
		// A block fits the MTU less 20 bytes of IPv4, 8 of UDP and 4 of TFTP.
		set("blksize_max", std::to_string(std::stol(mtu) - 32));
		note("blksize_max " + std::to_string(std::stol(mtu) - 32) +
		     " (the MTU less IPv4's, UDP's and TFTP's headers); ktftpd also fits each "
		     "block to the route's own MTU (blksize_fit_mtu)");
	} else if (o == "tftp-no-blocksize") {
		no_value(l);
		set("refuse_blksize", "true");
	} else if (o == "tftp-lowercase") {
		no_value(l);
		set("case_insensitive", "true");
		note("case_insensitive: dnsmasq lowercases every name; ktftpd looks the name up as "
		     "sent, and only when it is missing, ignoring case (both find a lowercase "
		     "file; ktftpd also finds one with capitals)");
	} else if (o == "tftp-max-failures") {
		fail("ktftpd has no count of failed transfers: each transfer ends after retries "
		     "resends without progress");
	} else if (o == "conf-file" || o == "conf-dir" || o == "servers-file") {
		fail("an included file: import the included file itself");
	} else if (o == "user" || o == "group") {
		// dnsmasq reads the served files as this user and group.
		(o == "user" ? imp_.user : imp_.group) =
			import_detail::identity_name(file_, line_, o, value(l));
	} else if (o == "interface" || o == "except-interface" || o == "listen-address" ||
		   o == "no-dhcp-interface" || o == "bind-interfaces" || o == "bind-dynamic") {
		where_notes_.push_back(where(file_, line_) + o + ": dnsmasq answers TFTP only "
				       "where it serves; ktftpd listens on the addresses of listen "
				       "(default: every address): set listen if that matters");
	} else if (o.starts_with("tftp-")) {
		fail("not a dnsmasq TFTP option ktftpctl translates");
	}
}

Imported DnsmasqImport::run(std::string_view text)
{
	std::istringstream in{std::string(text)};
	for (std::string raw; std::getline(in, raw);) {
		line_++;
		auto l = parse_line(raw);
		if (!l)
			continue;
		option_ = l->option;
		line(*l);
	}
	line_ = 0;
	option_.clear();
	if (!enabled_)
		fail("no enable-tftp: dnsmasq serves no TFTP with this file");
	if (!root_)
		fail("no tftp-root: dnsmasq would serve files from / (all its user may read); "
		     "ktftpd needs a root: add tftp-root");
	imp_.notes.insert(imp_.notes.end(), where_notes_.begin(), where_notes_.end());
	// dnsmasq, not running as root, serves any file its user may read.
	set("require_world_readable", "false");
	note("require_world_readable false: dnsmasq serves any file its user may read, "
	     "world-readable or not (as root, world-readable ones only)");
	return imp_;
}

} // namespace

Imported import_dnsmasq(std::string_view text, const std::string &name)
{
	return DnsmasqImport(name).run(text);
}

} // namespace ktftpd
