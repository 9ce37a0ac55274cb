// SPDX-License-Identifier: GPL-2.0
// ktftpctl monitor --journal: each event's fields, as journalctl matches them.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "journal.hpp"

using ktftpd::Event;
using ktftpd::journal_fields;

namespace {

Event transfer_event(Event::Kind kind)
{
	Event e;
	e.kind = kind;
	e.transfer.id = 42;
	e.transfer.peer = "198.18.0.7";
	e.transfer.port = 2070;
	e.transfer.file = "pxelinux.0";
	e.transfer.bytes = 46909;
	e.transfer.total = 46909;
	e.transfer.blksize = 1468;
	e.transfer.windowsize = 1;
	e.transfer.age_ms = 312;
	return e;
}

bool has(const std::vector<std::string> &f, const std::string &field)
{
	return std::find(f.begin(), f.end(), field) != f.end();
}

bool has_name(const std::vector<std::string> &f, const std::string &name)
{
	return std::any_of(f.begin(), f.end(),
			   [&](const std::string &x) { return x.rfind(name + "=", 0) == 0; });
}

TEST(Journal, AFinishCarriesTheClientTheFileTheBytesAndTheTime)
{
	auto f = journal_fields(transfer_event(Event::Kind::finish));
	for (const char *want : {"KTFTPD_EVENT=finish", "CLIENT=198.18.0.7", "CLIENT_PORT=2070",
				 "FILE=pxelinux.0", "DIRECTION=read", "BYTES=46909", "TOTAL=46909",
				 "DURATION_MS=312", "SESSION_ID=42", "BLKSIZE=1468", "PRIORITY=6",
				 "SYSLOG_IDENTIFIER=ktftpd", "RETRANSMITS=0"})
		EXPECT_TRUE(has(f, want)) << want;
	EXPECT_TRUE(has(f, "MESSAGE=finish #42 198.18.0.7:2070 read pxelinux.0 46909 bytes in 0.3 s"))
		<< f[0];
	EXPECT_FALSE(has_name(f, "ERROR_CODE"));
	EXPECT_FALSE(has_name(f, "UNCONFIRMED"));
}

TEST(Journal, AStartHasNoBytesOrDurationYet)
{
	auto f = journal_fields(transfer_event(Event::Kind::start));
	EXPECT_TRUE(has(f, "KTFTPD_EVENT=start"));
	EXPECT_FALSE(has_name(f, "BYTES"));
	EXPECT_FALSE(has_name(f, "DURATION_MS"));
}

TEST(Journal, AnErrorCarriesItsCodeAndMessageAtNotice)
{
	Event e = transfer_event(Event::Kind::error);
	e.error_code = 1;
	e.error_msg = "File not found";
	auto f = journal_fields(e);
	EXPECT_TRUE(has(f, "ERROR_CODE=1"));
	EXPECT_TRUE(has(f, "ERROR_MESSAGE=File not found"));
	EXPECT_TRUE(has(f, "PRIORITY=5"));
}

TEST(Journal, ARefusedRequestHasNoSessionId)
{
	Event e = transfer_event(Event::Kind::error);
	e.transfer.id = 0;
	e.error_code = 2;
	EXPECT_FALSE(has_name(journal_fields(e), "SESSION_ID"));
}

TEST(Journal, AnUploadAnIpv6ClientAndAnUnconfirmedFinish)
{
	Event e = transfer_event(Event::Kind::finish);
	e.transfer.write = true;
	e.transfer.peer = "fd00::7";
	e.unconfirmed = true;
	auto f = journal_fields(e);
	EXPECT_TRUE(has(f, "DIRECTION=write"));
	EXPECT_TRUE(has(f, "CLIENT=fd00::7"));
	EXPECT_TRUE(has(f, "UNCONFIRMED=1"));
}

TEST(Journal, AHostileFileNameStaysInItsOwnField)
{
	// A client may ask for any bytes: a newline must not forge a field
	// (sd_journal_sendv sends a value with one as binary, whole).
	Event e = transfer_event(Event::Kind::start);
	e.transfer.file = "a\nPRIORITY=0";
	auto f = journal_fields(e);
	EXPECT_TRUE(has(f, std::string("FILE=a\nPRIORITY=0")));
	EXPECT_EQ(std::count_if(f.begin(), f.end(),
				[](const std::string &x) { return x.rfind("PRIORITY=", 0) == 0; }),
		  1);
	// The message line shows it escaped, on one line.
	auto msg = std::find_if(f.begin(), f.end(),
				[](const std::string &x) { return x.rfind("MESSAGE=", 0) == 0; });
	ASSERT_NE(msg, f.end());
	EXPECT_EQ(msg->find('\n'), std::string::npos) << *msg;
}

} // namespace
