// SPDX-License-Identifier: GPL-2.0
// What `ktftpctl stop` was asked (see app.hpp: Invocation::options).
#pragma once

#include <optional>

namespace ktftpd {

struct StopOptions {
	std::optional<double> drain_s;	// --drain
};

} // namespace ktftpd
