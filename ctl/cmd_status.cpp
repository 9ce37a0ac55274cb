// SPDX-License-Identifier: GPL-2.0
// ktftpctl status: is the server running, and with which config.
#include <iostream>

#include "commands.hpp"
#include "netlink.hpp"

namespace ktftpd {

void setup_status(CLI::App &app, const GlobalOptions &global)
{
	auto *cmd = app.add_subcommand("status", "Show whether the server runs, and its config");
	cmd->callback([&global]() {
		Client client;
		render_status(std::cout, client.get_status(), global.format());
	});
}

} // namespace ktftpd
