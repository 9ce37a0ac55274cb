// SPDX-License-Identifier: GPL-2.0
// A shell-variable file (/etc/default/tftpd-hpa) read the way the shell
// that sources it would, without running anything: NAME=VALUE lines with
// the shell's quoting.  What only running the shell could tell (an
// expansion, a command, a value continued on the next line) is refused,
// never guessed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ktftpd {

struct ShellAssignment {
	std::string name;
	std::string value;	// quotes removed, as the variable holds it
};

// One line: nullopt for a blank or comment line.  Throws
// std::invalid_argument saying what it cannot take ("a $ expansion ...").
std::optional<ShellAssignment> parse_shell_assignment(std::string_view line);

// The fields an unquoted $VAR expands to: @value split on blanks, with no
// quote removal (quotes inside a variable are plain characters).
std::vector<std::string> shell_fields(std::string_view value);

} // namespace ktftpd
