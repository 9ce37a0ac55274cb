// SPDX-License-Identifier: GPL-2.0
#include "netlink.hpp"

#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>

#include <linux/netlink.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <uapi/linux/ktftpd.h>

namespace ktftpd {
namespace {

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;

struct CbDeleter {
	void operator()(nl_cb *cb) const { nl_cb_put(cb); }
};
using CbPtr = std::unique_ptr<nl_cb, CbDeleter>;

using AttrTable = nlattr *[KTFTPD_A_MAX + 1];

// State shared with the C callbacks.  They record and return; they never
// throw (an exception in on_reply is caught and kept for later).
struct Transaction {
	std::function<void(AttrTable &)> on_reply;
	std::exception_ptr failure;
	int error = 0;		// negative errno from the kernel, 0 if none
	std::string ext_ack;	// the kernel's extended-ack message, if any
	bool done = false;
};

int on_valid(nl_msg *msg, void *arg) noexcept
{
	auto *t = static_cast<Transaction *>(arg);
	AttrTable tb{};

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, KTFTPD_A_MAX, nullptr) < 0) {
		t->error = -EPROTO;
		return NL_STOP;
	}
	try {
		if (t->on_reply)
			t->on_reply(tb);
	} catch (...) {
		t->failure = std::current_exception();
		return NL_STOP;
	}
	return NL_OK;
}

int on_ack(nl_msg *, void *arg) noexcept
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

std::string errno_text(int err)
{
	return std::strerror(err);
}

} // namespace

void Client::SockDeleter::operator()(nl_sock *s) const
{
	nl_socket_free(s);
}

Client::Client() : sock_(nl_socket_alloc())
{
	if (!sock_)
		throw NetlinkError(ENOMEM, "cannot allocate a netlink socket");
	int r = genl_connect(sock_.get());
	if (r < 0)
		throw NetlinkError(0, std::string("cannot open generic netlink: ") +
					      nl_geterror(r));
	// Ask for extended acks, so the kernel's reason reaches the user.
	// (libnl 3.7 has no helper for this; a kernel without it ignores it.)
	int one = 1;
	setsockopt(nl_socket_get_fd(sock_.get()), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	family_ = genl_ctrl_resolve(sock_.get(), KTFTPD_GENL_NAME);
	if (family_ < 0)
		throw NetlinkError(ENOENT,
				   "the ktftpd module is not loaded (no generic-netlink family \"" KTFTPD_GENL_NAME "\")");
}

Client::~Client() = default;

namespace {

// Send one request and collect its replies; throws on any failure.
void transact(nl_sock *sock, int family, std::uint8_t cmd,
	      std::function<void(AttrTable &)> on_reply)
{
	MsgPtr msg(nlmsg_alloc());
	if (!msg)
		throw NetlinkError(ENOMEM, "out of memory");
	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 NLM_F_REQUEST | NLM_F_ACK, cmd, KTFTPD_GENL_VERSION))
		throw NetlinkError(ENOMEM, "cannot build the request");

	CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
	if (!cb)
		throw NetlinkError(ENOMEM, "out of memory");
	Transaction t;
	t.on_reply = std::move(on_reply);
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &t);
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &t);

	int r = nl_send_auto(sock, msg.get());
	if (r < 0)
		throw NetlinkError(0, std::string("netlink send: ") + nl_geterror(r));
	while (!t.done && !t.failure && t.error == 0) {
		r = nl_recvmsgs(sock, cb.get());
		if (r < 0 && t.error == 0 && !t.failure)
			throw NetlinkError(0, std::string("netlink receive: ") +
						      nl_geterror(r));
	}
	if (t.failure)
		std::rethrow_exception(t.failure);
	if (t.error < 0) {
		std::string what = errno_text(-t.error);
		if (!t.ext_ack.empty())
			what += ": " + t.ext_ack;
		throw NetlinkError(-t.error, what);
	}
}

} // namespace

namespace {

std::uint64_t get_u64(nlattr *a)
{
	if (nla_len(a) < static_cast<int>(sizeof(std::uint64_t)))
		throw NetlinkError(EPROTO, "malformed counter from the kernel");
	return nla_get_u64(a);
}

Stats parse_stats(nlattr *nest)
{
	nlattr *tb[KTFTPD_STAT_MAX + 1] = {};
	Stats st;

	if (nla_parse_nested(tb, KTFTPD_STAT_MAX, nest, nullptr) < 0)
		throw NetlinkError(EPROTO, "malformed statistics from the kernel");
	const std::pair<int, std::uint64_t *> u64s[] = {
		{KTFTPD_STAT_REQUESTS, &st.requests},
		{KTFTPD_STAT_XFER_COMPLETED, &st.completed},
		{KTFTPD_STAT_XFER_FAILED, &st.failed},
		{KTFTPD_STAT_BYTES_SENT, &st.bytes_sent},
		{KTFTPD_STAT_PACKETS_SENT, &st.packets_sent},
		{KTFTPD_STAT_RETRANSMITS, &st.retransmits},
		{KTFTPD_STAT_REFUSED_BUSY, &st.refused_busy},
		{KTFTPD_STAT_BYTES_RECEIVED, &st.bytes_received},
	};
	for (auto [type, field] : u64s)
		if (tb[type])
			*field = get_u64(tb[type]);
	if (tb[KTFTPD_STAT_ACTIVE])
		st.active = nla_get_u32(tb[KTFTPD_STAT_ACTIVE]);
	if (tb[KTFTPD_STAT_PEAK])
		st.peak = nla_get_u32(tb[KTFTPD_STAT_PEAK]);
	if (tb[KTFTPD_STAT_ERRORS_SENT]) {
		nlattr *a;
		int rem;
		nla_for_each_nested(a, tb[KTFTPD_STAT_ERRORS_SENT], rem) {
			if (nla_type(a) >= 1)
				st.errors_sent[nla_type(a) - 1] = get_u64(a);
		}
	}
	return st;
}

} // namespace

Status Client::get_status()
{
	Status st;
	bool got = false;
	transact(sock_.get(), family_, KTFTPD_CMD_GET_STATUS, [&](AttrTable &tb) {
		if (!tb[KTFTPD_A_RUNNING] || !tb[KTFTPD_A_PORT] || !tb[KTFTPD_A_ROOT])
			throw NetlinkError(EPROTO, "incomplete status reply from the kernel");
		st.running = nla_get_u8(tb[KTFTPD_A_RUNNING]) != 0;
		st.port = nla_get_u16(tb[KTFTPD_A_PORT]);
		const char *root = static_cast<const char *>(nla_data(tb[KTFTPD_A_ROOT]));
		st.root.assign(root, strnlen(root, nla_len(tb[KTFTPD_A_ROOT])));
		if (tb[KTFTPD_A_STATS])
			st.stats = parse_stats(tb[KTFTPD_A_STATS]);
		got = true;
	});
	if (!got)
		throw NetlinkError(EPROTO, "no status reply from the kernel");
	return st;
}

} // namespace ktftpd
