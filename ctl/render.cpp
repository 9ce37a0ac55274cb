// SPDX-License-Identifier: GPL-2.0
#include "render.hpp"

#include <ostream>

namespace ktftpd {

nlohmann::json to_json(const Status &st)
{
	return {
		{"running", st.running},
		{"port", st.port},
		{"root", st.root},
	};
}

void render_status(std::ostream &out, const Status &st, Format fmt)
{
	if (fmt == Format::json) {
		out << to_json(st).dump(2) << '\n';
		return;
	}
	out << "state: " << (st.running ? "running" : "stopped") << '\n'
	    << "port:  " << st.port << '\n'
	    << "root:  " << st.root << '\n';
}

} // namespace ktftpd
