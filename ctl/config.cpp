// SPDX-License-Identifier: GPL-2.0
#include "config.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <vector>
#include <unordered_map>

#include <uapi/linux/ktftpd.h>

#include "errors.hpp"
#include "networks.hpp"
#include "port_range.hpp"
#include "rules.hpp"

namespace ktftpd {
namespace {

// The settings that are not numbers (KTFTPD_TEXT_SETTINGS), each parsed
// by its own code below; Config::defaults() and config_keys() take their
// names and defaults from the table.
constexpr const char *KEY_ROOT = "root";
constexpr const char *KEY_LISTEN = "listen";
constexpr const char *KEY_ALLOW = "allow";
constexpr const char *KEY_DENY = "deny";
constexpr const char *KEY_PORT_RANGE = "port_range";
// Only the file holds rules: a list of objects has no KEY=VALUE form.
constexpr const char *KEY_RULES = "rules";

struct TextSetting {
	const char *name;
	const char *def;	// as the sysctl takes it
};
#define TEXT_SETTING(name, attr, type, def, help) {name, def},
constexpr TextSetting text_settings[] = {KTFTPD_TEXT_SETTINGS(TEXT_SETTING)};
#undef TEXT_SETTING

ktftpd_param_kind kind(int p)
{
	return ktftpd_params[p].kind;
}

std::optional<long> resolve_id(int p, const std::string &name)
{
	std::vector<char> buf(16384);
	if (p == KTFTPD_P_USER) {
		passwd pw{}, *res = nullptr;
		if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) || !res)
			return std::nullopt;
		return static_cast<long>(res->pw_uid);
	}
	group gr{}, *res = nullptr;
	if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res) || !res)
		return std::nullopt;
	return static_cast<long>(res->gr_gid);
}

// uid or gid 0 is root's power on every client's behalf: allowed only
// when asked for, and said out loud.
void warn_if_root_identity(int p, long v)
{
	if (kind(p) == KTFTPD_KIND_ID && v == 0)
		std::cerr << "ktftpctl: warning: " << ktftpd_params[p].name
			  << " 0 (root): the server will touch files with root's "
			     "rights on behalf of every client\n";
}

int param_index(std::string_view key)
{
	for (int i = 0; i < KTFTPD_P_COUNT; i++)
		if (key == ktftpd_params[i].name)
			return i;
	return -1;
}

// A CHOICE's words, for min..max in order ("off", "ip", "mac").
std::vector<std::string> choice_words(int p)
{
	std::vector<std::string> words;
	char word[32];
	for (long v = ktftpd_params[p].min; v <= ktftpd_params[p].max; v++)
		if (ktftpd_param_choice_name(static_cast<ktftpd_param>(p), v, word, sizeof(word)))
			words.emplace_back(word);
	return words;
}

std::string range_text(int p)
{
	const auto &d = ktftpd_params[p];
	std::ostringstream out;
	switch (d.kind) {
	case KTFTPD_KIND_BOOL:
		return "true or false";
	case KTFTPD_KIND_CHOICE: {
		auto words = choice_words(p);
		for (std::size_t i = 0; i < words.size(); i++)
			out << (i == 0 ? "" : i + 1 < words.size() ? ", " : " or ") << '"'
			    << words[i] << '"';
		break;
	}
	case KTFTPD_KIND_ID:
		out << "a name or an integer, " << d.min << ".." << d.max;
		break;
	case KTFTPD_KIND_MODE:
		out << "an octal mode string, \"0\"..\"0" << std::oct << d.max << '"';
		break;
	case KTFTPD_KIND_INT:
		out << "an integer, " << d.min << ".." << d.max;
		break;
	}
	return out.str();
}

