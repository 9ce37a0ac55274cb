// SPDX-License-Identifier: GPL-2.0
// What `ktftpctl config set`, `config apply` and `config import` were
// asked (see app.hpp: Invocation::options).  `config show` takes no
// options.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ktftpd {

struct ConfigSetOptions {
	std::vector<std::string> assignments;	// KEY=VALUE ...
};

struct ConfigApplyOptions {
	std::string file;
	bool check_only = false;		// --check
};

struct ConfigImportOptions {
	std::string from;			// --from: tftpd-hpa or dnsmasq
	std::string file;			// its config file
	std::optional<std::string> map_file;	// --map-file: tftpd-hpa's
};

} // namespace ktftpd
