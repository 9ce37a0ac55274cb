// SPDX-License-Identifier: GPL-2.0
// ktftpctl rewrite test NAME [--client ADDR]: what the config in force
// makes of a requested file name (the switches, the filename rules), with
// nothing opened.
#include <arpa/inet.h>

#include <iostream>

#include <uapi/linux/ktftpd.h>

#include "app.hpp"
#include "cmd_rewrite.hpp"
#include "errors.hpp"
#include "netlink.hpp"
#include "render.hpp"

namespace ktftpd {
namespace {

// Refused while parsing, so that a bad one is a usage error (exit 64).
const CLI::Validator client_address(
	[](std::string &text) -> std::string {
		unsigned char buf[16];
		if (text.find('\0') == std::string::npos &&
		    (inet_pton(AF_INET, text.c_str(), buf) == 1 ||
		     inet_pton(AF_INET6, text.c_str(), buf) == 1))
			return {};
		return "'" + text + "' is not an IPv4 or IPv6 address";
	},
	"");

// The longest name a request carries (KTFTPD_REWRITE_NAME's policy).
const CLI::Validator name_length(
	[](std::string &text) -> std::string {
		if (text.size() < KTFTPD_FILE_MAX)
			return {};
		return "a file name is at most " + std::to_string(KTFTPD_FILE_MAX - 1) + " bytes";
	},
	"");

std::vector<Rule> rules_in_force(Client &client)
{
	return client.get_status().config.rules.value_or(std::vector<Rule>{});
}

int run_rewrite_test(const RewriteTestOptions &opts, const Output &o)
{
	Client client;
	// The reply names rules by index only: their text comes from the
	// config in force, which must be the same one before and after, or an
	// index could be shown with another rule's text.
	std::vector<Rule> rules = rules_in_force(client);
	RewriteResult result = client.rewrite_test(opts.name, opts.client);
	if (rules_in_force(client) != rules)
		throw Failure(EXIT_FAILURE_OTHER, "the filename rules changed during the test: try again");
	render_rewrite_test(std::cout, opts.name, opts.client, result, rules, o);
	return 0;
}

} // namespace

void setup_rewrite(CLI::App &app, Invocation &inv)
{
	auto *cmd = app.add_subcommand("rewrite", "Try the filename rules");
	cmd->require_subcommand(1, 1);

	// Shared by the bindings and the action (see setup_start).
	auto opts = std::make_shared<RewriteTestOptions>();
	auto *test = cmd->add_subcommand(
		"test", "Show what a request for NAME would look up beneath root (nothing is opened)");
	test->add_option("name", opts->name, "The file name, as a client sends it")
		->required()
		->check(name_length)
		->type_name("NAME");
	test->add_option("--client", opts->client,
			 "The client's address (IPv4 or IPv6); without it, the rules know none")
		->check(client_address)
		->type_name("ADDR");
	test->callback([&inv, opts]() {
		inv.command = "rewrite test";
		inv.command_options = opts;
		inv.action = [&inv, opts] { return run_rewrite_test(*opts, inv.output()); };
	});
}

} // namespace ktftpd