// The address in canonical text, or nothing when @s is not one.
std::optional<std::string> canonical_address(const std::string &s)
{
	unsigned char buf[16];
	char text[INET6_ADDRSTRLEN];
	// inet_pton reads up to a NUL, and JSON can carry one ("::\u0000junk").
	if (s.find('\0') != std::string::npos)
		return std::nullopt;
	if (inet_pton(AF_INET, s.c_str(), buf) == 1)
		return inet_ntop(AF_INET, buf, text, sizeof(text));
	if (inet_pton(AF_INET6, s.c_str(), buf) == 1)
		return inet_ntop(AF_INET6, buf, text, sizeof(text));
	return std::nullopt;
}

// Why a listen list is bad, or "" when it is fine.
std::string listen_problem(const std::vector<std::string> &addrs)
{
	if (addrs.size() > KTFTPD_LISTEN_MAX)
		return "at most " + std::to_string(KTFTPD_LISTEN_MAX) + " addresses";
	std::set<std::string> seen;
	for (const auto &a : addrs) {
		auto canon = canonical_address(a);
		if (!canon)
			return "'" + a + "' is not an IPv4 or IPv6 address";
		if (canon->starts_with("::ffff:") && canon->find('.') != std::string::npos)
			return "'" + a + "' is v4-mapped: give it as IPv4";
		if (!seen.insert(*canon).second)
			return "'" + a + "' is given twice";
	}
	return {};
}

bool valid_utf8(const std::string &s)
{
	try {
		(void)nlohmann::json(s).dump();
		return true;
	} catch (const nlohmann::json::type_error &) {
		return false;
	}
}

std::string root_problem(const std::string &root)
{
	if (!ktftpd_root_valid(root.c_str(), root.size()))
		return "must be an absolute path of printable characters, shorter than " +
		       std::to_string(KTFTPD_ROOT_MAX) + " bytes";
	// What `config set` takes must fit the config file, which is JSON.
	if (!valid_utf8(root))
		return "must be UTF-8 (the config file is JSON; the sysctl takes any bytes)";
	return {};
}

bool parse_long(std::string_view text, int base, long &out)
{
	if (text.empty())
		return false;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
	return ec == std::errc() && end == text.data() + text.size();
}

// user or group as the config file or KEY=VALUE gives it: a number (a
// string of digits too, as the Ansible role writes one) or a name.
std::optional<long> parse_id(int p, const std::string &text)
{
	long n;
	if (parse_long(text, 10, n))
		return n;
	return resolve_id(p, text);
}

std::string no_such_id(int p)
{
	return std::string("names no ") + (p == KTFTPD_P_USER ? "user" : "group") +
	       " on this machine";
}

std::optional<long> parse_octal_mode(std::string_view text)
{
	if (text.starts_with("0o"))
		text.remove_prefix(2);
	long v;
	if (!parse_long(text, 8, v))
		return std::nullopt;
	return v;
}

// Where an element of a key's list begins, and the first key given twice
// in it when it is an object (nlohmann::json keeps only the last).
struct ElementLayout {
	int line = 0;
	std::set<std::string> keys;
	std::string twice;
};

// A top-level key, the line it begins on, and its list's elements.
struct KeyLayout {
	std::string key;
	int line = 0;
	std::vector<ElementLayout> elements;
};

