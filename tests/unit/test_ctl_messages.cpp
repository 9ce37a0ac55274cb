// SPDX-License-Identifier: GPL-2.0
// The netlink messages, both ways, against fixed bytes (little-endian
// host, as the kernel's attributes are in host order).
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include <uapi/linux/ktftpd.h>

#include "config.hpp"
#include "messages.hpp"
#include "networks.hpp"
#include "render.hpp"

using namespace ktftpd;
using Bytes = std::vector<std::uint8_t>;

TEST(Messages, ConfigRequestBytes)
{
	Config c;
	c.root = "/a";
	c.params[KTFTPD_P_PORT] = 69;
	c.params[KTFTPD_P_ALLOW_WRITE] = 1;
	auto msg = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(msg.get(), c);
	EXPECT_EQ(attribute_bytes(msg.get()), (Bytes{
		0x1c, 0x00, 0x05, 0x80,				// CONFIG, nested
		0x07, 0x00, 0x02, 0x00, '/', 'a', 0x00, 0x00,	// ROOT "/a"
		0x06, 0x00, 0x03, 0x00, 0x45, 0x00, 0x00, 0x00,	// PORT u16 69
		0x05, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00,	// ALLOW_WRITE u8 1
	}));
}

TEST(Messages, RateLimitIsAU32)
{
	Config c;
	c.params[KTFTPD_P_RATE_LIMIT] = 1000000;
	auto msg = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(msg.get(), c);
	EXPECT_EQ(attribute_bytes(msg.get()), (Bytes{
		0x0c, 0x00, 0x05, 0x80,				// CONFIG, nested
		0x08, 0x00, 0x10, 0x00, 0x40, 0x42, 0x0f, 0x00,	// RATE_LIMIT u32 1000000
	}));
}

TEST(Messages, ListenAndU64Bytes)
{
	Config c;
	c.listen = std::vector<std::string>{"127.0.0.1", "::1"};
	c.params[KTFTPD_P_MAX_WRITE_SIZE] = 0x0102030405LL;
	auto msg = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(msg.get(), c);
	EXPECT_EQ(attribute_bytes(msg.get()), (Bytes{
		0x30, 0x00, 0x05, 0x80,				// CONFIG
		0x20, 0x00, 0x04, 0x80,				// LISTEN
		0x08, 0x00, 0x01, 0x00, 127, 0, 0, 1,		// IPV4
		0x14, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // IPV6
		0x0c, 0x00, 0x0f, 0x00, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, // MAX_WRITE_SIZE
	}));
	Config empty_listen;
	empty_listen.listen = std::vector<std::string>{};
	auto m2 = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(m2.get(), empty_listen);
	EXPECT_EQ(attribute_bytes(m2.get()), (Bytes{0x08, 0x00, 0x05, 0x80, 0x04, 0x00, 0x04, 0x80}));
}

TEST(Messages, DrainBytes)
{
	auto msg = new_request(0x20, KTFTPD_CMD_STOP, 0);
	put_drain(msg.get(), 1500);
	EXPECT_EQ(attribute_bytes(msg.get()), (Bytes{0x08, 0x00, 0x07, 0x00, 0xdc, 0x05, 0x00, 0x00}));
}

TEST(Messages, ParseStatusReply)
{
	const Bytes reply = {
		0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,	// RUNNING 1
		0x0c, 0x00, 0x03, 0x00, 0xe8, 0x03, 0, 0, 0, 0, 0, 0,	// UPTIME_MS 1000
		0x08, 0x00, 0x04, 0x00, '1', '.', '2', 0x00,	// VERSION "1.2"
		0x18, 0x00, 0x05, 0x80,				// CONFIG
		0x06, 0x00, 0x03, 0x00, 0x45, 0x00, 0x00, 0x00,	//   PORT 69
		0x04, 0x00, 0x04, 0x80,				//   LISTEN (empty)
		0x05, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00,	//   ALLOW_WRITE 1
		0x28, 0x00, 0x06, 0x80,				// STATS
		0x0c, 0x00, 0x02, 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0,	//   REQUESTS 7
		0x08, 0x00, 0x09, 0x00, 0x03, 0x00, 0x00, 0x00,	//   ACTIVE 3
		0x10, 0x00, 0x0b, 0x80,				//   ERRORS_SENT
		0x0c, 0x00, 0x02, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0,	//     code 1: 2
	};
	Status st = parse_status(Attrs(reply));
	EXPECT_TRUE(st.running);
	EXPECT_EQ(st.uptime_ms, 1000u);
	EXPECT_EQ(st.version, "1.2");
	EXPECT_EQ(*st.config.params[KTFTPD_P_PORT], 69);
	EXPECT_EQ(*st.config.params[KTFTPD_P_ALLOW_WRITE], 1);
	EXPECT_TRUE(st.config.listen && st.config.listen->empty());
	EXPECT_FALSE(st.config.root);
	EXPECT_EQ(st.stats[KTFTPD_C_REQUESTS], 7u);
	EXPECT_EQ(st.stats.active, 3u);
	EXPECT_EQ(st.stats.errors_sent.at(1), 2u);
}

