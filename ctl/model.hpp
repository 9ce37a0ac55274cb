// SPDX-License-Identifier: GPL-2.0
// What ktftpctl knows of the server: plain values, no libnl, so rendering,
// config handling and their tests need no kernel.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "counters.h"
#include "params.h"

namespace ktftpd {

// A filename rule (ktftpd.json(5), RULES), as the uapi carries it.
struct Rule {
	ktftpd_rule_match match = KTFTPD_MATCH_EXACT;
	unsigned flags = 0;		// enum ktftpd_rule_flag bits
	std::string pattern;
	std::string replace;		// unused by a REFUSE rule

	bool operator==(const Rule &) const = default;
};

// A client network of allow or deny (CIDR), as the uapi carries it: the
// first @prefix bits of @addr, the rest 0 (networks.hpp checks that).
struct Network {
	int family = 4;				// 4 or 6
	unsigned prefix = 0;			// 0..32 or 0..128
	std::array<std::uint8_t, 16> addr{};	// network order; IPv4 uses 4

	bool operator==(const Network &) const = default;
};

// port_range: the ports LOW..HIGH of the transfers' sockets.  {0, 0} is
// none (any port the kernel picks), as the uapi's empty nest says.
struct PortRange {
	std::uint16_t low = 0;
	std::uint16_t high = 0;

	bool none() const { return low == 0; }
	bool operator==(const PortRange &) const = default;
};

// A config, or a change to one: every field optional.  A full config (as
// from Config::defaults() or the kernel) has every field set.
struct Config {
	std::optional<std::string> root;
	std::optional<std::vector<std::string>> listen;	// textual addresses
	std::optional<std::vector<Network>> allow;	// empty: every client
	std::optional<std::vector<Network>> deny;	// empty: none refused
	std::optional<PortRange> port_range;
	std::optional<std::vector<Rule>> rules;		// in order; empty: none
	std::array<std::optional<long>, KTFTPD_P_COUNT> params{};

	static Config defaults();
	// Every field of @other that is set, set here too.
	void merge(const Config &other);
	bool empty() const;
	bool operator==(const Config &) const = default;
};

struct Stats {
	// Indexed by enum ktftpd_counter (counters.h).
	std::array<std::uint64_t, KTFTPD_C_COUNT> counter{};
	std::uint32_t active = 0;
	std::uint32_t peak = 0;
	std::map<unsigned, std::uint64_t> errors_sent;	// by TFTP error code

	std::uint64_t operator[](ktftpd_counter c) const { return counter[c]; }
};

struct Status {
	bool running = false;
	std::uint64_t uptime_ms = 0;
	std::string version;
	Config config;
	Stats stats;
};

// One transfer in flight (the kernel's struct ktftpd_xfer); the uapi calls
// a transfer a session (KTFTPD_A_SESSION, KTFTPD_SESSION_*).
struct Transfer {
	std::uint64_t id = 0;
	std::string peer;		// address, IPv4 or IPv6
	std::uint16_t port = 0;
	std::string file;
	bool write = false;		// an upload (WRQ)
	std::uint64_t bytes = 0;
	std::optional<std::uint64_t> total;
	std::uint32_t blksize = 0;
	std::uint32_t windowsize = 0;
	std::uint32_t retransmits = 0;
	std::uint64_t age_ms = 0;
	std::uint32_t options = 0;	// enum ktftpd_option bits: asked for
	std::uint32_t oack = 0;		// enum ktftpd_option bits: granted
	std::optional<std::uint32_t> timeout_s;	// granted
	// The name looked up beneath root, when the filename rules or a
	// case-insensitive match made it other than file.
	std::optional<std::string> lookup;
};

struct Event {
	enum class Kind { start, finish, error } kind = Kind::start;
	Transfer transfer;
	std::optional<std::uint16_t> error_code;
	std::string error_msg;
	// When ktftpctl received it: the kernel's events carry no time.
	std::optional<std::chrono::system_clock::time_point> received;
	// A finish whose last block's ACK never came (KTFTPD_A_UNCONFIRMED).
	bool unconfirmed = false;
};

// What the config in force makes of a file name (KTFTPD_CMD_REWRITE_TEST).
struct RewriteResult {
	std::string normalized;		// after the built-in switches
	std::uint64_t applied = 0;	// bit i: rule i rewrote (or refused) it
	std::optional<std::string> lookup;	// none when refused
	std::optional<std::string> mac;		// the client's, when known
	std::optional<std::uint16_t> error_code;	// set when refused
	std::string error_msg;
	// The client's own directory beneath root (unique_root), looked in
	// first; none when unique_root is off or the client is not known.
	std::optional<std::string> unique;
};

} // namespace ktftpd