// Top-level keys with the line each begins on, in order, and the lines of
// their lists' elements, so that messages can name lines (nlohmann::json
// does not keep positions).
std::vector<KeyLayout> scan_keys(std::string_view text)
{
	std::vector<KeyLayout> keys;
	std::string open;		// the brackets around the cursor, outermost first
	int line = 1;
	bool expect_key = false;	// the next string is a key
	bool expect_element = false;	// the next token begins a list's element
	auto in_list = [&] { return open == "{[" && !keys.empty(); };
	auto in_element = [&] { return open == "{[{" && !keys.empty(); };
	for (std::size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		if (c == '\n') {
			line++;
			continue;
		} else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
			while (i + 1 < text.size() && text[i + 1] != '\n')
				i++;
			continue;
		} else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
			for (i += 2; i + 1 < text.size() && !(text[i] == '*' && text[i + 1] == '/'); i++)
				line += text[i] == '\n';
			i++;
			continue;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			continue;
		}
		if (expect_element && in_list() && c != ']')
			keys.back().elements.push_back({line, {}, {}});
		expect_element = false;
		if (c == '"') {
			std::string s;
			int start = line;
			for (i++; i < text.size() && text[i] != '"'; i++) {
				if (text[i] == '\\' && i + 1 < text.size())
					s += text[i++];
				s += text[i];
			}
			// Unescape the common case; keys are plain ASCII.
			if (expect_key && open == "{") {
				keys.push_back({s, start, {}});
			} else if (expect_key && in_element() && !keys.back().elements.empty()) {
				auto &e = keys.back().elements.back();
				if (!e.keys.insert(s).second && e.twice.empty())
					e.twice = s;
			}
			expect_key = false;
		} else if (c == '{' || c == '[') {
			open += c;
			expect_key = c == '{' && (open == "{" || in_element());
			expect_element = c == '[' && in_list();
		} else if (c == '}' || c == ']') {
			if (!open.empty())
				open.pop_back();
			expect_key = false;
		} else if (c == ',') {
			expect_key = open == "{" || in_element();
			expect_element = in_list();
		}
	}
	return keys;
}

int line_of_byte(std::string_view text, std::size_t byte)
{
	byte = std::min(byte, text.size());
	return 1 + static_cast<int>(std::count(text.begin(), text.begin() + byte, '\n'));
}

} // namespace

ConfigError::ConfigError(const std::string &where, int line, const std::string &key,
			 const std::string &why)
	: std::runtime_error(where + ":" + std::to_string(line) + ": " +
			     (key.empty() ? "" : key + ": ") + why),
	  line_(line), key_(key)
{
}

void Config::merge(const Config &other)
{
	if (other.root)
		root = other.root;
	if (other.listen)
		listen = other.listen;
	if (other.allow)
		allow = other.allow;
	if (other.deny)
		deny = other.deny;
	if (other.port_range)
		port_range = other.port_range;
	if (other.rules)
		rules = other.rules;
	for (int i = 0; i < KTFTPD_P_COUNT; i++)
		if (other.params[i])
			params[i] = other.params[i];
}

bool Config::empty() const
{
	return !root && !listen && !allow && !deny && !port_range && !rules &&
	       std::none_of(params.begin(), params.end(),
			    [](const auto &p) { return p.has_value(); });
}

const std::vector<std::string> &config_keys()
{
	static const std::vector<std::string> keys = [] {
		std::vector<std::string> k;
		for (const auto &t : text_settings)
			k.emplace_back(t.name);
		for (int i = 0; i < KTFTPD_P_COUNT; i++)
			k.emplace_back(ktftpd_params[i].name);
		return k;
	}();
	return keys;
}

