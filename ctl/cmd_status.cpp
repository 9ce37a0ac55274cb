// SPDX-License-Identifier: GPL-2.0
// ktftpctl status: running or not, the config in force, the counters.
#include <iostream>

#include "app.hpp"
#include "netlink.hpp"

namespace ktftpd {

void setup_status(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("status", "Show whether the server runs, its config and counters");
	cmd->callback([&inv]() {
		inv.command = "status";
		inv.action = [&inv] {
			Client client;
			render_status(std::cout, client.get_status(), inv.output());
			return 0;
		};
	});
}

} // namespace ktftpd
