// SPDX-License-Identifier: GPL-2.0
// `ktftpctl config import`: another TFTP server's config as the
// ktftpd.json that makes ktftpd serve the same files the same way, with a
// note for each thing that has no exact equivalent and an error (a
// ConfigError naming the file, line and option) for each thing that has
// none at all.  Nothing is dropped silently.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace ktftpd {

struct Imported {
	// The keys the source decides: what it sets, and what it does
	// otherwise than ktftpd's defaults; `config apply` gives every other
	// key its default.
	Config config;
	// The serving identity as names, resolved where the file is applied.
	std::optional<std::string> user;
	std::optional<std::string> group;
	std::vector<std::string> notes;		// "FILE:LINE: ..."
};

// The config file `config apply` takes.
nlohmann::ordered_json imported_json(const Imported &imp);

// Reads a file the source names (a map file); throws ConfigError.
using ReadFile = std::function<std::string(const std::string &path)>;
std::string read_whole_file(const std::string &path);

// /etc/default/tftpd-hpa (@text, named @name in messages), as Debian's
// service passes it to in.tftpd.  @map_file: a map file to read instead
// of the one its options name (or as if they named it).  Throws
// ConfigError naming the line and the variable or option.
Imported import_tftpd_hpa(std::string_view text, const std::string &name, const ReadFile &read,
			  const std::optional<std::string> &map_file);

// A dnsmasq.conf: its TFTP lines.  Throws ConfigError naming the line.
Imported import_dnsmasq(std::string_view text, const std::string &name);

// The importers' common steps.
namespace import_detail {

// "FILE:LINE: " (or "FILE: " for line 0), as notes and errors begin.
std::string where(const std::string &file, int line);
// Set @key from @value as `config set` would; a value ktftpd refuses is
// an error of the source, at @line, naming @what (its option).
void set(Imported &imp, const std::string &file, int line, const std::string &what,
	 const std::string &key, const std::string &value);
// A user or group name as the source gives it, checked only for what
// the config file can hold (UTF-8, printable): it is resolved where the
// file is applied.
std::string identity_name(const std::string &file, int line, const std::string &what,
			  const std::string &name);

} // namespace import_detail

} // namespace ktftpd
