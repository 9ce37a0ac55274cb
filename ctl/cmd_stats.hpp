// SPDX-License-Identifier: GPL-2.0
// What `ktftpctl stats` was asked (see app.hpp: Invocation::options).
#pragma once

#include <optional>
#include <string>

namespace ktftpd {

struct StatsOptions {
	std::optional<double> watch_s;	// --watch
	std::string format;		// --format: "", text, json, prometheus
	// --netns-label [NAME]: "" when given without NAME (then --netns's)
	std::optional<std::string> netns_label;
	std::string output;		// --output FILE: replaced whole each time
};

} // namespace ktftpd
