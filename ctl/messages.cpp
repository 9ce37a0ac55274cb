// SPDX-License-Identifier: GPL-2.0
#include "messages.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <cstring>
#include <iterator>
#include <new>
#include <stdexcept>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include <uapi/linux/ktftpd.h>

namespace ktftpd {
namespace {

void check(int err)
{
	if (err < 0)
		throw std::bad_alloc();
}

// Read an attribute of @width bytes; a shorter one is malformed.
std::uint64_t get_uint(nlattr *a, int width)
{
	if (nla_len(a) < width)
		throw std::runtime_error("malformed attribute from the kernel");
	switch (width) {
	case 1: return nla_get_u8(a);
	case 2: return nla_get_u16(a);
	case 4: return nla_get_u32(a);
	default: return nla_get_u64(a);
	}
}

std::string get_string(nlattr *a)
{
	const char *s = static_cast<const char *>(nla_data(a));
	return std::string(s, strnlen(s, nla_len(a)));
}

// @text as an address: its family's attribute and the bytes to put.
struct Address {
	int family = AF_UNSPEC;
	unsigned char bytes[16] = {};
	int len() const { return family == AF_INET ? 4 : 16; }
};

Address address_bytes(const std::string &text)
{
	Address a;
	// inet_pton reads up to a NUL: "::1\0junk" is not an address.
	if (text.find('\0') != std::string::npos)
		throw std::invalid_argument("not an address: " + text);
	if (inet_pton(AF_INET, text.c_str(), a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text.c_str(), a.bytes) == 1)
		a.family = AF_INET6;
	else
		throw std::invalid_argument("not an address: " + text);
	return a;
}

std::string address_text(int family, nlattr *a)
{
	char text[INET6_ADDRSTRLEN];
	int need = family == AF_INET ? 4 : 16;
	if (nla_len(a) != need || !inet_ntop(family, nla_data(a), text, sizeof(text)))
		throw std::runtime_error("malformed address from the kernel");
	return text;
}

template <int Max>
struct Table {
	nlattr *tb[Max + 1] = {};
	explicit Table(nlattr *nest)
	{
		if (nla_parse_nested(tb, Max, nest, nullptr) < 0)
			throw std::runtime_error("malformed nested attribute from the kernel");
	}
	nlattr *operator[](int t) const { return tb[t]; }
};

// Nest @type around what @fill puts.  nla_nest_end() drops a nest left
// empty, but an empty KTFTPD_CFG_LISTEN, _RULES, _ALLOW, _DENY or
// _PORT_RANGE says "none", and its absence "keep what is in force": put
// the header alone then.
template <class Fill>
void put_nest(nl_msg *msg, int type, bool empty, Fill fill)
{
	if (empty) {
		check(nla_put(msg, type | NLA_F_NESTED, 0, nullptr));
		return;
	}
	nlattr *nest = nla_nest_start(msg, type);
	if (!nest)
		throw std::bad_alloc();
	fill();
	nla_nest_end(msg, nest);
}

void put_rule(nl_msg *msg, const Rule &r)
{
	nlattr *nest = nla_nest_start(msg, KTFTPD_RULES_RULE);
	if (!nest)
		throw std::bad_alloc();
	check(nla_put_u8(msg, KTFTPD_RULE_MATCH, r.match));
	check(nla_put_u8(msg, KTFTPD_RULE_FLAGS, static_cast<std::uint8_t>(r.flags)));
	check(nla_put_string(msg, KTFTPD_RULE_PATTERN, r.pattern.c_str()));
	check(nla_put_string(msg, KTFTPD_RULE_REPLACE, r.replace.c_str()));
	nla_nest_end(msg, nest);
}

// A KTFTPD_CFG_ALLOW or _DENY nest: one KTFTPD_NETS_NET each.
void put_networks(nl_msg *msg, int type, const std::vector<Network> &nets)
{
	put_nest(msg, type, nets.empty(), [&] {
		for (const auto &n : nets) {
			nlattr *one = nla_nest_start(msg, KTFTPD_NETS_NET);
			if (!one)
				throw std::bad_alloc();
			check(nla_put(msg, n.family == 4 ? KTFTPD_NET_IPV4 : KTFTPD_NET_IPV6,
				      n.family == 4 ? 4 : 16, n.addr.data()));
			check(nla_put_u8(msg, KTFTPD_NET_PREFIX, static_cast<std::uint8_t>(n.prefix)));
			nla_nest_end(msg, one);
		}
	});
}

std::vector<Network> parse_networks_nest(nlattr *nest)
{
	std::vector<Network> nets;
	nlattr *a;
	int rem;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != KTFTPD_NETS_NET)
			continue;
		Table<KTFTPD_NET_ATTR_MAX> tb(a);
		nlattr *addr = tb[KTFTPD_NET_IPV4] ? tb[KTFTPD_NET_IPV4] : tb[KTFTPD_NET_IPV6];
		if (!addr || !tb[KTFTPD_NET_PREFIX])
			throw std::runtime_error("malformed network from the kernel");
		Network n;
		n.family = tb[KTFTPD_NET_IPV4] ? 4 : 6;
		if (nla_len(addr) != (n.family == 4 ? 4 : 16))
			throw std::runtime_error("malformed network from the kernel");
		std::memcpy(n.addr.data(), nla_data(addr), nla_len(addr));
		n.prefix = get_uint(tb[KTFTPD_NET_PREFIX], 1);
		nets.push_back(n);
	}
	return nets;
}

