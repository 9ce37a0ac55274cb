// SPDX-License-Identifier: GPL-2.0
// What `ktftpctl stats` was asked (see app.hpp: Invocation::options).
#pragma once

#include <optional>
#include <string>

namespace ktftpd {

struct StatsOptions {
	std::optional<double> watch_s;	// --watch
	std::string format;		// --format: "", text, json, prometheus
};

} // namespace ktftpd
