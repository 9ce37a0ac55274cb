// SPDX-License-Identifier: GPL-2.0
#include "import.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config.hpp"
#include "errors.hpp"

namespace ktftpd {

nlohmann::ordered_json imported_json(const Imported &imp)
{
	Config cfg = imp.config;
	// Names are put where the numbers would be, in the file's order:
	// config_to_json() knows only numbers, so it is given the default
	// as a stand-in.
	if (imp.user)
		cfg.params[KTFTPD_P_USER] = ktftpd_params[KTFTPD_P_USER].def;
	if (imp.group)
		cfg.params[KTFTPD_P_GROUP] = ktftpd_params[KTFTPD_P_GROUP].def;
	nlohmann::ordered_json j = config_to_json(cfg);
	if (imp.user)
		j[ktftpd_params[KTFTPD_P_USER].name] = *imp.user;
	if (imp.group)
		j[ktftpd_params[KTFTPD_P_GROUP].name] = *imp.group;
	return j;
}

std::string read_whole_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw ConfigError(path, 0, "", "cannot read it");
	std::stringstream text;
	text << in.rdbuf();
	return text.str();
}

namespace import_detail {

std::string where(const std::string &file, int line)
{
	return file + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
}

void set(Imported &imp, const std::string &file, int line, const std::string &what,
	 const std::string &key, const std::string &value)
{
	try {
		set_config_value(imp.config, key, value);
	} catch (const Failure &e) {
		throw ConfigError(file, line, what, e.what());
	}
}

std::string identity_name(const std::string &file, int line, const std::string &what,
			  const std::string &name)
{
	bool printable = !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
		return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
	});
	bool utf8 = true;
	try {
		(void)nlohmann::json(name).dump();
	} catch (const nlohmann::json::type_error &) {
		utf8 = false;
	}
	if (!printable || !utf8)
		throw ConfigError(file, line, what, "'" + name + "' is not a user or group name");
	return name;
}

} // namespace import_detail

} // namespace ktftpd
