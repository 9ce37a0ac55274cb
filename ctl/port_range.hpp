// SPDX-License-Identifier: GPL-2.0
// port_range as people write it: "LOW:HIGH" (1 <= LOW <= HIGH <= 65535),
// or "" for none, as the sysctl takes it.
#pragma once

#include <string>

#include "model.hpp"

namespace ktftpd {

// Throws std::invalid_argument saying what the value must be.
PortRange parse_port_range(const std::string &text);
// "50000:50099", or "" for none.
std::string port_range_text(const PortRange &range);

} // namespace ktftpd
