// SPDX-License-Identifier: GPL-2.0
// The ktftpd generic-netlink messages: building requests and reading
// replies and events.  No socket here, so the unit tests check both
// directions against fixed bytes.
#pragma once

#include <cstdint>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model.hpp"

struct nl_msg;
struct nlattr;

namespace ktftpd {

struct MsgDeleter {
	void operator()(nl_msg *m) const;
};
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;

// A request for @family (its id) and @cmd, with room for @extra bytes of
// attributes beyond a page; throws std::bad_alloc.
MsgPtr new_request(int family, std::uint8_t cmd, int flags, std::size_t extra = 0);
// The room put_config() needs beyond a page: 64 rules of 2 x 255 bytes
// do not fit one, nor with 2 x 64 networks.
std::size_t config_extra_size(const Config &cfg);
// Add KTFTPD_A_CONFIG with every field of @cfg that is set.  Values are
// taken as validated (config.cpp); throws std::invalid_argument for an
// address that is not one.
void put_config(nl_msg *msg, const Config &cfg);
void put_drain(nl_msg *msg, std::uint32_t drain_ms);
// Add KTFTPD_A_REWRITE: the file name @name as a client would send it,
// and the client's address @client (IPv4 or IPv6 text) if given; throws
// std::invalid_argument for one that is not an address.
void put_rewrite_test(nl_msg *msg, const std::string &name,
		      const std::optional<std::string> &client);
// The attributes of @msg (what follows the generic-netlink header).
std::vector<std::uint8_t> attribute_bytes(nl_msg *msg);

// A parsed message's top-level attributes.  Throws std::runtime_error on
// attributes too short for their type (a kernel bug, or not ktftpd).
class Attrs {
public:
	explicit Attrs(std::span<const std::uint8_t> bytes);
	nlattr *operator[](int type) const;

private:
	std::vector<std::uint64_t> storage_;	// aligned copy
	std::vector<nlattr *> tb_;
};

Status parse_status(const Attrs &a);
Config parse_config_nest(nlattr *nest);
// @nest: a KTFTPD_A_SESSION (the uapi calls a transfer a session).
Transfer parse_transfer(nlattr *nest);
// @cmd: KTFTPD_CMD_EVENT_*.  Throws std::runtime_error for another.
Event parse_event(std::uint8_t cmd, const Attrs &a);
bool parse_changed(const Attrs &a);
// A KTFTPD_CMD_REWRITE_TEST reply.
RewriteResult parse_rewrite_result(const Attrs &a);

} // namespace ktftpd
