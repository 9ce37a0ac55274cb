// SPDX-License-Identifier: GPL-2.0
// ktftp-bench's client session, packet by packet, and its report.
#include <gtest/gtest.h>

#include "report.hpp"
#include "session.hpp"

using namespace ktftp_bench;

namespace {

Bytes data(std::uint16_t block, std::size_t len, std::uint8_t fill = 'x')
{
	Bytes b{0, 3, static_cast<std::uint8_t>(block >> 8), static_cast<std::uint8_t>(block)};
	b.insert(b.end(), len, fill);
	return b;
}

Bytes oack(std::initializer_list<std::pair<std::string, std::string>> opts)
{
	Bytes b{0, 6};
	for (auto &[k, v] : opts) {
		b.insert(b.end(), k.begin(), k.end());
		b.push_back(0);
		b.insert(b.end(), v.begin(), v.end());
		b.push_back(0);
	}
	return b;
}

Bytes ack_of(std::uint16_t block)
{
	return {0, 4, static_cast<std::uint8_t>(block >> 8), static_cast<std::uint8_t>(block)};
}

const auto T0 = Clock::time_point{} + std::chrono::seconds(100);

} // namespace

TEST(BenchSession, RequestAsksOnlyForNonDefaultOptionsAndTsize)
{
	Session s({.file = "f", .blksize = 512, .windowsize = 1});
	Bytes rrq = s.start(T0);
	std::string text(rrq.begin() + 2, rrq.end());
	EXPECT_EQ(text, std::string("f\0octet\0tsize\0" "0\0", 16));
	Session w({.file = "f", .blksize = 1468, .windowsize = 16});
	Bytes r2 = w.start(T0);
	std::string t2(r2.begin() + 2, r2.end());
	EXPECT_NE(t2.find(std::string("blksize\0" "1468\0", 13)), std::string::npos);
	EXPECT_NE(t2.find(std::string("windowsize\0" "16\0", 14)), std::string::npos);
}

TEST(BenchSession, LockStepDownloadAcksEveryBlockAndChecksTheDigest)
{
	Session s({.file = "f"});
	s.start(T0);
	EXPECT_EQ(*s.on_packet(oack({{"tsize", "700"}}), T0), ack_of(0));
	EXPECT_EQ(s.tsize(), 700u);
	EXPECT_EQ(*s.on_packet(data(1, 512, 'a'), T0), ack_of(1));
	EXPECT_EQ(*s.on_packet(data(2, 188, 'a'), T0), ack_of(2));
	EXPECT_EQ(s.state(), Session::State::Done);
	EXPECT_EQ(s.bytes(), 700u);
	Digest d;
	Bytes all(700, 'a');
	d.update(all);
	EXPECT_EQ(s.digest(), d.hex());
	EXPECT_EQ(s.digest().size(), 64u);
}

