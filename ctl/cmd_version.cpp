// SPDX-License-Identifier: GPL-2.0
// ktftpctl version: this tool's version and the loaded module's.
#include <iostream>

#include "app.hpp"
#include "errors.hpp"
#include "netlink.hpp"

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
			if (inv.json) {
				nlohmann::ordered_json j = {{"ktftpctl", KTFTPD_VERSION},
							    {"module", nullptr}};
				if (module)
					j["module"] = *module;
				std::cout << (inv.pretty ? j.dump(2) : j.dump()) << '\n';
			} else {
				std::cout << "ktftpctl " << KTFTPD_VERSION << "\nmodule   "
					  << module.value_or("not loaded") << '\n';
			}
			return 0;
		};
	});
}

} // namespace ktftpd
