// SPDX-License-Identifier: GPL-2.0
// ktftpctl config show | set KEY=VALUE... | apply [--check] FILE
#include <iostream>

#include "app.hpp"
#include "cmd_config.hpp"
#include "config.hpp"
#include "netlink.hpp"
#include "render.hpp"

namespace ktftpd {
namespace {

int run_apply(const ConfigApplyOptions &opts, const Output &o)
{
	// The file is the whole config: keys it leaves out take their defaults.
	Config cfg = Config::defaults();
	cfg.merge(load_config(opts.file));
	if (opts.check_only) {
		render_config_valid(std::cout, opts.file, o);
		return 0;
	}
	Client client;
	render_config_change(std::cout, opts.file, client.set_config(cfg), o);
	return 0;
}

int run_set(const ConfigSetOptions &opts, const Output &o)
{
	Config change;
	for (const auto &a : opts.assignments)
		set_config_assignment(change, a);
	Client client;
	render_config_change(std::cout, "config set", client.set_config(change), o);
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

	// Each shared by its bindings and its action (see setup_start).
	auto set_opts = std::make_shared<ConfigSetOptions>();
	auto *set = cmd->add_subcommand("set", "Change some settings, all or none");
	set->add_option("assignments", set_opts->assignments, "KEY=VALUE ...")->required();
	set->callback([&inv, set_opts]() {
		inv.command = "config set";
		inv.command_options = set_opts;
		inv.action = [&inv, set_opts] { return run_set(*set_opts, inv.output()); };
	});

	auto apply_opts = std::make_shared<ConfigApplyOptions>();
	auto *apply = cmd->add_subcommand("apply", "Make the running config that of FILE (idempotent)");
	apply->add_option("file", apply_opts->file, "Config file (JSON, comments allowed)")->required();
	apply->add_flag("--check", apply_opts->check_only, "Only validate FILE; do not touch the kernel");
	apply->callback([&inv, apply_opts]() {
		inv.command = "config apply";
		inv.command_options = apply_opts;
		inv.action = [&inv, apply_opts] { return run_apply(*apply_opts, inv.output()); };
	});
}

} // namespace ktftpd
