// SPDX-License-Identifier: GPL-2.0
#include "hpa_regex.hpp"

#include <cctype>
#include <stdexcept>

namespace ktftpd {
namespace {

[[noreturn]] void refuse(const std::string &why)
{
	throw std::invalid_argument(why);
}

// The inside of the bracket expression that opens at @text[i], and the
// index after its ']'.  A ']' first (after an optional ^) is a member.
std::string bracket(std::string_view text, std::size_t &i)
{
	std::size_t j = i + 1;
	if (j < text.size() && text[j] == '^')
		j++;
	if (j < text.size() && text[j] == ']')
		j++;
	for (; j < text.size() && text[j] != ']'; j++)
		if (text[j] == '[' && j + 1 < text.size() &&
		    (text[j + 1] == ':' || text[j + 1] == '.' || text[j + 1] == '='))
			refuse("a character class or collating element ([:alpha:], [.a.], [=a=]): "
			       "ktftpd's glob has ranges such as [A-Z] only");
	if (j >= text.size())
		refuse("an unterminated [");
	std::string inside(text.substr(i + 1, j - i - 1));
	i = j + 1;
	return inside;
}

} // namespace

SimpleRegex parse_simple_regex(std::string_view text)
{
	SimpleRegex re;
	std::size_t i = 0;
	bool in_group = false, after_group = false;
	std::size_t group_first = 0;
	if (!text.empty() && text[0] == '^') {
		re.anchored_start = true;
		i = 1;
	}
	while (i < text.size()) {
		char c = text[i];
		bool closes_group = false;
		switch (c) {
		case '$':
			if (i + 1 != text.size())
				refuse("a $ anchor in the middle of the regex");
			if (in_group)
				refuse("a $ anchor inside a group");
			re.anchored_end = true;
			i++;
			break;
		case '^':
			refuse("a ^ anchor in the middle of the regex");
		case '|':
			refuse("an alternation (|): a ktftpd rule has one pattern");
		case '+': case '?': case '{':
			refuse(std::string("a repetition (") + c + "): ktftpd's glob repeats with * (.*) only");
		case '*':
			if (after_group)
				refuse("a repetition (*) of a group");
			if (re.pieces.empty() || re.pieces.back().kind != RegexPiece::Kind::any ||
			    (in_group && re.pieces.size() == group_first))
				refuse("a repetition (*) of something other than '.': ktftpd's glob has "
				       "* (any run) only");
			re.pieces.back().kind = RegexPiece::Kind::any_run;
			i++;
			break;
		case '(':
			if (in_group)
				refuse("a nested group");
			in_group = true;
			group_first = re.pieces.size();
			i++;
			break;
		case ')':
			if (!in_group)
				refuse("an unbalanced )");
			if (re.pieces.size() == group_first)
				refuse("an empty group ()");
			re.groups.push_back({group_first, re.pieces.size()});
			in_group = false;
			closes_group = true;
			i++;
			break;
		case '[':
			re.pieces.push_back({RegexPiece::Kind::bracket, 0, bracket(text, i)});
			break;
		case '.':
			re.pieces.push_back({RegexPiece::Kind::any, 0, {}});
			i++;
			break;
		case '\\': {
			if (i + 1 >= text.size())
				refuse("a \\ at the end of the regex");
			char d = text[i + 1];
			if (std::isdigit(static_cast<unsigned char>(d)))
				refuse(std::string("a backreference (\\") + d + ") in the regex");
			if (std::isalpha(static_cast<unsigned char>(d)))
				refuse(std::string("the escape \\") + d +
				       " (a word or space class, or a word boundary, in GNU regex)");
			re.pieces.push_back({RegexPiece::Kind::literal, d, {}});
			i += 2;
			break;
		}
		default:
			re.pieces.push_back({RegexPiece::Kind::literal, c, {}});
			i++;
			break;
		}
		after_group = closes_group;
	}
	if (in_group)
		refuse("an unterminated group (");
	return re;
}

} // namespace ktftpd
