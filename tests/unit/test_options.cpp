// SPDX-License-Identifier: GPL-2.0
// Host tests of kernel/options.c: which options are granted, and the OACK.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "options.h"

namespace {

using Opts = std::vector<std::pair<std::string, std::string>>;

const tftp_limits kLimits = {TFTP_BLKSIZE_MAX, 64, 1000, 0, 0, 0};

struct Negotiation {
	bool ok;
	tftp_refusal ref;	// as tftp_negotiate left it
	tftp_negotiated neg;
};

const tftp_refusal kUntouched{0xbeef, "untouched"};

Negotiation negotiate(const Opts &opts, u16 op = TFTP_RRQ,
		      long long size = 12345, tftp_limits lim = kLimits)
{
	tftp_request req{};
	req.opcode = op;
	req.mode = TFTP_MODE_OCTET;
	for (const auto &o : opts) {
		req.options[req.n_options].name = o.first.c_str();
		req.options[req.n_options].value = o.second.c_str();
		req.n_options++;
	}
	Negotiation n{};
	n.ref = kUntouched;
	n.ok = tftp_negotiate(&req, &lim, size, &n.neg, &n.ref);
	if (n.ok) {
		// A negotiation that goes on leaves the refusal as it was.
		EXPECT_EQ(n.ref.code, kUntouched.code);
		EXPECT_EQ(n.ref.why, kUntouched.why);
	} else {
		EXPECT_NE(n.ref.why, nullptr);
	}
	return n;
}

// The OACK as name -> value, checking its framing on the way.
std::map<std::string, std::string> oack(const tftp_negotiated &neg)
{
	u8 buf[TFTP_OACK_MAX];
	size_t len = tftp_build_oack(buf, sizeof(buf), &neg);
	std::map<std::string, std::string> m;
	if (len == 0)
		return m;
	EXPECT_EQ(buf[0], 0);
	EXPECT_EQ(buf[1], TFTP_OACK);
	EXPECT_EQ(buf[len - 1], 0);
	std::vector<std::string> parts;
	std::string cur;
	for (size_t i = 2; i < len; i++) {
		if (buf[i] == 0) {
			parts.push_back(cur);
			cur.clear();
		} else {
			cur += static_cast<char>(buf[i]);
		}
	}
	EXPECT_EQ(parts.size() % 2, 0u);
	for (size_t i = 0; i + 1 < parts.size(); i += 2)
		m[parts[i]] = parts[i + 1];
	return m;
}

} // namespace

TEST(Options, NoneMeansNoOack)
{
	auto n = negotiate({});
	EXPECT_TRUE(n.ok);
	EXPECT_EQ(n.neg.granted, 0u);
	EXPECT_EQ(n.neg.blksize, 512u);
	EXPECT_EQ(n.neg.windowsize, 1u);
	EXPECT_TRUE(oack(n.neg).empty());
}

TEST(Options, UnknownOnlyMeansNoOack)
{
	auto n = negotiate({{"rollover", "0"}, {"multicast", ""}, {"foo", "1"}});
	EXPECT_EQ(n.neg.granted, 0u);
	EXPECT_TRUE(oack(n.neg).empty());
}

// What the events report as asked: every known option the request
// carried, granted or not, and nothing it did not name.
TEST(Options, AskedIsWhatTheRequestNamed)
{
	EXPECT_EQ(negotiate({}).neg.asked, 0u);
	EXPECT_EQ(negotiate({{"multicast", ""}, {"rollover", "0"}}).neg.asked, 0u);
	auto n = negotiate({{"TSIZE", "0"}, {"blksize", "1"}, {"windowsize", "4"},
			    {"blksize", "1432"}});
	EXPECT_EQ(n.neg.asked, unsigned(TFTP_OPT_TSIZE | TFTP_OPT_BLKSIZE |
					TFTP_OPT_WINDOWSIZE));
	// blksize 1 is below the range: asked, not granted.
	EXPECT_EQ(n.neg.granted, unsigned(TFTP_OPT_TSIZE | TFTP_OPT_WINDOWSIZE));
	EXPECT_EQ(negotiate({{"timeout", "3"}}).neg.asked, unsigned(TFTP_OPT_TIMEOUT));
}

