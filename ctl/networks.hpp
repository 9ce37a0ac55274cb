// SPDX-License-Identifier: GPL-2.0
// Client networks (the allow and deny settings) as people write them:
// "198.18.0.0/15", "fd00::/8", or a bare address for one host.  A network
// is valid when the kernel's own checker (tftp_cidr_check(),
// kernel/cidr.c) says so, so ktftpctl refuses exactly what the kernel
// would.
#pragma once

#include <string>
#include <vector>

#include "model.hpp"

namespace ktftpd {

// One network; a bare address is /32 or /128.  Throws
// std::invalid_argument naming the entry and why:
//   "198.18.0.1/15: address has bits set past the prefix length"
Network parse_network(const std::string &text);
// Each of @texts, in order: at most KTFTPD_NETS_MAX.  Throws as above.
std::vector<Network> parse_networks(const std::vector<std::string> &texts);
// Canonical, always with its prefix: "198.18.0.0/15", "fd00::/8".
std::string network_text(const Network &net);

} // namespace ktftpd
