// SPDX-License-Identifier: GPL-2.0
// Host tests of kernel/netascii.c, including pairs split across blocks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "netascii.h"

namespace {

// Encode @file as blocks of @blksize; every block is rebuilt from its
// start position, as a retransmission would, and must come out the same.
std::vector<std::string> encode_blocks(const std::string &file, size_t blksize)
{
	std::vector<std::string> blocks;
	tftp_netascii_pos pos{};
	for (;;) {
		tftp_netascii_pos start = pos;
		std::string out(blksize, '?');
		const u8 *in = reinterpret_cast<const u8 *>(file.data()) + pos.offset;
		size_t avail = file.size() - pos.offset;
		size_t n = tftp_netascii_encode(&pos, in, std::min(avail, blksize),
						reinterpret_cast<u8 *>(out.data()), blksize);
		out.resize(n);

		tftp_netascii_pos again = start;
		std::string out2(blksize, '?');
		size_t n2 = tftp_netascii_encode(&again, in, std::min(avail, blksize),
						 reinterpret_cast<u8 *>(out2.data()), blksize);
		out2.resize(n2);
		EXPECT_EQ(out, out2);
		EXPECT_EQ(again.offset, pos.offset);

		blocks.push_back(out);
		if (n < blksize)
			return blocks;
	}
}

std::string join(const std::vector<std::string> &v)
{
	std::string s;
	for (const auto &b : v)
		s += b;
	return s;
}

std::string decode(const std::vector<std::string> &blocks)
{
	tftp_netascii_dec d{};
	std::string file;
	for (const auto &b : blocks) {
		std::vector<u8> out(b.size() + 1);
		size_t n = tftp_netascii_decode(&d, reinterpret_cast<const u8 *>(b.data()),
						b.size(), out.data());
		file.append(reinterpret_cast<char *>(out.data()), n);
	}
	u8 last;
	if (tftp_netascii_decode_end(&d, &last))
		file += static_cast<char>(last);
	return file;
}

} // namespace

TEST(Netascii, LfBecomesCrLfAndCrBecomesCrNul)
{
	std::string file = "a\nb\rc\r\n";
	auto wire = join(encode_blocks(file, 512));
	EXPECT_EQ(wire, std::string("a\r\nb\r\0c\r\0\r\n", 11));
}

TEST(Netascii, PairSplitExactlyOnABlockBoundary)
{
	// Block size 8: the LF is the 8th file byte, so its CR ends block 1
	// and its LF starts block 2.
	std::string file = "1234567\nabc";
	auto blocks = encode_blocks(file, 8);
	ASSERT_EQ(blocks.size(), 2u);
	EXPECT_EQ(blocks[0], "1234567\r");
	EXPECT_EQ(blocks[1], "\nabc");
	EXPECT_EQ(decode(blocks), file);

	// A bare CR on the boundary: CR ends one block, NUL starts the next.
	file = "1234567\rX";
	blocks = encode_blocks(file, 8);
	ASSERT_EQ(blocks.size(), 2u);
	EXPECT_EQ(blocks[0], "1234567\r");
	EXPECT_EQ(blocks[1], std::string("\0X", 2));
	EXPECT_EQ(decode(blocks), file);
}

TEST(Netascii, ExactFullBlocksEndWithAnEmptyOne)
{
	auto blocks = encode_blocks("12345678", 8);
	ASSERT_EQ(blocks.size(), 2u);
	EXPECT_EQ(blocks[1], "");
	// A split pair whose second half is all that is left.
	blocks = encode_blocks("1234567\n", 8);
	ASSERT_EQ(blocks.size(), 2u);
	EXPECT_EQ(blocks[1], "\n");
}

TEST(Netascii, RoundTripsEveryByteAtEveryBlockSize)
{
	std::string file;
	for (int i = 0; i < 3000; i++)
		file += static_cast<char>((i * 7919) % 256);
	file += "\r\r\n\n\r";
	for (size_t bs : {8u, 9u, 13u, 512u, 1468u}) {
		auto blocks = encode_blocks(file, bs);
		EXPECT_EQ(decode(blocks), file) << bs;
		for (size_t i = 0; i + 1 < blocks.size(); i++)
			EXPECT_EQ(blocks[i].size(), bs);
	}
}

TEST(Netascii, DecoderIsLenientWithABareCr)
{
	EXPECT_EQ(decode({"a\rb"}), "a\rb");
	EXPECT_EQ(decode({"a\r", "b"}), "a\rb");
	EXPECT_EQ(decode({"end\r"}), "end\r");
}
