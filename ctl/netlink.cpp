// SPDX-License-Identifier: GPL-2.0
#include "netlink.hpp"

#include <poll.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <string>

#include <linux/netlink.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <uapi/linux/ktftpd.h>

#include "errors.hpp"

namespace ktftpd {
namespace {

struct CbDeleter {
	void operator()(nl_cb *cb) const { nl_cb_put(cb); }
};
using CbPtr = std::unique_ptr<nl_cb, CbDeleter>;

using Handler = std::function<void(std::uint8_t cmd, const Attrs &)>;

// State shared with the C callbacks.  They record and return; they never
// throw (an exception from the handler is caught and kept for later).
struct Transaction {
	const Handler *on_reply = nullptr;
	std::exception_ptr failure;
	int error = 0;		// negative errno from the kernel, 0 if none
	std::string ext_ack;	// the kernel's extended-ack message, if any
	bool done = false;
};

int on_valid(nl_msg *msg, void *arg) noexcept
{
	auto *t = static_cast<Transaction *>(arg);
	try {
		nlmsghdr *nlh = nlmsg_hdr(msg);
		auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlh));
		if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			throw std::runtime_error("short message from the kernel");
		auto *data = reinterpret_cast<const std::uint8_t *>(genlmsg_attrdata(gh, 0));
		Attrs attrs({data, static_cast<std::size_t>(genlmsg_attrlen(gh, 0))});
		if (t->on_reply && *t->on_reply)
			(*t->on_reply)(gh->cmd, attrs);
	} catch (...) {
		t->failure = std::current_exception();
		return NL_STOP;
	}
	return NL_OK;
}

// Only the kernel speaks for the family and the controller: a datagram
// from a process (root of a container's user namespace may multicast to
// the groups of a namespace it owns) is dropped unread.
int from_kernel_only(nl_msg *msg, void *) noexcept
{
	return nlmsg_get_src(msg)->nl_pid == 0 ? NL_OK : NL_SKIP;
}

int on_done(nl_msg *, void *arg) noexcept
{
	static_cast<Transaction *>(arg)->done = true;
	return NL_STOP;
}

// Read the NLMSGERR_ATTR_MSG text the kernel appends to an error (ext ack).
std::string ext_ack_message(const nlmsgerr *err)
{
	const auto *nlh = reinterpret_cast<const nlmsghdr *>(
		reinterpret_cast<const char *>(err) - NLMSG_HDRLEN);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return {};
	std::size_t ack_len = NLMSG_HDRLEN + sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += err->msg.nlmsg_len - NLMSG_HDRLEN;
	if (ack_len >= nlh->nlmsg_len)
		return {};
	nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
	auto *attrs = reinterpret_cast<nlattr *>(
		const_cast<char *>(reinterpret_cast<const char *>(nlh)) + ack_len);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs,
		      static_cast<int>(nlh->nlmsg_len - ack_len), nullptr) < 0)
		return {};
	if (!tb[NLMSGERR_ATTR_MSG])
		return {};
	const char *s = static_cast<const char *>(nla_data(tb[NLMSGERR_ATTR_MSG]));
	return std::string(s, strnlen(s, nla_len(tb[NLMSGERR_ATTR_MSG])));
}

int on_error(sockaddr_nl *, nlmsgerr *err, void *arg) noexcept
{
	auto *t = static_cast<Transaction *>(arg);
	t->error = err->error;
	try {
		t->ext_ack = ext_ack_message(err);
	} catch (...) {
		// Out of memory for the text: the errno alone still reports it.
	}
	t->done = true;
	return NL_STOP;
}

[[noreturn]] void fail_errno(int err, const std::string &ext_ack)
{
	// The kernel says which capability a refused setting needs; the
	// family's own check (GENL_ADMIN_PERM) says nothing.
	if ((err == EPERM || err == EACCES) && !ext_ack.empty())
		throw Failure(EXIT_NOPERM, "permission denied: " + ext_ack);
	if (err == EPERM || err == EACCES)
		throw Failure(EXIT_NOPERM,
			      "permission denied: this needs root (CAP_NET_ADMIN)");
	std::string what = std::strerror(err);
	if (!ext_ack.empty())
		what = ext_ack + " (" + what + ")";
	// A value the kernel refused: out of range, a root that is not there
	// (or passes through a magic link, ELOOP, or is in /proc, EXDEV), or
	// an id the namespace's user namespace does not map (EOVERFLOW).
	if (err == EINVAL || err == ERANGE || err == E2BIG || err == ENOENT ||
	    err == ENOTDIR || err == EOVERFLOW || err == ELOOP || err == EXDEV)
		throw Failure(EXIT_DATAERR, what);
	throw Failure(EXIT_FAILURE_OTHER, what);
}

[[noreturn]] void fail_libnl(const char *what, int r)
{
	throw Failure(EXIT_FAILURE_OTHER, std::string(what) + ": " + nl_geterror(r));
}

