// SPDX-License-Identifier: GPL-2.0
// Argument parsing of every subcommand (no kernel: parsing only records
// what was asked), and the rendering of every output format.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"
#include "cmd_config.hpp"
#include "cmd_rewrite.hpp"
#include "cmd_start.hpp"
#include "cmd_stats.hpp"
#include "cmd_stop.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "netns.hpp"
#include "render.hpp"

using namespace ktftpd;

namespace {

// Parse @args (without the program name); false on a usage error.
bool parse(std::vector<std::string> args, Invocation &inv)
{
	CLI::App app;
	build_app(app, inv);
	std::vector<std::string> rev(args.rbegin(), args.rend());
	try {
		app.parse(rev);
	} catch (const CLI::ParseError &) {
		return false;
	}
	return true;
}

} // namespace

TEST(Args, EverySubcommandParses)
{
	for (const char *cmd : {"status", "sessions", "monitor", "version", "stop", "start"}) {
		Invocation inv;
		ASSERT_TRUE(parse({cmd}, inv)) << cmd;
		EXPECT_EQ(inv.command, cmd);
		EXPECT_TRUE(inv.action);
	}
}

TEST(Args, GlobalJsonAndPretty)
{
	Invocation inv;
	ASSERT_TRUE(parse({"--json", "--pretty", "status"}, inv));
	EXPECT_TRUE(inv.json && inv.pretty);
	EXPECT_EQ(inv.output().format, Format::json);
}

TEST(Args, GlobalNetnsTakesANameOrAPath)
{
	Invocation inv;
	ASSERT_TRUE(parse({"--netns", "tenant-a", "status"}, inv));
	EXPECT_EQ(inv.netns, "tenant-a");
	EXPECT_EQ(netns_path(inv.netns), "/run/netns/tenant-a");
	Invocation path;
	ASSERT_TRUE(parse({"-n", "/proc/1/ns/net", "stop"}, path));
	EXPECT_EQ(netns_path(path.netns), "/proc/1/ns/net");
	// A name is a file in /run/netns: never its parent.
	for (const char *bad : {"", ".", ".."}) {
		try {
			netns_path(bad);
			ADD_FAILURE() << "accepted " << bad;
		} catch (const Failure &e) {
			EXPECT_EQ(e.exit_code(), EXIT_USAGE);
		}
	}
	Invocation none;
	EXPECT_FALSE(parse({"--netns"}, none));
}

TEST(Args, StartTakesAFileAndEveryKey)
{
	Invocation inv;
	ASSERT_TRUE(parse({"start", "--config", "/etc/k.json", "--root", "/srv", "--port", "69",
			   "--max-sessions-per-client", "4", "--allow-write", "true"},
			  inv));
	const auto &opts = inv.options<StartOptions>();
	EXPECT_EQ(*opts.config_file, "/etc/k.json");
	using P = std::pair<std::string, std::string>;
	EXPECT_EQ(opts.settings, (std::vector<P>{{"root", "/srv"}, {"port", "69"},
						 {"max_sessions_per_client", "4"},
						 {"allow_write", "true"}}));
	Invocation bad;
	EXPECT_FALSE(parse({"start", "--bogus", "1"}, bad));
	EXPECT_FALSE(parse({"start", "--port"}, bad));
}

TEST(Args, StopDrainIsBounded)
{
	Invocation inv;
	ASSERT_TRUE(parse({"stop", "--drain", "2.5"}, inv));
	EXPECT_DOUBLE_EQ(*inv.options<StopOptions>().drain_s, 2.5);
	Invocation bad;
	EXPECT_FALSE(parse({"stop", "--drain", "601"}, bad));
	EXPECT_FALSE(parse({"stop", "--drain", "-1"}, bad));
	EXPECT_FALSE(parse({"stop", "--drain", "soon"}, bad));
}

TEST(Args, StatsWatchAndFormat)
{
	Invocation inv;
	ASSERT_TRUE(parse({"stats", "--watch", "1", "--format", "prometheus"}, inv));
	const auto &opts = inv.options<StatsOptions>();
	EXPECT_DOUBLE_EQ(*opts.watch_s, 1.0);
	EXPECT_EQ(opts.format, "prometheus");
	Invocation bad;
	EXPECT_FALSE(parse({"stats", "--format", "xml"}, bad));
	EXPECT_FALSE(parse({"stats", "--watch", "0"}, bad));
}

