// SPDX-License-Identifier: GPL-2.0
// A file replaced whole or not at all: what a reader that may come at any
// moment (node_exporter's textfile collector) must see.
#pragma once

#include <filesystem>
#include <string_view>

namespace ktftpd {

// Write @text to a temporary file beside @path (mode 0644), flush it to
// disk, and rename it over @path.  On any failure the temporary file is
// removed, @path is left as it was, and Failure(EXIT_CANTCREAT) names
// the step and the errno.
void write_file_atomically(const std::filesystem::path &path, std::string_view text);

} // namespace ktftpd