TEST(Messages, ParseTransferEvent)
{
	const Bytes ev = {
		0x30, 0x00, 0x09, 0x80,				// SESSION (a transfer)
		0x0c, 0x00, 0x02, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0,	//   ID 5
		0x08, 0x00, 0x03, 0x00, 10, 0, 0, 1,		//   PEER_IPV4 10.0.0.1
		0x06, 0x00, 0x05, 0x00, 0xd2, 0x04, 0x00, 0x00,	//   PEER_PORT 1234
		0x06, 0x00, 0x06, 0x00, 'f', 0x00, 0x00, 0x00,	//   FILE "f"
		0x05, 0x00, 0x07, 0x00, 0x01, 0x00, 0x00, 0x00,	//   DIRECTION write
		0x06, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00,	// ERROR_CODE 1
		0x08, 0x00, 0x0b, 0x00, 'n', 'o', 0x00, 0x00,	// ERROR_MSG "no"
	};
	Event e = parse_event(KTFTPD_CMD_EVENT_ERROR, Attrs(ev));
	EXPECT_EQ(e.kind, Event::Kind::error);
	EXPECT_EQ(e.transfer.id, 5u);
	EXPECT_EQ(e.transfer.peer, "10.0.0.1");
	EXPECT_EQ(e.transfer.port, 1234);
	EXPECT_EQ(e.transfer.file, "f");
	EXPECT_TRUE(e.transfer.write);
	EXPECT_FALSE(e.transfer.total);
	EXPECT_EQ(*e.error_code, 1);
	EXPECT_EQ(e.error_msg, "no");
	EXPECT_THROW(parse_event(KTFTPD_CMD_GET_STATUS, Attrs(ev)), std::runtime_error);
}

// A finish whose last ACK never came says so; any other says nothing.
TEST(Messages, FinishWithoutTheLastAck)
{
	const Bytes plain = {0x0c, 0x00, 0x09, 0x80, 0x08, 0x00, 0x0f, 0x00, 0, 0, 0, 0};
	Bytes ev = plain;
	ev.insert(ev.end(), {0x04, 0x00, static_cast<std::uint8_t>(KTFTPD_A_UNCONFIRMED), 0x00});
	Event e = parse_event(KTFTPD_CMD_EVENT_FINISH, Attrs(ev));
	EXPECT_TRUE(e.unconfirmed);
	EXPECT_EQ(to_json(e)["unconfirmed"].dump(), "true");
	std::ostringstream text;
	render_event(text, e, Output{});
	EXPECT_NE(text.str().find("(the last ACK never came)"), std::string::npos) << text.str();
	EXPECT_FALSE(to_json(parse_event(KTFTPD_CMD_EVENT_FINISH, Attrs(plain))).contains("unconfirmed"));
}

