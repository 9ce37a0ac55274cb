// SPDX-License-Identifier: GPL-2.0
// Filename rules as people write and read them: the config file's
// objects ({"match", "pattern", "replace", "flags"}) and a one-line form
// for text output.  A rule is valid when the kernel's own checker
// (tftp_rule_check(), kernel/rewrite.c) says so, so ktftpctl refuses
// exactly what the kernel would.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model.hpp"

namespace ktftpd {

// Why a "rules" value is not one: the rule at fault (-1: the list itself).
struct BadRule {
	int index;
	std::string why;
};

// The "rules" value of a config file, in order.  Throws BadRule.
std::vector<Rule> rules_from_json(const nlohmann::json &value);
// The form rules_from_json() takes back.
nlohmann::ordered_json rule_to_json(const Rule &rule);
nlohmann::ordered_json rules_to_json(const std::vector<Rule> &rules);

// One line for people, as `config show` and `rewrite test` print a rule:
//   prefix "tftp:/198.18.0.1/" -> ""
//   glob "*" -> "hosts/\i/\0" [stop]
//   glob "*.key" refuse [nocase]
// The text between the quotes is the rule's own (its backslashes are its
// escapes); only a quote and control bytes are escaped, as \" and \u00XX.
std::string rule_text(const Rule &rule);

} // namespace ktftpd
