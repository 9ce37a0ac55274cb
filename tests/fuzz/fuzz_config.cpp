// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for ktftpctl's config parser (ctl/config.cpp): the JSON
// file with comments, and KEY=VALUE assignments; and for `config import`'s
// readers of /etc/default/tftpd-hpa, tftpd-hpa map files and dnsmasq.conf.
// Any input either parses or is refused with the parser's own error
// (ConfigError or Failure, each naming what was wrong); any other
// exception, a crash or a sanitizer report is a bug.  A config that parses
// survives a round trip through the text `config apply` takes, and so does
// what an import makes.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config.hpp"
#include "errors.hpp"
#include "hpa_map.hpp"
#include "import.hpp"

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

	// The same bytes as another server's files.  The map file a
	// tftpd-hpa file names is these bytes again.
	auto same_bytes = [text](const std::string &) { return std::string(text); };
	auto imports = [&](const Imported &imp) {
		// Names are resolved where the file is applied, not here.
		Imported numeric = imp;
		numeric.user.reset();
		numeric.group.reset();
		std::string file = imported_json(numeric).dump();
		Config again = parse_config(file, "imported.json");
		assert(again == numeric.config);
	};
	try {
		imports(import_tftpd_hpa(text, "tftpd-hpa", same_bytes, std::nullopt));
	} catch (const ConfigError &e) {
		assert(*e.what() != '\0');
	}
	try {
		imports(import_dnsmasq(text, "dnsmasq.conf"));
	} catch (const ConfigError &e) {
		assert(*e.what() != '\0');
	}
	try {
		Config rules;
		rules.rules = translate_map_file(text, "tftpd.map").rules;
		assert(parse_config(config_to_json(rules).dump(), "rules.json") == rules);
	} catch (const ConfigError &e) {
		assert(*e.what() != '\0');
	}
	return 0;
}
