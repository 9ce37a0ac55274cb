// SPDX-License-Identifier: GPL-2.0
// ktftpctl start [--config FILE] [--root DIR] [--port N] [--KEY VALUE...]
#include <iostream>

#include "app.hpp"
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

int run_start(const Invocation &inv)
{
	Config cfg;
	// A file is a whole config: what it leaves out takes the default.
	if (inv.config_file) {
		cfg = Config::defaults();
		cfg.merge(load_config(*inv.config_file));
	}
	for (const auto &[key, value] : inv.settings)
		set_config_value(cfg, key, value);
	Client client;
	bool was_running = client.get_status().running;
	bool changed = client.start(cfg);
	render_started(std::cout, was_running, changed, inv.output());
	return 0;
}

} // namespace

void setup_start(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("start", "Start serving, after applying a config if given");
	cmd->add_option("-c,--config", inv.config_file,
			"Config file (JSON); keys it leaves out take their defaults");
	for (const auto &key : config_keys()) {
		cmd->add_option_function<std::string>(
			   "--" + dashed(key),
			   [&inv, key](const std::string &v) { inv.settings.emplace_back(key, v); },
			   "Set " + key + " (see: ktftpctl config show)")
			->type_name("VALUE");
	}
	cmd->callback([&inv]() {
		inv.command = "start";
		inv.action = [&inv] { return run_start(inv); };
	});
}

} // namespace ktftpd
