// SPDX-License-Identifier: GPL-2.0
// `config import --from tftpd-hpa`: /etc/default/tftpd-hpa, as Debian's
// service hands it to in.tftpd (tftpd-hpa 5.2):
//   in.tftpd --listen --user $TFTP_USERNAME --address $TFTP_ADDRESS
//            $TFTP_OPTIONS $TFTP_DIRECTORY
// The variables are read as the shell would (shell_words.hpp) and split
// as unquoted expansions are; the options are read as getopt_long() reads
// them, with the last --user and --address winning as in tftpd-hpa.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>
#include <stdexcept>

#include "config.hpp"
#include "errors.hpp"
#include "hpa_map.hpp"
#include "import.hpp"
#include "shell_words.hpp"

namespace ktftpd {
namespace {

using import_detail::where;

constexpr const char *USERNAME = "TFTP_USERNAME";
constexpr const char *DIRECTORY = "TFTP_DIRECTORY";
constexpr const char *ADDRESS = "TFTP_ADDRESS";
constexpr const char *OPTIONS = "TFTP_OPTIONS";

// A word of in.tftpd's command line: its text, the line it came from, and
// how messages name it (the option as written, or the variable).
struct Word {
	std::string text;
	int line = 0;
	std::string what;
};

enum class Opt {
	ipv4, ipv6, create, secure, permissive, verbose, verbosity, listen, foreground,
	address, blocksize, user, umask, refuse, timeout, retransmit, port_range, map_file,
	pidfile,
};

struct OptSpec {
	Opt opt;
	char short_name;	// 0: long only
	const char *long_name;
	bool takes_value;
};

// in.tftpd's options that ktftpctl translates; any other is an error.
constexpr OptSpec option_specs[] = {
	{Opt::ipv4, '4', "ipv4", false},
	{Opt::ipv6, '6', "ipv6", false},
	{Opt::create, 'c', "create", false},
	{Opt::secure, 's', "secure", false},
	{Opt::permissive, 'p', "permissive", false},
	{Opt::verbose, 'v', "verbose", false},
	{Opt::verbosity, 0, "verbosity", true},
	{Opt::listen, 'l', "listen", false},
	{Opt::foreground, 'L', "foreground", false},
	{Opt::address, 'a', "address", true},
	{Opt::blocksize, 'B', "blocksize", true},
	{Opt::user, 'u', "user", true},
	{Opt::umask, 'U', "umask", true},
	{Opt::refuse, 'r', "refuse", true},
	{Opt::timeout, 't', "timeout", true},
	{Opt::retransmit, 'T', "retransmit", true},
	{Opt::port_range, 'R', "port-range", true},
	{Opt::map_file, 'm', "map-file", true},
	{Opt::pidfile, 'P', "pidfile", true},
};

[[noreturn]] void fail(const std::string &file, const Word &w, const std::string &why)
{
	throw ConfigError(file, w.line, w.what, why);
}

bool digits_only(const std::string &s, int base)
{
	return !s.empty() && std::all_of(s.begin(), s.end(), [base](char c) {
		return c >= '0' && c < '0' + std::min(base, 10);
	});
}

class HpaImport {
public:
	HpaImport(const std::string &file, const ReadFile &read,
		  const std::optional<std::string> &map_file)
		: file_(file), read_(read), map_override_(map_file) {}

	Imported run(std::string_view text);

private:
	void read_variables(std::string_view text);
	std::vector<Word> command_line();
	Word single_field(const char *var);
	void parse_options(const std::vector<Word> &words);
	void option(const OptSpec &spec, const Word &w, const Word &value);
	void translate();
	void translate_address();
	void translate_writes();
	void translate_map();

	void note(int line, const std::string &text) { imp_.notes.push_back(where(file_, line) + text); }
	void note(const Word &w, const std::string &text) { note(w.line, w.what + ": " + text); }
	void set(const Word &w, const std::string &key, const std::string &value)
	{
		import_detail::set(imp_, file_, w.line, w.what, key, value);
	}

	std::string file_;
	const ReadFile &read_;
	std::optional<std::string> map_override_;
	Imported imp_;

