// SPDX-License-Identifier: GPL-2.0
// What `ktftpctl config set` and `config apply` were asked (see app.hpp:
// Invocation::options).  `config show` takes no options.
#pragma once

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

} // namespace ktftpd
