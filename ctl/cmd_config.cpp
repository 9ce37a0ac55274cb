// SPDX-License-Identifier: GPL-2.0
// ktftpctl config show | set KEY=VALUE... | apply [--check] FILE
//          | import --from tftpd-hpa|dnsmasq FILE [--map-file FILE]
#include <iostream>

#include "app.hpp"
#include "cmd_config.hpp"
#include "config.hpp"
#include "errors.hpp"
#include "import.hpp"
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

// Prints the config on stdout and the notes on stderr; no kernel needed.
int run_import(const ConfigImportOptions &opts, const Output &o)
{
	if (opts.map_file && opts.from != "tftpd-hpa")
		throw Failure(EXIT_USAGE, "--map-file is a tftpd-hpa file: not taken with --from " +
						  opts.from);
	std::string text = read_whole_file(opts.file);
	Imported imp = opts.from == "tftpd-hpa"
			       ? import_tftpd_hpa(text, opts.file, read_whole_file, opts.map_file)
			       : import_dnsmasq(text, opts.file);
	for (const auto &n : imp.notes)
		std::cerr << "ktftpctl: note: " << n << '\n';
	render_config_file(std::cout, imported_json(imp), o);
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
			Config cfg = client.get_status().config;
			// The kernel sends the rules, which name clients, to
			// CAP_NET_ADMIN only: say so, as the file printed without
			// them would remove them if applied.
			if (!cfg.rules)
				std::cerr << "ktftpctl: note: the filename rules are shown with "
					     "CAP_NET_ADMIN only: this config has none, and `config "
					     "apply` of it would remove them\n";
			render_config(std::cout, cfg, inv.output());
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

	auto import_opts = std::make_shared<ConfigImportOptions>();
	auto *import = cmd->add_subcommand(
		"import", "Print the ktftpd config equivalent to another server's (no kernel needed)");
	import->add_option("--from", import_opts->from, "The other server: tftpd-hpa or dnsmasq")
		->required()
		->check(CLI::IsMember({"tftpd-hpa", "dnsmasq"}))
		->type_name("SERVER");
	import->add_option("file", import_opts->file,
			   "Its config: /etc/default/tftpd-hpa, or a dnsmasq.conf")
		->required()
		->type_name("FILE");
	import->add_option("--map-file", import_opts->map_file,
			   "tftpd-hpa's map file to translate, instead of the one its options name")
		->type_name("FILE");
	import->callback([&inv, import_opts]() {
		inv.command = "config import";
		inv.command_options = import_opts;
		inv.action = [&inv, import_opts] { return run_import(*import_opts, inv.output()); };
	});
}

} // namespace ktftpd
