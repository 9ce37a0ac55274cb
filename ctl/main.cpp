// SPDX-License-Identifier: GPL-2.0
// ktftpctl: control the in-kernel TFTP server over generic netlink.
// main() only parses global flags and dispatches; each subcommand lives in
// its own cmd_<name>.cpp.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "netlink.hpp"

int main(int argc, char **argv)
{
	CLI::App app{"ktftpctl: control the ktftpd in-kernel TFTP server"};
	app.set_version_flag("--version", KTFTPD_VERSION);
	app.require_subcommand(1);

	ktftpd::GlobalOptions global;
	app.add_flag("-j,--json", global.json, "Machine-readable JSON output");

	ktftpd::setup_status(app, global);

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e);
	} catch (const ktftpd::NetlinkError &e) {
		std::cerr << "ktftpctl: " << e.what() << '\n';
		return 1;
	} catch (const std::exception &e) {
		std::cerr << "ktftpctl: " << e.what() << '\n';
		return 1;
	}
	return 0;
}
