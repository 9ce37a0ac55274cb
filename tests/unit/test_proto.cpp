// SPDX-License-Identifier: GPL-2.0
// Host tests of kernel/proto.c, the very file the module compiles.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "proto.h"

namespace {

std::vector<u8> bytes(const std::string &s)
{
	return std::vector<u8>(s.begin(), s.end());
}

std::vector<u8> rrq(const std::string &body, u16 op = TFTP_RRQ)
{
	std::vector<u8> p{static_cast<u8>(op >> 8), static_cast<u8>(op)};
	auto b = bytes(body);
	p.insert(p.end(), b.begin(), b.end());
	return p;
}

// What the parser said: parsed, or refused with a code and a message.
struct Outcome {
	bool parsed;
	int code;
	std::string why;
	bool operator==(const Outcome &) const = default;
};

std::ostream &operator<<(std::ostream &os, const Outcome &o)
{
	if (o.parsed)
		return os << "parsed";
	return os << "refused " << o.code << " \"" << o.why << "\"";
}

const Outcome kParsed{true, 0, ""};

Outcome refused(u16 code, const char *why)
{
	return {false, code, why};
}

Outcome parse(const std::vector<u8> &p, tftp_request &req)
{
	const tftp_refusal untouched{0xbeef, "untouched"};
	tftp_refusal ref = untouched;

	if (tftp_parse_request(p.data(), p.size(), &req, &ref)) {
		// A request that parses leaves the refusal as it was.
		EXPECT_EQ(ref.code, untouched.code);
		EXPECT_EQ(ref.why, untouched.why);
		return kParsed;
	}
	EXPECT_NE(ref.why, nullptr);
	return refused(ref.code, ref.why ? ref.why : "");
}

} // namespace

TEST(Request, ParsesPlainRrq)
{
	tftp_request req;
	auto p = rrq(std::string("file.bin\0octet\0", 15));
	ASSERT_EQ(parse(p, req), kParsed);
	EXPECT_EQ(req.opcode, TFTP_RRQ);
	EXPECT_STREQ(req.filename, "file.bin");
	EXPECT_EQ(req.filename_len, 8u);
	EXPECT_EQ(req.mode, TFTP_MODE_OCTET);
	EXPECT_EQ(req.n_options, 0u);
}

TEST(Request, ModeIsCaseInsensitive)
{
	for (const char *m : {"OCTET", "Octet", "oCtEt"}) {
		tftp_request req;
		auto p = rrq(std::string("f\0", 2) + m + std::string("\0", 1));
		ASSERT_EQ(parse(p, req), kParsed) << m;
		EXPECT_EQ(req.mode, TFTP_MODE_OCTET);
	}
	tftp_request req;
	ASSERT_EQ(parse(rrq(std::string("f\0NetAscii\0", 11)), req), kParsed);
	EXPECT_EQ(req.mode, TFTP_MODE_NETASCII);
}

TEST(Request, CollectsOptions)
{
	tftp_request req;
	auto p = rrq(std::string("f\0octet\0blksize\0001468\0tsize\0000\0", 30));
	ASSERT_EQ(parse(p, req), kParsed);
	ASSERT_EQ(req.n_options, 2u);
	EXPECT_STREQ(req.options[0].name, "blksize");
	EXPECT_STREQ(req.options[0].value, "1468");
	EXPECT_STREQ(req.options[1].name, "tsize");
	EXPECT_STREQ(req.options[1].value, "0");
}

TEST(Request, CapsOptionCountWithoutOverflow)
{
	std::string body("f\0octet\0", 8);
	for (int i = 0; i < 100; i++)
		body += std::string("o") + std::to_string(i) + std::string("\0v\0", 3);
	tftp_request req;
	ASSERT_EQ(parse(rrq(body), req), kParsed);
	EXPECT_EQ(req.n_options, static_cast<unsigned>(TFTP_MAX_OPTIONS));
}

TEST(Request, TruncatedOptionsDropOnlyTheOptions)
{
	tftp_request req;
	ASSERT_EQ(parse(rrq(std::string("f\0octet\0blksize\0001468", 20)), req), kParsed);
	EXPECT_EQ(req.n_options, 0u);
}

