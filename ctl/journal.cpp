// SPDX-License-Identifier: GPL-2.0
#include "journal.hpp"

#include <cstring>
#include <sstream>

#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "errors.hpp"
#include "render.hpp"

namespace ktftpd {

std::vector<std::string> journal_fields(const Event &e)
{
	const Transfer &t = e.transfer;
	std::ostringstream line;
	render_event(line, e, Output{});
	std::string message = line.str();
	if (!message.empty() && message.back() == '\n')
		message.pop_back();

	const char *kind = e.kind == Event::Kind::start ? "start" :
			   e.kind == Event::Kind::finish ? "finish" : "error";
	// syslog's levels: a transfer is news (info), a failed or refused
	// one is worth a look (notice).
	std::vector<std::string> f = {
		"MESSAGE=" + message,
		std::string("PRIORITY=") + (e.kind == Event::Kind::error ? "5" : "6"),
		"SYSLOG_IDENTIFIER=ktftpd",
		std::string("KTFTPD_EVENT=") + kind,
		"CLIENT=" + t.peer,
		"CLIENT_PORT=" + std::to_string(t.port),
		"FILE=" + t.file,
		std::string("DIRECTION=") + (t.write ? "write" : "read"),
	};
	// 0: a request refused before a transfer began.
	if (t.id)
		f.push_back("SESSION_ID=" + std::to_string(t.id));
	if (t.lookup)
		f.push_back("LOOKUP=" + *t.lookup);
	if (e.kind != Event::Kind::start) {
		f.push_back("BYTES=" + std::to_string(t.bytes));
		f.push_back("DURATION_MS=" + std::to_string(t.age_ms));
		f.push_back("RETRANSMITS=" + std::to_string(t.retransmits));
	}
	if (t.total)
		f.push_back("TOTAL=" + std::to_string(*t.total));
	if (t.blksize)
		f.push_back("BLKSIZE=" + std::to_string(t.blksize));
	if (t.windowsize)
		f.push_back("WINDOWSIZE=" + std::to_string(t.windowsize));
	if (e.kind == Event::Kind::error) {
		f.push_back("ERROR_CODE=" + std::to_string(e.error_code.value_or(0)));
		f.push_back("ERROR_MESSAGE=" + e.error_msg);
	}
	if (e.unconfirmed)
		f.push_back("UNCONFIRMED=1");
	return f;
}

void journal_send(const std::vector<std::string> &fields)
{
	std::vector<iovec> iov;
	iov.reserve(fields.size());
	for (const std::string &field : fields)
		iov.push_back({const_cast<char *>(field.data()), field.size()});
	int r = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
	if (r < 0)
		throw Failure(EXIT_FAILURE_OTHER,
			      std::string("cannot write to the journal: ") + std::strerror(-r));
}

} // namespace ktftpd
