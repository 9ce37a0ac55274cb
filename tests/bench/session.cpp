// SPDX-License-Identifier: GPL-2.0
#include "session.hpp"

#include <openssl/evp.h>
#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace ktftp_bench {

namespace {

constexpr std::uint16_t OP_RRQ = 1, OP_DATA = 3, OP_ACK = 4, OP_ERROR = 5, OP_OACK = 6;

void put16(Bytes &b, std::uint16_t v)
{
	b.push_back(static_cast<std::uint8_t>(v >> 8));
	b.push_back(static_cast<std::uint8_t>(v));
}

void put_string(Bytes &b, const std::string &s)
{
	b.insert(b.end(), s.begin(), s.end());
	b.push_back(0);
}

std::uint16_t get16(std::span<const std::uint8_t> p)
{
	return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

std::string lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return s;
}

std::optional<std::uint64_t> number(const std::string &s)
{
	std::uint64_t v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || end != s.data() + s.size() || s.empty())
		return std::nullopt;
	return v;
}

} // namespace

std::optional<DigestKind> parse_digest_kind(std::string_view name)
{
	if (name == "sha256")
		return DigestKind::Sha256;
	if (name == "xxh3")
		return DigestKind::Xxh3;
	return std::nullopt;
}

std::string_view digest_name(DigestKind kind)
{
	return kind == DigestKind::Xxh3 ? "xxh3" : "sha256";
}

std::size_t digest_hex_len(DigestKind kind)
{
	return kind == DigestKind::Xxh3 ? 2 * sizeof(XXH128_canonical_t) : 2 * 32;
}

void Digest::FreeEvp::operator()(void *ctx) const
{
	EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(ctx));
}

void Digest::FreeXxh3::operator()(void *state) const
{
	XXH3_freeState(static_cast<XXH3_state_t *>(state));
}

Digest::Digest(DigestKind kind) : kind_(kind)
{
	if (kind_ == DigestKind::Xxh3) {
		xxh3_.reset(XXH3_createState());
		if (!xxh3_ || XXH3_128bits_reset(static_cast<XXH3_state_t *>(xxh3_.get())) != XXH_OK)
			throw std::runtime_error("cannot set up XXH3");
		return;
	}
	evp_.reset(EVP_MD_CTX_new());
	if (!evp_ || !EVP_DigestInit_ex(static_cast<EVP_MD_CTX *>(evp_.get()), EVP_sha256(), nullptr))
		throw std::runtime_error("cannot set up SHA-256");
}

void Digest::update(std::span<const std::uint8_t> data)
{
	if (xxh3_)
		XXH3_128bits_update(static_cast<XXH3_state_t *>(xxh3_.get()), data.data(), data.size());
	else
		EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(evp_.get()), data.data(), data.size());
}

std::string Digest::hex()
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (xxh3_) {
		XXH128_canonical_t c;
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(static_cast<XXH3_state_t *>(xxh3_.get())));
		std::memcpy(md, c.digest, sizeof(c.digest));
		len = sizeof(c.digest);
	} else {
		EVP_DigestFinal_ex(static_cast<EVP_MD_CTX *>(evp_.get()), md, &len);
	}
	static const char digits[] = "0123456789abcdef";
	std::string out;
	for (unsigned i = 0; i < len; i++) {
		out += digits[md[i] >> 4];
		out += digits[md[i] & 15];
	}
	return out;
}

Session::Session(SessionConfig cfg) : cfg_(std::move(cfg)), digest_(cfg_.digest) {}

Bytes Session::start(Clock::time_point now)
{
	Bytes b;
	put16(b, OP_RRQ);
	put_string(b, cfg_.file);
	put_string(b, "octet");
	if (cfg_.blksize != 512) {
		put_string(b, "blksize");
		put_string(b, std::to_string(cfg_.blksize));
	}
	if (cfg_.windowsize != 1) {
		put_string(b, "windowsize");
		put_string(b, std::to_string(cfg_.windowsize));
	}
	// tsize 0 (RFC 2349): every server answers it, so every transfer
	// starts with the same OACK handshake, whatever else it asks.
	put_string(b, "tsize");
	put_string(b, "0");
	begin_ = now;
	arm(now);
	last_sent_ = b;
	return b;
}

Bytes Session::ack(std::uint64_t block)
{
	Bytes b;
	put16(b, OP_ACK);
	put16(b, static_cast<std::uint16_t>(block));
	last_sent_ = b;
	return b;
}