// KTFTPD_CFG_PORT_RANGE: both ends, or an empty nest for none.
PortRange parse_port_range_nest(nlattr *nest)
{
	Table<KTFTPD_PORT_RANGE_ATTR_MAX> tb(nest);
	if (!tb[KTFTPD_PORT_RANGE_LOW] != !tb[KTFTPD_PORT_RANGE_HIGH])
		throw std::runtime_error("malformed port range from the kernel");
	PortRange r;
	if (tb[KTFTPD_PORT_RANGE_LOW]) {
		r.low = get_uint(tb[KTFTPD_PORT_RANGE_LOW], 2);
		r.high = get_uint(tb[KTFTPD_PORT_RANGE_HIGH], 2);
	}
	return r;
}

std::vector<Rule> parse_rules(nlattr *nest)
{
	std::vector<Rule> rules;
	nlattr *a;
	int rem;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != KTFTPD_RULES_RULE)
			continue;
		Table<KTFTPD_RULE_ATTR_MAX> tb(a);
		if (!tb[KTFTPD_RULE_MATCH] || !tb[KTFTPD_RULE_PATTERN])
			throw std::runtime_error("malformed rule from the kernel");
		Rule r;
		r.match = static_cast<ktftpd_rule_match>(get_uint(tb[KTFTPD_RULE_MATCH], 1));
		if (tb[KTFTPD_RULE_FLAGS])
			r.flags = get_uint(tb[KTFTPD_RULE_FLAGS], 1);
		r.pattern = get_string(tb[KTFTPD_RULE_PATTERN]);
		if (tb[KTFTPD_RULE_REPLACE])
			r.replace = get_string(tb[KTFTPD_RULE_REPLACE]);
		rules.push_back(std::move(r));
	}
	return rules;
}

Stats parse_stats(nlattr *nest)
{
	Table<KTFTPD_STAT_MAX> tb(nest);
	Stats st;
#define COUNTER_ATTR(id, attr, ...) attr,
	static constexpr int counter_attr[] = {KTFTPD_COUNTERS(COUNTER_ATTR)};
#undef COUNTER_ATTR
	static_assert(std::size(counter_attr) == KTFTPD_C_COUNT);
	for (int c = 0; c < KTFTPD_C_COUNT; c++)
		if (tb[counter_attr[c]])
			st.counter[c] = get_uint(tb[counter_attr[c]], 8);
	if (tb[KTFTPD_STAT_ACTIVE])
		st.active = get_uint(tb[KTFTPD_STAT_ACTIVE], 4);
	if (tb[KTFTPD_STAT_PEAK])
		st.peak = get_uint(tb[KTFTPD_STAT_PEAK], 4);
	if (tb[KTFTPD_STAT_ERRORS_SENT]) {
		nlattr *a;
		int rem;
		nla_for_each_nested(a, tb[KTFTPD_STAT_ERRORS_SENT], rem) {
			if (nla_type(a) >= 1)
				st.errors_sent[nla_type(a) - 1] = get_uint(a, 8);
		}
	}
	return st;
}

} // namespace

void MsgDeleter::operator()(nl_msg *m) const
{
	nlmsg_free(m);
}

MsgPtr new_request(int family, std::uint8_t cmd, int flags, std::size_t extra)
{
	MsgPtr msg(nlmsg_alloc_size(static_cast<std::size_t>(getpagesize()) + extra));
	if (!msg)
		throw std::bad_alloc();
	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags,
			 cmd, KTFTPD_GENL_VERSION))
		throw std::bad_alloc();
	return msg;
}

