// SPDX-License-Identifier: GPL-2.0
#include "app.hpp"

#include <csignal>
#include <chrono>
#include <thread>

namespace ktftpd {
namespace {

volatile std::sig_atomic_t got_signal = 0;

void on_signal(int)
{
	got_signal = 1;
}

constexpr const char *EXIT_CODES = R"(Exit status (sysexits):
  0   success
  1   the kernel refused for another reason (its message is shown)
  64  usage error on the command line
  65  a bad value (a setting out of range, refused by the kernel)
  69  the ktftpd kernel module is not loaded
  77  permission denied: root or CAP_NET_ADMIN is needed
  78  a bad config file (the key and line are named))";

} // namespace

void build_app(CLI::App &app, Invocation &inv)
{
	app.description("ktftpctl: control the ktftpd in-kernel TFTP server");
	app.footer(EXIT_CODES);
	app.require_subcommand(1, 1);
	app.add_flag("-j,--json", inv.json, "Machine-readable JSON output");
	app.add_flag("-p,--pretty", inv.pretty, "Indent JSON output");
	app.add_option("-n,--netns", inv.netns,
		       "Act on the server of this network namespace: a name in "
		       "/run/netns (ip netns) or a path such as /proc/PID/ns/net")
		->type_name("NAME|PATH");
	setup_start(app, inv);
	setup_stop(app, inv);
	setup_status(app, inv);
	setup_stats(app, inv);
	setup_sessions(app, inv);
	setup_monitor(app, inv);
	setup_config(app, inv);
	setup_rewrite(app, inv);
	setup_version(app, inv);
}

void install_interrupt_handlers()
{
	struct sigaction sa {};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	// no SA_RESTART: a blocked poll returns
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted()
{
	return got_signal != 0;
}

bool sleep_unless_interrupted(double seconds)
{
	auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
	while (!interrupted() && std::chrono::steady_clock::now() < end)
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
	return !interrupted();
}

} // namespace ktftpd