// What a firmware client asked and got: the options by name, and the
// OACK with each granted value (tsize is the file's size).
TEST(Messages, TransferOptionsAndOack)
{
	const Bytes ev = {
		0x38, 0x00, 0x09, 0x80,				// SESSION
		0x0c, 0x00, 0x09, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0, 0,	//   TOTAL 4096
		0x08, 0x00, 0x0a, 0x00, 0x98, 0x05, 0x00, 0x00,	//   BLKSIZE 1432
		0x08, 0x00, 0x0b, 0x00, 0x04, 0x00, 0x00, 0x00,	//   WINDOWSIZE 4
		0x08, 0x00, 0x0e, 0x00, 0x0f, 0x00, 0x00, 0x00,	//   OPTIONS: all four
		0x08, 0x00, 0x0f, 0x00, 0x0b, 0x00, 0x00, 0x00,	//   OACK: not timeout
		0x08, 0x00, 0x10, 0x00, 0x03, 0x00, 0x00, 0x00,	//   TIMEOUT 3 (ignored)
	};
	auto j = to_json(parse_event(KTFTPD_CMD_EVENT_FINISH, Attrs(ev)).transfer);
	EXPECT_EQ(j["options"].dump(), R"(["blksize","tsize","timeout","windowsize"])");
	EXPECT_EQ(j["oack"].dump(), R"({"blksize":1432,"tsize":4096,"windowsize":4})");

	// The time ktftpctl received it, when it did: Unix seconds, to the ms.
	Event timed = parse_event(KTFTPD_CMD_EVENT_FINISH, Attrs(ev));
	EXPECT_FALSE(to_json(timed).contains("time"));
	timed.received = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
	EXPECT_EQ(to_json(timed)["time"].dump(), "1700000000.123");

	const Bytes plain = {0x0c, 0x00, 0x09, 0x80, 0x08, 0x00, 0x0f, 0x00, 0, 0, 0, 0};
	auto p = to_json(parse_event(KTFTPD_CMD_EVENT_FINISH, Attrs(plain)).transfer);
	EXPECT_EQ(p["options"].dump(), "[]");
	EXPECT_TRUE(p["oack"].is_null());
}

TEST(Messages, MalformedRepliesThrow)
{
	// RUNNING with no payload; a missing CONFIG; an attribute past the end.
	EXPECT_THROW(parse_status(Attrs(Bytes{0x04, 0x00, 0x02, 0x00})), std::runtime_error);
	EXPECT_THROW(parse_status(Attrs(Bytes{0x05, 0x00, 0x02, 0x00, 0x01, 0, 0, 0})),
		     std::runtime_error);
	// An attribute claiming more bytes than there are is not taken.
	EXPECT_EQ(Attrs(Bytes{0x40, 0x00, 0x02, 0x00, 0x01, 0, 0, 0})[KTFTPD_A_RUNNING], nullptr);
	// A peer address of the wrong length.
	const Bytes bad_peer = {0x0c, 0x00, 0x09, 0x80, 0x08, 0x00, 0x04, 0x00, 1, 2, 3, 4};
	EXPECT_THROW(parse_event(KTFTPD_CMD_EVENT_START, Attrs(bad_peer)), std::runtime_error);
}

namespace {

Rule rule(ktftpd_rule_match match, std::string pattern, std::string replace, unsigned flags = 0)
{
	return {match, flags, std::move(pattern), std::move(replace)};
}

// @cfg as put_config() sends it, read back as a GET_STATUS reply's is.
Config sent_and_read(const Config &cfg)
{
	auto msg = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0, config_extra_size(cfg));
	put_config(msg.get(), cfg);
	Attrs a(attribute_bytes(msg.get()));
	return parse_config_nest(a[KTFTPD_A_CONFIG]);
}

} // namespace

TEST(Messages, RulesBytes)
{
	Config c;
	c.rules = std::vector<Rule>{rule(KTFTPD_MATCH_PREFIX, "a", "b", KTFTPD_RULE_F_STOP)};
	auto msg = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(msg.get(), c);
	EXPECT_EQ(attribute_bytes(msg.get()), (Bytes{
		0x2c, 0x00, 0x05, 0x80,				// CONFIG
		0x28, 0x00, 0x17, 0x80,				//   RULES
		0x24, 0x00, 0x01, 0x80,				//     RULE
		0x05, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,	//       MATCH prefix
		0x05, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00,	//       FLAGS stop
		0x06, 0x00, 0x03, 0x00, 'a', 0x00, 0x00, 0x00,	//       PATTERN "a"
		0x06, 0x00, 0x04, 0x00, 'b', 0x00, 0x00, 0x00,	//       REPLACE "b"
	}));
	// No rules is an empty nest: left out, the rules in force would stay.
	Config none;
	none.rules = std::vector<Rule>{};
	auto m2 = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(m2.get(), none);
	EXPECT_EQ(attribute_bytes(m2.get()), (Bytes{0x08, 0x00, 0x05, 0x80, 0x04, 0x00, 0x17, 0x80}));
	EXPECT_EQ(sent_and_read(none).rules, std::vector<Rule>{});
	// Unset: no nest at all.
	Config unset;
	unset.root = "/a";
	EXPECT_FALSE(sent_and_read(unset).rules);
}

