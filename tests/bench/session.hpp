// SPDX-License-Identifier: GPL-2.0
// One TFTP download as a client sees it (RFC 1350, 2347, 2348, 2349, 7440):
// a pure state machine, fed datagrams and the clock, answering with the
// datagram to send.  No sockets here, so the unit tests drive it packet
// by packet; engine.cpp owns the sockets.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ktftp_bench {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

// What a transfer's bytes are checked with.  SHA-256 (OpenSSL's EVP) is
// the default; XXH3-128 (libxxhash) checks every byte just as well against
// anything short of an adversary, at a fraction of the CPU, so that a
// benchmark measures the servers and not the client's hashing.
enum class DigestKind { Sha256, Xxh3 };
std::optional<DigestKind> parse_digest_kind(std::string_view name);
std::string_view digest_name(DigestKind kind);
std::size_t digest_hex_len(DigestKind kind);

struct SessionConfig {
	std::string file;
	unsigned blksize = 512;		// asked for when not 512
	unsigned windowsize = 1;	// asked for when not 1
	std::chrono::milliseconds timeout{1000};
	unsigned retries = 5;		// resends of one packet before giving up
	DigestKind digest = DigestKind::Sha256;
};

// Incremental digest, one per transfer.
class Digest {
public:
	explicit Digest(DigestKind kind = DigestKind::Sha256);
	void update(std::span<const std::uint8_t> data);
	std::string hex();	// ends the digest
private:
	struct FreeEvp {
		void operator()(void *ctx) const;
	};
	struct FreeXxh3 {
		void operator()(void *state) const;
	};
	DigestKind kind_;
	std::unique_ptr<void, FreeEvp> evp_;
	std::unique_ptr<void, FreeXxh3> xxh3_;
};

class Session {
public:
	enum class State { Requesting, Receiving, Done, Failed };

	explicit Session(SessionConfig cfg);

	// The RRQ to send to the server's port; starts the clock.
	Bytes start(Clock::time_point now);
	// A datagram from the transfer's peer; returns what to send back
	// (an ACK), if anything.
	std::optional<Bytes> on_packet(std::span<const std::uint8_t> pkt, Clock::time_point now);
	// Called at or after deadline(): the packet to send again, or nothing
	// when the transfer has just failed (too many resends).
	std::optional<Bytes> on_timeout(Clock::time_point now);

	State state() const { return state_; }
	bool finished() const { return state_ == State::Done || state_ == State::Failed; }
	Clock::time_point deadline() const { return deadline_; }
	const std::string &error() const { return error_; }
	const std::string &file() const { return cfg_.file; }

	std::uint64_t bytes() const { return bytes_; }
	std::uint64_t data_packets() const { return data_packets_; }	// every DATA seen
	std::uint64_t duplicates() const { return duplicates_; }	// DATA seen twice or out of order
	std::uint64_t resends() const { return resends_; }		// our own retransmissions
	unsigned blksize() const { return blksize_; }
	unsigned windowsize() const { return windowsize_; }
	// The server ignored an option we asked for (it serves 512/1 then).
	bool fell_back() const { return fell_back_; }
	std::optional<std::uint64_t> tsize() const { return tsize_; }
	Clock::duration elapsed() const { return end_ - begin_; }
	const std::string &digest() const { return digest_hex_; }	// once Done

private:
	Bytes ack(std::uint64_t block);
	std::optional<Bytes> on_oack(std::span<const std::uint8_t> body, Clock::time_point now);
	std::optional<Bytes> on_data(std::uint16_t num, std::span<const std::uint8_t> payload,
				     Clock::time_point now);
	void fail(std::string why, Clock::time_point now);
	void finish(Clock::time_point now);
	void arm(Clock::time_point now) { deadline_ = now + cfg_.timeout; tries_ = 0; }

	SessionConfig cfg_;
	State state_ = State::Requesting;
	unsigned blksize_ = 512, windowsize_ = 1;
	bool fell_back_ = false;
	std::optional<std::uint64_t> tsize_;
	std::uint64_t block_ = 0;	// last block received in order (64-bit)
	unsigned in_window_ = 0;
	bool gap_acked_ = false;	// this gap has had its ACK already
	std::uint64_t bytes_ = 0, data_packets_ = 0, duplicates_ = 0, resends_ = 0;
	unsigned tries_ = 0;
	Bytes last_sent_;
	Clock::time_point begin_, end_, deadline_;
	std::string error_, digest_hex_;
	Digest digest_;
};

} // namespace ktftp_bench