TEST(Options, AllFourGrantedAndEchoed)
{
	auto n = negotiate({{"blksize", "1468"}, {"tsize", "0"},
			    {"timeout", "3"}, {"windowsize", "16"}});
	auto m = oack(n.neg);
	EXPECT_EQ(m, (std::map<std::string, std::string>{
			     {"blksize", "1468"}, {"tsize", "12345"},
			     {"timeout", "3"}, {"windowsize", "16"}}));
	EXPECT_EQ(n.neg.blksize, 1468u);
	EXPECT_EQ(n.neg.windowsize, 16u);
	EXPECT_EQ(n.neg.timeout_s, 3u);
}

TEST(Options, NamesAreCaseInsensitive)
{
	auto n = negotiate({{"BlkSize", "1024"}, {"TSIZE", "0"}});
	EXPECT_EQ(oack(n.neg), (std::map<std::string, std::string>{
				       {"blksize", "1024"}, {"tsize", "12345"}}));
}

TEST(Options, OnlyWhatWasAskedIsAnswered)
{
	auto m = oack(negotiate({{"tsize", "0"}, {"foo", "bar"}}).neg);
	EXPECT_EQ(m, (std::map<std::string, std::string>{{"tsize", "12345"}}));
}

TEST(Options, BlksizeRangeAndClamping)
{
	EXPECT_EQ(oack(negotiate({{"blksize", "8"}}).neg)["blksize"], "8");
	EXPECT_EQ(oack(negotiate({{"blksize", "65464"}}).neg)["blksize"], "65464");
	EXPECT_EQ(oack(negotiate({{"blksize", "65465"}}).neg)["blksize"], "65464");
	EXPECT_EQ(oack(negotiate({{"blksize", "99999999999999999999999999"}}).neg)["blksize"],
		  "65464");
	tftp_limits lim = kLimits;
	lim.blksize_max = 1468;
	auto n = negotiate({{"blksize", "9000"}}, TFTP_RRQ, 1, lim);
	EXPECT_EQ(n.neg.blksize, 1468u);
	// Never more than asked.
	n = negotiate({{"blksize", "1000"}}, TFTP_RRQ, 1, lim);
	EXPECT_EQ(n.neg.blksize, 1000u);
	for (const char *bad : {"7", "0", "", "-512", "+512", "512 ", " 512", "0x200", "1e3"}) {
		auto b = negotiate({{"blksize", bad}});
		EXPECT_FALSE(b.neg.granted & TFTP_OPT_BLKSIZE) << bad;
		EXPECT_EQ(b.neg.blksize, 512u) << bad;
	}
}

TEST(Options, TimeoutEchoedExactlyOrNotAtAll)
{
	EXPECT_EQ(oack(negotiate({{"timeout", "1"}}).neg)["timeout"], "1");
	EXPECT_EQ(oack(negotiate({{"timeout", "255"}}).neg)["timeout"], "255");
	for (const char *bad : {"0", "256", "", "x", "99999999999999999999999"})
		EXPECT_EQ(negotiate({{"timeout", bad}}).neg.granted, 0u) << bad;
}

// timeout_max: a larger timeout is declined (left out of the OACK), never
// clamped: RFC 2349 echoes the value exactly or not at all.
TEST(Options, TimeoutAboveTheCapIsDeclined)
{
	tftp_limits lim = kLimits;
	lim.timeout_max_s = 30;
	EXPECT_EQ(oack(negotiate({{"timeout", "30"}}, TFTP_RRQ, 1, lim).neg)["timeout"], "30");
	for (const char *over : {"31", "255"}) {
		auto n = negotiate({{"timeout", over}, {"blksize", "1024"}}, TFTP_RRQ, 1, lim);
		EXPECT_TRUE(n.ok) << over;
		EXPECT_EQ(n.neg.granted & TFTP_OPT_TIMEOUT, 0u) << over;
		EXPECT_EQ(oack(n.neg).count("timeout"), 0u) << over;
		EXPECT_EQ(oack(n.neg)["blksize"], "1024") << over;
	}
}