std::size_t config_extra_size(const Config &cfg)
{
	std::size_t size = 0;
	// Each network: its nest, the largest address and the prefix.
	for (const auto &nets : {cfg.allow, cfg.deny})
		if (nets)
			size += nets->size() * (NLA_HDRLEN + nla_total_size(16) + nla_total_size(1));
	if (cfg.rules)
		for (const auto &r : *cfg.rules)
			size += NLA_HDRLEN + 2 * nla_total_size(1) +
				nla_total_size(static_cast<int>(r.pattern.size() + 1)) +
				nla_total_size(static_cast<int>(r.replace.size() + 1));
	return size;
}

void put_config(nl_msg *msg, const Config &cfg)
{
	nlattr *nest = nla_nest_start(msg, KTFTPD_A_CONFIG);
	if (!nest)
		throw std::bad_alloc();
	if (cfg.root)
		check(nla_put_string(msg, KTFTPD_CFG_ROOT, cfg.root->c_str()));
	// An empty listen list is "every address", an empty rule list "none".
	if (cfg.listen)
		put_nest(msg, KTFTPD_CFG_LISTEN, cfg.listen->empty(), [&] {
			for (const auto &text : *cfg.listen) {
				Address a = address_bytes(text);
				check(nla_put(msg, a.family == AF_INET ? KTFTPD_LISTEN_IPV4
								       : KTFTPD_LISTEN_IPV6,
					      a.len(), a.bytes));
			}
		});
	if (cfg.rules)
		put_nest(msg, KTFTPD_CFG_RULES, cfg.rules->empty(), [&] {
			for (const auto &r : *cfg.rules)
				put_rule(msg, r);
		});
	// Empty lists and no port range are empty nests, as listen's.
	if (cfg.allow)
		put_networks(msg, KTFTPD_CFG_ALLOW, *cfg.allow);
	if (cfg.deny)
		put_networks(msg, KTFTPD_CFG_DENY, *cfg.deny);
	if (cfg.port_range)
		put_nest(msg, KTFTPD_CFG_PORT_RANGE, cfg.port_range->none(), [&] {
			check(nla_put_u16(msg, KTFTPD_PORT_RANGE_LOW, cfg.port_range->low));
			check(nla_put_u16(msg, KTFTPD_PORT_RANGE_HIGH, cfg.port_range->high));
		});
	for (int i = 0; i < KTFTPD_P_COUNT; i++) {
		if (!cfg.params[i])
			continue;
		auto v = static_cast<std::uint64_t>(*cfg.params[i]);
		const ktftpd_param_desc &d = ktftpd_params[i];
		switch (d.bits) {
		case 8: check(nla_put_u8(msg, d.attr, v)); break;
		case 16: check(nla_put_u16(msg, d.attr, v)); break;
		case 32: check(nla_put_u32(msg, d.attr, v)); break;
		default: check(nla_put_u64(msg, d.attr, v)); break;
		}
	}
	nla_nest_end(msg, nest);
}

void put_drain(nl_msg *msg, std::uint32_t drain_ms)
{
	check(nla_put_u32(msg, KTFTPD_A_DRAIN_MS, drain_ms));
}

void put_rewrite_test(nl_msg *msg, const std::string &name,
		      const std::optional<std::string> &client)
{
	// Parsed first: nothing is put for a request that is refused.
	std::optional<Address> peer;
	if (client)
		peer = address_bytes(*client);
	nlattr *nest = nla_nest_start(msg, KTFTPD_A_REWRITE);
	if (!nest)
		throw std::bad_alloc();
	check(nla_put_string(msg, KTFTPD_REWRITE_NAME, name.c_str()));
	if (peer)
		check(nla_put(msg, peer->family == AF_INET ? KTFTPD_REWRITE_PEER_IPV4
							   : KTFTPD_REWRITE_PEER_IPV6,
			      peer->len(), peer->bytes));
	nla_nest_end(msg, nest);
}

std::vector<std::uint8_t> attribute_bytes(nl_msg *msg)
{
	auto *gh = static_cast<genlmsghdr *>(nlmsg_data(nlmsg_hdr(msg)));
	auto *start = reinterpret_cast<const std::uint8_t *>(genlmsg_attrdata(gh, 0));
	return {start, start + genlmsg_attrlen(gh, 0)};
}