TEST(Request, RejectsMalformed)
{
	tftp_request req;
	EXPECT_EQ(parse({}, req), refused(TFTP_EBADOP, "short packet"));
	EXPECT_EQ(parse({0}, req), refused(TFTP_EBADOP, "short packet"));
	EXPECT_EQ(parse({0, 1}, req),					// nothing after opcode
		  refused(TFTP_EBADOP, "filename not terminated"));
	EXPECT_EQ(parse(rrq("file"), req),				// no NUL at all
		  refused(TFTP_EBADOP, "filename not terminated"));
	EXPECT_EQ(parse(rrq(std::string("file\0octet", 10)), req),
		  refused(TFTP_EBADOP, "mode not terminated"));
	EXPECT_EQ(parse(rrq(std::string("\0octet\0", 7)), req),
		  refused(TFTP_EBADOP, "empty filename"));
	EXPECT_EQ(parse(rrq(std::string("f\0binary\0", 9)), req),
		  refused(TFTP_EBADOP, "unknown transfer mode"));
	EXPECT_EQ(parse(rrq(std::string("f\0octet\0", 8), TFTP_DATA), req),
		  refused(TFTP_EBADOP, "not a request"));
	EXPECT_EQ(parse(rrq(std::string("f\0octet\0", 8), 0xffff), req),
		  refused(TFTP_EBADOP, "not a request"));
}

TEST(Request, AcceptsWrqForTheCallerToRefuse)
{
	tftp_request req;
	ASSERT_EQ(parse(rrq(std::string("f\0octet\0", 8), TFTP_WRQ), req), kParsed);
	EXPECT_EQ(req.opcode, TFTP_WRQ);
}

namespace {

constexpr unsigned kAllSwitches = TFTP_NORM_BACKSLASH | TFTP_NORM_SLASHES;

// @s as tftp_normalize_filename() leaves it, in a buffer of its own size.
std::string normalized(const std::string &s, unsigned how = kAllSwitches)
{
	std::vector<char> b(s.begin(), s.end());
	b.push_back('\0');
	size_t n = tftp_normalize_filename(b.data(), s.size(), how);
	EXPECT_EQ(b[n], '\0');
	return std::string(b.data(), n);
}

} // namespace

TEST(Filename, NormalizesSlashesAndBackslashes)
{
	auto norm = [](std::string s) { return normalized(s); };
	EXPECT_EQ(norm("pxelinux.0"), "pxelinux.0");
	EXPECT_EQ(norm("/pxelinux.0"), "pxelinux.0");
	EXPECT_EQ(norm("///a/b"), "a/b");
	EXPECT_EQ(norm("//thinstation.hosts"), "thinstation.hosts");
	EXPECT_EQ(norm("a//b///c/"), "a/b/c/");
	EXPECT_EQ(norm("\\Boot\\BCD"), "Boot/BCD");
	EXPECT_EQ(norm("tftp://h//x"), "tftp:/h/x");
	EXPECT_EQ(norm("boot\\x86\\wdsnbp.com"), "boot/x86/wdsnbp.com");
	EXPECT_EQ(norm("\\..\\etc"), "../etc");	// the lookup refuses it
	EXPECT_EQ(norm("/"), "");
}

TEST(Filename, DotSegmentsAreFoldedLeadingDotDotKept)
{
	auto norm = [](std::string s, unsigned how = kAllSwitches) { return normalized(s, how); };
	EXPECT_EQ(norm("./secret.cfg"), "secret.cfg");
	EXPECT_EQ(norm("pxelinux.cfg/../secret.cfg"), "secret.cfg");
	EXPECT_EQ(norm("a/b/../../c"), "c");
	EXPECT_EQ(norm("a/./b/."), "a/b/");
	EXPECT_EQ(norm("a/.."), "");
	EXPECT_EQ(norm("."), "");
	EXPECT_EQ(norm("../a"), "../a");		// nothing to fold: refused later
	EXPECT_EQ(norm("a/../../b"), "../b");
	EXPECT_EQ(norm("../../a/../b"), "../../b");
	EXPECT_EQ(norm(".../a"), ".../a");		// a name, not a dot segment
	EXPECT_EQ(norm("..a/b"), "..a/b");
	EXPECT_EQ(norm("\\.\\..\\x"), "../x");
	// Without strip_slashes the leading slash stays, and is never folded.
	EXPECT_EQ(norm("/../a", 0), "/../a");
	EXPECT_EQ(norm("/x/../a", 0), "/a");
	EXPECT_EQ(norm("a//../b", 0), "b");
	EXPECT_EQ(norm("//a//b", 0), "//a/b");
}

