// SPDX-License-Identifier: GPL-2.0
// ktftpctl stats [--watch SECONDS] [--format text|json|prometheus]
//                [--output FILE]
#include <iostream>
#include <sstream>

#include "app.hpp"
#include "atomic_file.hpp"
#include "cmd_stats.hpp"
#include "errors.hpp"
#include "netlink.hpp"

namespace ktftpd {
namespace {

int run_stats(const StatsOptions &opts, const std::string &netns, Output o)
{
	if (opts.format == "json")
		o.format = Format::json;
	else if (opts.format == "prometheus")
		o.format = Format::prometheus;
	else if (opts.format == "text")
		o.format = Format::text;
	if (opts.netns_label) {
		if (o.format != Format::prometheus)
			throw Failure(EXIT_USAGE, "--netns-label is for --format prometheus");
		o.netns_label = opts.netns_label->empty() ? netns : *opts.netns_label;
		if (o.netns_label->empty())
			throw Failure(EXIT_USAGE, "--netns-label needs a NAME, or --netns NAME");
	}
	if (opts.watch_s)
		install_interrupt_handlers();
	Client client;
	for (bool first = true;; first = false) {
		if (!opts.output.empty()) {
			// The whole file each time: a reader sees one snapshot.
			std::ostringstream text;
			render_stats(text, client.get_status(), o);
			write_file_atomically(opts.output, text.str());
		} else {
			if (!first)
				render_watch_break(std::cout, o);
			render_stats(std::cout, client.get_status(), o);
			std::cout.flush();
		}
		if (!opts.watch_s || !sleep_unless_interrupted(*opts.watch_s))
			return 0;
	}
}

} // namespace

void setup_stats(CLI::App &app, Invocation &inv)
{
	// Shared by the bindings and the action (see setup_start).
	auto opts = std::make_shared<StatsOptions>();
	auto *cmd = app.add_subcommand("stats", "Show the server's counters");
	cmd->add_option("-w,--watch", opts->watch_s, "Show them again every SECONDS until interrupted")
		->check(CLI::Range(0.1, 86400.0));
	cmd->add_option("-f,--format", opts->format, "Output format (default text, or json with --json)")
		->check(CLI::IsMember({"text", "json", "prometheus"}));
	cmd->add_option("--netns-label", opts->netns_label,
			"Label every Prometheus sample netns=\"NAME\" (default: --netns's NAME)")
		->expected(0, 1)
		->type_name("[NAME]");
	cmd->add_option("-o,--output", opts->output,
			"Replace FILE with them (a temporary file beside it, renamed over it), "
			"as a Prometheus textfile collector reads it")
		->type_name("FILE");
	cmd->callback([&inv, opts]() {
		inv.command = "stats";
		inv.command_options = opts;
		inv.action = [&inv, opts] { return run_stats(*opts, inv.netns, inv.output()); };
	});
}

} // namespace ktftpd