TEST(BenchDigest, KnownVectorsOfBothKinds)
{
	Digest sha(DigestKind::Sha256), xxh(DigestKind::Xxh3);
	EXPECT_EQ(sha.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	// xxhsum -H2 of an empty file.
	EXPECT_EQ(xxh.hex(), "99aa06d3014798d86001c324468d497f");
	EXPECT_EQ(digest_hex_len(DigestKind::Sha256), 64u);
	EXPECT_EQ(digest_hex_len(DigestKind::Xxh3), 32u);
	EXPECT_EQ(parse_digest_kind("xxh3"), DigestKind::Xxh3);
	EXPECT_EQ(parse_digest_kind("sha256"), DigestKind::Sha256);
	EXPECT_FALSE(parse_digest_kind("md5"));
	EXPECT_EQ(digest_name(DigestKind::Xxh3), "xxh3");
}

TEST(BenchDigest, Xxh3SessionHashesEveryByteInPieces)
{
	Session s({.file = "f", .digest = DigestKind::Xxh3});
	s.start(T0);
	s.on_packet(oack({{"tsize", "700"}}), T0);
	s.on_packet(data(1, 512, 'a'), T0);
	s.on_packet(data(2, 188, 'b'), T0);
	ASSERT_EQ(s.state(), Session::State::Done);
	Digest whole(DigestKind::Xxh3);
	Bytes all(700, 'a');
	std::fill(all.begin() + 512, all.end(), 'b');
	whole.update(all);
	EXPECT_EQ(s.digest(), whole.hex());
	// One byte different: a different digest.
	Digest other(DigestKind::Xxh3);
	all[699] = 'c';
	other.update(all);
	EXPECT_NE(s.digest(), other.hex());
}

TEST(BenchSession, WindowAcksOnlyTheLastBlockAndRestartsOnceAfterAGap)
{
	Session s({.file = "f", .blksize = 8, .windowsize = 4});
	s.start(T0);
	EXPECT_EQ(*s.on_packet(oack({{"blksize", "8"}, {"windowsize", "4"}}), T0), ack_of(0));
	EXPECT_FALSE(s.on_packet(data(1, 8), T0));
	EXPECT_FALSE(s.on_packet(data(2, 8), T0));
	EXPECT_FALSE(s.on_packet(data(3, 8), T0));
	EXPECT_EQ(*s.on_packet(data(4, 8), T0), ack_of(4));
	EXPECT_FALSE(s.on_packet(data(5, 8), T0));
	// 6 lost: 7 draws one ACK of 5, 8 draws nothing more.
	EXPECT_EQ(*s.on_packet(data(7, 8), T0), ack_of(5));
	EXPECT_FALSE(s.on_packet(data(8, 8), T0));
	EXPECT_EQ(s.duplicates(), 2u);
	EXPECT_FALSE(s.on_packet(data(6, 8), T0));
	EXPECT_EQ(*s.on_packet(data(7, 3), T0), ack_of(7));
	EXPECT_EQ(s.state(), Session::State::Done);
	EXPECT_EQ(s.bytes(), 6 * 8 + 3u);
}

TEST(BenchSession, ServerWithoutOptionsFallsBackToLockStep512)
{
	Session s({.file = "f", .blksize = 1468, .windowsize = 16});
	s.start(T0);
	EXPECT_EQ(*s.on_packet(data(1, 512), T0), ack_of(1));	// no OACK at all
	EXPECT_TRUE(s.fell_back());
	EXPECT_EQ(s.blksize(), 512u);
	Session t({.file = "f", .blksize = 1468, .windowsize = 16});
	t.start(T0);
	t.on_packet(oack({{"blksize", "1468"}, {"tsize", "5"}}), T0);	// windowsize refused
	EXPECT_TRUE(t.fell_back());
	EXPECT_EQ(t.windowsize(), 1u);
	EXPECT_EQ(*t.on_packet(data(1, 1468), T0), ack_of(1));
}

TEST(BenchSession, HostileRepliesFailTheTransferCleanly)
{
	Session s({.file = "f", .blksize = 512});
	s.start(T0);
	s.on_packet(oack({{"blksize", "9000"}}), T0);	// more than asked
	EXPECT_EQ(s.state(), Session::State::Failed);
	Session t({.file = "f"});
	t.start(T0);
	t.on_packet(oack({}), T0);
	t.on_packet(data(1, 513), T0);			// longer than blksize
	EXPECT_EQ(t.state(), Session::State::Failed);
	Session e({.file = "f"});
	e.start(T0);
	Bytes err{0, 5, 0, 1};
	for (char c : std::string("File not found"))
		err.push_back(static_cast<std::uint8_t>(c));	// no NUL: still read safely
	e.on_packet(err, T0);
	EXPECT_EQ(e.error(), "ERROR 1: File not found");
	Session r({.file = "f"});
	r.start(T0);
	EXPECT_FALSE(r.on_packet(Bytes{0, 3, 0}, T0));	// runt ignored
	EXPECT_EQ(r.state(), Session::State::Requesting);
}

TEST(BenchSession, TimeoutResendsTheLastPacketThenGivesUp)
{
	Session s({.file = "f", .timeout = std::chrono::milliseconds(100), .retries = 2});
	Bytes rrq = s.start(T0);
	EXPECT_EQ(s.deadline(), T0 + std::chrono::milliseconds(100));
	EXPECT_EQ(*s.on_timeout(T0 + std::chrono::milliseconds(100)), rrq);
	EXPECT_EQ(*s.on_timeout(T0 + std::chrono::milliseconds(200)), rrq);
	EXPECT_FALSE(s.on_timeout(T0 + std::chrono::milliseconds(300)));
	EXPECT_EQ(s.state(), Session::State::Failed);
	EXPECT_EQ(s.resends(), 2u);
}

TEST(BenchReport, PercentilesByNearestRank)
{
	std::vector<double> v;
	for (int i = 1; i <= 100; i++)
		v.push_back(i);
	EXPECT_EQ(percentile(v, 50), 50);
	EXPECT_EQ(percentile(v, 99), 99);
	EXPECT_EQ(percentile(v, 100), 100);
	EXPECT_EQ(percentile({}, 50), 0);
	EXPECT_EQ(percentile({7}, 99), 7);
}

TEST(BenchReport, WrongDataCountsAsAFailure)
{
	RunResult r;
	r.seconds = 2;
	auto outcome = [](bool ok, std::string sha, std::string error) {
		Outcome o;
		o.file = "a";
		o.ok = ok;
		o.digest = std::move(sha);
		o.error = std::move(error);
		o.bytes = ok ? 1000000 : 0;
		o.data_packets = ok ? 10 : 0;
		return o;
	};
	r.outcomes.push_back(outcome(true, "11", ""));
	r.outcomes.push_back(outcome(true, "22", ""));
	r.outcomes.push_back(outcome(false, "", "transfer timed out"));
	Summary s = summarize(r, {{"a", "11"}});
	EXPECT_EQ(s.ok, 1u);
	EXPECT_EQ(s.failed, 2u);
	EXPECT_EQ(s.bad_data, 1u);
	EXPECT_DOUBLE_EQ(s.mb_per_s, 1.0);
	EXPECT_DOUBLE_EQ(s.packets_per_s, 10.0);
	ASSERT_EQ(s.errors.size(), 2u);
	auto j = to_json(s);
	EXPECT_EQ(j["failed"], 2);
	EXPECT_NE(to_text(s).find("1 ok, 2 failed (1 with wrong data)"), std::string::npos);
}