Attrs::Attrs(std::span<const std::uint8_t> bytes)
	: storage_((bytes.size() + 7) / 8), tb_(KTFTPD_A_MAX + 1)
{
	std::memcpy(storage_.data(), bytes.data(), bytes.size());
	if (nla_parse(tb_.data(), KTFTPD_A_MAX, reinterpret_cast<nlattr *>(storage_.data()),
		      static_cast<int>(bytes.size()), nullptr) < 0)
		throw std::runtime_error("malformed message from the kernel");
}

nlattr *Attrs::operator[](int type) const
{
	return type >= 0 && type <= KTFTPD_A_MAX ? tb_[type] : nullptr;
}

Config parse_config_nest(nlattr *nest)
{
	Table<KTFTPD_CFG_MAX> tb(nest);
	Config cfg;
	if (tb[KTFTPD_CFG_ROOT])
		cfg.root = get_string(tb[KTFTPD_CFG_ROOT]);
	if (tb[KTFTPD_CFG_LISTEN]) {
		std::vector<std::string> addrs;
		nlattr *a;
		int rem;
		nla_for_each_nested(a, tb[KTFTPD_CFG_LISTEN], rem) {
			if (nla_type(a) == KTFTPD_LISTEN_IPV4)
				addrs.push_back(address_text(AF_INET, a));
			else if (nla_type(a) == KTFTPD_LISTEN_IPV6)
				addrs.push_back(address_text(AF_INET6, a));
		}
		cfg.listen = addrs;
	}
	if (tb[KTFTPD_CFG_RULES])
		cfg.rules = parse_rules(tb[KTFTPD_CFG_RULES]);
	if (tb[KTFTPD_CFG_ALLOW])
		cfg.allow = parse_networks_nest(tb[KTFTPD_CFG_ALLOW]);
	if (tb[KTFTPD_CFG_DENY])
		cfg.deny = parse_networks_nest(tb[KTFTPD_CFG_DENY]);
	if (tb[KTFTPD_CFG_PORT_RANGE])
		cfg.port_range = parse_port_range_nest(tb[KTFTPD_CFG_PORT_RANGE]);
	for (int i = 0; i < KTFTPD_P_COUNT; i++)
		if (nlattr *a = tb[ktftpd_params[i].attr])
			cfg.params[i] = static_cast<long>(get_uint(a, ktftpd_params[i].bits / 8));
	return cfg;
}

Status parse_status(const Attrs &a)
{
	if (!a[KTFTPD_A_RUNNING] || !a[KTFTPD_A_CONFIG])
		throw std::runtime_error("incomplete status reply from the kernel");
	Status st;
	st.running = get_uint(a[KTFTPD_A_RUNNING], 1) != 0;
	if (a[KTFTPD_A_UPTIME_MS])
		st.uptime_ms = get_uint(a[KTFTPD_A_UPTIME_MS], 8);
	if (a[KTFTPD_A_VERSION])
		st.version = get_string(a[KTFTPD_A_VERSION]);
	st.config = parse_config_nest(a[KTFTPD_A_CONFIG]);
	if (a[KTFTPD_A_STATS])
		st.stats = parse_stats(a[KTFTPD_A_STATS]);
	return st;
}

