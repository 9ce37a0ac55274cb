// SPDX-License-Identifier: GPL-2.0
#include "render.hpp"

#include <ostream>

namespace ktftpd {

nlohmann::json to_json(const Stats &s)
{
	nlohmann::json errors = nlohmann::json::object();
	for (auto [code, n] : s.errors_sent)
		errors[std::to_string(code)] = n;
	return {
		{"requests", s.requests},
		{"transfers_completed", s.completed},
		{"transfers_failed", s.failed},
		{"bytes_sent", s.bytes_sent},
		{"bytes_received", s.bytes_received},
		{"packets_sent", s.packets_sent},
		{"retransmits", s.retransmits},
		{"refused_busy", s.refused_busy},
		{"active", s.active},
		{"peak", s.peak},
		{"errors_sent", errors},
	};
}

nlohmann::json to_json(const Status &st)
{
	return {
		{"running", st.running},
		{"port", st.port},
		{"root", st.root},
		{"stats", to_json(st.stats)},
	};
}

void render_status(std::ostream &out, const Status &st, Format fmt)
{
	if (fmt == Format::json) {
		out << to_json(st).dump(2) << '\n';
		return;
	}
	const Stats &c = st.stats;
	out << "state: " << (st.running ? "running" : "stopped") << '\n'
	    << "port:  " << st.port << '\n'
	    << "root:  " << st.root << '\n'
	    << "sessions: " << c.active << " active, " << c.peak << " peak\n"
	    << "transfers: " << c.completed << " completed, " << c.failed
	    << " failed, " << c.refused_busy << " refused busy\n"
	    << "sent: " << c.bytes_sent << " bytes, " << c.packets_sent
	    << " packets, " << c.retransmits << " retransmits\n"
	    << "requests: " << c.requests << '\n';
}

} // namespace ktftpd
