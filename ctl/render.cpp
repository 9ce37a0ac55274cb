// SPDX-License-Identifier: GPL-2.0
#include "render.hpp"

#include <iomanip>
#include <ostream>
#include <sstream>

#include "config.hpp"
#include "rules.hpp"

namespace ktftpd {
namespace {

// JSON text that cannot fail: a file name is whatever bytes a client sent,
// and a root set through the sysctl need not be UTF-8, so bytes that are
// not UTF-8 become U+FFFD instead of an exception that would end `monitor`.
std::string json_text(const nlohmann::ordered_json &j, bool pretty)
{
	return j.dump(pretty ? 2 : -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void dump(std::ostream &out, const nlohmann::ordered_json &j, const Output &o)
{
	out << json_text(j, o.pretty) << '\n';
}

// A client's file name (or an error text) for a terminal: control bytes
// would be the client's escape sequences on the operator's screen, so they
// (and the backslash, to stay unambiguous) are shown as \xNN.
std::string shown(std::string_view s)
{
	static const char hex[] = "0123456789abcdef";
	std::string out;
	for (unsigned char c : s) {
		if (c < 0x20 || c == 0x7f || c == '\\') {
			out += "\\x";
			out += hex[c >> 4];
			out += hex[c & 15];
		} else {
			out += static_cast<char>(c);
		}
	}
	return out;
}

// A transfer's file, and the name looked up for it when that differs.
std::string file_text(const Transfer &t)
{
	return shown(t.file) + (t.lookup ? " -> " + shown(*t.lookup) : "");
}

std::string seconds(std::uint64_t ms)
{
	std::ostringstream s;
	s << std::fixed << std::setprecision(1) << ms / 1000.0 << " s";
	return s.str();
}

std::string listen_text(const Config &cfg)
{
	if (!cfg.listen || cfg.listen->empty())
		return "all addresses";
	std::string s;
	for (const auto &a : *cfg.listen)
		s += (s.empty() ? "" : " ") + a;
	return s;
}

const char *tftp_error_name(unsigned code)
{
	static const char *const names[] = {
		"undefined", "file_not_found", "access_violation", "disk_full",
		"illegal_operation", "unknown_tid", "file_exists", "no_such_user",
		"option_refused",
	};
	return code < std::size(names) ? names[code] : "other";
}

void row(std::ostream &out, const std::string &key, const std::string &value)
{
	out << std::left << std::setw(11) << (key + ":") << value << '\n';
}

// One counter in the Prometheus text format.
// A label value in Prometheus' text format: \, " and newline escaped.
std::string label_value(const std::string &v)
{
	std::string out;
	for (char c : v) {
		if (c == '\\' || c == '"')
			out += '\\';
		if (c == '\n') {
			out += "\\n";
			continue;
		}
		out += c;
	}
	return out;
}

// The labels every sample carries ("" or "netns=\"A\""), and @more.
std::string labels(const Output &o, const std::string &more = "")
{
	std::string l = o.netns_label ? "netns=\"" + label_value(*o.netns_label) + "\"" : "";
	if (!more.empty())
		l += (l.empty() ? "" : ",") + more;
	return l.empty() ? "" : "{" + l + "}";
}

void metric(std::ostream &out, const Output &o, const char *name, const char *type,
	    const char *help, std::uint64_t value)
{
	out << "# HELP ktftpd_" << name << ' ' << help << '\n'
	    << "# TYPE ktftpd_" << name << ' ' << type << '\n'
	    << "ktftpd_" << name << labels(o) << ' ' << value << '\n';
}

// The counters of counters.h, in its order.
struct CounterName {
	ktftpd_counter id;
	const char *key;	// JSON key and text line
	const char *metric;	// Prometheus, after "ktftpd_"
	const char *help;
};

#define COUNTER_NAME(id, attr, key, metric, help) {KTFTPD_C_##id, key, metric, help},
constexpr CounterName counter_names[] = {KTFTPD_COUNTERS(COUNTER_NAME)};
#undef COUNTER_NAME
static_assert(std::size(counter_names) == KTFTPD_C_COUNT);

} // namespace

nlohmann::ordered_json to_json(const Stats &s)
{
	nlohmann::ordered_json errors = nlohmann::ordered_json::object();
	for (auto [code, n] : s.errors_sent)
		errors[std::to_string(code)] = n;
	nlohmann::ordered_json j = nlohmann::ordered_json::object();
	for (const auto &c : counter_names)
		j[c.key] = s[c.id];
	j["active"] = s.active;
	j["peak"] = s.peak;
	j["errors_sent"] = errors;
	return j;
}

nlohmann::ordered_json to_json(const Status &st)
{
	return {
		{"running", st.running},
		{"uptime_ms", st.uptime_ms},
		{"version", st.version},
		{"config", config_to_json(st.config)},
		{"stats", to_json(st.stats)},
	};
}

// The options a transfer asked for, by name, and the OACK's, with the
// value each was granted: what a firmware client asked and got.
struct OptionName {
	std::uint32_t bit;
	const char *name;
};
constexpr OptionName option_names[] = {
	{KTFTPD_OPT_BLKSIZE, "blksize"},
	{KTFTPD_OPT_TSIZE, "tsize"},
	{KTFTPD_OPT_TIMEOUT, "timeout"},
	{KTFTPD_OPT_WINDOWSIZE, "windowsize"},
};

nlohmann::ordered_json options_json(std::uint32_t bits)
{
	nlohmann::ordered_json j = nlohmann::ordered_json::array();
	for (const auto &o : option_names)
		if (bits & o.bit)
			j.push_back(o.name);
	return j;
}

nlohmann::ordered_json oack_json(const Transfer &t)
{
	if (!t.oack)
		return nullptr;
	nlohmann::ordered_json j = nlohmann::ordered_json::object();
	if (t.oack & KTFTPD_OPT_BLKSIZE)
		j["blksize"] = t.blksize;
	if ((t.oack & KTFTPD_OPT_TSIZE) && t.total)
		j["tsize"] = *t.total;
	if ((t.oack & KTFTPD_OPT_TIMEOUT) && t.timeout_s)
		j["timeout"] = *t.timeout_s;
	if (t.oack & KTFTPD_OPT_WINDOWSIZE)
		j["windowsize"] = t.windowsize;
	return j;
}

nlohmann::ordered_json to_json(const Transfer &t)
{
	nlohmann::ordered_json j = {
		{"id", t.id},
		{"peer", t.peer},
		{"port", t.port},
		{"file", t.file},
		{"direction", t.write ? "write" : "read"},
		{"bytes", t.bytes},
		{"total", nullptr},
		{"blksize", t.blksize},
		{"windowsize", t.windowsize},
		{"retransmits", t.retransmits},
		{"age_ms", t.age_ms},
		{"options", options_json(t.options)},
		{"oack", oack_json(t)},
	};
	if (t.total)
		j["total"] = *t.total;
	if (t.lookup)
		j["lookup"] = *t.lookup;
	return j;
}

nlohmann::ordered_json to_json(const Event &e)
{
	static const char *const kinds[] = {"start", "finish", "error"};
	nlohmann::ordered_json j = {
		{"event", kinds[static_cast<int>(e.kind)]},
		{"session", to_json(e.transfer)},	// the uapi's name: a stable key
	};
	if (e.error_code)
		j["error_code"] = *e.error_code;
	if (!e.error_msg.empty())
		j["error_message"] = e.error_msg;
	if (e.unconfirmed)
		j["unconfirmed"] = true;
	// Unix time in seconds, to the millisecond: how far apart a client's
	// requests came, which the transfers' own ages cannot tell.
	if (e.received) {
		auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
			e.received->time_since_epoch()).count();
		j["time"] = static_cast<double>(ms) / 1000.0;
	}
	return j;
}

void render_status(std::ostream &out, const Status &st, const Output &o)
{
	if (o.format == Format::json)
		return dump(out, to_json(st), o);
	const Config &c = st.config;
	const Stats &s = st.stats;
	row(out, "state", st.running ? "running, up " + seconds(st.uptime_ms) : "stopped");
	row(out, "version", st.version);
	row(out, "root", shown(c.root.value_or("?")));
	row(out, "port", std::to_string(c.params[KTFTPD_P_PORT].value_or(0)));
	row(out, "listen", listen_text(c));
	row(out, "sessions", std::to_string(s.active) + " active, " +
				     std::to_string(s.peak) + " peak");
	auto n = [&s](ktftpd_counter c) { return std::to_string(s[c]); };
	row(out, "transfers", n(KTFTPD_C_XFER_COMPLETED) + " completed, " +
				      n(KTFTPD_C_XFER_FAILED) + " failed, " +
				      n(KTFTPD_C_REFUSED_BUSY) + " refused busy");
	row(out, "sent", n(KTFTPD_C_BYTES_SENT) + " bytes, " + n(KTFTPD_C_PACKETS_SENT) +
				 " packets, " + n(KTFTPD_C_RETRANSMITS) + " retransmits (" +
				 n(KTFTPD_C_TIMEOUTS) + " on timeout)");
	row(out, "received", n(KTFTPD_C_BYTES_RECEIVED) + " bytes");
	row(out, "requests", n(KTFTPD_C_REQUESTS) + " (" + n(KTFTPD_C_RATE_LIMITED) +
				     " dropped by rate_limit)");
}

void render_stats(std::ostream &out, const Status &st, const Output &o)
{
	const Stats &s = st.stats;
	if (o.format == Format::json)
		return dump(out, to_json(s), o);
	if (o.format == Format::prometheus) {
		metric(out, o, "up", "gauge", "1 while the server is running.", st.running);
		for (const auto &c : counter_names)
			metric(out, o, c.metric, "counter", c.help, s[c.id]);
		metric(out, o, "sessions_active", "gauge", "Transfers in flight.", s.active);
		metric(out, o, "sessions_peak", "gauge", "Most transfers in flight at once.",
		       s.peak);
		out << "# HELP ktftpd_errors_sent_total TFTP ERROR packets sent, by code.\n"
		    << "# TYPE ktftpd_errors_sent_total counter\n";
		for (auto [code, n] : s.errors_sent)
			out << "ktftpd_errors_sent_total"
			    << labels(o, "code=\"" + std::to_string(code) + "\",name=\"" +
						 tftp_error_name(code) + "\"")
			    << ' ' << n << '\n';
		return;
	}
	auto line = [&out](const std::string &name, std::uint64_t v) {
		out << std::left << std::setw(22) << name << std::right << std::setw(14) << v
		    << '\n';
	};
	for (const auto &c : counter_names)
		line(c.key, s[c.id]);
	line("active", s.active);
	line("peak", s.peak);
	for (auto [code, n] : s.errors_sent)
		if (n)
			line("errors_sent." + std::string(tftp_error_name(code)), n);
}

void render_watch_break(std::ostream &out, const Output &o)
{
	if (o.format == Format::text)
		out << '\n';
}

void render_transfers(std::ostream &out, const std::vector<Transfer> &transfers, const Output &o)
{
	if (o.format == Format::json) {
		nlohmann::ordered_json j = nlohmann::ordered_json::array();
		for (const auto &t : transfers)
			j.push_back(to_json(t));
		return dump(out, j, o);
	}
	out << std::left << std::setw(6) << "ID" << std::setw(40) << "PEER" << std::setw(6)
	    << "DIR" << std::right << std::setw(12) << "BYTES" << std::setw(12) << "TOTAL"
	    << std::setw(8) << "BLKSIZE" << std::setw(7) << "WINDOW" << std::setw(8)
	    << "RETRANS" << std::setw(9) << "AGE" << "  FILE\n";
	for (const auto &t : transfers) {
		std::string peer = (t.peer.find(':') != std::string::npos ? "[" + t.peer + "]" : t.peer) +
				   ":" + std::to_string(t.port);
		out << std::left << std::setw(6) << t.id << std::setw(40) << peer << std::setw(6)
		    << (t.write ? "write" : "read") << std::right << std::setw(12) << t.bytes
		    << std::setw(12) << (t.total ? std::to_string(*t.total) : "-")
		    << std::setw(8) << t.blksize << std::setw(7) << t.windowsize << std::setw(8)
		    << t.retransmits << std::setw(9) << seconds(t.age_ms) << "  " << file_text(t) << '\n';
	}
	if (transfers.empty())
		out << "(no transfers in flight)\n";
}

void render_event(std::ostream &out, const Event &e, const Output &o)
{
	if (o.format == Format::json) {
		out << json_text(to_json(e), false) << '\n';
		return;
	}
	const Transfer &t = e.transfer;
	std::string peer = (t.peer.find(':') != std::string::npos ? "[" + t.peer + "]" : t.peer) +
			   ":" + std::to_string(t.port);
	const char *dir = t.write ? "write" : "read";
	switch (e.kind) {
	case Event::Kind::start:
		out << "start  #" << t.id << ' ' << peer << ' ' << dir << ' ' << file_text(t)
		    << " blksize " << t.blksize << " window " << t.windowsize << '\n';
		break;
	case Event::Kind::finish:
		out << "finish #" << t.id << ' ' << peer << ' ' << dir << ' ' << file_text(t) << ' '
		    << t.bytes << " bytes in " << seconds(t.age_ms)
		    << (e.unconfirmed ? " (the last ACK never came)" : "") << '\n';
		break;
	case Event::Kind::error:
		out << "error  #" << t.id << ' ' << peer << ' ' << dir << ' ' << file_text(t)
		    << " code " << e.error_code.value_or(0) << ": " << shown(e.error_msg) << " after "
		    << t.bytes << " bytes\n";
		break;
	}
}

void render_config(std::ostream &out, const Config &cfg, const Output &o)
{
	// The config as a file: `config apply` takes it back.  Always JSON;
	// for people, the rules also one a line, numbered as `rewrite test`
	// names them, in comments (rule_text() never breaks a line).
	if (o.format == Format::text && cfg.rules)
		for (std::size_t i = 0; i < cfg.rules->size(); i++)
			out << "// rule " << i << ": " << rule_text((*cfg.rules)[i]) << '\n';
	auto j = config_to_json(cfg);
	out << json_text(j, o.pretty || o.format != Format::json) << '\n';
}

void render_config_file(std::ostream &out, const nlohmann::ordered_json &file, const Output &o)
{
	out << json_text(file, o.pretty || o.format != Format::json) << '\n';
}

void render_rewrite_test(std::ostream &out, const std::string &name,
			 const std::optional<std::string> &client, const RewriteResult &result,
			 const std::vector<Rule> &rules, const Output &o)
{
	std::vector<std::size_t> applied;	// bit i of the u64: rule i
	for (std::size_t i = 0; i < 64; i++)
		if (result.applied & (std::uint64_t{1} << i))
			applied.push_back(i);
	if (o.format == Format::json) {
		nlohmann::ordered_json indexes = applied;
		nlohmann::ordered_json applied_rules = nlohmann::ordered_json::array();
		for (auto i : applied)
			applied_rules.push_back(i < rules.size() ? rule_to_json(rules[i]) : nullptr);
		nlohmann::ordered_json j = {
			{"name", name},
			{"client", nullptr},
			{"normalized", result.normalized},
			{"applied", indexes},
			{"rules", applied_rules},
			{"mac", nullptr},
			{"unique", nullptr},
		};
		if (client)
			j["client"] = *client;
		if (result.mac)
			j["mac"] = *result.mac;
		if (result.unique)
			j["unique"] = *result.unique;
		if (result.lookup)
			j["lookup"] = *result.lookup;
		if (result.error_code)
			j["error"] = {{"code", *result.error_code}, {"message", result.error_msg}};
		return dump(out, j, o);
	}
	out << "normalized: " << shown(result.normalized) << '\n';
	for (auto i : applied)
		out << "rule " << i << ": " << (i < rules.size() ? rule_text(rules[i]) : "?") << '\n';
	if (result.mac)
		out << "mac: " << shown(*result.mac) << '\n';
	if (result.unique)
		out << "looks first in: " << shown(*result.unique) << "/\n";
	if (result.lookup)
		out << "looks up: " << shown(*result.lookup) << '\n';
	if (result.error_code)
		out << "refused: ERROR " << *result.error_code << ' ' << shown(result.error_msg)
		    << '\n';
}

void render_started(std::ostream &out, bool was_running, bool config_changed, const Output &o)
{
	if (o.format == Format::json)
		return dump(out, {{"running", true}, {"was_running", was_running},
				  {"config_changed", config_changed}}, o);
	out << (was_running ? "ktftpd was already running" : "ktftpd started")
	    << (config_changed ? "; config changed" : "") << '\n';
}

void render_stopped(std::ostream &out, bool was_running, const Output &o)
{
	if (o.format == Format::json)
		return dump(out, {{"running", false}, {"was_running", was_running}}, o);
	out << (was_running ? "ktftpd stopped" : "ktftpd was not running") << '\n';
}

void render_config_change(std::ostream &out, const std::string &what, bool changed,
			  const Output &o)
{
	if (o.format == Format::json)
		return dump(out, {{"changed", changed}}, o);
	out << what << (changed ? ": config changed" : ": no change") << '\n';
}

void render_config_valid(std::ostream &out, const std::string &file, const Output &o)
{
	if (o.format == Format::json)
		return dump(out, {{"valid", true}}, o);
	out << file << ": valid\n";
}

void render_version(std::ostream &out, const std::optional<std::string> &module,
		    const Output &o)
{
	if (o.format == Format::json) {
		nlohmann::ordered_json j = {{"ktftpctl", KTFTPD_VERSION}, {"module", nullptr}};
		if (module)
			j["module"] = *module;
		return dump(out, j, o);
	}
	out << "ktftpctl " << KTFTPD_VERSION << "\nmodule   " << module.value_or("not loaded")
	    << '\n';
}

} // namespace ktftpd
