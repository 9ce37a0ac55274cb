// SPDX-License-Identifier: GPL-2.0
#include "hpa_map.hpp"

#include <cctype>
#include <functional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "hpa_regex.hpp"
#include "rewrite.h"

namespace ktftpd {
namespace {

// Why a line cannot be translated; the caller names the line.
struct Untranslatable {
	std::string why;
};

[[noreturn]] void refuse(const std::string &why)
{
	throw Untranslatable{why};
}

// A line's operation letters (tftpd-hpa's remap.c), those a rule can say.
struct Ops {
	bool rewrite = false;	// r
	bool global = false;	// g
	bool exit = false;	// e: the rule's stop flag
	bool abort = false;	// a: its refuse flag
	bool nocase = false;	// i
};

Ops parse_ops(const std::string &letters)
{
	Ops o;
	for (char c : letters) {
		switch (c) {
		case 'r': o.rewrite = true; break;
		case 'g': o.global = true; break;
		case 'e': o.exit = true; break;
		case 'a': o.abort = true; break;
		case 'i': o.nocase = true; break;
		case 's':
			refuse("s (start again from the first rule): ktftpd applies each rule once, in order");
		case '~':
			refuse("~ (apply when the regex does not match): a ktftpd rule applies on a match");
		case '4': case '6':
			refuse(std::string(1, c) + " (IPv" + c + " clients only): ktftpd's rules apply to "
			       "every client");
		case 'G': case 'P':
			refuse(std::string(1, c) + (c == 'G' ? " (reads only)" : " (writes only)") +
			       ": ktftpd's rules apply to reads and writes alike");
		case 'E':
			refuse("E (end if the result names a file): a ktftpd rule cannot test for a file");
		case 'j':
			refuse("j (jump to a label): ktftpd's rules run in order");
		default:
			refuse(std::string("unknown operation '") + c + "'");
		}
	}
	if (o.abort && (o.rewrite || o.exit))
		refuse(std::string("a with ") + (o.rewrite ? "r" : "e") +
		       ": tftpd-hpa refuses that combination too");
	return o;
}

// tftpd-hpa's readescstring(): a token runs to an unescaped blank or '#',
// which ends the line; a backslash stays in the token, with what it
// escapes.  There is no quoting.
std::vector<std::string> tokens(std::string_view line)
{
	std::vector<std::string> out;
	std::size_t i = 0;
	auto space = [&](std::size_t at) { return std::isspace(static_cast<unsigned char>(line[at])); };
	for (;;) {
		while (i < line.size() && space(i))
			i++;
		if (i == line.size() || line[i] == '#')
			return out;
		std::string t;
		bool escaped = false;
		while (i < line.size() && (escaped || !(space(i) || line[i] == '#'))) {
			escaped = !escaped && line[i] == '\\';
			t += line[i++];
		}
		out.push_back(t);
	}
}

// One element of a replacement, as tftpd-hpa's genmatchstring() reads it.
struct Item {
	enum class Kind { text, ref, ip, hex, case_conversion } kind;
	char c = 0;	// text: the character; ref: the group, 0..9
};

std::vector<Item> parse_replacement(const std::string &s)
{
	std::vector<Item> items;
	for (std::size_t i = 0; i < s.size(); i++) {
		if (s[i] != '\\') {
			items.push_back({Item::Kind::text, s[i]});
			continue;
		}
		if (i + 1 == s.size()) {		// a lone one at the end is itself
			items.push_back({Item::Kind::text, '\\'});
			break;
		}
		char d = s[++i];
		if (d >= '0' && d <= '9')
			items.push_back({Item::Kind::ref, static_cast<char>(d - '0')});
		else if (d == 'i')
			items.push_back({Item::Kind::ip, 0});
		else if (d == 'x')
			items.push_back({Item::Kind::hex, 0});
		else if (d == 'L' || d == 'U' || d == 'E')
			items.push_back({Item::Kind::case_conversion, d});
		else	// \\ and any unknown escape: the character (remap.c drops the \)
			items.push_back({Item::Kind::text, d});
	}
	return items;
}

// @items as a ktftpd replacement, each \N as @ref says (it may refuse).
std::string expand(const std::vector<Item> &items, const std::function<std::string(int)> &ref)
{
	std::string out;
	for (const auto &it : items) {
		switch (it.kind) {
		case Item::Kind::text:
			out += it.c == '\\' ? std::string("\\\\") : std::string(1, it.c);
			break;
		case Item::Kind::ref:
			out += ref(it.c);
			break;
		case Item::Kind::ip:
			out += "\\i";
			break;
		case Item::Kind::hex:
			out += "\\x";
			break;
		case Item::Kind::case_conversion:
			refuse("case conversion (\\L, \\U, \\E) of part of a name: ktftpd can look a "
			       "whole name up ignoring case (case_insensitive), no more");
		}
	}
	return out;
}

// The text of pieces [first, last) if they are all literal; an unescaped
// '.' counts as a dot, and sets @dots.
bool literal_text(const SimpleRegex &re, std::size_t first, std::size_t last, std::string &text,
		  bool &dots)
{
	text.clear();
	for (std::size_t i = first; i < last; i++) {
		const auto &p = re.pieces[i];
		if (p.kind == RegexPiece::Kind::literal) {
			text += p.c;
		} else if (p.kind == RegexPiece::Kind::any) {
			text += '.';
			dots = true;
		} else {
			return false;
		}
	}
	return true;
}

std::string glob_text(const SimpleRegex &re)
{
	std::string g;
	for (const auto &p : re.pieces) {
		switch (p.kind) {
		case RegexPiece::Kind::literal:
			if (p.c == '*' || p.c == '?' || p.c == '[' || p.c == '\\')
				g += '\\';
			g += p.c;
			break;
		case RegexPiece::Kind::any:
			g += '?';
			break;
		case RegexPiece::Kind::any_run:
			g += '*';
			break;
		case RegexPiece::Kind::bracket:
			g += "[" + p.text + "]";
			break;
		}
	}
	return g;
}

// ktftpd strips a name's leading slashes before the rules (strip_slashes):
// drop them from an anchored pattern.  True if there were any.
bool drop_leading_slashes(SimpleRegex &re)
{
	std::size_t k = 0;
	while (k < re.pieces.size() && re.pieces[k].kind == RegexPiece::Kind::literal &&
	       re.pieces[k].c == '/')
		k++;
	if (k == 0)
		return false;
	for (auto &g : re.groups) {
		if (g.first < k)
			refuse("a group that holds the leading '/': ktftpd strips leading slashes "
			       "before the rules");
		g.first -= k;
		g.last -= k;
	}
	re.pieces.erase(re.pieces.begin(), re.pieces.begin() + static_cast<std::ptrdiff_t>(k));
	return true;
}

// The number (1..) of a group that spans the whole pattern, or 0.
int whole_group(const SimpleRegex &re)
{
	for (std::size_t i = 0; i < re.groups.size(); i++)
		if (re.groups[i].first == 0 && re.groups[i].last == re.pieces.size())
			return static_cast<int>(i + 1);
	return 0;
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

// Lowercasing (or uppercasing) every name, as map files write it: the
// whole name, or every letter with g.
bool folds_case(const Ops &ops, const std::string &regex, std::string replace)
{
	if (replace.size() >= 2 && replace.compare(replace.size() - 2, 2, "\\E") == 0)
		replace.resize(replace.size() - 2);
	bool lower = replace == "\\L\\0" || replace == "\\L\\1";
	bool upper = replace == "\\U\\0" || replace == "\\U\\1";
	if (!lower && !upper)
		return false;
	bool group = replace.back() == '1';
	static const char *const whole[] = {"^.*$", ".*", "^.*", ".*$"};
	static const char *const whole_grouped[] = {"^(.*)$", "(.*)", "^(.*)", "(.*)$"};
	for (const char *w : group ? whole_grouped : whole)
		if (regex == w)
			return true;
	if (!ops.global)
		return false;
	const std::string letters = lower ? "[A-Z]" : "[a-z]";
	const std::string named = lower ? "[[:upper:]]" : "[[:lower:]]";
	for (const std::string &set : {letters, named})
		for (const std::string &form : {set, set + "+"})
			if (regex == (group ? "(" + form + ")" : form))
				return true;
	return false;
}

constexpr const char *empty_name =
	"matches an empty name only, which ktftpd refuses before the rules: left out";

constexpr const char *slash_dropped =
	"the pattern's leading / is left out: ktftpd strips a name's leading slashes before "
	"the rules (strip_slashes), so the rule also matches the name written without one";

// Does the replacement say \x (not \\ and an x)?
bool says_hex(const std::string &replace)
{
	for (std::size_t i = 0; i + 1 < replace.size(); i++)
		if (replace[i] == '\\' && replace[++i] == 'x')
			return true;
	return false;
}

// Does @r's pattern hold a literal backslash?
bool matches_backslash(const Rule &r)
{
	if (r.match != KTFTPD_MATCH_GLOB)
		return r.pattern.find('\\') != std::string::npos;
	for (std::size_t i = 0; i + 1 < r.pattern.size(); i++)
		if (r.pattern[i] == '\\' && r.pattern[++i] == '\\')
			return true;
	return false;
}

class Translator {
public:
	explicit Translator(const std::string &name) : name_(name) {}

	void translate(int number, const std::vector<std::string> &t);
	MapTranslation result();

private:
	void note(const std::string &text) { out_.notes.push_back(where() + text); }
	std::string where() const { return name_ + ":" + std::to_string(line_) + ": "; }
	void rewrite(const Ops &ops, const std::string &regex, const std::string &replace);
	void match_only(const Ops &ops, const std::string &regex, bool has_replace);
	void add(Rule r, bool dots);
	std::string group_text(const SimpleRegex &re, int n, bool nocase);

	std::string name_;
	int line_ = 0;
	int backslash_line_ = 0;	// the line that converts \ to /
	bool fold_seen_ = false;	// a line folded case: later ones match ignoring it
	MapTranslation out_;
	std::vector<int> rule_lines_;
};

SimpleRegex parse(const std::string &regex)
{
	try {
		return parse_simple_regex(regex);
	} catch (const std::invalid_argument &e) {
		refuse(e.what());
	}
}

void Translator::translate(int number, const std::vector<std::string> &t)
{
	line_ = number;
	if (t[0][0] == ':')
		refuse("a label (:NAME): ktftpd's rules have no jumps");
	Ops ops = parse_ops(t[0]);
	if (t.size() < 2)
		refuse("no regex after the operation");
	if (t.size() > 3)
		refuse("more than OPERATION REGEX REPLACEMENT: tftpd-hpa ignores the rest ('" + t[3] +
		       "'); remove it, or write a blank in the replacement as \\ and the blank");
	std::string replace = t.size() == 3 ? t[2] : "";
	if (replace == "\"\"")
		refuse("the replacement \"\" is two quote characters to tftpd-hpa (a map file has "
		       "no quoting): leave it out for an empty one");
	if (!valid_utf8(t[1]) || !valid_utf8(replace))
		refuse("not UTF-8: ktftpd's config file is JSON");
	if (ops.rewrite)
		rewrite(ops, t[1], replace);
	else
		match_only(ops, t[1], t.size() == 3);
}

// The literal text of group @n of a pattern that is all literal, for a
// replacement that names part of an exact name or prefix.
std::string Translator::group_text(const SimpleRegex &re, int n, bool nocase)
{
	if (n > static_cast<int>(re.groups.size()))
		refuse("\\" + std::to_string(n) + " names no group of the regex");
	if (nocase)
		refuse("\\" + std::to_string(n) + " (part of a name matched ignoring case) in the "
		       "replacement: a ktftpd rule's \\0 is the whole match only");
	std::string text;
	bool dots = false;
	literal_text(re, re.groups[n - 1].first, re.groups[n - 1].last, text, dots);
	std::string escaped;
	for (char c : text)
		escaped += c == '\\' ? std::string("\\\\") : std::string(1, c);
	return escaped;
}

void Translator::rewrite(const Ops &ops, const std::string &regex, const std::string &replace)
{
	if (ops.global && regex == "\\\\" && replace == "/") {
		if (ops.exit)
			refuse("e on the \\ to / line: ktftpd does that with backslash_to_slash, before "
			       "every rule, so the rules after it would still apply");
		out_.converts_backslashes = true;
		backslash_line_ = line_;
		note("\\ to / is backslash_to_slash (on by default), applied before every rule" +
		     std::string(out_.rules.empty() ? "" : ", not only the ones after this line"));
		return;
	}
	if (folds_case(ops, regex, replace)) {
		if (ops.exit)
			refuse("e on a line that folds case: ktftpd does that with case_insensitive, "
			       "which is not a rule, so the rules after it would still apply");
		out_.folds_case = true;
		fold_seen_ = true;
		note("changing every name's case is case_insensitive here: ktftpd looks the name "
		     "up as sent, and only when it is missing, ignoring case (Boot/BCD and "
		     "boot/bcd both find boot/bcd); the rules after this line match ignoring case, "
		     "as they saw names of one case");
		return;
	}
	if (ops.global)
		refuse("g (repeat while it matches) on a pattern other than \\\\ to /: a ktftpd rule "
		       "applies once");
	SimpleRegex re = parse(regex);
	if (!re.anchored_start)
		refuse("no ^: tftpd-hpa replaces the first match anywhere in the name, and a ktftpd "
		       "rule matches from the name's start");
	bool dropped = drop_leading_slashes(re);
	if (dropped && !re.pieces.empty())
		note(slash_dropped);
	// A final .* runs to the end: as good as $.
	if (!re.pieces.empty() && re.pieces.back().kind == RegexPiece::Kind::any_run)
		re.anchored_end = true;
	auto items = parse_replacement(replace);
	Rule r;
	r.flags = (ops.nocase || fold_seen_ ? KTFTPD_RULE_F_NOCASE : 0) |
		  (ops.exit ? KTFTPD_RULE_F_STOP : 0);
	bool nocase = r.flags & KTFTPD_RULE_F_NOCASE;
	std::string lit;
	bool dots = false;

	if (re.pieces.empty() && re.anchored_end) {
		note(empty_name);
		return;
	}
	if (re.pieces.empty()) {	// ^ or ^/: the start of every name
		bool adds = false;
		for (const auto &it : items)
			adds |= !(it.kind == Item::Kind::ref && it.c == 0);
		if (!adds) {
			note(dropped ? "stripping a leading / is strip_slashes (on by default), applied "
				       "before every rule"
				     : "does nothing (an empty match replaced by nothing)");
			return;
		}
		if (dropped)
			refuse("puts text in place of a leading '/', in the names that have one: "
			       "ktftpd strips leading slashes before the rules, so no rule can tell "
			       "those names apart");
		r.match = KTFTPD_MATCH_GLOB;
		r.pattern = "*";
		r.replace = expand(items, [](int n) -> std::string {
			if (n != 0)
				refuse("\\" + std::to_string(n) + " names no group of the regex");
			return "";	// the empty match at the start
		}) + "\\0";
		return add(r, false);
	}

	// ^LITERAL(.*)$ with a replacement ending in that group: a prefix
	// rule, which keeps the rest of the name.
	const RegexGroup *tail = re.groups.empty() ? nullptr : &re.groups.back();
	int tail_n = static_cast<int>(re.groups.size());
	if (re.anchored_end && tail && tail->last == re.pieces.size() && tail->first > 0 &&
	    tail->last - tail->first == 1 && re.pieces[tail->first].kind == RegexPiece::Kind::any_run &&
	    literal_text(re, 0, tail->first, lit, dots)) {
		int uses = 0;
		for (const auto &it : items)
			uses += it.kind == Item::Kind::ref && it.c == tail_n;
		if (uses > 0) {
			const Item &last = items.back();
			if (uses > 1 || last.kind != Item::Kind::ref || last.c != tail_n)
				refuse("\\" + std::to_string(tail_n) + ", the rest of the name, is not at "
				       "the end of the replacement: a prefix rule keeps the rest of the "
				       "name after its replacement");
			r.match = KTFTPD_MATCH_PREFIX;
			r.pattern = lit;
			std::vector<Item> head(items.begin(), items.end() - 1);
			r.replace = expand(head, [&](int n) -> std::string {
				if (n == 0)
					refuse("\\0 is the whole name here, and a prefix rule's \\0 is "
					       "the prefix alone");
				return group_text(re, n, nocase);
			});
			return add(r, dots);
		}
	}

	int whole = whole_group(re);
	auto whole_or_refuse = [&](int n) -> std::string {
		if (n == 0 || n == whole)
			return "\\0";
		if (n > static_cast<int>(re.groups.size()))
			refuse("\\" + std::to_string(n) + " names no group of the regex");
		refuse("a backreference (\\" + std::to_string(n) + ") to part of the name: a ktftpd "
		       "glob's replacement has \\0, the whole name, and no parts");
	};
	if (literal_text(re, 0, re.pieces.size(), lit, dots)) {
		// The whole name (exact), or its beginning (prefix); any group
		// of it is known text.
		r.match = re.anchored_end ? KTFTPD_MATCH_EXACT : KTFTPD_MATCH_PREFIX;
		r.pattern = lit;
		r.replace = expand(items, [&](int n) -> std::string {
			return n == 0 || n == whole ? "\\0" : group_text(re, n, nocase);
		});
		return add(r, dots);
	}
	if (!re.anchored_end)
		refuse("wildcards and no $ (or final .*): tftpd-hpa keeps the rest of the name "
		       "after the match, which a ktftpd glob cannot");
	r.match = KTFTPD_MATCH_GLOB;
	r.pattern = glob_text(re);
	r.replace = expand(items, whole_or_refuse);
	add(r, false);
}

// A line that matches without rewriting: a (refuse) or e (stop).
void Translator::match_only(const Ops &ops, const std::string &regex, bool has_replace)
{
	if (!ops.abort && !ops.exit) {
		note("does nothing (no r, a or e): left out");
		return;
	}
	if (ops.global)
		note("g without r: tftpd-hpa ignores it too");
	if (has_replace)
		note("the replacement is not used without r: left out");
	SimpleRegex re = parse(regex);
	bool dropped = re.anchored_start && drop_leading_slashes(re);
	if (dropped && !re.pieces.empty())
		note(slash_dropped);
	if (!re.pieces.empty() && re.pieces.back().kind == RegexPiece::Kind::any_run)
		re.anchored_end = true;
	Rule r;
	r.flags = (ops.nocase || fold_seen_ ? KTFTPD_RULE_F_NOCASE : 0) |
		  (ops.exit ? KTFTPD_RULE_F_STOP : 0) | (ops.abort ? KTFTPD_RULE_F_REFUSE : 0);
	r.replace = ops.abort ? "" : "\\0";	// e alone: the name as it is
	std::string lit;
	bool dots = false;
	if (re.pieces.empty() && re.anchored_start && re.anchored_end && !dropped) {
		note(empty_name);
		return;
	}
	if (re.pieces.empty()) {
		if (dropped)
			refuse("matches the names that begin with '/': ktftpd strips leading slashes "
			       "before the rules, so no rule can tell them apart");
		r.match = KTFTPD_MATCH_GLOB;
		r.pattern = "*";
	} else if (re.anchored_start && literal_text(re, 0, re.pieces.size(), lit, dots)) {
		r.match = re.anchored_end ? KTFTPD_MATCH_EXACT : KTFTPD_MATCH_PREFIX;
		r.pattern = lit;
	} else {
		r.match = KTFTPD_MATCH_GLOB;
		r.pattern = (re.anchored_start ? "" : "*") + glob_text(re) + (re.anchored_end ? "" : "*");
	}
	add(r, dots);
}

void Translator::add(Rule r, bool dots)
{
	if (dots)
		note("'.' taken as a dot: tftpd-hpa's '.' matched any character there (write \\. "
		     "in the map file to say a dot)");
	if (says_hex(r.replace))
		note("\\x is the client's IPv4 address in hex: for an IPv6 client ktftpd's rule "
		     "does not apply (tftpd-hpa wrote 32 hex digits)");
	if (out_.rules.size() == KTFTPD_RULES_MAX)
		refuse("more than " + std::to_string(KTFTPD_RULES_MAX) + " rules (the most a config holds)");
	const tftp_rule check = {
		.match = static_cast<u8>(r.match),
		.flags = static_cast<u8>(r.flags),
		.pattern = r.pattern.c_str(),
		.replace = r.replace.c_str(),
	};
	if (const char *why = tftp_rule_check(&check))
		refuse(std::string("the rule it makes is not valid: ") + why);
	out_.rules.push_back(std::move(r));
	rule_lines_.push_back(line_);
}

MapTranslation Translator::result()
{
	// With \ read as / before the rules, a rule that matches a \ never
	// applies.
	if (out_.converts_backslashes)
		for (std::size_t i = 0; i < out_.rules.size(); i++)
			if (matches_backslash(out_.rules[i]))
				throw ConfigError(name_, rule_lines_[i], "",
						  "matches a \\, which never reaches the rules: line " +
							  std::to_string(backslash_line_) +
							  " converts \\ to /, and ktftpd does that before "
							  "any rule");
	return out_;
}

} // namespace

MapTranslation translate_map_file(std::string_view text, const std::string &name)
{
	Translator t(name);
	int number = 0;
	std::size_t start = 0;
	while (start < text.size()) {
		std::size_t end = text.find('\n', start);
		if (end == std::string_view::npos)
			end = text.size();
		// remap.c's read_line() drops CR and NUL bytes.
		std::string line;
		for (char c : text.substr(start, end - start))
			if (c != '\r' && c != '\0')
				line += c;
		start = end + 1;
		number++;
		auto toks = tokens(line);
		if (toks.empty())
			continue;
		try {
			t.translate(number, toks);
		} catch (const Untranslatable &u) {
			throw ConfigError(name, number, "", u.why);
		}
	}
	return t.result();
}

} // namespace ktftpd
