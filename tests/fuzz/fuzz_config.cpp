// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for ktftpctl's config parser (ctl/config.cpp): the JSON
// file with comments, and KEY=VALUE assignments.  Any input either parses
// or is refused with the parser's own error (ConfigError or Failure, each
// naming what was wrong); any other exception, a crash or a sanitizer
// report is a bug.  A config that parses survives a round trip through
// the text `config apply` takes.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config.hpp"
#include "errors.hpp"

using namespace ktftpd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view text(reinterpret_cast<const char *>(data), size);

	try {
		Config cfg = parse_config(text, "fuzz.json");
		std::string again = config_to_json(cfg).dump();
		assert(parse_config(again, "again.json") == cfg);
	} catch (const ConfigError &e) {
		assert(*e.what() != '\0');
	}

	// The same bytes as `ktftpctl config set KEY=VALUE` arguments, one per
	// line.  Each line is parsed on its own, so the first 16 reach all there
	// is: a long input of bad lines only threw an exception per line (slow
	// under ASan) and starved the JSON parser of executions.
	Config cfg;
	size_t start = 0;
	for (int lines = 0; start < text.size() && lines < 16; lines++) {
		size_t end = text.find('\n', start);
		if (end == std::string_view::npos)
			end = text.size();
		try {
			set_config_assignment(cfg, text.substr(start, end - start));
		} catch (const Failure &e) {
			assert(e.exit_code() == EXIT_USAGE || e.exit_code() == EXIT_DATAERR);
		}
		start = end + 1;
	}
	if (!cfg.empty()) {
		std::string again = config_to_json(cfg).dump();
		assert(parse_config(again, "again.json") == cfg);
	}
	return 0;
}
