// SPDX-License-Identifier: GPL-2.0
// Each subcommand registers itself from its own file.
#pragma once

#include <CLI/CLI.hpp>

#include "render.hpp"

namespace ktftpd {

struct GlobalOptions {
	bool json = false;
	Format format() const { return json ? Format::json : Format::text; }
};

void setup_status(CLI::App &app, const GlobalOptions &global);

} // namespace ktftpd