// The uapi calls a transfer a session.
Transfer parse_transfer(nlattr *nest)
{
	Table<KTFTPD_SESSION_MAX> tb(nest);
	Transfer t;
	if (tb[KTFTPD_SESSION_ID])
		t.id = get_uint(tb[KTFTPD_SESSION_ID], 8);
	if (tb[KTFTPD_SESSION_PEER_IPV4])
		t.peer = address_text(AF_INET, tb[KTFTPD_SESSION_PEER_IPV4]);
	else if (tb[KTFTPD_SESSION_PEER_IPV6])
		t.peer = address_text(AF_INET6, tb[KTFTPD_SESSION_PEER_IPV6]);
	if (tb[KTFTPD_SESSION_PEER_PORT])
		t.port = get_uint(tb[KTFTPD_SESSION_PEER_PORT], 2);
	if (tb[KTFTPD_SESSION_FILE])
		t.file = get_string(tb[KTFTPD_SESSION_FILE]);
	if (tb[KTFTPD_SESSION_DIRECTION])
		t.write = get_uint(tb[KTFTPD_SESSION_DIRECTION], 1) == KTFTPD_DIR_WRITE;
	if (tb[KTFTPD_SESSION_BYTES])
		t.bytes = get_uint(tb[KTFTPD_SESSION_BYTES], 8);
	if (tb[KTFTPD_SESSION_TOTAL])
		t.total = get_uint(tb[KTFTPD_SESSION_TOTAL], 8);
	if (tb[KTFTPD_SESSION_BLKSIZE])
		t.blksize = get_uint(tb[KTFTPD_SESSION_BLKSIZE], 4);
	if (tb[KTFTPD_SESSION_WINDOWSIZE])
		t.windowsize = get_uint(tb[KTFTPD_SESSION_WINDOWSIZE], 4);
	if (tb[KTFTPD_SESSION_RETRANSMITS])
		t.retransmits = get_uint(tb[KTFTPD_SESSION_RETRANSMITS], 4);
	if (tb[KTFTPD_SESSION_AGE_MS])
		t.age_ms = get_uint(tb[KTFTPD_SESSION_AGE_MS], 8);
	if (tb[KTFTPD_SESSION_OPTIONS])
		t.options = get_uint(tb[KTFTPD_SESSION_OPTIONS], 4);
	if (tb[KTFTPD_SESSION_OACK])
		t.oack = get_uint(tb[KTFTPD_SESSION_OACK], 4);
	if (tb[KTFTPD_SESSION_TIMEOUT])
		t.timeout_s = get_uint(tb[KTFTPD_SESSION_TIMEOUT], 4);
	if (tb[KTFTPD_SESSION_LOOKUP])
		t.lookup = get_string(tb[KTFTPD_SESSION_LOOKUP]);
	return t;
}

Event parse_event(std::uint8_t cmd, const Attrs &a)
{
	Event ev;
	switch (cmd) {
	case KTFTPD_CMD_EVENT_START: ev.kind = Event::Kind::start; break;
	case KTFTPD_CMD_EVENT_FINISH: ev.kind = Event::Kind::finish; break;
	case KTFTPD_CMD_EVENT_ERROR: ev.kind = Event::Kind::error; break;
	default: throw std::runtime_error("not a ktftpd event");
	}
	if (a[KTFTPD_A_SESSION])
		ev.transfer = parse_transfer(a[KTFTPD_A_SESSION]);
	if (a[KTFTPD_A_ERROR_CODE])
		ev.error_code = get_uint(a[KTFTPD_A_ERROR_CODE], 2);
	if (a[KTFTPD_A_ERROR_MSG])
		ev.error_msg = get_string(a[KTFTPD_A_ERROR_MSG]);
	ev.unconfirmed = a[KTFTPD_A_UNCONFIRMED] != nullptr;
	return ev;
}

bool parse_changed(const Attrs &a)
{
	return a[KTFTPD_A_CHANGED] && get_uint(a[KTFTPD_A_CHANGED], 1) != 0;
}

RewriteResult parse_rewrite_result(const Attrs &a)
{
	if (!a[KTFTPD_A_REWRITE])
		throw std::runtime_error("incomplete rewrite test reply from the kernel");
	Table<KTFTPD_REWRITE_ATTR_MAX> tb(a[KTFTPD_A_REWRITE]);
	if (!tb[KTFTPD_REWRITE_NORMALIZED])
		throw std::runtime_error("incomplete rewrite test reply from the kernel");
	RewriteResult r;
	r.normalized = get_string(tb[KTFTPD_REWRITE_NORMALIZED]);
	if (tb[KTFTPD_REWRITE_APPLIED])
		r.applied = get_uint(tb[KTFTPD_REWRITE_APPLIED], 8);
	if (tb[KTFTPD_REWRITE_LOOKUP])
		r.lookup = get_string(tb[KTFTPD_REWRITE_LOOKUP]);
	if (tb[KTFTPD_REWRITE_MAC])
		r.mac = get_string(tb[KTFTPD_REWRITE_MAC]);
	if (tb[KTFTPD_REWRITE_ERROR_CODE])
		r.error_code = get_uint(tb[KTFTPD_REWRITE_ERROR_CODE], 2);
	if (tb[KTFTPD_REWRITE_ERROR_MSG])
		r.error_msg = get_string(tb[KTFTPD_REWRITE_ERROR_MSG]);
	if (tb[KTFTPD_REWRITE_UNIQUE])
		r.unique = get_string(tb[KTFTPD_REWRITE_UNIQUE]);
	return r;
}

} // namespace ktftpd