TEST(Filename, SwitchesAreIndependent)
{
	auto norm = [](std::string s, unsigned how) { return normalized(s, how); };
	EXPECT_EQ(norm("\\Boot\\BCD", 0), "\\Boot\\BCD");
	EXPECT_EQ(norm("//a//b", 0), "//a/b");	// inner ones are one, always
	EXPECT_EQ(norm("\\\\a", TFTP_NORM_BACKSLASH), "//a");
	EXPECT_EQ(norm("\\\\a", TFTP_NORM_SLASHES), "\\\\a");
	EXPECT_EQ(norm("//a\\b", TFTP_NORM_SLASHES), "a\\b");
}

TEST(Build, ErrorIsTerminatedAndTruncatedSafely)
{
	u8 buf[16];
	size_t n = tftp_build_error(buf, sizeof(buf), TFTP_ENOTFOUND, "File not found");
	EXPECT_EQ(n, sizeof(buf));	// 4 + 11 + NUL: truncated to fit
	EXPECT_EQ(buf[0], 0);
	EXPECT_EQ(buf[1], TFTP_ERROR);
	EXPECT_EQ(buf[3], TFTP_ENOTFOUND);
	EXPECT_EQ(buf[n - 1], 0);
	EXPECT_EQ(tftp_build_error(buf, 4, 0, "x"), 0u);
	EXPECT_EQ(tftp_build_error(buf, 5, 0, "xyz"), 5u);
}

TEST(Build, DataAndAck)
{
	u8 buf[4];
	ASSERT_EQ(tftp_build_data_header(buf, 4, 0x1234), 4u);
	EXPECT_EQ(buf[1], TFTP_DATA);
	EXPECT_EQ(buf[2], 0x12);
	EXPECT_EQ(buf[3], 0x34);
	EXPECT_EQ(tftp_build_data_header(buf, 3, 1), 0u);
	ASSERT_EQ(tftp_build_ack(buf, 4, 7), 4u);
	EXPECT_EQ(buf[1], TFTP_ACK);
}

TEST(Classify, PeerPackets)
{
	u16 blk = 0;
	const u8 ack[] = {0, 4, 0xff, 0xfe};
	const u8 err[] = {0, 5, 0, 8, 'x', 0};
	const u8 data[] = {0, 3, 0, 1};
	const u8 runt[] = {0, 4, 0};
	EXPECT_EQ(tftp_classify_from_peer(ack, 4, &blk), TFTP_PEER_ACK);
	EXPECT_EQ(blk, 0xfffe);
	EXPECT_EQ(tftp_classify_from_peer(err, sizeof(err), &blk), TFTP_PEER_ERROR);
	EXPECT_EQ(blk, 8);
	EXPECT_EQ(tftp_classify_from_peer(data, 4, &blk), TFTP_PEER_DATA);
	EXPECT_EQ(blk, 1);
	const u8 rrq[] = {0, 1, 'f', 0};
	const u8 oack[] = {0, 6, 'a', 0};
	EXPECT_EQ(tftp_classify_from_peer(rrq, 4, &blk), TFTP_PEER_ILLEGAL);
	EXPECT_EQ(tftp_classify_from_peer(oack, 4, &blk), TFTP_PEER_ILLEGAL);
	EXPECT_EQ(tftp_classify_from_peer(runt, 3, &blk), TFTP_PEER_RUNT);
	EXPECT_EQ(tftp_classify_from_peer(runt, 0, &blk), TFTP_PEER_RUNT);
}

// A lock-step transfer of a file of @blocks full blocks plus a short one.
TEST(Send, LockStepToCompletion)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 3);
	for (u64 b = 1; b <= 3; b++) {
		ASSERT_TRUE(tftp_send_may_send(&s));
		EXPECT_EQ(s.next, b);
		tftp_send_sent(&s, b == 3);
		EXPECT_FALSE(tftp_send_may_send(&s));	// lock-step: wait for ACK
		EXPECT_TRUE(tftp_send_outstanding(&s));
		auto r = tftp_send_ack(&s, static_cast<u16>(b));
		EXPECT_EQ(r, b == 3 ? TFTP_ACK_DONE : TFTP_ACK_PROGRESS);
	}
	EXPECT_TRUE(s.done);
	EXPECT_FALSE(tftp_send_may_send(&s));
	EXPECT_FALSE(tftp_send_outstanding(&s));
}