// Every kind and flag, and the most a config holds: 64 rules of 255 bytes
// each way, far more than a page, which is all nlmsg_alloc() gives.
TEST(Messages, RulesReadBackAsSent)
{
	Config c = Config::defaults();
	c.rules = std::vector<Rule>{
		rule(KTFTPD_MATCH_EXACT, "pxelinux.0", "boot/pxelinux.0"),
		rule(KTFTPD_MATCH_PREFIX, "tftp:/198.18.0.1/", ""),
		rule(KTFTPD_MATCH_GLOB, "*.key", "",
		     KTFTPD_RULE_F_NOCASE | KTFTPD_RULE_F_STOP | KTFTPD_RULE_F_REFUSE),
	};
	EXPECT_EQ(sent_and_read(c), c);
	std::vector<Rule> most;
	for (int i = 0; i < KTFTPD_RULES_MAX; i++)
		most.push_back(rule(KTFTPD_MATCH_GLOB, std::string(255, 'a' + i % 26),
				    std::string(255, 'z'), KTFTPD_RULE_F_NOCASE));
	c.rules = most;
	EXPECT_EQ(sent_and_read(c).rules, most);
	auto one_page = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	EXPECT_THROW(put_config(one_page.get(), c), std::bad_alloc);
}

TEST(Messages, RulesFromTheKernelIgnoreWhatThisToolDoesNotKnow)
{
	const Bytes reply = {
		0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,	// RUNNING 1
		0x30, 0x00, 0x05, 0x80,				// CONFIG
		0x2c, 0x00, 0x17, 0x80,				//   RULES
		0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,	//     a newer kind of entry
		0x20, 0x00, 0x01, 0x80,				//     RULE
		0x05, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,	//       MATCH glob
		0x06, 0x00, 0x03, 0x00, '*', 0x00, 0x00, 0x00,	//       PATTERN "*"
		0x08, 0x00, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00,	//       a newer attribute
		0x05, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,	//       REPLACE ""
	};
	Status st = parse_status(Attrs(reply));
	ASSERT_TRUE(st.config.rules);
	EXPECT_EQ(*st.config.rules, (std::vector<Rule>{rule(KTFTPD_MATCH_GLOB, "*", "")}));

	// A rule without its match or pattern is malformed.
	const Bytes no_pattern = {
		0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,	// RUNNING 1
		0x14, 0x00, 0x05, 0x80,				// CONFIG
		0x10, 0x00, 0x17, 0x80,				//   RULES
		0x0c, 0x00, 0x01, 0x80,				//     RULE
		0x05, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,	//       MATCH glob
	};
	EXPECT_THROW(parse_status(Attrs(no_pattern)), std::runtime_error);
}

TEST(Messages, SessionLookup)
{
	const Bytes ev = {
		0x14, 0x00, 0x09, 0x80,				// SESSION
		0x06, 0x00, 0x06, 0x00, 'f', 0x00, 0x00, 0x00,	//   FILE "f"
		0x06, 0x00, 0x11, 0x00, 'g', 0x00, 0x00, 0x00,	//   LOOKUP "g"
	};
	Event e = parse_event(KTFTPD_CMD_EVENT_START, Attrs(ev));
	EXPECT_EQ(e.transfer.file, "f");
	EXPECT_EQ(e.transfer.lookup, "g");
	EXPECT_EQ(to_json(e)["session"]["lookup"], "g");
	const Bytes plain = {0x0c, 0x00, 0x09, 0x80, 0x06, 0x00, 0x06, 0x00, 'f', 0, 0, 0};
	Event p = parse_event(KTFTPD_CMD_EVENT_START, Attrs(plain));
	EXPECT_FALSE(p.transfer.lookup);
	EXPECT_FALSE(to_json(p)["session"].contains("lookup"));
}

