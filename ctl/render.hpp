// SPDX-License-Identifier: GPL-2.0
// Output of ktftpctl: aligned text for people, JSON (snake_case keys,
// numbers as numbers) for machines, and Prometheus' text format.
#pragma once

#include <iosfwd>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace ktftpd {

enum class Format { text, json, prometheus };

struct Output {
	Format format = Format::text;
	bool pretty = false;	// indent JSON
};

nlohmann::ordered_json to_json(const Stats &s);
nlohmann::ordered_json to_json(const Status &st);
nlohmann::ordered_json to_json(const Session &s);
nlohmann::ordered_json to_json(const Event &e);

void render_status(std::ostream &out, const Status &st, const Output &o);
void render_stats(std::ostream &out, const Status &st, const Output &o);
void render_sessions(std::ostream &out, const std::vector<Session> &s, const Output &o);
// One line per event (JSON is always one line here).
void render_event(std::ostream &out, const Event &e, const Output &o);
void render_config(std::ostream &out, const Config &cfg, const Output &o);

} // namespace ktftpd