namespace {

// A value that is not one for its key: the reason, for the caller to
// wrap (a ConfigError in a file, a Failure on the command line).
struct BadValue {
	std::string why;
};

void require(bool ok, const std::string &why)
{
	if (!ok)
		throw BadValue{why};
}

// Range and root identity checks, common to every way of giving a value.
long accepted(int p, long v)
{
	require(ktftpd_param_valid(static_cast<ktftpd_param>(p), v), "must be " + range_text(p));
	warn_if_root_identity(p, v);
	return v;
}

long param_from_text(int p, const std::string &v)
{
	long n = 0;
	switch (kind(p)) {
	case KTFTPD_KIND_BOOL:
		if (v == "true" || v == "1" || v == "yes" || v == "on")
			return accepted(p, 1);
		require(v == "false" || v == "0" || v == "no" || v == "off",
			"must be " + range_text(p));
		return accepted(p, 0);
	case KTFTPD_KIND_MODE: {
		auto m = parse_octal_mode(v);
		require(m.has_value(), "must be " + range_text(p));
		return accepted(p, *m);
	}
	case KTFTPD_KIND_ID: {
		auto id = parse_id(p, v);
		require(id.has_value(), no_such_id(p));
		return accepted(p, *id);
	}
	case KTFTPD_KIND_CHOICE: {
		// A word only: the sysctl also takes the number, but a file that
		// says "unique_root": "2" tells its reader nothing.
		auto words = choice_words(p);
		auto it = std::find(words.begin(), words.end(), v);
		require(it != words.end(), "must be " + range_text(p));
		return accepted(p, ktftpd_params[p].min + (it - words.begin()));
	}
	case KTFTPD_KIND_INT:
		break;
	}
	require(parse_long(v, 10, n), "must be " + range_text(p));
	return accepted(p, n);
}

long param_from_json(int p, const nlohmann::json &value)
{
	switch (kind(p)) {
	case KTFTPD_KIND_BOOL:
		require(value.is_boolean(), "must be " + range_text(p));
		return accepted(p, value.get<bool>());
	case KTFTPD_KIND_MODE:
		// A string, so that nobody writes 644 meaning 0644.
		require(value.is_string(), "must be " + range_text(p));
		return param_from_text(p, value.get<std::string>());
	case KTFTPD_KIND_ID:
		if (value.is_string())
			return param_from_text(p, value.get<std::string>());
		break;
	case KTFTPD_KIND_CHOICE:
		require(value.is_string(), "must be " + range_text(p));
		return param_from_text(p, value.get<std::string>());
	case KTFTPD_KIND_INT:
		break;
	}
	require(value.is_number_integer(), "must be " + range_text(p));
	require(!value.is_number_unsigned() ||
			value.get<std::uint64_t>() <= static_cast<std::uint64_t>(ktftpd_params[p].max),
		"must be " + range_text(p));
	return accepted(p, value.get<long>());
}

std::string root_checked(const std::string &root)
{
	auto why = root_problem(root);
	require(why.empty(), why);
	return root;
}

std::vector<std::string> listen_checked(std::vector<std::string> addrs)
{
	auto why = listen_problem(addrs);
	require(why.empty(), why);
	return addrs;
}

std::vector<Network> networks_checked(const std::vector<std::string> &texts)
{
	try {
		return parse_networks(texts);
	} catch (const std::invalid_argument &e) {
		throw BadValue{e.what()};
	}
}

PortRange port_range_checked(const std::string &text)
{
	try {
		return parse_port_range(text);
	} catch (const std::invalid_argument &e) {
		throw BadValue{e.what()};
	}
}

// "a b,c": the sysctl's and KEY=VALUE's form of a listen, allow or deny
// list.
std::vector<std::string> split_addresses(const std::string &text)
{
	std::vector<std::string> addrs;
	std::string item;
	for (char c : text + ",") {
		if (c == ',' || c == ' ') {
			if (!item.empty())
				addrs.push_back(item);
			item.clear();
		} else {
			item += c;
		}
	}
	return addrs;
}

std::string known_keys()
{
	std::string list;
	for (const auto &k : config_keys())
		list += (list.empty() ? "" : ", ") + k;
	return list;
}

// "rules" is named after the parenthesis, which holds the keys that have
// a text form (tests/ops/test_install.py reads them from it).
std::string unknown_key()
{
	return "unknown key (known: " + known_keys() + ") and \"" + KEY_RULES +
	       "\" (the filename rules)";
}

// Set @key of @cfg from a config file's @value; false for an unknown key.
bool set_from_json(Config &cfg, const std::string &key, const nlohmann::json &value)
{
	if (key == KEY_ROOT) {
		require(value.is_string(), "must be a string (an absolute path)");
		cfg.root = root_checked(value.get<std::string>());
	} else if (key == KEY_LISTEN) {
		require(value.is_array(), "must be a list of addresses ([] for every address)");
		std::vector<std::string> addrs;
		for (const auto &a : value) {
			require(a.is_string(), "must be a list of address strings");
			addrs.push_back(a.get<std::string>());
		}
		cfg.listen = listen_checked(std::move(addrs));
	} else if (key == KEY_ALLOW || key == KEY_DENY) {
		const char *want = "must be a list of networks (\"198.18.0.0/15\", \"fd00::/8\"; "
				   "[] for none)";
		require(value.is_array(), want);
		std::vector<std::string> texts;
		for (const auto &n : value) {
			require(n.is_string(), want);
			texts.push_back(n.get<std::string>());
		}
		(key == KEY_ALLOW ? cfg.allow : cfg.deny) = networks_checked(texts);
	} else if (key == KEY_PORT_RANGE) {
		require(value.is_string(),
			"must be a string, \"LOW:HIGH\" (\"50000:50099\"), or \"\" for none");
		cfg.port_range = port_range_checked(value.get<std::string>());
	} else if (key == KEY_RULES) {
		cfg.rules = rules_from_json(value);	// throws BadRule
	} else if (int p = param_index(key); p >= 0) {
		cfg.params[p] = param_from_json(p, value);
	} else {
		return false;
	}
	return true;
}

// Set @key of @cfg from text (KEY=VALUE, --KEY VALUE); false for an
// unknown key.
bool set_from_text(Config &cfg, const std::string &key, const std::string &value)
{
	if (key == KEY_ROOT)
		cfg.root = root_checked(value);
	else if (key == KEY_LISTEN)
		cfg.listen = listen_checked(split_addresses(value));
	else if (key == KEY_ALLOW)
		cfg.allow = networks_checked(split_addresses(value));
	else if (key == KEY_DENY)
		cfg.deny = networks_checked(split_addresses(value));
	else if (key == KEY_PORT_RANGE)
		cfg.port_range = port_range_checked(value);
	else if (int p = param_index(key); p >= 0)
		cfg.params[p] = param_from_text(p, value);
	else
		return false;
	return true;
}

nlohmann::json parse_json(std::string_view text, const std::string &name)
{
	try {
		return nlohmann::json::parse(text.begin(), text.end(), nullptr, true, true);
	} catch (const nlohmann::json::parse_error &e) {
		std::string why = e.what();
		// "[json.exception.parse_error.101] parse error at line 3, ...": keep the reason.
		if (auto colon = why.find(": "); colon != std::string::npos)
			why = why.substr(colon + 2);
		throw ConfigError(name, line_of_byte(text, e.byte ? e.byte - 1 : 0), "",
				  "not valid JSON: " + why);
	} catch (const nlohmann::json::exception &e) {
		// A number past what a double holds (out_of_range.406), found
		// by the fuzzer: a config error too, not an internal one.
		std::string why = e.what();
		if (auto space = why.find("] "); space != std::string::npos)
			why = why.substr(space + 2);
		throw ConfigError(name, 1, "", "not valid JSON: " + why);
	}
}

} // namespace