TEST(Messages, RewriteTestRequestBytes)
{
	auto msg = new_request(0x20, KTFTPD_CMD_REWRITE_TEST, 0);
	put_rewrite_test(msg.get(), "pxelinux.0", "198.18.0.7");
	EXPECT_EQ(attribute_bytes(msg.get()), (Bytes{
		0x1c, 0x00, 0x0c, 0x80,				// REWRITE
		0x0f, 0x00, 0x02, 0x00, 'p', 'x', 'e', 'l',	//   NAME "pxelinux.0"
		'i', 'n', 'u', 'x', '.', '0', 0x00, 0x00,
		0x08, 0x00, 0x03, 0x00, 198, 18, 0, 7,		//   PEER_IPV4
	}));
	auto v6 = new_request(0x20, KTFTPD_CMD_REWRITE_TEST, 0);
	put_rewrite_test(v6.get(), "f", "fd00::7");
	EXPECT_EQ(attribute_bytes(v6.get()), (Bytes{
		0x20, 0x00, 0x0c, 0x80,				// REWRITE
		0x06, 0x00, 0x02, 0x00, 'f', 0x00, 0x00, 0x00,	//   NAME "f"
		0x14, 0x00, 0x04, 0x00, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, // PEER_IPV6
	}));
	auto anonymous = new_request(0x20, KTFTPD_CMD_REWRITE_TEST, 0);
	put_rewrite_test(anonymous.get(), "f", std::nullopt);
	EXPECT_EQ(attribute_bytes(anonymous.get()), (Bytes{
		0x0c, 0x00, 0x0c, 0x80,				// REWRITE
		0x06, 0x00, 0x02, 0x00, 'f', 0x00, 0x00, 0x00,	//   NAME "f"
	}));
	auto bad = new_request(0x20, KTFTPD_CMD_REWRITE_TEST, 0);
	EXPECT_THROW(put_rewrite_test(bad.get(), "f", "198.18.0"), std::invalid_argument);
	EXPECT_THROW(put_rewrite_test(bad.get(), "f", std::string("::1\0x", 5)),
		     std::invalid_argument);
}

TEST(Messages, RewriteTestReplies)
{
	const Bytes looked_up = {
		0x40, 0x00, 0x0c, 0x80,				// REWRITE
		0x08, 0x00, 0x05, 0x00, 'a', '/', 'b', 0x00,	//   NORMALIZED "a/b"
		0x0c, 0x00, 0x06, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0,	//   APPLIED rules 0 and 2
		0x06, 0x00, 0x07, 0x00, 'c', 0x00, 0x00, 0x00,	//   LOOKUP "c"
		0x16, 0x00, 0x08, 0x00, 'a', 'a', '-', 'b',	//   MAC
		'b', '-', 'c', 'c', '-', 'd', 'd', '-',
		'e', 'e', '-', 'f', 'f', 0x00, 0x00, 0x00,
		0x08, 0x00, 0x1e, 0x00, 1, 2, 3, 4,		//   a newer attribute
		0x08, 0x00, 0x1f, 0x00, 1, 2, 3, 4,		// a newer attribute
	};
	RewriteResult r = parse_rewrite_result(Attrs(looked_up));
	EXPECT_EQ(r.normalized, "a/b");
	EXPECT_EQ(r.applied, 5u);
	EXPECT_EQ(r.lookup, "c");
	EXPECT_EQ(r.mac, "aa-bb-cc-dd-ee-ff");
	EXPECT_FALSE(r.error_code);

	const Bytes refused = {
		0x28, 0x00, 0x0c, 0x80,				// REWRITE
		0x08, 0x00, 0x05, 0x00, 'a', '/', 'b', 0x00,	//   NORMALIZED "a/b"
		0x0c, 0x00, 0x06, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0,	//   APPLIED rule 1
		0x06, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00,	//   ERROR_CODE 2
		0x07, 0x00, 0x0a, 0x00, 'n', 'o', 0x00, 0x00,	//   ERROR_MSG "no"
	};
	RewriteResult no = parse_rewrite_result(Attrs(refused));
	EXPECT_EQ(no.applied, 2u);
	EXPECT_FALSE(no.lookup);
	EXPECT_FALSE(no.mac);
	EXPECT_EQ(no.error_code, 2);
	EXPECT_EQ(no.error_msg, "no");

	// No REWRITE, or one without NORMALIZED: not an answer.
	EXPECT_THROW(parse_rewrite_result(Attrs(Bytes{0x05, 0x00, 0x02, 0x00, 0x01, 0, 0, 0})),
		     std::runtime_error);
	EXPECT_THROW(parse_rewrite_result(Attrs(Bytes{0x0c, 0x00, 0x0c, 0x80, 0x06, 0x00, 0x07,
						      0x00, 'c', 0, 0, 0})),
		     std::runtime_error);
}

