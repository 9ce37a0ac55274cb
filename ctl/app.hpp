// SPDX-License-Identifier: GPL-2.0
// The command line: every subcommand registers itself from its own
// cmd_<name>.cpp.  Parsing only records what was asked (the global options
// in Invocation, a subcommand's own in its struct) and picks the action;
// main() runs it.  So the unit tests parse any command line without a
// kernel.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "render.hpp"

namespace ktftpd {

struct Invocation {
	bool json = false;
	bool pretty = false;
	std::string netns;			// --netns NAME|PATH, or empty
	std::string command;			// the subcommand chosen
	std::function<int()> action;		// its work; returns the exit status
	// The chosen subcommand's own options, a std::shared_ptr<T> to the
	// struct its cmd_<name>.hpp declares (StartOptions...), or empty.
	// std::any so that this header names no subcommand's fields: each
	// cmd_<name>.cpp owns its struct, and only the unit tests look here,
	// through options<T>(), to check what was parsed.
	std::any command_options;

	Output output() const
	{
		return {.format = json ? Format::json : Format::text, .pretty = pretty, .netns_label = {}};
	}

	// The options of the chosen subcommand; throws std::bad_any_cast if
	// they are not a T.
	template <class T>
	const T &options() const
	{
		return *std::any_cast<const std::shared_ptr<T> &>(command_options);
	}
};

void build_app(CLI::App &app, Invocation &inv);

void setup_start(CLI::App &app, Invocation &inv);
void setup_stop(CLI::App &app, Invocation &inv);
void setup_status(CLI::App &app, Invocation &inv);
void setup_stats(CLI::App &app, Invocation &inv);
void setup_sessions(CLI::App &app, Invocation &inv);
void setup_monitor(CLI::App &app, Invocation &inv);
void setup_config(CLI::App &app, Invocation &inv);
void setup_rewrite(CLI::App &app, Invocation &inv);
void setup_version(CLI::App &app, Invocation &inv);

// SIGINT and SIGTERM end `monitor` and `stats --watch` cleanly.
void install_interrupt_handlers();
bool interrupted();
// Sleep up to @seconds, returning early (false) when interrupted.
bool sleep_unless_interrupted(double seconds);

} // namespace ktftpd