TEST(Args, ConfigSubcommands)
{
	Invocation show;
	ASSERT_TRUE(parse({"config", "show"}, show));
	EXPECT_EQ(show.command, "config show");
	Invocation set;
	ASSERT_TRUE(parse({"config", "set", "timeout=5", "retries=2"}, set));
	EXPECT_EQ(set.options<ConfigSetOptions>().assignments,
		  (std::vector<std::string>{"timeout=5", "retries=2"}));
	Invocation apply;
	ASSERT_TRUE(parse({"config", "apply", "--check", "f.json"}, apply));
	EXPECT_EQ(apply.options<ConfigApplyOptions>().file, "f.json");
	EXPECT_TRUE(apply.options<ConfigApplyOptions>().check_only);
	Invocation bad;
	EXPECT_FALSE(parse({"config"}, bad));
	EXPECT_FALSE(parse({"config", "set"}, bad));
	EXPECT_FALSE(parse({"config", "apply"}, bad));
	EXPECT_FALSE(parse({"config", "frob"}, bad));
}

TEST(Args, ConfigImport)
{
	Invocation inv;
	ASSERT_TRUE(parse({"config", "import", "--from", "tftpd-hpa", "/etc/default/tftpd-hpa",
			   "--map-file", "/etc/tftpd.map"},
			  inv));
	EXPECT_EQ(inv.command, "config import");
	EXPECT_TRUE(inv.action);
	const auto &opts = inv.options<ConfigImportOptions>();
	EXPECT_EQ(opts.from, "tftpd-hpa");
	EXPECT_EQ(opts.file, "/etc/default/tftpd-hpa");
	EXPECT_EQ(opts.map_file, "/etc/tftpd.map");
	Invocation dnsmasq;
	ASSERT_TRUE(parse({"config", "import", "/etc/dnsmasq.conf", "--from", "dnsmasq"}, dnsmasq));
	EXPECT_EQ(dnsmasq.options<ConfigImportOptions>().from, "dnsmasq");
	EXPECT_FALSE(dnsmasq.options<ConfigImportOptions>().map_file);
	for (std::vector<std::string> args : {
		     std::vector<std::string>{"config", "import", "/etc/default/tftpd-hpa"},
		     {"config", "import", "--from", "atftpd", "f"},
		     {"config", "import", "--from", "dnsmasq"},
		     {"config", "import", "--from", "tftpd-hpa", "f", "--map-file"},
	     }) {
		Invocation bad;
		EXPECT_FALSE(parse(args, bad)) << args.back();
	}
}

TEST(Args, RewriteTest)
{
	Invocation inv;
	ASSERT_TRUE(parse({"rewrite", "test", "\\Boot\\BCD", "--client", "198.18.0.7"}, inv));
	EXPECT_EQ(inv.command, "rewrite test");
	EXPECT_TRUE(inv.action);
	EXPECT_EQ(inv.options<RewriteTestOptions>().name, "\\Boot\\BCD");
	EXPECT_EQ(inv.options<RewriteTestOptions>().client, "198.18.0.7");
	Invocation v6, anonymous;
	ASSERT_TRUE(parse({"--json", "rewrite", "test", "--client", "fd00::7", "f"}, v6));
	EXPECT_EQ(v6.options<RewriteTestOptions>().client, "fd00::7");
	EXPECT_TRUE(v6.json);
	ASSERT_TRUE(parse({"rewrite", "test", "f"}, anonymous));
	EXPECT_FALSE(anonymous.options<RewriteTestOptions>().client);
	EXPECT_TRUE(parse({"rewrite", "test", std::string(511, 'n')}, anonymous));

	// Each a usage error: a client that is not an address, no name, a
	// name longer than a request holds, no `test`.
	for (std::vector<std::string> args : {
		     std::vector<std::string>{"rewrite", "test", "f", "--client", "198.18.0"},
		     {"rewrite", "test", "f", "--client", "host.example"},
		     {"rewrite", "test", "f", "--client"},
		     {"rewrite", "test"},
		     {"rewrite", "test", std::string(512, 'n')},
		     {"rewrite"},
		     {"rewrite", "frob", "f"},
	     }) {
		Invocation bad;
		EXPECT_FALSE(parse(args, bad)) << args.back();
	}
}

