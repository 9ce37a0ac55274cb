// SPDX-License-Identifier: GPL-2.0
#include "rules.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

#include "rewrite.h"

namespace ktftpd {
namespace {

constexpr std::pair<ktftpd_rule_match, const char *> match_names[] = {
	{KTFTPD_MATCH_EXACT, "exact"},
	{KTFTPD_MATCH_PREFIX, "prefix"},
	{KTFTPD_MATCH_GLOB, "glob"},
};

constexpr std::pair<unsigned, const char *> flag_names[] = {
	{KTFTPD_RULE_F_NOCASE, "nocase"},
	{KTFTPD_RULE_F_STOP, "stop"},
	{KTFTPD_RULE_F_REFUSE, "refuse"},
};

constexpr const char *rule_keys[] = {"match", "pattern", "replace", "flags"};

// A kind a newer kernel may have and this ktftpctl does not know is shown
// by its number rather than refused: `config show` must still work.
std::string match_name(ktftpd_rule_match m)
{
	for (const auto &[kind, name] : match_names)
		if (kind == m)
			return name;
	return std::to_string(static_cast<int>(m));
}

std::string flag_list()
{
	std::string list;
	for (const auto &[bit, name] : flag_names)
		list += (list.empty() ? "" : ", ") + std::string(name);
	return list;
}

std::string key_list()
{
	std::string list;
	for (const char *key : rule_keys)
		list += (list.empty() ? "" : ", ") + std::string(key);
	return list;
}

// "exact", "prefix" or "glob"
std::string match_list()
{
	std::string list;
	for (std::size_t i = 0; i < std::size(match_names); i++)
		list += std::string(i == 0 ? "" : i + 1 < std::size(match_names) ? ", " : " or ") +
			'"' + match_names[i].second + '"';
	return list;
}

// The string at @key of rule @index, or @fallback when it is left out
// (no fallback: the key is required).
std::string text_field(const nlohmann::json &j, const char *key, int index,
		       const std::optional<std::string> &fallback)
{
	auto it = j.find(key);
	if (it == j.end()) {
		if (!fallback)
			throw BadRule{index, std::string("needs a ") + key};
		return *fallback;
	}
	if (!it->is_string())
		throw BadRule{index, std::string(key) + " must be a string"};
	std::string s = it->get<std::string>();
	// The kernel's strings end at a NUL ("\u0000" in JSON): what follows
	// one would be silently dropped.
	if (s.find('\0') != std::string::npos)
		throw BadRule{index, std::string(key) + " holds a NUL byte"};
	return s;
}

ktftpd_rule_match match_field(const nlohmann::json &j, int index)
{
	auto it = j.find("match");
	if (it == j.end())
		throw BadRule{index, "needs a match: " + match_list()};
	if (it->is_string())
		for (const auto &[kind, name] : match_names)
			if (it->get<std::string>() == name)
				return kind;
	throw BadRule{index, "match must be " + match_list()};
}

unsigned flags_field(const nlohmann::json &j, int index)
{
	auto it = j.find("flags");
	if (it == j.end())
		return 0;
	std::string known = "(known: " + flag_list() + ")";
	if (!it->is_array())
		throw BadRule{index, "flags must be a list of flag names " + known};
	unsigned flags = 0;
	for (const auto &f : *it) {
		if (!f.is_string())
			throw BadRule{index, "flags must be a list of flag names " + known};
		unsigned bit = 0;
		for (const auto &[b, name] : flag_names)
			if (f.get<std::string>() == name)
				bit = b;
		if (!bit)
			throw BadRule{index, "unknown flag '" + f.get<std::string>() + "' " + known};
		if (flags & bit)
			throw BadRule{index, "flag '" + f.get<std::string>() + "' given twice"};
		flags |= bit;
	}
	return flags;
}

Rule rule_from_json(const nlohmann::json &j, int index)
{
	if (!j.is_object())
		throw BadRule{index, "must be an object: {\"match\", \"pattern\", \"replace\", \"flags\"}"};
	for (const auto &item : j.items())
		if (std::find(std::begin(rule_keys), std::end(rule_keys), item.key()) ==
		    std::end(rule_keys))
			throw BadRule{index, "unknown key '" + item.key() + "' (known: " +
						     key_list() + ")"};
	Rule r;
	r.match = match_field(j, index);
	r.pattern = text_field(j, "pattern", index, std::nullopt);
	r.replace = text_field(j, "replace", index, "");
	r.flags = flags_field(j, index);
	// The kernel's own checker: lengths, escapes, a glob's last backslash.
	const tftp_rule check = {
		.match = static_cast<u8>(r.match),
		.flags = static_cast<u8>(r.flags),
		.pattern = r.pattern.c_str(),
		.replace = r.replace.c_str(),
	};
	if (const char *why = tftp_rule_check(&check))
		throw BadRule{index, why};
	return r;
}

// @s between quotes, one line whatever it holds (see rule_text()).
std::string in_quotes(std::string_view s)
{
	static const char hex[] = "0123456789abcdef";
	std::string out = "\"";
	for (unsigned char c : s) {
		if (c == '"') {
			out += "\\\"";
		} else if (c < 0x20 || c == 0x7f) {
			out += "\\u00";
			out += hex[c >> 4];
			out += hex[c & 15];
		} else {
			out += static_cast<char>(c);
		}
	}
	return out + "\"";
}

} // namespace

std::vector<Rule> rules_from_json(const nlohmann::json &value)
{
	if (!value.is_array())
		throw BadRule{-1, "must be a list of rule objects ([] for none)"};
	std::vector<Rule> rules;
	for (const auto &j : value) {
		int index = static_cast<int>(rules.size());
		if (index == KTFTPD_RULES_MAX)
			throw BadRule{index, "more than " + std::to_string(KTFTPD_RULES_MAX) +
						     " rules (the most a config holds)"};
		rules.push_back(rule_from_json(j, index));
	}
	return rules;
}

nlohmann::ordered_json rule_to_json(const Rule &rule)
{
	nlohmann::ordered_json flags = nlohmann::ordered_json::array();
	for (const auto &[bit, name] : flag_names)
		if (rule.flags & bit)
			flags.push_back(name);
	return {
		{"match", match_name(rule.match)},
		{"pattern", rule.pattern},
		{"replace", rule.replace},
		{"flags", flags},
	};
}

nlohmann::ordered_json rules_to_json(const std::vector<Rule> &rules)
{
	nlohmann::ordered_json j = nlohmann::ordered_json::array();
	for (const auto &r : rules)
		j.push_back(rule_to_json(r));
	return j;
}

std::string rule_text(const Rule &rule)
{
	std::string text = match_name(rule.match) + ' ' + in_quotes(rule.pattern);
	if (rule.flags & KTFTPD_RULE_F_REFUSE)
		text += " refuse";
	else
		text += " -> " + in_quotes(rule.replace);
	std::string others;
	for (const auto &[bit, name] : flag_names)
		if ((rule.flags & bit) && bit != KTFTPD_RULE_F_REFUSE)
			others += (others.empty() ? "" : " ") + std::string(name);
	return others.empty() ? text : text + " [" + others + "]";
}

} // namespace ktftpd