TEST(Options, WindowsizeClampedToConfig)
{
	EXPECT_EQ(oack(negotiate({{"windowsize", "1"}}).neg)["windowsize"], "1");
	EXPECT_EQ(oack(negotiate({{"windowsize", "16"}}).neg)["windowsize"], "16");
	EXPECT_EQ(oack(negotiate({{"windowsize", "65535"}}).neg)["windowsize"], "64");
	for (const char *bad : {"0", "65536", "", "abc"})
		EXPECT_EQ(negotiate({{"windowsize", bad}}).neg.granted, 0u) << bad;
}

TEST(Options, TsizeOnlyWhenTheSizeMayBeTold)
{
	auto n = negotiate({{"tsize", "0"}}, TFTP_RRQ, -1);
	EXPECT_EQ(n.neg.granted, 0u);
	// Empty: declined, as curl fails on an OACK saying "tsize 0".
	n = negotiate({{"tsize", "0"}}, TFTP_RRQ, 0);
	EXPECT_EQ(n.neg.granted, 0u);
	n = negotiate({{"tsize", "0"}}, TFTP_RRQ, 5LL << 30);
	EXPECT_EQ(oack(n.neg)["tsize"], "5368709120");
	EXPECT_EQ(negotiate({{"tsize", "abc"}}).neg.granted, 0u);
}

TEST(Options, WrqTsizeIsCheckedAgainstTheWriteLimit)
{
	auto n = negotiate({{"tsize", "1000"}}, TFTP_WRQ, -1);
	EXPECT_TRUE(n.ok);
	EXPECT_EQ(oack(n.neg)["tsize"], "1000");
	n = negotiate({{"tsize", "1001"}}, TFTP_WRQ, -1);
	EXPECT_FALSE(n.ok);
	EXPECT_EQ(n.ref.code, TFTP_ENOSPACE);
	EXPECT_STREQ(n.ref.why, "File too large");
	n = negotiate({{"tsize", "99999999999999999999999999"}}, TFTP_WRQ, -1);
	EXPECT_TRUE(n.ok);	// not a number we take: not granted
	EXPECT_EQ(n.neg.granted, 0u);
}

TEST(Options, FirstOfDuplicatesWins)
{
	auto n = negotiate({{"blksize", "1024"}, {"blksize", "8"}, {"BLKSIZE", "4096"}});
	EXPECT_EQ(n.neg.blksize, 1024u);
	// A refused first one is not replaced by a later one either.
	n = negotiate({{"blksize", "x"}, {"blksize", "1024"}});
	EXPECT_EQ(n.neg.granted, 0u);
}

TEST(Options, OackFitsWhateverTheBlockSize)
{
	// The CVE-2021-41054 shape: blksize 8 plus every option, many times.
	Opts opts{{"blksize", "8"}};
	for (int i = 0; i < 15; i++)
		opts.push_back({i % 2 ? "tsize" : "windowsize", "65535"});
	tftp_negotiated neg{};
	neg.granted = TFTP_OPT_BLKSIZE | TFTP_OPT_TSIZE | TFTP_OPT_TIMEOUT |
		      TFTP_OPT_WINDOWSIZE;
	neg.blksize = 65464;
	neg.tsize = ~0ULL;
	neg.timeout_s = 255;
	neg.windowsize = 65535;
	u8 buf[TFTP_OACK_MAX];
	EXPECT_GT(tftp_build_oack(buf, sizeof(buf), &neg), 0u);
	auto n = negotiate(opts, TFTP_RRQ, (1LL << 62));
	EXPECT_EQ(n.neg.blksize, 8u);
	EXPECT_EQ(oack(n.neg).size(), 3u);
	// Too small a buffer: nothing, never an overflow.
	EXPECT_EQ(tftp_build_oack(buf, 10, &neg), 0u);
}