TEST(Args, NoOrUnknownSubcommandIsUsage)
{
	Invocation a, b, c;
	EXPECT_FALSE(parse({}, a));
	EXPECT_FALSE(parse({"frobnicate"}, b));
	EXPECT_FALSE(parse({"status", "extra"}, c));
}

namespace {

Status sample_status()
{
	Status st;
	st.running = true;
	st.uptime_ms = 12345;
	st.version = "1.2.3";
	st.config = Config::defaults();
	st.stats.counter[KTFTPD_C_REQUESTS] = 10;
	st.stats.counter[KTFTPD_C_XFER_COMPLETED] = 7;
	st.stats.counter[KTFTPD_C_BYTES_SENT] = 123456789012ULL;
	st.stats.active = 2;
	st.stats.errors_sent = {{0, 0}, {1, 3}};
	return st;
}

std::string render(void (*fn)(std::ostream &, const Status &, const Output &),
		   const Status &st, Output o)
{
	std::ostringstream out;
	fn(out, st, o);
	return out.str();
}

} // namespace

TEST(Render, StatusTextIsAligned)
{
	std::string t = render(render_status, sample_status(), {});
	EXPECT_NE(t.find("state:     running, up 12.3 s\n"), std::string::npos) << t;
	EXPECT_NE(t.find("root:      /srv/tftp\n"), std::string::npos);
	EXPECT_NE(t.find("listen:    all addresses\n"), std::string::npos);
	EXPECT_NE(t.find("sent:      123456789012 bytes"), std::string::npos);
}

TEST(Render, JsonKeysAreStableNumbersAreNumbers)
{
	auto j = nlohmann::json::parse(render(render_status, sample_status(), {Format::json}));
	EXPECT_EQ(j["running"], true);
	EXPECT_EQ(j["uptime_ms"], 12345);
	EXPECT_EQ(j["config"]["port"], 69);
	EXPECT_EQ(j["stats"]["bytes_sent"], 123456789012ULL);
	EXPECT_EQ(j["stats"]["errors_sent"]["1"], 3);
	EXPECT_TRUE(j["stats"]["transfers_completed"].is_number_unsigned());
	std::string compact = render(render_stats, sample_status(), {Format::json});
	EXPECT_EQ(compact.find('\n'), compact.size() - 1);
	std::string pretty = render(render_stats, sample_status(), {Format::json, true});
	EXPECT_NE(pretty.find("\n  \"requests\": 10,"), std::string::npos);
}

// `stats --watch` parts its answers with a blank line in text only.
TEST(Render, WatchBreakIsABlankLineInTextOnly)
{
	for (auto [format, expect] : {std::pair{Format::text, "\n"}, std::pair{Format::json, ""},
				      std::pair{Format::prometheus, ""}}) {
		std::ostringstream out;
		render_watch_break(out, {format});
		EXPECT_EQ(out.str(), expect);
	}
}

TEST(Args, StatsNetnsLabelTakesANameOrNone)
{
	Invocation named;
	ASSERT_TRUE(parse({"stats", "-f", "prometheus", "--netns-label", "tenant-a"}, named));
	EXPECT_EQ(named.options<StatsOptions>().netns_label, "tenant-a");
	Invocation bare;
	ASSERT_TRUE(parse({"-n", "tenant-b", "stats", "-f", "prometheus", "--netns-label"}, bare));
	EXPECT_EQ(bare.options<StatsOptions>().netns_label, "");
	Invocation none;
	ASSERT_TRUE(parse({"stats"}, none));
	EXPECT_FALSE(none.options<StatsOptions>().netns_label);
}

// --netns-label: every sample, and only samples, carry netns="...",
// escaped as the text format wants.
TEST(Render, PrometheusNetnsLabel)
{
	Output o{Format::prometheus};
	o.netns_label = "a\"b\\c";
	std::string p = render(render_stats, sample_status(), o);
	EXPECT_NE(p.find("ktftpd_up{netns=\"a\\\"b\\\\c\"} 1\n"), std::string::npos) << p;
	EXPECT_NE(p.find("ktftpd_errors_sent_total{netns=\"a\\\"b\\\\c\",code=\"1\","
			 "name=\"file_not_found\"} 3\n"),
		  std::string::npos)
		<< p;
	std::istringstream in(p);
	for (std::string line; std::getline(in, line);) {
		if (line[0] == '#')
			EXPECT_EQ(line.find("netns"), std::string::npos) << line;
		else
			EXPECT_NE(line.find("{netns=\"a\\\"b\\\\c\""), std::string::npos) << line;
	}
}

