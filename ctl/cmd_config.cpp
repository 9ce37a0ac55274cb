// SPDX-License-Identifier: GPL-2.0
// ktftpctl config show | set KEY=VALUE... | apply [--check] FILE
#include <iostream>

#include "app.hpp"
#include "config.hpp"
#include "netlink.hpp"
#include "render.hpp"

namespace ktftpd {
namespace {

int run_apply(const Invocation &inv)
{
	// The file is the whole config: keys it leaves out take their defaults.
	Config cfg = Config::defaults();
	cfg.merge(load_config(inv.apply_file));
	if (inv.check_only) {
		render_config_valid(std::cout, inv.apply_file, inv.output());
		return 0;
	}
	Client client;
	render_config_change(std::cout, inv.apply_file, client.set_config(cfg), inv.output());
	return 0;
}

int run_set(const Invocation &inv)
{
	Config change;
	for (const auto &a : inv.assignments)
		set_config_assignment(change, a);
	Client client;
	render_config_change(std::cout, "config set", client.set_config(change), inv.output());
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
