// SPDX-License-Identifier: GPL-2.0
// ktftpctl monitor [--journal]: stream transfer events until interrupted.
#include <iostream>
#include <memory>

#include "app.hpp"
#include "journal.hpp"
#include "netlink.hpp"

namespace ktftpd {

void setup_monitor(CLI::App &app, Invocation &inv)
{
	auto journal = std::make_shared<bool>(false);
	auto *cmd = app.add_subcommand("monitor", "Print transfer start, finish and error events as they happen");
	cmd->add_flag("--journal", *journal,
		      "Send each event to the systemd journal, with fields of its own (CLIENT, FILE, "
		      "BYTES, ...), instead of printing it");
	cmd->callback([&inv, journal]() {
		inv.command = "monitor";
		inv.action = [&inv, journal] {
			install_interrupt_handlers();
			Client client;
			Output o = inv.output();
			client.monitor(
				[&](const Event &e) {
					if (*journal) {
						journal_send(journal_fields(e));
						return;
					}
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
