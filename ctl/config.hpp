// SPDX-License-Identifier: GPL-2.0
// The config file (/etc/ktftpd/ktftpd.json) and KEY=VALUE settings: parsed
// and validated here, with the kernel's own table of settings (params.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "model.hpp"

namespace ktftpd {

inline constexpr const char *DEFAULT_CONFIG_PATH = "/etc/ktftpd/ktftpd.json";

// A config file error: "FILE:LINE: key: reason".  Exit status 78.
class ConfigError : public std::runtime_error {
public:
	ConfigError(const std::string &where, int line, const std::string &key,
		    const std::string &why);
	int line() const { return line_; }
	const std::string &key() const { return key_; }

private:
	int line_;
	std::string key_;
};

// Parse a config file's text (JSON; // and /* */ comments allowed).  Keys
// left out are left unset; @name is used in messages.  Throws ConfigError.
Config parse_config(std::string_view text, const std::string &name);
// Read and parse @path; an unreadable file is a ConfigError too.
Config load_config(const std::string &path);

// Set one key from text ("timeout" and "1500"), as `config set` and the
// start options do.  Throws Failure(EXIT_DATAERR) naming the key; "rules"
// is refused, pointing at the config file.
void set_config_value(Config &cfg, std::string_view key, std::string_view value);
// "KEY=VALUE".
void set_config_assignment(Config &cfg, std::string_view assignment);

// Every key that has a text form (KEY=VALUE, start's --KEY), in file
// order: all but "rules", which only a config file holds.
const std::vector<std::string> &config_keys();

// The config as the file `config apply` takes (unset keys left out).
nlohmann::ordered_json config_to_json(const Config &cfg);

} // namespace ktftpd
