// SPDX-License-Identifier: GPL-2.0
// What `ktftpctl rewrite test` was asked (see app.hpp: Invocation::options).
#pragma once

#include <optional>
#include <string>

namespace ktftpd {

struct RewriteTestOptions {
	std::string name;			// the file name, as a client sends it
	std::optional<std::string> client;	// --client: its address
};

} // namespace ktftpd