namespace {

Network net(const char *text)
{
	return parse_network(text);
}

} // namespace

// allow and deny: a nest of KTFTPD_NETS_NET nests, each an address and a
// prefix; port_range: a nest of its two ends; unique_root: a u8.
TEST(Messages, NetworksPortRangeAndChoiceBytes)
{
	Config c;
	c.allow = std::vector<Network>{net("198.18.0.0/15")};
	c.deny = std::vector<Network>{};
	c.port_range = PortRange{50000, 50099};
	c.params[KTFTPD_P_UNIQUE_ROOT] = 2;
	auto msg = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(msg.get(), c);
	EXPECT_EQ(attribute_bytes(msg.get()), (Bytes{
		0x3c, 0x00, 0x05, 0x80,				// CONFIG
		0x18, 0x00, 0x1b, 0x80,				//   ALLOW
		0x14, 0x00, 0x01, 0x80,				//     NET
		0x08, 0x00, 0x01, 0x00, 198, 18, 0, 0,		//       IPV4
		0x05, 0x00, 0x03, 0x00, 15, 0x00, 0x00, 0x00,	//       PREFIX 15
		0x04, 0x00, 0x1c, 0x80,				//   DENY: empty, none
		0x14, 0x00, 0x1d, 0x80,				//   PORT_RANGE
		0x06, 0x00, 0x01, 0x00, 0x50, 0xc3, 0x00, 0x00,	//     LOW 50000
		0x06, 0x00, 0x02, 0x00, 0xb3, 0xc3, 0x00, 0x00,	//     HIGH 50099
		0x05, 0x00, 0x1e, 0x00, 0x02, 0x00, 0x00, 0x00,	//   UNIQUE_ROOT u8 2 (mac)
	}));
	EXPECT_EQ(sent_and_read(c), c);

	// No port range is an empty nest, an IPv6 network 16 bytes.
	Config v6;
	v6.deny = std::vector<Network>{net("fd00::/8")};
	v6.port_range = PortRange{};
	auto m2 = new_request(0x20, KTFTPD_CMD_SET_CONFIG, 0);
	put_config(m2.get(), v6);
	EXPECT_EQ(attribute_bytes(m2.get()), (Bytes{
		0x2c, 0x00, 0x05, 0x80,				// CONFIG
		0x24, 0x00, 0x1c, 0x80,				//   DENY
		0x20, 0x00, 0x01, 0x80,				//     NET
		0x14, 0x00, 0x02, 0x00, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // IPV6
		0x05, 0x00, 0x03, 0x00, 8, 0x00, 0x00, 0x00,	//       PREFIX 8
		0x04, 0x00, 0x1d, 0x80,				//   PORT_RANGE: none
	}));
	Config back = sent_and_read(v6);
	EXPECT_EQ(back, v6);
	EXPECT_TRUE(back.port_range->none());
	EXPECT_FALSE(back.allow);	// unset: no nest, the list in force stays
}

// The most a config holds, all at once: 64 networks each way and 64 rules
// of 2 x 255 bytes.
TEST(Messages, TheLargestConfigFits)
{
	Config c = Config::defaults();
	std::vector<Network> nets;
	for (int i = 0; i < KTFTPD_NETS_MAX; i++)
		nets.push_back(net(("fd00:" + std::to_string(i) + "::/32").c_str()));
	c.allow = nets;
	c.deny = nets;
	std::vector<Rule> rules;
	for (int i = 0; i < KTFTPD_RULES_MAX; i++)
		rules.push_back(rule(KTFTPD_MATCH_GLOB, std::string(255, 'a'), std::string(255, 'z')));
	c.rules = rules;
	EXPECT_EQ(sent_and_read(c), c);
}

