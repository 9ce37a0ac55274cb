// SPDX-License-Identifier: GPL-2.0
// ktftpctl stop [--drain SECONDS]
#include <cmath>
#include <iostream>

#include "app.hpp"
#include "cmd_stop.hpp"
#include "netlink.hpp"
#include "render.hpp"

namespace ktftpd {

void setup_stop(CLI::App &app, Invocation &inv)
{
	// Shared by the binding and the action (see setup_start).
	auto opts = std::make_shared<StopOptions>();
	auto *cmd = app.add_subcommand("stop", "Stop serving: transfers in flight may finish, then are aborted");
	cmd->add_option("-d,--drain", opts->drain_s,
			"Seconds transfers in flight may take to finish (default: drain_timeout)")
		->check(CLI::Range(0.0, 600.0));
	cmd->callback([&inv, opts]() {
		inv.command = "stop";
		inv.command_options = opts;
		inv.action = [&inv, opts] {
			std::optional<std::uint32_t> ms;
			if (opts->drain_s)
				ms = static_cast<std::uint32_t>(std::lround(*opts->drain_s * 1000));
			Client client;
			bool was_running = client.get_status().running;
			client.stop(ms);
			render_stopped(std::cout, was_running, inv.output());
			return 0;
		};
	});
}

} // namespace ktftpd
