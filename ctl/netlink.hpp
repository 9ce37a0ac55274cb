// SPDX-License-Identifier: GPL-2.0
// The only file that talks to the kernel: an RAII generic-netlink client
// for the "ktftpd" family.  Failures surface as ktftpd::Failure with the
// exit status to use, thrown only after libnl has returned, never through
// its C callbacks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "messages.hpp"
#include "model.hpp"

struct nl_sock;

namespace ktftpd {

class Client {
public:
	// Connects and resolves the family.  Throws Failure: exit status 69
	// when the module is not loaded.
	Client();
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;
	~Client();

	Status get_status();
	// Apply @cfg (may be empty), then start.  Returns whether the config changed.
	bool start(const Config &cfg);
	void stop(std::optional<std::uint32_t> drain_ms);
	// Returns whether the config changed.
	bool set_config(const Config &cfg);
	std::vector<Transfer> transfers();
	// What the config in force makes of a request for @name from
	// @client (an address as text; none: the rules see no address).
	// Throws std::invalid_argument for a client that is not an address.
	RewriteResult rewrite_test(const std::string &name,
				   const std::optional<std::string> &client);
	// Join the events group and call @on_event for each event until
	// @keep_going returns false (checked at least every 200 ms).  When
	// the module is unloaded it waits for it to come back, joins again,
	// and tells @on_module (false: gone, true: back), if given.
	void monitor(const std::function<void(const Event &)> &on_event,
		     const std::function<bool()> &keep_going,
		     const std::function<void(bool)> &on_module = {});

private:
	// (Re)open the socket and resolve the family.
	void connect();
	void join_events();
	struct SockDeleter {
		void operator()(nl_sock *s) const;
	};
	using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
	// A new generic netlink socket, connected.
	static SockPtr open_socket();
	// One that hears the controller's notifications (see monitor).
	static SockPtr controller_notifications();
	using Reply = std::function<void(std::uint8_t cmd, const Attrs &)>;
	void transact(MsgPtr msg, const Reply &on_reply);

	SockPtr sock_;
	int family_ = -1;
};

} // namespace ktftpd
