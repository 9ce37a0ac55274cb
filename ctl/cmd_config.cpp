// SPDX-License-Identifier: GPL-2.0
// ktftpctl config show | set KEY=VALUE... | apply [--check] FILE
#include <iostream>

#include "app.hpp"
#include "config.hpp"
#include "netlink.hpp"

namespace ktftpd {
namespace {

void report_change(const Invocation &inv, const std::string &what, bool changed)
{
	if (inv.json) {
		nlohmann::ordered_json j = {{"changed", changed}};
		std::cout << (inv.pretty ? j.dump(2) : j.dump()) << '\n';
	} else {
		std::cout << what << (changed ? ": config changed" : ": no change") << '\n';
	}
}

int run_apply(const Invocation &inv)
{
	// The file is the whole config: keys it leaves out take their defaults.
	Config cfg = Config::defaults();
	cfg.merge(load_config(inv.apply_file));
	if (inv.check_only) {
		if (inv.json)
			std::cout << nlohmann::json{{"valid", true}}.dump() << '\n';
		else
			std::cout << inv.apply_file << ": valid\n";
		return 0;
	}
	Client client;
	report_change(inv, inv.apply_file, client.set_config(cfg));
	return 0;
}

int run_set(const Invocation &inv)
{
	Config change;
	for (const auto &a : inv.assignments)
		set_config_assignment(change, a);
	Client client;
	report_change(inv, "config set", client.set_config(change));
	return 0;
}

} // namespace

void setup_config(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("config", "Show or change the running config");
	cmd->require_subcommand(1, 1);

	auto *show = cmd->add_subcommand("show", "Print the running config as a file 'config apply' takes");
	show->callback([&inv]() {
		inv.command = "config show";
		inv.action = [&inv] {
			Client client;
			render_config(std::cout, client.get_status().config, inv.output());
			return 0;
		};
	});

	auto *set = cmd->add_subcommand("set", "Change some settings, all or none");
	set->add_option("assignments", inv.assignments, "KEY=VALUE ...")->required();
	set->callback([&inv]() {
		inv.command = "config set";
		inv.action = [&inv] { return run_set(inv); };
	});

	auto *apply = cmd->add_subcommand("apply", "Make the running config that of FILE (idempotent)");
	apply->add_option("file", inv.apply_file, "Config file (JSON, comments allowed)")->required();
	apply->add_flag("--check", inv.check_only, "Only validate FILE; do not touch the kernel");
	apply->callback([&inv]() {
		inv.command = "config apply";
		inv.action = [&inv] { return run_apply(inv); };
	});
}

} // namespace ktftpd
