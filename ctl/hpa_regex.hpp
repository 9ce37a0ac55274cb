// SPDX-License-Identifier: GPL-2.0
// The part of POSIX extended regular expressions (regex(7)) that
// tftpd-hpa map files use in practice and that ktftpd's filename rules can
// say: ^ and $ at the ends, literal characters, '.', '.*', bracket
// expressions, and groups of those.  Anything else (an alternation, a
// repetition other than .*, a nested group, a backreference) is refused,
// saying what it is.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ktftpd {

struct RegexPiece {
	enum class Kind {
		literal,	// c
		any,		// .
		any_run,	// .*
		bracket,	// [...]: its inside in text, brackets left out
	} kind = Kind::literal;
	char c = 0;
	std::string text;
};

// A parenthesized group: pieces [first, last).  \1 is the first group.
struct RegexGroup {
	std::size_t first = 0;
	std::size_t last = 0;
};

struct SimpleRegex {
	bool anchored_start = false;	// ^
	bool anchored_end = false;	// $
	std::vector<RegexPiece> pieces;
	std::vector<RegexGroup> groups;
};

// Throws std::invalid_argument saying what in @text is not taken.
SimpleRegex parse_simple_regex(std::string_view text);

} // namespace ktftpd