	struct Variable {
		std::string value;
		int line;
	};
	std::map<std::string, Variable> vars_;
	std::optional<Word> user_, address_, map_file_, umask_, create_, permissive_, family_;
	bool secure_ = false;
	std::vector<Word> directories_;
};

void HpaImport::read_variables(std::string_view text)
{
	int line = 0;
	std::istringstream in{std::string(text)};
	for (std::string l; std::getline(in, l);) {
		line++;
		std::optional<ShellAssignment> a;
		try {
			a = parse_shell_assignment(l);
		} catch (const std::invalid_argument &e) {
			throw ConfigError(file_, line, "", e.what());
		}
		if (!a)
			continue;
		if (a->name != USERNAME && a->name != DIRECTORY && a->name != ADDRESS &&
		    a->name != OPTIONS)
			throw ConfigError(file_, line, a->name,
					  "not a variable tftpd-hpa's service reads (TFTP_USERNAME, "
					  "TFTP_DIRECTORY, TFTP_ADDRESS, TFTP_OPTIONS)");
		if (auto seen = vars_.find(a->name); seen != vars_.end())
			throw ConfigError(file_, line, a->name,
					  "given twice (line " + std::to_string(seen->second.line) + ")");
		vars_[a->name] = {a->value, line};
	}
}

// TFTP_USERNAME and TFTP_ADDRESS follow an option unquoted: exactly one
// word each, or the option would take another.
Word HpaImport::single_field(const char *var)
{
	auto v = vars_.find(var);
	if (v == vars_.end())
		throw ConfigError(file_, 0, var,
				  "not set: the service's option before it would take the next word "
				  "as its value");
	auto fields = shell_fields(v->second.value);
	if (fields.size() != 1)
		throw ConfigError(file_, v->second.line, var,
				  fields.empty() ? "empty: the service's option before it would "
						   "take the next word as its value"
						 : "more than one word (the service passes it unquoted)");
	return {fields[0], v->second.line, var};
}

std::vector<Word> HpaImport::command_line()
{
	Word user = single_field(USERNAME), address = single_field(ADDRESS);
	std::vector<Word> words{{"--user", user.line, USERNAME}, user,
				{"--address", address.line, ADDRESS}, address};
	for (const char *var : {OPTIONS, DIRECTORY}) {
		auto v = vars_.find(var);
		if (v == vars_.end())
			continue;
		for (auto &f : shell_fields(v->second.value)) {
			// The shell takes a quote in a variable as a plain
			// character: surely not what was meant.
			if (f.find_first_of("\"'") != std::string::npos)
				throw ConfigError(file_, v->second.line, var,
						  "'" + f + "' holds a quote, which the service passes "
						  "as a plain character (the variable is expanded "
						  "unquoted)");
			words.push_back({f, v->second.line, var == std::string(OPTIONS) ? f : var});
		}
	}
	return words;
}

void HpaImport::parse_options(const std::vector<Word> &words)
{
	bool operands = false;
	for (std::size_t i = 0; i < words.size(); i++) {
		const Word &w = words[i];
		auto value_of = [&](const std::string &attached, const OptSpec &spec) -> Word {
			if (!attached.empty())
				return {attached, w.line, w.what};
			if (i + 1 >= words.size())
				fail(file_, w, std::string("needs a value (--") + spec.long_name + " VALUE)");
			return words[++i];
		};
		if (operands || w.text.size() < 2 || w.text[0] != '-') {
			directories_.push_back(w);	// getopt permutes operands to the end
		} else if (w.text == "--") {
			operands = true;
		} else if (w.text.starts_with("--")) {
			std::string name = w.text.substr(2), attached;
			auto eq = name.find('=');
			if (eq != std::string::npos) {
				attached = name.substr(eq + 1);
				name.resize(eq);
			}
			auto spec = std::find_if(std::begin(option_specs), std::end(option_specs),
						 [&](const OptSpec &s) { return name == s.long_name; });
			// Named as written (--retransmit, not --retransmit=500000),
			// or by its variable for the service's own --user, --address.
			Word named = w;
			if (w.what.starts_with("-"))
				named.what = "--" + name;
			if (spec == std::end(option_specs))
				fail(file_, named, "not an option of in.tftpd that ktftpctl translates");
			if (!spec->takes_value && eq != std::string::npos)
				fail(file_, named, "takes no value");
			if (spec->takes_value && eq != std::string::npos && attached.empty())
				fail(file_, named, "an empty value");
			option(*spec, named, spec->takes_value ? value_of(attached, *spec) : Word{});
		} else {
			// -sc, -B1468, -B 1468: a cluster of short options.
			for (std::size_t j = 1; j < w.text.size(); j++) {
				char c = w.text[j];
				auto spec = std::find_if(std::begin(option_specs), std::end(option_specs),
							 [c](const OptSpec &s) { return c == s.short_name; });
				Word one{w.text, w.line, std::string("-") + c};
				if (spec == std::end(option_specs))
					fail(file_, one, "not an option of in.tftpd that ktftpctl translates");
				if (!spec->takes_value) {
					option(*spec, one, {});
					continue;
				}
				Word value = value_of(w.text.substr(j + 1), *spec);
				option(*spec, one, value);
				break;
			}
		}
	}
}

void HpaImport::option(const OptSpec &spec, const Word &w, const Word &value)
{
	switch (spec.opt) {
	case Opt::ipv4:
	case Opt::ipv6:
		if (family_ && family_->what != w.what)
			fail(file_, w, "given with " + family_->what + ": listen on one family or both");
		family_ = w;
		break;
	case Opt::create:
		create_ = w;
		break;
	case Opt::secure:
		// ktftpd always confines every request to root.
		secure_ = true;
		break;
	case Opt::permissive:
		permissive_ = w;
		break;
	case Opt::verbose:
	case Opt::verbosity:
		note(w, "nothing to set: ktftpd reports every transfer and error as an event "
			"(ktftpctl monitor)");
		break;
	case Opt::listen:
	case Opt::foreground:
		note(w, "nothing to set: ktftpd always serves on its own, in the kernel");
		break;
	case Opt::pidfile:
		note(w, "nothing to set: ktftpd runs in the kernel, with no process to write a "
			"pid file for");
		break;
	case Opt::timeout:
		note(w, "nothing to set: it is how long tftpd-hpa run from inetd waits before it "
			"exits; ktftpd never exits when idle");
		break;
	case Opt::address:
		address_ = Word{value.text, value.line, w.what};
		break;
	case Opt::user:
		user_ = Word{value.text, value.line, w.what};
		break;
	case Opt::blocksize:
		set(w, "blksize_max", value.text);
		break;
	case Opt::umask:
		if (!digits_only(value.text, 8) || value.text.size() > 6 ||
		    std::stoul(value.text, nullptr, 8) > 0777)
			fail(file_, w, "'" + value.text + "' is not an octal umask (022)");
		umask_ = Word{value.text, value.line, w.what};
		break;
	case Opt::refuse: {
		std::string opt = value.text;
		std::transform(opt.begin(), opt.end(), opt.begin(),
			       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
		if (opt == "blksize" || opt == "tsize" || opt == "timeout" || opt == "windowsize")
			set(w, "refuse_" + opt, "true");
		else if (opt == "blksize2" || opt == "utimeout" || opt == "rollover")
			note(w, value.text + ": nothing to set: ktftpd never grants " + opt +
					", so it is refused already");
		else
			fail(file_, w, "'" + value.text + "' is not a TFTP option tftpd-hpa knows");
		break;
	}
	case Opt::retransmit: {
		if (!digits_only(value.text, 10) || value.text.size() > 12)
			fail(file_, w, "'" + value.text + "' is not a number of microseconds");
		// Microseconds to ktftpd's milliseconds, rounded up: never shorter.
		unsigned long us = std::stoul(value.text);
		unsigned long ms = (us + 999) / 1000;
		try {
			set_config_value(imp_.config, "timeout", std::to_string(ms));
		} catch (const Failure &) {
			fail(file_, w, value.text + " microseconds (" + std::to_string(ms) +
					       " ms) is outside ktftpd's timeout, " +
					       std::to_string(ktftpd_params[KTFTPD_P_TIMEOUT].min) + ".." +
					       std::to_string(ktftpd_params[KTFTPD_P_TIMEOUT].max) +
					       " milliseconds");
		}
		if (us % 1000)
			note(w, value.text + " microseconds: timeout " + std::to_string(ms) +
					" milliseconds, rounded up");
		break;
	}
	case Opt::port_range:
		set(w, "port_range", value.text);
		break;
	case Opt::map_file:
		map_file_ = Word{value.text, value.line, w.what};
		break;
	}
}

// "[addr]:port", ":69", "0.0.0.0:69", "[fd00::1]:1069", as tftpd-hpa 5.2
// binds them: an IPv4 address (0.0.0.0 too) binds IPv4 only, an IPv6 one
// IPv6 only, except [::] without --ipv6, whose socket takes both; no
// address binds both families.
void HpaImport::translate_address()
{
	const Word &a = *address_;
	std::string host, port;
	if (a.text.starts_with("[")) {
		auto close = a.text.find(']');
		if (close == std::string::npos)
			fail(file_, a, "'" + a.text + "': an unterminated [");
		host = a.text.substr(1, close - 1);
		std::string rest = a.text.substr(close + 1);
		if (!rest.empty() && rest[0] != ':')
			fail(file_, a, "'" + a.text + "': not [ADDRESS]:PORT");
		port = rest.empty() ? "" : rest.substr(1);
	} else {
		if (std::count(a.text.begin(), a.text.end(), ':') > 1)
			fail(file_, a, "'" + a.text + "': a numeric IPv6 address needs brackets "
					"([fd00::1]:69), as tftpd-hpa says too");
		auto colon = a.text.find(':');
		host = a.text.substr(0, colon);
		port = colon == std::string::npos ? "" : a.text.substr(colon + 1);
	}
	if (port.empty() || port == "tftp")
		port = "69";
	else if (!digits_only(port, 10))
		fail(file_, a, "'" + port + "': a service name other than tftp: give the port number");
	set(a, "port", port);

	unsigned char buf[16] = {};
	int family = host.empty() ? 0
		     : inet_pton(AF_INET, host.c_str(), buf) == 1 ? 4
		     : inet_pton(AF_INET6, host.c_str(), buf) == 1 ? 6
								  : -1;
	if (family < 0)
		fail(file_, a, "'" + host + "' is not an IPv4 or IPv6 address (ktftpd listens on "
				"addresses, not host names)");
	int only = !family_ ? 0 : family_->what.find('4') != std::string::npos ? 4 : 6;
	if (family && only && family != only)
		fail(file_, a, "'" + host + "' is not an IPv" + std::to_string(only) + " address, and " +
				       family_->what + " asks for IPv" + std::to_string(only) +
				       " only (tftpd-hpa refuses that too)");
	std::string listen = host;
	bool v6_any = family == 6 && std::all_of(buf, buf + 16, [](unsigned char b) { return !b; });
	if (!family) {
		// Every address: of both families, or of the one asked for.
		listen = only == 4 ? "0.0.0.0" : only == 6 ? "::" : "";
	} else if (v6_any && !only) {
		listen = "";
		note(a, "[::]: tftpd-hpa's one IPv6 socket takes IPv4 too (Linux's default, "
			"net.ipv6.bindv6only=0): every address, listen []");
	} else if (host == "0.0.0.0") {
		note(a, "0.0.0.0: tftpd-hpa listens on every IPv4 address and no IPv6 one; so "
			"does listen [\"0.0.0.0\"] (listen [] would add IPv6)");
	}
	// ktftpd's "::" is IPv6 only, as tftpd-hpa's socket with --ipv6.
	set(a, "listen", listen);
}

void HpaImport::translate_writes()
{
	// tftpd-hpa always accepts an upload over an existing world-writable
	// file; --create adds new files.
	set({"", 0, OPTIONS}, "allow_write", "true");
	if (!create_)
		note(0, "allow_write true: tftpd-hpa accepts uploads over existing "
			"world-writable files even without --create (false refuses every upload)");
	if (umask_) {
		unsigned long mask = std::stoul(umask_->text, nullptr, 8);
		std::ostringstream mode;
		mode << '0' << std::oct << (0666 & ~mask);
		set(*umask_, "create_mode", mode.str());
	}
	if (create_) {
		set(*create_, "create", "true");
		if (!umask_ && !permissive_) {
			set(*create_, "create_mode", "0666");
			note(*create_, "without --umask tftpd-hpa creates files 0666 (its umask is 0): "
				       "anyone may rewrite them; create_mode \"0666\" keeps that "
				       "(--umask 022 would give 0644)");
		} else if (!umask_) {
			note(*create_, "with --permissive and no --umask, tftpd-hpa creates files "
				       "under the service's umask, unknown here: create_mode stays "
				       "ktftpd's default, 0644");
		}
	}
	if (permissive_) {
		set(*permissive_, "require_world_readable", "false");
		note(*permissive_, "require_world_readable false; an upload still overwrites only a "
				   "world-writable file in ktftpd, where tftpd-hpa overwrote any file "
				   "the user may write");
	}
}

void HpaImport::translate_map()
{
	MapTranslation m;
	if (map_file_ || map_override_) {
		std::string path = map_override_.value_or(map_file_ ? map_file_->text : "");
		std::string text;
		if (map_override_) {
			if (map_file_)
				note(*map_file_, map_file_->text + ": reading " + *map_override_ +
							 " instead (--map-file)");
			text = read_(path);
		} else {
			// in.tftpd reads it after it has entered the directory
			// with --secure, and from / otherwise.
			if (!path.starts_with("/"))
				path = (secure_ ? imp_.config.root.value_or("/") + "/" : "/") + path;
			try {
				text = read_(path);
			} catch (const ConfigError &) {
				fail(file_, *map_file_, "cannot read " + path +
							      ": give a copy with: ktftpctl config import "
							      "--from tftpd-hpa FILE --map-file COPY");
			}
		}
		m = translate_map_file(text, path);
		imp_.notes.insert(imp_.notes.end(), m.notes.begin(), m.notes.end());
	}
	// No rules is the default: left out, as every key the source
	// leaves as ktftpd has it.
	if (!m.rules.empty())
		imp_.config.rules = m.rules;
	if (m.folds_case)
		imp_.config.params[KTFTPD_P_CASE_INSENSITIVE] = 1;
	if (!m.converts_backslashes) {
		imp_.config.params[KTFTPD_P_BACKSLASH] = 0;
		note(0, "backslash_to_slash false: tftpd-hpa takes a \\ as part of the name, unless "
			"a map file line (rg \\\\ /) converts it");
	}
}

void HpaImport::translate()
{
	if (directories_.empty()) {
		auto d = vars_.find(DIRECTORY);
		throw ConfigError(file_, d == vars_.end() ? 0 : d->second.line, DIRECTORY,
				  "no directory: ktftpd serves one, its root");
	}
	if (directories_.size() > 1)
		fail(file_, directories_[1], "a second directory ('" + directories_[1].text +
						     "'): ktftpd serves one, its root");
	const Word &dir = directories_[0];
	set(dir, "root", dir.text);
	translate_address();
	imp_.user = import_detail::identity_name(file_, user_->line, user_->what, user_->text);
	note(*user_, user_->text + ": tftpd-hpa also takes that user's groups; ktftpd serves as "
			 "one group, the group key (default nogroup): set it if the files rely on "
			 "a group");
	translate_writes();
	translate_map();
	if (!secure_) {
		// Without --secure, in.tftpd takes only full paths beneath the
		// directory: strip it, after the map file's rules as there.
		std::string prefix;
		for (char c : dir.text)
			if (c != '/' || (!prefix.empty() && prefix.back() != '/'))
				prefix += c;
		if (!prefix.empty() && prefix.back() != '/')
			prefix += '/';
		if (!prefix.empty()) {
			if (!imp_.config.rules)
				imp_.config.rules = std::vector<Rule>{};
			auto &rules = *imp_.config.rules;
			// A client's name reaches the rules without its leading
			// slash, but a map rule's result keeps the one it wrote.
			bool absolute = std::any_of(rules.begin(), rules.end(), [](const Rule &r) {
				return r.replace.starts_with("/");
			});
			if (rules.size() + 1 + absolute > KTFTPD_RULES_MAX)
				fail(file_, dir, "no --secure needs a rule to strip the directory, and "
						 "the map file has all the rules a config holds");
			rules.push_back({KTFTPD_MATCH_PREFIX, 0, prefix, ""});
			if (absolute)
				rules.push_back({KTFTPD_MATCH_PREFIX, 0, "/" + prefix, ""});
			note(dir, "no --secure: tftpd-hpa serves names given as full paths (" + dir.text +
					  "/FILE); a prefix rule strips " + prefix +
					  " (ktftpd also serves names relative to root, which tftpd-hpa "
					  "refused)");
		}
	}
}

Imported HpaImport::run(std::string_view text)
{
	read_variables(text);
	parse_options(command_line());
	translate();
	return imp_;
}

} // namespace

Imported import_tftpd_hpa(std::string_view text, const std::string &name, const ReadFile &read,
			  const std::optional<std::string> &map_file)
{
	return HpaImport(name, read, map_file).run(text);
}

} // namespace ktftpd
