// SPDX-License-Identifier: GPL-2.0
// The command line: every subcommand registers itself from its own
// cmd_<name>.cpp.  Parsing only records what was asked (in Invocation) and
// picks the action; main() runs it.  So the unit tests parse any command
// line without a kernel.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "render.hpp"

namespace ktftpd {

struct Invocation {
	bool json = false;
	bool pretty = false;
	std::string command;			// the subcommand chosen
	std::function<int()> action;		// its work; returns the exit status

	// start
	std::optional<std::string> config_file;
	std::vector<std::pair<std::string, std::string>> settings;	// --KEY VALUE
	// stop
	std::optional<double> drain_s;
	// stats
	std::optional<double> watch_s;
	std::string stats_format;		// "", text, json, prometheus
	// config set / apply
	std::vector<std::string> assignments;
	std::string apply_file;
	bool check_only = false;

	Output output() const
	{
		return {json ? Format::json : Format::text, pretty};
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
void setup_version(CLI::App &app, Invocation &inv);

// SIGINT and SIGTERM end `monitor` and `stats --watch` cleanly.
void install_interrupt_handlers();
bool interrupted();
// Sleep up to @seconds, returning early (false) when interrupted.
bool sleep_unless_interrupted(double seconds);

} // namespace ktftpd
