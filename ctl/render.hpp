// SPDX-License-Identifier: GPL-2.0
// Output of ktftpctl: aligned text for people, JSON (snake_case keys,
// numbers as numbers) for machines, and Prometheus' text format.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace ktftpd {

enum class Format { text, json, prometheus };

struct Output {
	Format format = Format::text;
	bool pretty = false;	// indent JSON
	// Prometheus: a netns="..." label on every sample (stats
	// --netns-label), for one scrape of several namespaces' servers.
	std::optional<std::string> netns_label;
};

nlohmann::ordered_json to_json(const Stats &s);
nlohmann::ordered_json to_json(const Status &st);
nlohmann::ordered_json to_json(const Transfer &t);
nlohmann::ordered_json to_json(const Event &e);

void render_status(std::ostream &out, const Status &st, const Output &o);
void render_stats(std::ostream &out, const Status &st, const Output &o);
// Between two answers of `stats --watch`: a blank line in text; JSON and
// Prometheus answers follow each other as they are.
void render_watch_break(std::ostream &out, const Output &o);
void render_transfers(std::ostream &out, const std::vector<Transfer> &transfers, const Output &o);
// One line per event (JSON is always one line here).
void render_event(std::ostream &out, const Event &e, const Output &o);
// As a file `config apply` takes; text also numbers the rules in comments.
void render_config(std::ostream &out, const Config &cfg, const Output &o);
// A config file already in its JSON form (`config import`): indented for
// people, and with --json as `config show --json` prints one.
void render_config_file(std::ostream &out, const nlohmann::ordered_json &file, const Output &o);
// `rewrite test`: what @result says of @name from @client, with the
// @rules in force naming the ones it applied.
void render_rewrite_test(std::ostream &out, const std::string &name,
			 const std::optional<std::string> &client, const RewriteResult &result,
			 const std::vector<Rule> &rules, const Output &o);

// The answers of the commands that act: a line for people, an object for
// machines.
void render_started(std::ostream &out, bool was_running, bool config_changed, const Output &o);
void render_stopped(std::ostream &out, bool was_running, const Output &o);
// @what: the file applied, or "config" for `config set`.
void render_config_change(std::ostream &out, const std::string &what, bool changed,
			  const Output &o);
void render_config_valid(std::ostream &out, const std::string &file, const Output &o);
// @module: the loaded module's version, none if it is not loaded.
void render_version(std::ostream &out, const std::optional<std::string> &module,
		    const Output &o);

} // namespace ktftpd