// Every default from the tables, the text settings' through their own
// parsers (a row added there without one fails here, in every test).
Config Config::defaults()
{
	Config c;
	for (const auto &t : text_settings)
		if (!set_from_text(c, t.name, t.def))
			throw std::logic_error(std::string("no parser for the setting ") + t.name);
	c.rules = std::vector<Rule>{};
	for (int i = 0; i < KTFTPD_P_COUNT; i++)
		c.params[i] = ktftpd_params[i].def;
	return c;
}

Config parse_config(std::string_view text, const std::string &name)
{
	nlohmann::json doc = parse_json(text, name);
	if (!doc.is_object())
		throw ConfigError(name, 1, "", "the config must be a JSON object");

	std::unordered_map<std::string, KeyLayout> layout;
	for (auto &k : scan_keys(text)) {
		int line = k.line;
		std::string key = k.key;
		if (!layout.emplace(key, std::move(k)).second)
			throw ConfigError(name, line, key, "given twice");
	}

	Config cfg;
	for (const auto &item : doc.items()) {
		const std::string &key = item.key();
		const KeyLayout *at = layout.count(key) ? &layout[key] : nullptr;
		int line = at ? at->line : 1;
		// rules[N] is named with the line its object begins on.
		auto element = [&](int index, const std::string &why) {
			bool known = at && index >= 0 && index < static_cast<int>(at->elements.size());
			return ConfigError(name, known ? at->elements[index].line : line,
					   index < 0 ? key : key + "[" + std::to_string(index) + "]", why);
		};
		if (key == KEY_RULES && at)
			for (std::size_t i = 0; i < at->elements.size(); i++)
				if (!at->elements[i].twice.empty())
					throw element(static_cast<int>(i),
						      "'" + at->elements[i].twice + "' given twice");
		try {
			if (!set_from_json(cfg, key, item.value()))
				throw BadValue{unknown_key()};
		} catch (const BadValue &bad) {
			throw ConfigError(name, line, key, bad.why);
		} catch (const BadRule &bad) {
			throw element(bad.index, bad.why);
		}
	}
	return cfg;
}