TEST(Options, ParseUint)
{
	u64 v = 0;
	EXPECT_TRUE(tftp_parse_uint("0", 10, false, &v));
	EXPECT_EQ(v, 0u);
	EXPECT_TRUE(tftp_parse_uint("007", 10, false, &v));
	EXPECT_EQ(v, 7u);
	EXPECT_FALSE(tftp_parse_uint("11", 10, false, &v));
	EXPECT_TRUE(tftp_parse_uint("11", 10, true, &v));
	EXPECT_EQ(v, 10u);
	EXPECT_TRUE(tftp_parse_uint("184467440737095516160000", 1000, true, &v));
	EXPECT_EQ(v, 1000u);
	EXPECT_FALSE(tftp_parse_uint("12a", 1000, true, &v));
	EXPECT_FALSE(tftp_parse_uint("", 1000, true, &v));
}

TEST(Options, WindowBytesMaxClampsTheWindowNeverRefuses)
{
	tftp_limits lim = kLimits;
	lim.window_bytes_max = 64 * 1024;
	auto n = negotiate({{"blksize", "8192"}, {"windowsize", "64"}}, TFTP_RRQ, 12345, lim);
	EXPECT_EQ(oack(n.neg)["windowsize"], "8");	// 8 x 8192 = 64 KiB
	EXPECT_EQ(oack(n.neg)["blksize"], "8192");
	n = negotiate({{"windowsize", "64"}}, TFTP_RRQ, 12345, lim);	// 512-byte blocks
	EXPECT_EQ(oack(n.neg)["windowsize"], "64");
	n = negotiate({{"blksize", "65464"}, {"windowsize", "4"}}, TFTP_RRQ, 12345, lim);
	EXPECT_EQ(oack(n.neg)["windowsize"], "1");	// at least one block
	EXPECT_TRUE(n.ok);
	// The order of the options does not matter.
	n = negotiate({{"windowsize", "64"}, {"blksize", "8192"}}, TFTP_RRQ, 12345, lim);
	EXPECT_EQ(oack(n.neg)["windowsize"], "8");
	lim.window_bytes_max = 0;	// off
	n = negotiate({{"blksize", "65464"}, {"windowsize", "64"}}, TFTP_RRQ, 12345, lim);
	EXPECT_EQ(oack(n.neg)["windowsize"], "64");
}

TEST(Options, RefusedOptionsAreLeftOutButReportedAsked)
{
	tftp_limits lim = kLimits;
	lim.refused = TFTP_OPT_TSIZE | TFTP_OPT_WINDOWSIZE;
	auto n = negotiate({{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "8"}},
			   TFTP_RRQ, 12345, lim);
	EXPECT_EQ(n.neg.granted, unsigned(TFTP_OPT_BLKSIZE));
	EXPECT_EQ(n.neg.asked, unsigned(TFTP_OPT_TSIZE | TFTP_OPT_BLKSIZE | TFTP_OPT_WINDOWSIZE));
	EXPECT_EQ(n.neg.windowsize, 1u);
	// A refused tsize cannot refuse an upload either.
	lim.max_write_size = 10;
	n = negotiate({{"tsize", "1000"}}, TFTP_WRQ, -1, lim);
	EXPECT_TRUE(n.ok);
	EXPECT_EQ(n.neg.granted, 0u);
	lim.refused = TFTP_OPT_BLKSIZE | TFTP_OPT_TIMEOUT;
	n = negotiate({{"blksize", "1468"}, {"timeout", "3"}}, TFTP_RRQ, 12345, lim);
	EXPECT_EQ(n.neg.granted, 0u);
	EXPECT_EQ(n.neg.blksize, unsigned(TFTP_BLKSIZE_DEFAULT));
}