void Session::fail(std::string why, Clock::time_point now)
{
	state_ = State::Failed;
	error_ = std::move(why);
	end_ = now;
}

void Session::finish(Clock::time_point now)
{
	state_ = State::Done;
	end_ = now;
	digest_hex_ = digest_.hex();
}

std::optional<Bytes> Session::on_packet(std::span<const std::uint8_t> pkt, Clock::time_point now)
{
	if (finished() || pkt.size() < 4)
		return std::nullopt;	// a runt proves nothing: ignore it
	switch (get16(pkt)) {
	case OP_OACK:
		return on_oack(pkt.subspan(2), now);
	case OP_DATA:
		return on_data(get16(pkt.subspan(2)), pkt.subspan(4), now);
	case OP_ERROR: {
		auto msg = pkt.subspan(4);
		auto nul = std::find(msg.begin(), msg.end(), 0);
		fail("ERROR " + std::to_string(get16(pkt.subspan(2))) + ": " +
		     std::string(msg.begin(), nul), now);
		return std::nullopt;
	}
	default:
		return std::nullopt;
	}
}

std::optional<Bytes> Session::on_oack(std::span<const std::uint8_t> body, Clock::time_point now)
{
	if (state_ != State::Requesting)
		return std::nullopt;	// a resent OACK after our ACK 0: ignore
	std::vector<std::string> fields;
	std::string cur;
	for (auto c : body) {
		if (c == 0) {
			fields.push_back(std::move(cur));
			cur.clear();
		} else {
			cur += static_cast<char>(c);
		}
	}
	if (!cur.empty() || fields.size() % 2) {
		fail("malformed OACK", now);
		return std::nullopt;
	}
	bool got_blksize = false, got_window = false;
	for (std::size_t i = 0; i < fields.size(); i += 2) {
		auto name = lower(fields[i]);
		auto v = number(fields[i + 1]);
		if (!v) {
			fail("OACK option " + name + " has no number", now);
			return std::nullopt;
		}
		if (name == "blksize" && *v >= 8 && *v <= cfg_.blksize) {
			blksize_ = static_cast<unsigned>(*v);
			got_blksize = true;
		} else if (name == "windowsize" && *v >= 1 && *v <= cfg_.windowsize) {
			windowsize_ = static_cast<unsigned>(*v);
			got_window = true;
		} else if (name == "tsize") {
			tsize_ = *v;
		} else {
			fail("OACK option " + name + "=" + fields[i + 1] + " not asked for", now);
			return std::nullopt;
		}
	}
	fell_back_ = (cfg_.blksize != 512 && !got_blksize) || (cfg_.windowsize != 1 && !got_window);
	state_ = State::Receiving;
	arm(now);
	return ack(0);
}

std::optional<Bytes> Session::on_data(std::uint16_t num, std::span<const std::uint8_t> payload,
				      Clock::time_point now)
{
	if (state_ == State::Requesting) {
		// No OACK: the server took no option (RFC 2347 says it may not).
		fell_back_ = cfg_.blksize != 512 || cfg_.windowsize != 1;
		state_ = State::Receiving;
	}
	data_packets_++;
	if (payload.size() > blksize_) {
		fail("DATA " + std::to_string(num) + " is longer than blksize", now);
		return std::nullopt;
	}
	if (num != static_cast<std::uint16_t>(block_ + 1)) {
		duplicates_++;
		// Lock-step: the server resent because our ACK was lost, so ACK
		// again.  A window: out of order, so restart it after the last
		// block we have, once per gap (not once per stray packet).
		in_window_ = 0;
		if (windowsize_ > 1 && gap_acked_)
			return std::nullopt;
		gap_acked_ = true;
		return ack(block_);
	}
	gap_acked_ = false;
	block_++;
	in_window_++;
	bytes_ += payload.size();
	digest_.update(payload);
	arm(now);
	if (payload.size() < blksize_) {
		finish(now);
		return ack(block_);
	}
	if (in_window_ >= windowsize_) {
		in_window_ = 0;
		return ack(block_);
	}
	return std::nullopt;
}

std::optional<Bytes> Session::on_timeout(Clock::time_point now)
{
	if (finished())
		return std::nullopt;
	if (++tries_ > cfg_.retries) {
		fail(state_ == State::Requesting ? "no answer to the request" : "transfer timed out", now);
		return std::nullopt;
	}
	resends_++;
	in_window_ = 0;
	deadline_ = now + cfg_.timeout;
	return last_sent_;
}

} // namespace ktftp_bench