Config load_config(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		throw ConfigError(path, 0, "", "cannot read the config file");
	std::stringstream text;
	text << in.rdbuf();
	return parse_config(text.str(), path);
}

void set_config_value(Config &cfg, std::string_view key, std::string_view value)
{
	std::string k(key), v(value);
	if (k == KEY_RULES)
		throw Failure(EXIT_DATAERR,
			      "rules have no KEY=VALUE form: write them in the config file "
			      "(ktftpd.json(5), RULES) and run: ktftpctl config apply FILE");
	try {
		if (!set_from_text(cfg, k, v))
			throw Failure(EXIT_DATAERR,
				      "unknown key '" + k + "' (see: ktftpctl config show)");
	} catch (const BadValue &bad) {
		throw Failure(EXIT_DATAERR, "invalid value '" + v + "' for " + k + ": " + bad.why);
	}
}

void set_config_assignment(Config &cfg, std::string_view assignment)
{
	auto eq = assignment.find('=');
	if (eq == std::string_view::npos || eq == 0)
		throw Failure(EXIT_USAGE, "expected KEY=VALUE, got '" + std::string(assignment) + "'");
	set_config_value(cfg, assignment.substr(0, eq), assignment.substr(eq + 1));
}

nlohmann::ordered_json config_to_json(const Config &cfg)
{
	nlohmann::ordered_json j = nlohmann::ordered_json::object();
	if (cfg.root)
		j[KEY_ROOT] = *cfg.root;
	if (cfg.listen)
		j[KEY_LISTEN] = *cfg.listen;
	auto networks = [](const std::vector<Network> &nets) {
		nlohmann::ordered_json list = nlohmann::ordered_json::array();
		for (const auto &n : nets)
			list.push_back(network_text(n));
		return list;
	};
	if (cfg.allow)
		j[KEY_ALLOW] = networks(*cfg.allow);
	if (cfg.deny)
		j[KEY_DENY] = networks(*cfg.deny);
	if (cfg.port_range)
		j[KEY_PORT_RANGE] = port_range_text(*cfg.port_range);
	for (int i = 0; i < KTFTPD_P_COUNT; i++) {
		if (!cfg.params[i])
			continue;
		long v = *cfg.params[i];
		const char *name = ktftpd_params[i].name;
		char word[32];
		switch (kind(i)) {
		case KTFTPD_KIND_BOOL:
			j[name] = v != 0;
			break;
		case KTFTPD_KIND_MODE: {
			std::ostringstream o;
			o << '0' << std::oct << v;
			j[name] = o.str();
			break;
		}
		case KTFTPD_KIND_CHOICE:
			// A value a newer kernel has and this ktftpctl has no
			// word for is shown by its number: `config show` must
			// still work.
			if (ktftpd_param_choice_name(static_cast<ktftpd_param>(i), v, word,
						     sizeof(word)))
				j[name] = word;
			else
				j[name] = v;
			break;
		case KTFTPD_KIND_INT:
		case KTFTPD_KIND_ID:
			j[name] = v;
			break;
		}
	}
	// Last, as they apply: after the switches that normalize a name.
	if (cfg.rules)
		j[KEY_RULES] = rules_to_json(*cfg.rules);
	return j;
}

} // namespace ktftpd
