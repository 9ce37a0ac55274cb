// SPDX-License-Identifier: GPL-2.0
// ktftpctl stats [--watch SECONDS] [--format text|json|prometheus]
#include <iostream>

#include "app.hpp"
#include "netlink.hpp"

namespace ktftpd {
namespace {

int run_stats(const Invocation &inv)
{
	Output o = inv.output();
	if (inv.stats_format == "json")
		o.format = Format::json;
	else if (inv.stats_format == "prometheus")
		o.format = Format::prometheus;
	else if (inv.stats_format == "text")
		o.format = Format::text;
	if (inv.watch_s)
		install_interrupt_handlers();
	Client client;
	for (bool first = true;; first = false) {
		if (!first && o.format == Format::text)
			std::cout << '\n';
		render_stats(std::cout, client.get_status(), o);
		std::cout.flush();
		if (!inv.watch_s || !sleep_unless_interrupted(*inv.watch_s))
			return 0;
	}
}

} // namespace

void setup_stats(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("stats", "Show the server's counters");
	cmd->add_option("-w,--watch", inv.watch_s, "Show them again every SECONDS until interrupted")
		->check(CLI::Range(0.1, 86400.0));
	cmd->add_option("-f,--format", inv.stats_format, "Output format (default text, or json with --json)")
		->check(CLI::IsMember({"text", "json", "prometheus"}));
	cmd->callback([&inv]() {
		inv.command = "stats";
		inv.action = [&inv] { return run_stats(inv); };
	});
}

} // namespace ktftpd
