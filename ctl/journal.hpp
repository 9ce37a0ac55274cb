// SPDX-License-Identifier: GPL-2.0
// Transfer events as systemd journal entries with fields of their own, so
// that `journalctl -u ktftpd-log CLIENT=198.18.0.7` finds one client's.
#pragma once

#include <string>
#include <vector>

#include "model.hpp"

namespace ktftpd {

// @e's entry, as "FIELD=value" strings: MESSAGE (the line `monitor`
// prints), PRIORITY, SYSLOG_IDENTIFIER=ktftpd, KTFTPD_EVENT, SESSION_ID,
// CLIENT, CLIENT_PORT, FILE, LOOKUP, DIRECTION, BYTES, TOTAL,
// DURATION_MS, BLKSIZE, WINDOWSIZE, RETRANSMITS, ERROR_CODE,
// ERROR_MESSAGE and UNCONFIRMED, each where it applies.  Values are the
// kernel's bytes: a client's file name may hold any of them.
std::vector<std::string> journal_fields(const Event &e);

// Send one entry; Failure (EXIT_FAILURE_OTHER) if the journal refuses it.
void journal_send(const std::vector<std::string> &fields);

} // namespace ktftpd
