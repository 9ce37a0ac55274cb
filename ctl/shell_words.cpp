// SPDX-License-Identifier: GPL-2.0
#include "shell_words.hpp"

#include <stdexcept>

namespace ktftpd {
namespace {

bool blank(char c)
{
	return c == ' ' || c == '\t';
}

bool name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

[[noreturn]] void refuse(const std::string &why)
{
	throw std::invalid_argument(why);
}

// What the shell would do with @c outside quotes, if it is not text.
void refuse_unquoted(char c)
{
	switch (c) {
	case '$':
		refuse("a $ expansion: ktftpctl reads the file, it does not run it");
	case '`':
		refuse("a ` command substitution: ktftpctl reads the file, it does not run it");
	case ';': case '&': case '|': case '<': case '>': case '(': case ')':
		refuse(std::string("a '") + c + "' (more than one assignment or a command on the line)");
	default:
		break;
	}
}

// The value from @i on: words in any mix of '...', "..." and unquoted
// text with \ escapes, up to a blank.
std::string read_value(std::string_view line, std::size_t &i)
{
	std::string value;
	// A ~ at the start of an assignment's value is the home directory.
	if (i < line.size() && line[i] == '~')
		refuse("a ~ (home directory) expansion");
	while (i < line.size() && !blank(line[i])) {
		char c = line[i++];
		if (c == '\'') {
			auto end = line.find('\'', i);
			if (end == std::string_view::npos)
				refuse("an unterminated ' quote (a value spread over lines is not taken)");
			value += line.substr(i, end - i);
			i = end + 1;
		} else if (c == '"') {
			for (;;) {
				if (i >= line.size())
					refuse("an unterminated \" quote (a value spread over lines is not taken)");
				char d = line[i++];
				if (d == '"')
					break;
				if (d == '$' || d == '`')
					refuse(std::string("a ") + d +
					       " expansion inside \"...\": ktftpctl reads the file, it "
					       "does not run it");
				// In "...", \ escapes only $ ` " \ (and a newline).
				if (d == '\\' && i < line.size() &&
				    std::string_view("$`\"\\").find(line[i]) != std::string_view::npos)
					d = line[i++];
				else if (d == '\\' && i >= line.size())
					refuse("a \\ at the end of the line (a continued line is not taken)");
				value += d;
			}
		} else if (c == '\\') {
			if (i >= line.size())
				refuse("a \\ at the end of the line (a continued line is not taken)");
			value += line[i++];
		} else {
			refuse_unquoted(c);
			value += c;
		}
	}
	return value;
}

} // namespace

std::optional<ShellAssignment> parse_shell_assignment(std::string_view line)
{
	std::size_t i = 0;
	while (i < line.size() && blank(line[i]))
		i++;
	if (i == line.size() || line[i] == '#')
		return std::nullopt;
	if (line.substr(i, 7) == "export " || line.substr(i, 7) == "export\t") {
		i += 7;
		while (i < line.size() && blank(line[i]))
			i++;
	}
	std::size_t start = i;
	if (i == line.size() || !name_start(line[i]))
		refuse("not a NAME=VALUE assignment");
	while (i < line.size() && name_char(line[i]))
		i++;
	if (i == line.size() || line[i] != '=')
		refuse("not a NAME=VALUE assignment");
	ShellAssignment a{std::string(line.substr(start, i - start)), {}};
	i++;
	a.value = read_value(line, i);
	while (i < line.size() && blank(line[i]))
		i++;
	if (i < line.size() && line[i] != '#')
		refuse("more than one word after '=' (quote the value: the shell would run "
		       "the rest as a command)");
	return a;
}

std::vector<std::string> shell_fields(std::string_view value)
{
	std::vector<std::string> fields;
	std::string field;
	for (char c : value) {
		if (blank(c) || c == '\n') {
			if (!field.empty())
				fields.push_back(field);
			field.clear();
		} else {
			field += c;
		}
	}
	if (!field.empty())
		fields.push_back(field);
	return fields;
}

} // namespace ktftpd
