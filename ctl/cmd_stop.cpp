// SPDX-License-Identifier: GPL-2.0
// ktftpctl stop [--drain SECONDS]
#include <cmath>
#include <iostream>

#include "app.hpp"
#include "netlink.hpp"
#include "render.hpp"

namespace ktftpd {

void setup_stop(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("stop", "Stop serving: transfers in flight may finish, then are aborted");
	cmd->add_option("-d,--drain", inv.drain_s,
			"Seconds transfers in flight may take to finish (default: drain_timeout)")
		->check(CLI::Range(0.0, 600.0));
	cmd->callback([&inv]() {
		inv.command = "stop";
		inv.action = [&inv] {
			std::optional<std::uint32_t> ms;
			if (inv.drain_s)
				ms = static_cast<std::uint32_t>(std::lround(*inv.drain_s * 1000));
			Client client;
			bool was_running = client.get_status().running;
			client.stop(ms);
			render_stopped(std::cout, was_running, inv.output());
			return 0;
		};
	});
}

} // namespace ktftpd
