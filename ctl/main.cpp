// SPDX-License-Identifier: GPL-2.0
// ktftpctl: control the in-kernel TFTP server over generic netlink.
// main() parses the command line and runs the chosen subcommand's action;
// each subcommand lives in its own cmd_<name>.cpp.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "netns.hpp"

int main(int argc, char **argv)
{
	CLI::App app;
	ktftpd::Invocation inv;
	ktftpd::build_app(app, inv);

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int code = app.exit(e);
		return code == 0 ? 0 : ktftpd::EXIT_USAGE;
	}
	try {
		// Before any socket: a command acts on the namespace it is sent from.
		if (!inv.netns.empty())
			ktftpd::enter_netns(inv.netns);
		return inv.action ? inv.action() : ktftpd::EXIT_USAGE;
	} catch (const ktftpd::Failure &e) {
		std::cerr << "ktftpctl: " << e.what() << '\n';
		return e.exit_code();
	} catch (const ktftpd::ConfigError &e) {
		std::cerr << "ktftpctl: " << e.what() << '\n';
		return ktftpd::EXIT_CONFIG;
	} catch (const std::exception &e) {
		std::cerr << "ktftpctl: " << e.what() << '\n';
		return ktftpd::EXIT_FAILURE_OTHER;
	}
}
