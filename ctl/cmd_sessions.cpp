// SPDX-License-Identifier: GPL-2.0
// ktftpctl sessions: every transfer in flight.
#include <iostream>

#include "app.hpp"
#include "netlink.hpp"

namespace ktftpd {

void setup_sessions(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("sessions", "List the transfers in flight");
	cmd->callback([&inv]() {
		inv.command = "sessions";
		inv.action = [&inv] {
			Client client;
			render_transfers(std::cout, client.transfers(), inv.output());
			return 0;
		};
	});
}

} // namespace ktftpd
