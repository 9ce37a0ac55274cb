// SPDX-License-Identifier: GPL-2.0
// A tftpd-hpa map file (in.tftpd --map-file) as ktftpd's filename rules.
// Each line "OPS REGEX [REPLACEMENT]" in one of the common forms becomes a
// rule (exact, prefix or glob), or one of ktftpd's switches (a \ to /
// conversion is backslash_to_slash, lowercasing every name
// case_insensitive); a line a rule cannot say is refused, naming the line
// and why.  Notes say where the translation is not word for word.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

namespace ktftpd {

struct MapTranslation {
	std::vector<Rule> rules;
	bool converts_backslashes = false;	// backslash_to_slash
	bool folds_case = false;		// case_insensitive
	std::vector<std::string> notes;		// "FILE:LINE: ..."
};

// @text, named @name in messages.  Throws ConfigError(@name, line, "", why).
MapTranslation translate_map_file(std::string_view text, const std::string &name);

} // namespace ktftpd
