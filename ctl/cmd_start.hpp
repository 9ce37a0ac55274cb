// SPDX-License-Identifier: GPL-2.0
// What `ktftpctl start` was asked (see app.hpp: Invocation::options).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ktftpd {

struct StartOptions {
	std::optional<std::string> config_file;				// --config
	std::vector<std::pair<std::string, std::string>> settings;	// --KEY VALUE
};

} // namespace ktftpd