TEST(Send, DuplicateAckNeverResends)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 3);
	tftp_send_sent(&s, false);		// DATA 1
	ASSERT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_PROGRESS);
	tftp_send_sent(&s, false);		// DATA 2
	// A second ACK 1 (Sorcerer's Apprentice) changes nothing.
	EXPECT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_IGNORED);
	EXPECT_FALSE(tftp_send_may_send(&s));
	EXPECT_EQ(s.next, 3u);
	// A future or bogus block is ignored too.
	EXPECT_EQ(tftp_send_ack(&s, 9), TFTP_ACK_IGNORED);
	EXPECT_EQ(tftp_send_ack(&s, 0), TFTP_ACK_IGNORED);
}

TEST(Send, RepeatedAckAfterATimeoutShowsTheClientAlive)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 2);
	tftp_send_sent(&s, false);		// DATA 1
	ASSERT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_PROGRESS);
	tftp_send_sent(&s, false);		// DATA 2
	// Before any timeout of ours: a duplicate, no more.
	EXPECT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_IGNORED);
	ASSERT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	tftp_send_sent(&s, false);		// DATA 2 again
	ASSERT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	tftp_send_sent(&s, false);		// and again: no retry left
	// The client's timer repeats ACK 1: alive; nothing is to be sent
	// now, and believed, the count starts over.
	EXPECT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_ALIVE);
	EXPECT_EQ(s.retries, 2u);
	tftp_send_alive(&s);
	EXPECT_EQ(s.retries, 0u);
	EXPECT_FALSE(tftp_send_may_send(&s));
	EXPECT_EQ(s.base, 2u);
	EXPECT_EQ(s.next, 3u);
	// Once: the next copy is a duplicate until our timer fires again.
	EXPECT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_IGNORED);
	// Older ACKs never count.
	ASSERT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_ack(&s, 0), TFTP_ACK_IGNORED);
	EXPECT_EQ(s.retries, 1u);
	ASSERT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_GIVE_UP);
}

TEST(Send, OackIsNeverRepeatedAlive)
{
	tftp_send s;
	tftp_send_init(&s, true, 1, 3);
	tftp_send_sent(&s, false);		// OACK
	ASSERT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	tftp_send_sent(&s, false);
	// Nothing comes before the OACK: any number is ignored.
	EXPECT_EQ(tftp_send_ack(&s, 0xffff), TFTP_ACK_IGNORED);
	EXPECT_EQ(s.retries, 1u);
}

TEST(Send, TimeoutResendsThenGivesUp)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 2);
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	EXPECT_TRUE(tftp_send_may_send(&s));
	EXPECT_EQ(s.next, 1u);
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_GIVE_UP);
}

// Given up with only the last block's ACK missing: the client has it all.
TEST(Send, AwaitsFinalAckOnlyOnceEveryOtherBlockIsAcknowledged)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 1);
	EXPECT_FALSE(tftp_send_awaits_final_ack(&s));
	tftp_send_sent(&s, false);		// DATA 1
	EXPECT_FALSE(tftp_send_awaits_final_ack(&s));
	ASSERT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_PROGRESS);
	tftp_send_sent(&s, true);		// DATA 2, the last
	EXPECT_TRUE(tftp_send_awaits_final_ack(&s));
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	EXPECT_FALSE(tftp_send_awaits_final_ack(&s));	// not resent yet
	tftp_send_sent(&s, true);
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_GIVE_UP);
	EXPECT_TRUE(tftp_send_awaits_final_ack(&s));
	ASSERT_EQ(tftp_send_ack(&s, 2), TFTP_ACK_DONE);
	EXPECT_FALSE(tftp_send_awaits_final_ack(&s));

	// A window whose first block is unacknowledged is not that.
	tftp_send_init(&s, false, 2, 0);
	tftp_send_sent(&s, false);
	tftp_send_sent(&s, true);
	EXPECT_FALSE(tftp_send_awaits_final_ack(&s));
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_GIVE_UP);
	EXPECT_FALSE(tftp_send_awaits_final_ack(&s));
}

TEST(Send, ProgressResetsRetries)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 1);
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_PROGRESS);
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_timeout(&s), TFTP_TIMEOUT_RESEND);
}

