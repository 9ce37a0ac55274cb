// SPDX-License-Identifier: GPL-2.0
// ktftpctl version: this tool's version and the loaded module's.
#include <iostream>

#include "app.hpp"
#include "errors.hpp"
#include "netlink.hpp"
#include "render.hpp"

namespace ktftpd {

void setup_version(CLI::App &app, Invocation &inv)
{
	app.set_version_flag("--version", KTFTPD_VERSION);
	auto *cmd = app.add_subcommand("version", "Print the versions of ktftpctl and of the loaded module");
	cmd->callback([&inv]() {
		inv.command = "version";
		inv.action = [&inv] {
			std::optional<std::string> module;
			try {
				Client client;
				module = client.get_status().version;
			} catch (const Failure &e) {
				if (e.exit_code() != EXIT_UNAVAILABLE)
					throw;
			}
			render_version(std::cout, module, inv.output());
			return 0;
		};
	});
}

} // namespace ktftpd