TEST(Messages, NetworksAndPortRangeFromTheKernel)
{
	const Bytes reply = {
		0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,	// RUNNING 1
		0x3c, 0x00, 0x05, 0x80,				// CONFIG
		0x28, 0x00, 0x1b, 0x80,				//   ALLOW
		0x08, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00,	//     a newer kind of entry
		0x1c, 0x00, 0x01, 0x80,				//     NET
		0x08, 0x00, 0x01, 0x00, 10, 0, 0, 0,		//       IPV4
		0x05, 0x00, 0x03, 0x00, 8, 0x00, 0x00, 0x00,	//       PREFIX 8
		0x08, 0x00, 0x09, 0x00, 1, 2, 3, 4,		//       a newer attribute
		0x04, 0x00, 0x1c, 0x80,				//   DENY (empty)
		0x04, 0x00, 0x1d, 0x80,				//   PORT_RANGE (none)
		0x05, 0x00, 0x1e, 0x00, 0x01, 0x00, 0x00, 0x00,	//   UNIQUE_ROOT 1
	};
	Status st = parse_status(Attrs(reply));
	ASSERT_TRUE(st.config.allow);
	ASSERT_EQ(st.config.allow->size(), 1u);
	EXPECT_EQ(network_text((*st.config.allow)[0]), "10.0.0.0/8");
	EXPECT_TRUE(st.config.deny && st.config.deny->empty());
	EXPECT_TRUE(st.config.port_range && st.config.port_range->none());
	EXPECT_EQ(config_to_json(st.config)["unique_root"], "ip");

	// A network without its prefix, an address of the wrong length, a
	// port range with one end.
	const Bytes no_prefix = {
		0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x14, 0x00, 0x05, 0x80,				// CONFIG
		0x10, 0x00, 0x1c, 0x80,				//   DENY
		0x0c, 0x00, 0x01, 0x80,				//     NET
		0x08, 0x00, 0x01, 0x00, 10, 0, 0, 0,		//       IPV4, no PREFIX
	};
	EXPECT_THROW(parse_status(Attrs(no_prefix)), std::runtime_error);
	const Bytes short_v6 = {
		0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x1c, 0x00, 0x05, 0x80,				// CONFIG
		0x18, 0x00, 0x1c, 0x80,				//   DENY
		0x14, 0x00, 0x01, 0x80,				//     NET
		0x08, 0x00, 0x02, 0x00, 0xfd, 0, 0, 0,		//       IPV6 of 4 bytes
		0x05, 0x00, 0x03, 0x00, 8, 0x00, 0x00, 0x00,	//       PREFIX 8
	};
	EXPECT_THROW(parse_status(Attrs(short_v6)), std::runtime_error);
	const Bytes one_end = {
		0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x10, 0x00, 0x05, 0x80,				// CONFIG
		0x0c, 0x00, 0x1d, 0x80,				//   PORT_RANGE
		0x06, 0x00, 0x01, 0x00, 0x50, 0xc3, 0x00, 0x00,	//     LOW alone
	};
	EXPECT_THROW(parse_status(Attrs(one_end)), std::runtime_error);
}

TEST(Messages, RewriteTestUniqueDirectory)
{
	const Bytes reply = {
		0x24, 0x00, 0x0c, 0x80,				// REWRITE
		0x06, 0x00, 0x05, 0x00, 'f', 0x00, 0x00, 0x00,	//   NORMALIZED "f"
		0x06, 0x00, 0x07, 0x00, 'f', 0x00, 0x00, 0x00,	//   LOOKUP "f"
		0x0f, 0x00, 0x0b, 0x00, '1', '9', '8', '.',	//   UNIQUE "198.18.0.7"
		'1', '8', '.', '0', '.', '7', 0x00, 0x00,
	};
	RewriteResult r = parse_rewrite_result(Attrs(reply));
	EXPECT_EQ(r.unique, "198.18.0.7");
	EXPECT_EQ(r.lookup, "f");
	const Bytes none = {
		0x0c, 0x00, 0x0c, 0x80, 0x06, 0x00, 0x05, 0x00, 'f', 0x00, 0x00, 0x00,
	};
	EXPECT_FALSE(parse_rewrite_result(Attrs(none)).unique);
}
