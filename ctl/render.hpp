// SPDX-License-Identifier: GPL-2.0
// Output of ktftpctl: human text, or JSON for machines.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>

#include "netlink.hpp"

namespace ktftpd {

enum class Format { text, json };

nlohmann::json to_json(const Stats &s);
nlohmann::json to_json(const Status &st);
void render_status(std::ostream &out, const Status &st, Format fmt);

} // namespace ktftpd
