// SPDX-License-Identifier: GPL-2.0
// ktftpctl start [--config FILE] [--root DIR] [--port N] [--KEY VALUE...]
#include <iostream>

#include "app.hpp"
#include "cmd_start.hpp"
#include "config.hpp"
#include "netlink.hpp"
#include "render.hpp"

namespace ktftpd {
namespace {

std::string dashed(std::string key)
{
	for (auto &c : key)
		if (c == '_')
			c = '-';
	return key;
}

int run_start(const StartOptions &opts, const Output &o)
{
	Config cfg;
	// A file is a whole config: what it leaves out takes the default.
	if (opts.config_file) {
		cfg = Config::defaults();
		cfg.merge(load_config(*opts.config_file));
	}
	for (const auto &[key, value] : opts.settings)
		set_config_value(cfg, key, value);
	Client client;
	bool was_running = client.get_status().running;
	bool changed = client.start(cfg);
	render_started(std::cout, was_running, changed, o);
	return 0;
}

} // namespace

void setup_start(CLI::App &app, Invocation &inv)
{
	// The bindings below write the options and the action reads them: the
	// callback holds them as long as the app lives, the action after that.
	auto opts = std::make_shared<StartOptions>();
	auto *cmd = app.add_subcommand("start", "Start serving, after applying a config if given");
	cmd->add_option("-c,--config", opts->config_file,
			"Config file (JSON); keys it leaves out take their defaults");
	for (const auto &key : config_keys()) {
		cmd->add_option_function<std::string>(
			   "--" + dashed(key),
			   [opts, key](const std::string &v) { opts->settings.emplace_back(key, v); },
			   "Set " + key + " (see: ktftpctl config show)")
			->type_name("VALUE");
	}
	cmd->callback([&inv, opts]() {
		inv.command = "start";
		inv.command_options = opts;
		inv.action = [&inv, opts] { return run_start(*opts, inv.output()); };
	});
}

} // namespace ktftpd
