// SPDX-License-Identifier: GPL-2.0
// ktftpctl monitor: stream transfer events until interrupted.
#include <iostream>

#include "app.hpp"
#include "netlink.hpp"

namespace ktftpd {

void setup_monitor(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("monitor", "Print transfer start, finish and error events as they happen");
	cmd->callback([&inv]() {
		inv.command = "monitor";
		inv.action = [&inv] {
			install_interrupt_handlers();
			Client client;
			Output o = inv.output();
			client.monitor(
				[&](const Event &e) {
					render_event(std::cout, e, o);
					std::cout.flush();
				},
				[] { return !interrupted(); },
				// Said on stderr (the journal's, under systemd):
				// the events stop while the module is away.
				[](bool back) {
					std::cerr << (back ? "ktftpctl monitor: the ktftpd module is back: "
							     "following its events again\n"
							   : "ktftpctl monitor: the ktftpd module was unloaded: "
							     "waiting for it\n");
				});
			return 0;
		};
	});
}

} // namespace ktftpd