TEST(Send, BlockNumbersWrapPast65535)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 3);
	const u64 total = 70000;	// past one wrap
	for (u64 b = 1; b <= total; b++) {
		ASSERT_TRUE(tftp_send_may_send(&s));
		tftp_send_sent(&s, b == total);
		auto r = tftp_send_ack(&s, static_cast<u16>(b));
		ASSERT_EQ(r, b == total ? TFTP_ACK_DONE : TFTP_ACK_PROGRESS) << b;
	}
	// Block 65536 went out as 0 on the wire, and was acknowledged as 0.
	EXPECT_EQ(static_cast<u16>(65536), 0);
}

TEST(Send, FileOf64BitSize)
{
	tftp_send s;
	tftp_send_init(&s, false, 1, 3);
	s.base = s.next = (5ULL << 30) / 512;	// 5 GiB in
	tftp_send_sent(&s, false);
	EXPECT_EQ(tftp_send_ack(&s, static_cast<u16>(s.base)), TFTP_ACK_PROGRESS);
	EXPECT_EQ(s.base, (5ULL << 30) / 512 + 1);
}

TEST(Send, BlockOffsetsPast4GiB)
{
	EXPECT_EQ(tftp_block_offset(1, 512), 0u);
	EXPECT_EQ(tftp_block_offset(2, 512), 512u);
	// Block 8388609 at 512 bytes starts exactly at 4 GiB: no 32-bit wrap.
	EXPECT_EQ(tftp_block_offset(8388609, 512), 4ULL << 30);
	EXPECT_EQ(tftp_block_offset(10485761, 512), 5ULL << 30);
	// The largest blksize, past the 16-bit block wrap many times over.
	EXPECT_EQ(tftp_block_offset(65537, 65464), 65536ULL * 65464);
}

TEST(Send, OackIsBlockZero)
{
	tftp_send s;
	tftp_send_init(&s, true, 4, 3);
	ASSERT_TRUE(tftp_send_may_send(&s));
	EXPECT_EQ(s.next, 0u);
	tftp_send_sent(&s, false);
	EXPECT_FALSE(tftp_send_may_send(&s));	// data waits for ACK 0
	EXPECT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_IGNORED);
	EXPECT_EQ(tftp_send_ack(&s, 0), TFTP_ACK_PROGRESS);
	EXPECT_TRUE(tftp_send_may_send(&s));
	EXPECT_EQ(s.next, 1u);
}

TEST(Send, WindowRestartsAfterPartialAck)
{
	tftp_send s;
	tftp_send_init(&s, false, 4, 3);
	for (int i = 0; i < 4; i++) {
		ASSERT_TRUE(tftp_send_may_send(&s));
		tftp_send_sent(&s, false);
	}
	EXPECT_FALSE(tftp_send_may_send(&s));
	// Blocks 3 and 4 lost: the client ACKs 2; we go on from 3.
	EXPECT_EQ(tftp_send_ack(&s, 2), TFTP_ACK_PROGRESS);
	EXPECT_EQ(s.next, 3u);
	EXPECT_EQ(s.base, 3u);
	// A stale ACK 1 arriving late causes no second burst.
	EXPECT_EQ(tftp_send_ack(&s, 1), TFTP_ACK_IGNORED);
	EXPECT_EQ(s.next, 3u);
}

TEST(Recv, LockStepUpload)
{
	tftp_recv r;
	bool ack;
	tftp_recv_init(&r, 1, 5);
	EXPECT_EQ(tftp_recv_ack_block(&r), 0);
	EXPECT_EQ(tftp_recv_data(&r, 1, 512, 512, &ack), TFTP_DATA_TAKE);
	EXPECT_TRUE(ack);
	EXPECT_EQ(tftp_recv_ack_block(&r), 1);
	// The same block again: re-ACK, but not stored twice.
	EXPECT_EQ(tftp_recv_data(&r, 1, 512, 512, &ack), TFTP_DATA_DUPLICATE);
	EXPECT_TRUE(ack);
	EXPECT_EQ(tftp_recv_ack_block(&r), 1);
	EXPECT_EQ(tftp_recv_data(&r, 2, 100, 512, &ack), TFTP_DATA_TAKE);
	EXPECT_TRUE(ack);
	EXPECT_TRUE(r.done);
	// The final block again after we finished: re-ACK it.
	EXPECT_EQ(tftp_recv_data(&r, 2, 100, 512, &ack), TFTP_DATA_DUPLICATE);
	EXPECT_TRUE(ack);
	EXPECT_EQ(tftp_recv_ack_block(&r), 2);
}

