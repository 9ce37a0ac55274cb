// SPDX-License-Identifier: GPL-2.0
// The only file that talks to libnl: an RAII generic-netlink client for the
// "ktftpd" family.  Errors surface as ktftpd::NetlinkError, thrown only
// after libnl has returned, never through its C callbacks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

struct nl_sock;

namespace ktftpd {

class NetlinkError : public std::runtime_error {
public:
	NetlinkError(int err, const std::string &what)
		: std::runtime_error(what), err_(err) {}
	// Positive errno (EPERM, EINVAL...) or 0 when not an errno.
	int err() const { return err_; }

private:
	int err_;
};

struct Stats {
	std::uint64_t requests = 0;
	std::uint64_t completed = 0;
	std::uint64_t failed = 0;
	std::uint64_t bytes_sent = 0;
	std::uint64_t bytes_received = 0;
	std::uint64_t packets_sent = 0;
	std::uint64_t retransmits = 0;
	std::uint64_t refused_busy = 0;
	std::uint32_t active = 0;
	std::uint32_t peak = 0;
	std::map<unsigned, std::uint64_t> errors_sent;	// by TFTP error code
};

struct Status {
	bool running = false;
	std::uint16_t port = 0;
	std::string root;
	Stats stats;
};

class Client {
public:
	// Connects and resolves the family; throws NetlinkError (ENOENT when
	// the module is not loaded).
	Client();
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;
	~Client();

	Status get_status();

private:
	struct SockDeleter {
		void operator()(nl_sock *s) const;
	};
	std::unique_ptr<nl_sock, SockDeleter> sock_;
	int family_ = -1;
};

} // namespace ktftpd