int accept_any_seq(nl_msg *, void *) noexcept
{
	return NL_OK;
}

CbPtr new_cb(Transaction &t)
{
	CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
	if (!cb)
		throw std::bad_alloc();
	nl_cb_set(cb.get(), NL_CB_MSG_IN, NL_CB_CUSTOM, from_kernel_only, nullptr);
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_done, &t);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_done, &t);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &t);
	return cb;
}

} // namespace

void Client::SockDeleter::operator()(nl_sock *s) const
{
	nl_socket_free(s);
}

Client::Client()
{
	connect();
}

Client::SockPtr Client::open_socket()
{
	SockPtr sock(nl_socket_alloc());
	if (!sock)
		throw std::bad_alloc();
	int r = genl_connect(sock.get());
	if (r < 0)
		fail_libnl("cannot open generic netlink", r);
	return sock;
}

void Client::connect()
{
	SockPtr sock = open_socket();
	// Ask for extended acks, so the kernel's reason reaches the user.
	// (libnl 3.7 has no helper for this; a kernel without it ignores it.)
	int one = 1;
	setsockopt(nl_socket_get_fd(sock.get()), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	int family = genl_ctrl_resolve(sock.get(), KTFTPD_GENL_NAME);
	if (family < 0)
		throw Failure(EXIT_UNAVAILABLE,
			      "ktftpd kernel module is not loaded (try: modprobe ktftpd)");
	sock_ = std::move(sock);
	family_ = family;
}

Client::~Client() = default;

// Send one request and collect its replies; throws on any failure.
void Client::transact(MsgPtr msg, const Reply &on_reply)
{
	Transaction t;
	t.on_reply = &on_reply;
	CbPtr cb = new_cb(t);

	int r = nl_send_auto(sock_.get(), msg.get());
	if (r < 0)
		fail_libnl("netlink send", r);
	while (!t.done && !t.failure && t.error == 0) {
		r = nl_recvmsgs(sock_.get(), cb.get());
		if (r < 0 && t.error == 0 && !t.failure)
			fail_libnl("netlink receive", r);
	}
	if (t.failure)
		std::rethrow_exception(t.failure);
	if (t.error < 0)
		fail_errno(-t.error, t.ext_ack);
}

Status Client::get_status()
{
	std::optional<Status> st;
	transact(new_request(family_, KTFTPD_CMD_GET_STATUS, NLM_F_REQUEST | NLM_F_ACK),
		 [&](std::uint8_t, const Attrs &a) { st = parse_status(a); });
	if (!st)
		throw Failure(EXIT_FAILURE_OTHER, "no status reply from the kernel");
	return *st;
}

bool Client::start(const Config &cfg)
{
	auto msg = new_request(family_, KTFTPD_CMD_START, NLM_F_REQUEST | NLM_F_ACK,
			       config_extra_size(cfg));
	if (!cfg.empty())
		put_config(msg.get(), cfg);
	bool changed = false;
	transact(std::move(msg),
		 [&](std::uint8_t, const Attrs &a) { changed = parse_changed(a); });
	return changed;
}

void Client::stop(std::optional<std::uint32_t> drain_ms)
{
	auto msg = new_request(family_, KTFTPD_CMD_STOP, NLM_F_REQUEST | NLM_F_ACK);
	if (drain_ms)
		put_drain(msg.get(), *drain_ms);
	transact(std::move(msg), {});
}

bool Client::set_config(const Config &cfg)
{
	auto msg = new_request(family_, KTFTPD_CMD_SET_CONFIG, NLM_F_REQUEST | NLM_F_ACK,
			       config_extra_size(cfg));
	put_config(msg.get(), cfg);
	bool changed = false;
	transact(std::move(msg),
		 [&](std::uint8_t, const Attrs &a) { changed = parse_changed(a); });
	return changed;
}

std::vector<Transfer> Client::transfers()
{
	std::vector<Transfer> out;
	// The uapi calls a transfer a session.
	transact(new_request(family_, KTFTPD_CMD_GET_SESSIONS, NLM_F_REQUEST | NLM_F_DUMP),
		 [&](std::uint8_t, const Attrs &a) {
			 if (a[KTFTPD_A_SESSION])
				 out.push_back(parse_transfer(a[KTFTPD_A_SESSION]));
		 });
	return out;
}

RewriteResult Client::rewrite_test(const std::string &name,
				   const std::optional<std::string> &client)
{
	auto msg = new_request(family_, KTFTPD_CMD_REWRITE_TEST, NLM_F_REQUEST | NLM_F_ACK);
	put_rewrite_test(msg.get(), name, client);
	std::optional<RewriteResult> result;
	transact(std::move(msg),
		 [&](std::uint8_t, const Attrs &a) { result = parse_rewrite_result(a); });
	if (!result)
		throw Failure(EXIT_FAILURE_OTHER, "no rewrite test reply from the kernel");
	return *result;
}

void Client::join_events()
{
	int grp = genl_ctrl_resolve_grp(sock_.get(), KTFTPD_GENL_NAME, KTFTPD_MCGRP_EVENTS);
	if (grp < 0)
		fail_libnl("cannot find the events group", grp);
	int r = nl_socket_add_membership(sock_.get(), grp);
	if (r < 0) {
		if (r == -NLE_PERM)
			fail_errno(EPERM, {});
		fail_libnl("cannot join the events group", r);
	}
}

// The generic netlink controller's notifications: a family registered or
// unregistered (CTRL_CMD_NEWFAMILY, CTRL_CMD_DELFAMILY).  An unload
// drops every member of the family's groups, so a monitor must hear the
// family come back to join again.
Client::SockPtr Client::controller_notifications()
{
	SockPtr ctrl = open_socket();
	int grp = genl_ctrl_resolve_grp(ctrl.get(), "nlctrl", "notify");
	if (grp < 0)
		fail_libnl("cannot find the controller's notify group", grp);
	int r = nl_socket_add_membership(ctrl.get(), grp);
	if (r < 0)
		fail_libnl("cannot join the controller's notify group", r);
	nl_socket_disable_seq_check(ctrl.get());
	return ctrl;
}

void Client::monitor(const std::function<void(const Event &)> &on_event,
		     const std::function<bool()> &keep_going,
		     const std::function<void(bool)> &on_module)
{
	join_events();
	auto ctrl = controller_notifications();
	Transaction t;
	Handler handler = [&](std::uint8_t cmd, const Attrs &a) {
		Event e = parse_event(cmd, a);
		e.received = std::chrono::system_clock::now();
		on_event(e);
	};
	t.on_reply = &handler;
	CbPtr cb = new_cb(t);
	// Events are not answers to a request: no sequence numbers to check.
	nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_seq, nullptr);

	// The last word on our family in a batch of notifications (gone,
	// back), and whether it went at all in it (an unload and a load may
	// come in one batch).
	enum class Change { none, gone, back } change = Change::none;
	bool went = false;
	Transaction ct;
	Handler ctrl_handler = [&](std::uint8_t cmd, const Attrs &a) {
		nlattr *name = a[CTRL_ATTR_FAMILY_NAME];
		if (!name || std::string(static_cast<const char *>(nla_data(name)),
					 strnlen(static_cast<const char *>(nla_data(name)),
						 nla_len(name))) != KTFTPD_GENL_NAME)
			return;
		if (cmd == CTRL_CMD_DELFAMILY) {
			change = Change::gone;
			went = true;
		} else if (cmd == CTRL_CMD_NEWFAMILY) {
			change = Change::back;
		}
	};
	ct.on_reply = &ctrl_handler;
	CbPtr ctrl_cb = new_cb(ct);
	nl_cb_set(ctrl_cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_seq, nullptr);

	bool present = true;
	while (keep_going()) {
		pollfd pfd[2] = {{nl_socket_get_fd(sock_.get()), POLLIN, 0},
				 {nl_socket_get_fd(ctrl.get()), POLLIN, 0}};
		int n = poll(pfd, 2, 200);
		if (n < 0 && errno != EINTR)
			throw Failure(EXIT_FAILURE_OTHER, std::string("poll: ") + std::strerror(errno));
		if (n <= 0)
			continue;
		// Events first: an unloading module's last ones come before
		// the notification that it went, and a reconnect drops them.
		if (pfd[0].revents & POLLIN) {
			int r = nl_recvmsgs(sock_.get(), cb.get());
			if (t.failure)
				std::rethrow_exception(t.failure);
			// A burst larger than the socket buffer loses events: go on.
			if (r < 0 && r != -NLE_NOMEM && r != -NLE_MSG_OVERFLOW &&
			    r != -NLE_INTR && r != -NLE_AGAIN)
				fail_libnl("netlink receive", r);
		}
		if (pfd[1].revents & POLLIN) {
			change = Change::none;
			went = false;
			int r = nl_recvmsgs(ctrl.get(), ctrl_cb.get());
			if (ct.failure)
				std::rethrow_exception(ct.failure);
			// Notifications lost to a full buffer may have said
			// either: look again.
			if (r == -NLE_NOMEM || r == -NLE_MSG_OVERFLOW)
				change = Change::back;
			else if (r < 0 && r != -NLE_INTR && r != -NLE_AGAIN)
				fail_libnl("netlink receive", r);
			if (change == Change::back) {
				// A new socket: the old one's membership went with
				// the family, and its id may have changed.
				try {
					connect();
					join_events();
				} catch (const Failure &f) {
					if (f.exit_code() != EXIT_UNAVAILABLE)
						throw;
					change = Change::gone;	// not there after all
				}
			}
			if ((went || change == Change::gone) && present) {
				present = false;
				if (on_module)
					on_module(false);
			}
			if (change == Change::back) {
				if (!present && on_module)
					on_module(true);
				present = true;
			}
		}
	}
}

} // namespace ktftpd