TEST(Render, PrometheusTextFormat)
{
	std::string p = render(render_stats, sample_status(), {Format::prometheus});
	EXPECT_NE(p.find("# HELP ktftpd_sent_bytes_total File payload bytes sent.\n"
			 "# TYPE ktftpd_sent_bytes_total counter\n"
			 "ktftpd_sent_bytes_total 123456789012\n"),
		  std::string::npos)
		<< p;
	EXPECT_NE(p.find("ktftpd_up 1\n"), std::string::npos);
	EXPECT_NE(p.find("# TYPE ktftpd_sessions_active gauge\nktftpd_sessions_active 2\n"),
		  std::string::npos);
	EXPECT_NE(p.find("ktftpd_errors_sent_total{code=\"1\",name=\"file_not_found\"} 3\n"),
		  std::string::npos);
	// Every sample line is "name[{labels}] value".
	std::istringstream in(p);
	for (std::string line; std::getline(in, line);) {
		if (line[0] != '#') {
			EXPECT_EQ(line.rfind("ktftpd_", 0), 0u) << line;
		}
	}
}

TEST(Render, TransfersAndEvents)
{
	Transfer t;
	t.id = 4;
	t.peer = "2001:db8::1";
	t.port = 1234;
	t.file = "pxelinux.0";
	t.bytes = 1024;
	t.blksize = 1468;
	t.windowsize = 16;
	t.age_ms = 1500;
	std::ostringstream text, json;
	render_transfers(text, {t}, {});
	EXPECT_NE(text.str().find("[2001:db8::1]:1234"), std::string::npos) << text.str();
	EXPECT_NE(text.str().find("  pxelinux.0\n"), std::string::npos);
	render_transfers(json, {t}, {Format::json});
	auto j = nlohmann::json::parse(json.str());
	EXPECT_EQ(j[0]["direction"], "read");
	EXPECT_TRUE(j[0]["total"].is_null());
	EXPECT_EQ(j[0]["windowsize"], 16);

	Event e{Event::Kind::error, t, 1, "File not found", std::nullopt};
	std::ostringstream ev, evj;
	render_event(ev, e, {});
	EXPECT_EQ(ev.str(), "error  #4 [2001:db8::1]:1234 read pxelinux.0 code 1: File not found after 1024 bytes\n");
	render_event(evj, e, {Format::json, true});
	auto k = nlohmann::json::parse(evj.str());
	EXPECT_EQ(k["event"], "error");
	EXPECT_EQ(k["error_code"], 1);
	const std::string line = evj.str();	// one copy: str() returns a new string
	EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

// A client picks its file names: bytes that are not UTF-8 must not end
// `monitor --json` (they did: nlohmann throws on them), and control bytes
// must not reach the operator's terminal as escape sequences.
TEST(Render, HostileFileNamesAreShownNotObeyed)
{
	Transfer t;
	t.id = 1;
	t.peer = "192.0.2.1";
	t.port = 69;
	t.file = std::string("a\x1b[2J\xff\\b\n", 9);
	std::ostringstream text, json;
	render_transfers(text, {t}, {});
	EXPECT_NE(text.str().find("  a\\x1b[2J\xff\\x5cb\\x0a\n"), std::string::npos) << text.str();
	EXPECT_EQ(text.str().find('\x1b'), std::string::npos);
	ASSERT_NO_THROW(render_transfers(json, {t}, {Format::json}));
	auto j = nlohmann::json::parse(json.str());
	EXPECT_EQ(j[0]["file"], "a\x1b[2J\xef\xbf\xbd\\b\n");	// U+FFFD for 0xff

	Event e{Event::Kind::error, t, 1, "bad \x07 name", std::nullopt};
	std::ostringstream ev, evj;
	render_event(ev, e, {});
	EXPECT_EQ(ev.str().find('\x07'), std::string::npos) << ev.str();
	EXPECT_NE(ev.str().find("bad \\x07 name"), std::string::npos) << ev.str();
	ASSERT_NO_THROW(render_event(evj, e, {Format::json}));
	EXPECT_EQ(nlohmann::json::parse(evj.str())["error_message"], "bad \x07 name");

	Status st = sample_status();
	st.config.root = "/srv/\xe9t\xe9";	// Latin-1, set through the sysctl
	std::ostringstream sj;
	ASSERT_NO_THROW(render_status(sj, st, {Format::json}));
	EXPECT_EQ(nlohmann::json::parse(sj.str())["config"]["root"], "/srv/\xef\xbf\xbdt\xef\xbf\xbd");
}

TEST(Render, TimeoutsAreCountedApartFromRetransmits)
{
	Status st = sample_status();
	st.stats.counter[KTFTPD_C_RETRANSMITS] = 9;
	st.stats.counter[KTFTPD_C_TIMEOUTS] = 2;
	EXPECT_NE(render(render_status, st, {}).find("9 retransmits (2 on timeout)"),
		  std::string::npos);
	EXPECT_EQ(nlohmann::json::parse(render(render_stats, st, {Format::json}))["timeouts"], 2);
	EXPECT_NE(render(render_stats, st, {Format::prometheus}).find("ktftpd_timeouts_total 2\n"),
		  std::string::npos);
}

// The commands that act answer through render.cpp too: one line of text,
// or one JSON object (indented with --pretty).
TEST(Render, AnswersOfTheCommandsThatAct)
{
	auto text = [](auto fn) {
		std::ostringstream out;
		fn(out, Output{});
		return out.str();
	};
	auto json = [](auto fn, bool pretty = false) {
		std::ostringstream out;
		fn(out, Output{Format::json, pretty});
		return out.str();
	};
	auto started = [](bool was, bool changed) {
		return [=](std::ostream &o, const Output &f) { render_started(o, was, changed, f); };
	};
	EXPECT_EQ(text(started(false, true)), "ktftpd started; config changed\n");
	EXPECT_EQ(text(started(true, false)), "ktftpd was already running\n");
	EXPECT_EQ(json(started(true, false)),
		  R"({"running":true,"was_running":true,"config_changed":false})" "\n");
	auto stopped = [](std::ostream &o, const Output &f) { render_stopped(o, true, f); };
	EXPECT_EQ(text(stopped), "ktftpd stopped\n");
	EXPECT_EQ(json(stopped), R"({"running":false,"was_running":true})" "\n");
	EXPECT_NE(json(stopped, true).find("\n  \"running\": false"), std::string::npos);
	auto change = [](std::ostream &o, const Output &f) {
		render_config_change(o, "/etc/ktftpd/ktftpd.json", false, f);
	};
	EXPECT_EQ(text(change), "/etc/ktftpd/ktftpd.json: no change\n");
	EXPECT_EQ(json(change), R"({"changed":false})" "\n");
	auto valid = [](std::ostream &o, const Output &f) { render_config_valid(o, "f.json", f); };
	EXPECT_EQ(text(valid), "f.json: valid\n");
	EXPECT_EQ(json(valid), R"({"valid":true})" "\n");
	auto no_module = [](std::ostream &o, const Output &f) { render_version(o, {}, f); };
	EXPECT_EQ(text(no_module), "ktftpctl " KTFTPD_VERSION "\nmodule   not loaded\n");
	EXPECT_EQ(nlohmann::json::parse(json(no_module))["module"], nullptr);
	auto loaded = [](std::ostream &o, const Output &f) { render_version(o, "0.1.0", f); };
	EXPECT_EQ(nlohmann::json::parse(json(loaded))["module"], "0.1.0");
}

namespace {

Rule rule(ktftpd_rule_match match, std::string pattern, std::string replace, unsigned flags = 0)
{
	return {match, flags, std::move(pattern), std::move(replace)};
}

const std::vector<Rule> sample_rules = {
	rule(KTFTPD_MATCH_PREFIX, "tftp:/198.18.0.1/", ""),
	rule(KTFTPD_MATCH_GLOB, "*.key", "", KTFTPD_RULE_F_NOCASE | KTFTPD_RULE_F_REFUSE),
	rule(KTFTPD_MATCH_GLOB, "*", "hosts/\\i/\\0", KTFTPD_RULE_F_STOP),
};

std::string rewrite_text(const RewriteResult &r, Output o = {},
			 std::optional<std::string> client = "198.18.0.7")
{
	std::ostringstream out;
	render_rewrite_test(out, "tftp://198.18.0.1/Boot/BCD", client, r, sample_rules, o);
	return out.str();
}

} // namespace

TEST(Render, RewriteTestLooksUp)
{
	RewriteResult r;
	r.normalized = "tftp:/198.18.0.1/Boot/BCD";
	r.applied = 0b101;
	r.lookup = "hosts/198.18.0.7/Boot/BCD";
	r.mac = "52-54-00-12-34-56";
	EXPECT_EQ(rewrite_text(r), "normalized: tftp:/198.18.0.1/Boot/BCD\n"
				   "rule 0: prefix \"tftp:/198.18.0.1/\" -> \"\"\n"
				   "rule 2: glob \"*\" -> \"hosts/\\i/\\0\" [stop]\n"
				   "mac: 52-54-00-12-34-56\n"
				   "looks up: hosts/198.18.0.7/Boot/BCD\n");
	auto j = nlohmann::ordered_json::parse(rewrite_text(r, {Format::json}));
	EXPECT_EQ(j["name"], "tftp://198.18.0.1/Boot/BCD");
	EXPECT_EQ(j["client"], "198.18.0.7");
	EXPECT_EQ(j["normalized"], "tftp:/198.18.0.1/Boot/BCD");
	EXPECT_EQ(j["applied"].dump(), "[0,2]");
	EXPECT_EQ(j["rules"][1].dump(),
		  R"({"match":"glob","pattern":"*","replace":"hosts/\\i/\\0","flags":["stop"]})");
	EXPECT_EQ(j["mac"], "52-54-00-12-34-56");
	EXPECT_EQ(j["lookup"], "hosts/198.18.0.7/Boot/BCD");
	EXPECT_FALSE(j.contains("error"));
}

TEST(Render, RewriteTestRefused)
{
	RewriteResult r;
	r.normalized = "a\x1b.key";
	r.applied = 0b10;
	r.error_code = 2;
	r.error_msg = "Access violation: refused by a rule";
	EXPECT_EQ(rewrite_text(r, {}, std::nullopt),
		  "normalized: a\\x1b.key\n"
		  "rule 1: glob \"*.key\" refuse [nocase]\n"
		  "refused: ERROR 2 Access violation: refused by a rule\n");
	auto j = nlohmann::json::parse(rewrite_text(r, {Format::json}, std::nullopt));
	EXPECT_TRUE(j["client"].is_null());
	EXPECT_TRUE(j["mac"].is_null());
	EXPECT_FALSE(j.contains("lookup"));
	EXPECT_EQ(j["error"].dump(), R"({"code":2,"message":"Access violation: refused by a rule"})");
	// No rule applied, and one the config no longer has.
	r.applied = 0;
	EXPECT_EQ(nlohmann::json::parse(rewrite_text(r, {Format::json}))["applied"].dump(), "[]");
	r.applied = std::uint64_t{1} << 63;
	EXPECT_NE(rewrite_text(r).find("rule 63: ?\n"), std::string::npos);
	EXPECT_EQ(nlohmann::json::parse(rewrite_text(r, {Format::json}))["rules"].dump(), "[null]");
}

// Text numbers the rules as `rewrite test` names them, in comments: the
// output is still a file `config apply` takes.
TEST(Render, ConfigShowsItsRules)
{
	Config c = Config::defaults();
	c.rules = sample_rules;
	std::ostringstream text, json;
	render_config(text, c, {});
	EXPECT_EQ(text.str().rfind("// rule 0: prefix \"tftp:/198.18.0.1/\" -> \"\"\n"
				   "// rule 1: glob \"*.key\" refuse [nocase]\n"
				   "// rule 2: glob \"*\" -> \"hosts/\\i/\\0\" [stop]\n{\n",
				   0),
		  0u)
		<< text.str();
	EXPECT_EQ(parse_config(text.str(), "shown"), c);
	render_config(json, c, {Format::json});
	auto j = nlohmann::ordered_json::parse(json.str());
	EXPECT_EQ(j["rules"][1].dump(),
		  R"({"match":"glob","pattern":"*.key","replace":"","flags":["nocase","refuse"]})");
	std::ostringstream none;
	render_config(none, Config::defaults(), {});
	EXPECT_EQ(none.str().find("// rule"), std::string::npos);
}

TEST(Render, TransfersShowTheNameLookedUp)
{
	Transfer t;
	t.id = 3;
	t.peer = "198.18.0.7";
	t.port = 2000;
	t.file = "\\Boot\\BCD";
	t.lookup = "Boot/BCD";
	std::ostringstream text, json;
	render_transfers(text, {t}, {});
	EXPECT_NE(text.str().find("  \\x5cBoot\\x5cBCD -> Boot/BCD\n"), std::string::npos)
		<< text.str();
	render_transfers(json, {t}, {Format::json});
	EXPECT_EQ(nlohmann::json::parse(json.str())[0]["lookup"], "Boot/BCD");
	Event e{Event::Kind::start, t, std::nullopt, "", std::nullopt};
	std::ostringstream ev;
	render_event(ev, e, {});
	EXPECT_EQ(ev.str(), "start  #3 198.18.0.7:2000 read \\x5cBoot\\x5cBCD -> Boot/BCD blksize 0 window 0\n");
	t.lookup.reset();
	std::ostringstream plain;
	render_transfers(plain, {t}, {Format::json});
	EXPECT_FALSE(nlohmann::json::parse(plain.str())[0].contains("lookup"));
}

TEST(Args, StartTakesTheNewKeys)
{
	Invocation inv;
	ASSERT_TRUE(parse({"start", "--allow", "198.18.0.0/15 fd00::/8", "--deny", "198.18.0.7",
			   "--port-range", "50000:50099", "--unique-root", "mac", "--single-port",
			   "true", "--window-bytes-max", "1048576"},
			  inv));
	const auto &opts = inv.options<StartOptions>();
	using P = std::pair<std::string, std::string>;
	// In the table's order: CLI11 runs the options' callbacks in the
	// order they were added.
	EXPECT_EQ(opts.settings, (std::vector<P>{{"allow", "198.18.0.0/15 fd00::/8"},
						 {"deny", "198.18.0.7"},
						 {"port_range", "50000:50099"},
						 {"unique_root", "mac"},
						 {"window_bytes_max", "1048576"},
						 {"single_port", "true"}}));
	// What start does with them before it talks to the kernel.
	Config c;
	for (const auto &[key, value] : opts.settings)
		set_config_value(c, key, value);
	EXPECT_EQ(c.allow->size(), 2u);
	EXPECT_EQ(*c.port_range, (PortRange{50000, 50099}));
	EXPECT_EQ(*c.params[KTFTPD_P_UNIQUE_ROOT], 2);
	EXPECT_EQ(*c.params[KTFTPD_P_SINGLE_PORT], 1);
}

// `config show` (text and --json) prints networks canonically, the port
// range as LOW:HIGH and a CHOICE as its word: a file `config apply` takes.
TEST(Render, ConfigShowsNetworksPortRangeAndWords)
{
	Config c = Config::defaults();
	set_config_value(c, "allow", "198.18.0.0/15,fd00:0:0::/8");
	set_config_value(c, "port_range", "50000:50099");
	set_config_value(c, "unique_root", "ip");
	for (Format f : {Format::text, Format::json}) {
		std::ostringstream out;
		render_config(out, c, {f});
		auto j = nlohmann::ordered_json::parse(out.str());
		EXPECT_EQ(j["allow"].dump(), R"(["198.18.0.0/15","fd00::/8"])");
		EXPECT_EQ(j["deny"].dump(), "[]");
		EXPECT_EQ(j["port_range"], "50000:50099");
		EXPECT_EQ(j["unique_root"], "ip");
		EXPECT_EQ(parse_config(out.str(), "shown"), c);
	}
	auto j = nlohmann::json::parse(render(render_status, sample_status(), {Format::json}));
	EXPECT_EQ(j["config"]["port_range"], "");
	EXPECT_EQ(j["config"]["unique_root"], "off");
}

TEST(Render, RewriteTestLooksFirstInTheClientsDirectory)
{
	RewriteResult r;
	r.normalized = "pxelinux.0";
	r.lookup = "pxelinux.0";
	r.unique = "198.18.0.7";
	EXPECT_EQ(rewrite_text(r), "normalized: pxelinux.0\n"
				   "looks first in: 198.18.0.7/\n"
				   "looks up: pxelinux.0\n");
	auto j = nlohmann::json::parse(rewrite_text(r, {Format::json}));
	EXPECT_EQ(j["unique"], "198.18.0.7");
	r.unique.reset();
	EXPECT_EQ(rewrite_text(r).find("looks first in"), std::string::npos);
	EXPECT_TRUE(nlohmann::json::parse(rewrite_text(r, {Format::json}))["unique"].is_null());
}