// A payload longer than blksize is refused and changes nothing, at every
// block size, before the first block, mid-way and after the last: the
// kernel's buffers hold one block, so nothing longer may ever be taken.
TEST(Recv, OversizedBlockIsRefusedAndChangesNothing)
{
	for (u32 blksize : {8u, 512u, 1428u, 1468u, 65464u}) {
		tftp_recv r;
		bool ack = true;
		tftp_recv_init(&r, 1, 5);
		EXPECT_EQ(tftp_recv_data(&r, 1, blksize + 1, blksize, &ack),
			  TFTP_DATA_OVERSIZE) << blksize;
		EXPECT_FALSE(ack);
		EXPECT_EQ(r.expected, 1u);
		EXPECT_EQ(tftp_recv_data(&r, 1, blksize, blksize, &ack), TFTP_DATA_TAKE);
		EXPECT_EQ(tftp_recv_data(&r, 2, blksize + 1, blksize, &ack),
			  TFTP_DATA_OVERSIZE);
		EXPECT_EQ(tftp_recv_data(&r, 2, 65535, blksize, &ack), TFTP_DATA_OVERSIZE);
		EXPECT_EQ(r.expected, 2u);
		EXPECT_FALSE(r.done);
		EXPECT_EQ(tftp_recv_data(&r, 2, 0, blksize, &ack), TFTP_DATA_TAKE);
		EXPECT_TRUE(r.done);
		EXPECT_EQ(tftp_recv_data(&r, 2, blksize + 1, blksize, &ack),
			  TFTP_DATA_OVERSIZE);
		// The buffer the kernel receives into shows an oversized DATA.
		EXPECT_EQ(tftp_recv_buf_len(blksize), TFTP_HDR_LEN + blksize + 1);
	}
}

TEST(Recv, WindowAcksEveryNBlocksAndOnceOnAGap)
{
	tftp_recv r;
	bool ack;
	tftp_recv_init(&r, 4, 5);
	for (u16 b = 1; b <= 3; b++) {
		EXPECT_EQ(tftp_recv_data(&r, b, 8, 8, &ack), TFTP_DATA_TAKE);
		EXPECT_FALSE(ack) << b;
	}
	EXPECT_EQ(tftp_recv_data(&r, 4, 8, 8, &ack), TFTP_DATA_TAKE);
	EXPECT_TRUE(ack);
	// Block 5 lost: 6, 7, 8 are gaps; only the first says so.
	EXPECT_EQ(tftp_recv_data(&r, 6, 8, 8, &ack), TFTP_DATA_GAP);
	EXPECT_TRUE(ack);
	EXPECT_EQ(tftp_recv_ack_block(&r), 4);
	EXPECT_EQ(tftp_recv_data(&r, 7, 8, 8, &ack), TFTP_DATA_GAP);
	EXPECT_FALSE(ack);
	EXPECT_EQ(tftp_recv_data(&r, 5, 8, 8, &ack), TFTP_DATA_TAKE);
	EXPECT_FALSE(ack);
	EXPECT_EQ(r.expected, 6u);
}

TEST(Recv, WrapsPast65535)
{
	tftp_recv r;
	bool ack;
	tftp_recv_init(&r, 1, 5);
	for (u32 i = 1; i <= 70000; i++)
		ASSERT_EQ(tftp_recv_data(&r, static_cast<u16>(i), 8, 8, &ack), TFTP_DATA_TAKE) << i;
	EXPECT_EQ(r.expected, 70001u);
	EXPECT_EQ(tftp_recv_ack_block(&r), static_cast<u16>(70000));
	EXPECT_EQ(tftp_recv_data(&r, static_cast<u16>(70000), 8, 8, &ack), TFTP_DATA_DUPLICATE);
}

TEST(Recv, TimeoutResendsThenGivesUp)
{
	tftp_recv r;
	bool ack;
	tftp_recv_init(&r, 1, 2);
	EXPECT_EQ(tftp_recv_timeout(&r), TFTP_TIMEOUT_RESEND);
	EXPECT_EQ(tftp_recv_timeout(&r), TFTP_TIMEOUT_RESEND);
	EXPECT_EQ(tftp_recv_timeout(&r), TFTP_TIMEOUT_GIVE_UP);
	tftp_recv_init(&r, 1, 2);
	EXPECT_EQ(tftp_recv_timeout(&r), TFTP_TIMEOUT_RESEND);
	tftp_recv_data(&r, 1, 8, 8, &ack);
	EXPECT_EQ(r.retries, 0u);
}
