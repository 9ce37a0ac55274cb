/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ktftpd generic-netlink protocol.
 *
 * Family name "ktftpd", version KTFTPD_GENL_VERSION, in the initial network
 * namespace only.  The family is the operator interface of the in-kernel
 * TFTP server; /proc/sys/net/ktftpd/ is a second, simpler view of the same
 * state, and a change made through either is visible through the other.
 *
 * Every message carries typed attributes (never packed structs), so the
 * protocol grows by adding attributes at the end of each enum.  Requests
 * are validated strictly: an unknown attribute, a wrong type or length, or
 * a value out of range is refused with EINVAL (ERANGE for a range) and an
 * extended ack naming the attribute (NLMSGERR_ATTR_OFFS) and the reason
 * (NLMSGERR_ATTR_MSG).  Tools must ignore attributes they do not know in
 * replies and events.
 *
 * Privilege: every command except GET_STATUS needs CAP_NET_ADMIN, and so
 * does joining the "events" group (sessions and events reveal client
 * addresses); without it the kernel answers EPERM.
 *
 * KTFTPD_CMD_GET_STATUS
 *   Request: no attributes.
 *   Reply:   KTFTPD_A_RUNNING    u8, 1 while serving
 *            KTFTPD_A_UPTIME_MS  u64, since the last start (while serving)
 *            KTFTPD_A_VERSION    string, the module's version
 *            KTFTPD_A_CONFIG     nested enum ktftpd_cfg: the config in force
 *                                (its KTFTPD_CFG_RULES only to a caller
 *                                with CAP_NET_ADMIN: rules name clients)
 *            KTFTPD_A_STATS      nested enum ktftpd_stat: counters since load
 *
 * KTFTPD_CMD_START
 *   Request: KTFTPD_A_CONFIG (optional), applied as SET_CONFIG does before
 *            starting; nothing changes if it is refused.
 *   Reply:   KTFTPD_A_CHANGED u8 (did the config change), KTFTPD_A_RUNNING.
 *            Starting a running server only applies the config.
 *
 * KTFTPD_CMD_STOP
 *   Request: KTFTPD_A_DRAIN_MS u32 (optional, default the drain_timeout
 *            in force): transfers in flight may finish for that long, then
 *            are aborted with ERROR 0.  Returns when all have ended,
 *            but for any still in a file operation (a hung file system):
 *            each ends when that returns, and until then the module
 *            refuses to unload (EBUSY).
 *
 * KTFTPD_CMD_SET_CONFIG
 *   Request: KTFTPD_A_CONFIG, with any subset of its attributes; the ones
 *            left out keep their value.  The whole new config is validated
 *            first and swapped in at once, or nothing changes.  Transfers in
 *            flight keep the config they started under.  The listeners are
 *            rebound only when the port or the listen addresses change.
 *   Reply:   KTFTPD_A_CHANGED u8.
 *
 * KTFTPD_CMD_GET_SESSIONS (dump)
 *   One message per transfer in flight, each with KTFTPD_A_SESSION (nested
 *   enum ktftpd_session).  The dump resumes after the last session id it
 *   sent, so it is complete for any number of sessions; a transfer that
 *   begins or ends while it runs may or may not appear.
 *
 * KTFTPD_CMD_REWRITE_TEST
 *   Request: KTFTPD_A_REWRITE with KTFTPD_REWRITE_NAME (the file name as a
 *            client would send it) and, optionally, the client's address
 *            (KTFTPD_REWRITE_PEER_IPV4 or _IPV6; none: the rules see no
 *            client address).
 *   Reply:   KTFTPD_A_REWRITE: what the config in force makes of that
 *            request (NORMALIZED, APPLIED, and LOOKUP or the ERROR_ a
 *            client would get), with the client's MAC if the neighbour
 *            table knows it.  Nothing is opened: it reports the name a
 *            request would look up beneath root.
 *
 * Events, multicast group KTFTPD_MCGRP_EVENTS ("events"):
 *   KTFTPD_CMD_EVENT_START   KTFTPD_A_SESSION
 *   KTFTPD_CMD_EVENT_FINISH  KTFTPD_A_SESSION (bytes, age = duration), and
 *                            KTFTPD_A_UNCONFIRMED (flag) when every block
 *                            went out but the last one's ACK never came
 *   KTFTPD_CMD_EVENT_ERROR   KTFTPD_A_SESSION, KTFTPD_A_ERROR_CODE u16 (the
 *                            TFTP error code sent, or received from the
 *                            client), KTFTPD_A_ERROR_MSG string
 */
#ifndef _UAPI_LINUX_KTFTPD_H
#define _UAPI_LINUX_KTFTPD_H

#define KTFTPD_GENL_NAME	"ktftpd"
#define KTFTPD_GENL_VERSION	1
#define KTFTPD_MCGRP_EVENTS	"events"

/* Longest root path accepted, including the terminating NUL. */
#define KTFTPD_ROOT_MAX		256
/* Most listen addresses (KTFTPD_CFG_LISTEN entries). */
#define KTFTPD_LISTEN_MAX	8
/* Most client networks in KTFTPD_CFG_ALLOW, and in KTFTPD_CFG_DENY. */
#define KTFTPD_NETS_MAX		64
/* Most filename rules, and the longest pattern or replacement (no NUL). */
#define KTFTPD_RULES_MAX	64
#define KTFTPD_RULE_TEXT_MAX	255
/* Longest KTFTPD_A_ERROR_MSG and KTFTPD_SESSION_FILE, NUL included. */
#define KTFTPD_ERROR_MSG_MAX	128
#define KTFTPD_FILE_MAX		512

enum ktftpd_cmd {
	KTFTPD_CMD_UNSPEC,
	KTFTPD_CMD_GET_STATUS,
	KTFTPD_CMD_START,
	KTFTPD_CMD_STOP,
	KTFTPD_CMD_SET_CONFIG,
	KTFTPD_CMD_GET_SESSIONS,
	KTFTPD_CMD_EVENT_START,		/* notifications only */
	KTFTPD_CMD_EVENT_FINISH,
	KTFTPD_CMD_EVENT_ERROR,
	KTFTPD_CMD_REWRITE_TEST,

	__KTFTPD_CMD_MAX,
};

#define KTFTPD_CMD_MAX (__KTFTPD_CMD_MAX - 1)

enum ktftpd_attr {
	KTFTPD_A_UNSPEC,
	KTFTPD_A_PAD,
	KTFTPD_A_RUNNING,	/* u8 */
	KTFTPD_A_UPTIME_MS,	/* u64 */
	KTFTPD_A_VERSION,	/* string */
	KTFTPD_A_CONFIG,	/* nested, enum ktftpd_cfg */
	KTFTPD_A_STATS,		/* nested, enum ktftpd_stat */
	KTFTPD_A_DRAIN_MS,	/* u32, 0..600000 */
	KTFTPD_A_CHANGED,	/* u8 */
	KTFTPD_A_SESSION,	/* nested, enum ktftpd_session */
	KTFTPD_A_ERROR_CODE,	/* u16 */
	KTFTPD_A_ERROR_MSG,	/* string */
	KTFTPD_A_REWRITE,	/* nested, enum ktftpd_rewrite */
	KTFTPD_A_UNCONFIRMED,	/* flag */

	__KTFTPD_A_MAX,
};

#define KTFTPD_A_MAX (__KTFTPD_A_MAX - 1)

/*
 * The configuration.  Each attribute is named as its sysctl in
 * /proc/sys/net/ktftpd (ktftpd(8) says what it does); its width, unit and
 * valid range follow it, and the kernel refuses a value outside the range
 * with ERANGE.  The comments are written by scripts/gen-settings from the
 * module's one table of settings (kernel/params.h).
 */
enum ktftpd_cfg {
	KTFTPD_CFG_UNSPEC,
	KTFTPD_CFG_PAD,
	KTFTPD_CFG_ROOT,		/* string, absolute, < KTFTPD_ROOT_MAX */
	KTFTPD_CFG_PORT,		/* u16, 1..65535 */
	KTFTPD_CFG_LISTEN,		/* nested, enum ktftpd_listen; none: all */
	KTFTPD_CFG_TIMEOUT_MS,		/* u32, milliseconds, 10..255000 */
	KTFTPD_CFG_RETRIES,		/* u32, 0..100 */
	KTFTPD_CFG_MAX_SESSIONS,	/* u32, transfers, 1..65536 */
	KTFTPD_CFG_MAX_SESSIONS_PER_CLIENT,	/* u32, transfers, 1..65536 */
	KTFTPD_CFG_DRAIN_MS,		/* u32, milliseconds, 0..600000 */
	KTFTPD_CFG_BLKSIZE_MAX,		/* u32, bytes, 8..65464 */
	KTFTPD_CFG_WINDOWSIZE_MAX,	/* u32, blocks, 1..65535 */
	KTFTPD_CFG_ALLOW_WRITE,		/* u8, 0 or 1 */
	KTFTPD_CFG_CREATE,		/* u8, 0 or 1 */
	KTFTPD_CFG_CREATE_MODE,		/* u32, permission bits, 0..0777 */
	KTFTPD_CFG_MAX_WRITE_SIZE,	/* u64, bytes, 0..1099511627776 */
	KTFTPD_CFG_RATE_LIMIT,		/* u32, requests per second, 0..1000000 */
	KTFTPD_CFG_USER,		/* u32, uid, 0..4294967294 */
	KTFTPD_CFG_GROUP,		/* u32, gid, 0..4294967294 */
	KTFTPD_CFG_REQUIRE_WORLD_READABLE,	/* u8, 0 or 1 */
	KTFTPD_CFG_TIMEOUT_MAX_S,	/* u32, seconds, 1..255 */
	KTFTPD_CFG_HANDSHAKE_MS,	/* u32, milliseconds, 100..600000 */
	KTFTPD_CFG_SOCKBUF_MAX,		/* u32, bytes, 0..67108864 */
	KTFTPD_CFG_RULES,		/* nested, enum ktftpd_rules; empty: none */
	KTFTPD_CFG_BACKSLASH_TO_SLASH,	/* u8, 0 or 1 */
	KTFTPD_CFG_STRIP_SLASHES,	/* u8, 0 or 1 */
	KTFTPD_CFG_CASE_INSENSITIVE,	/* u8, 0 or 1 */
	/* nested, enum ktftpd_nets; empty: every client may ask */
	KTFTPD_CFG_ALLOW,
	/* nested, enum ktftpd_nets; empty: none is refused */
	KTFTPD_CFG_DENY,
	/* nested, enum ktftpd_port_range; empty: any port the kernel picks */
	KTFTPD_CFG_PORT_RANGE,
	KTFTPD_CFG_UNIQUE_ROOT,		/* u8, 0 off, 1 ip, 2 mac */
	KTFTPD_CFG_BLKSIZE_FIT_MTU,	/* u8, 0 or 1 */
	KTFTPD_CFG_WINDOW_BYTES_MAX,	/* u32, bytes, 0..1073741824 */
	KTFTPD_CFG_REFUSE_BLKSIZE,	/* u8, 0 or 1 */
	KTFTPD_CFG_REFUSE_TSIZE,	/* u8, 0 or 1 */
	KTFTPD_CFG_REFUSE_TIMEOUT,	/* u8, 0 or 1 */
	KTFTPD_CFG_REFUSE_WINDOWSIZE,	/* u8, 0 or 1 */
	KTFTPD_CFG_SINGLE_PORT,		/* u8, 0 or 1 */
	KTFTPD_CFG_SYNC_UPLOADS,	/* u8, 0 or 1 */

	__KTFTPD_CFG_MAX,
};

#define KTFTPD_CFG_MAX (__KTFTPD_CFG_MAX - 1)

/*
 * Listen addresses: up to KTFTPD_LISTEN_MAX entries, in any order.  An
 * empty nest (or none ever set) listens on every address, IPv4 and IPv6.
 */
enum ktftpd_listen {
	KTFTPD_LISTEN_UNSPEC,
	KTFTPD_LISTEN_IPV4,		/* 4 bytes, network order */
	KTFTPD_LISTEN_IPV6,		/* 16 bytes, network order */

	__KTFTPD_LISTEN_MAX,
};

#define KTFTPD_LISTEN_ATTR_MAX (__KTFTPD_LISTEN_MAX - 1)

/*
 * Client networks (allow, deny): up to KTFTPD_NETS_MAX KTFTPD_NETS_NET
 * entries.  A request from an address in deny, or outside a non-empty
 * allow, is dropped unanswered before it is parsed.  An empty nest
 * empties the list; without one, it is kept.
 */
enum ktftpd_nets {
	KTFTPD_NETS_UNSPEC,
	KTFTPD_NETS_NET,		/* nested, enum ktftpd_net */

	__KTFTPD_NETS_MAX,
};

#define KTFTPD_NETS_ATTR_MAX (__KTFTPD_NETS_MAX - 1)

enum ktftpd_net {
	KTFTPD_NET_UNSPEC,
	KTFTPD_NET_IPV4,		/* 4 bytes, network order (one of the two) */
	KTFTPD_NET_IPV6,		/* 16 bytes */
	/* u8: 0..32 or 0..128; the address's bits past it must be 0 */
	KTFTPD_NET_PREFIX,

	__KTFTPD_NET_MAX,
};

#define KTFTPD_NET_ATTR_MAX (__KTFTPD_NET_MAX - 1)

/*
 * The local ports of the transfers' sockets (port_range): both or
 * neither, 1 <= LOW <= HIGH <= 65535.
 */
enum ktftpd_port_range {
	KTFTPD_PORT_RANGE_UNSPEC,
	KTFTPD_PORT_RANGE_LOW,		/* u16 */
	KTFTPD_PORT_RANGE_HIGH,		/* u16 */

	__KTFTPD_PORT_RANGE_MAX,
};

#define KTFTPD_PORT_RANGE_ATTR_MAX (__KTFTPD_PORT_RANGE_MAX - 1)

/*
 * Filename rules (ktftpd(8), RULES): up to KTFTPD_RULES_MAX
 * KTFTPD_RULES_RULE entries, applied in the order given.  An empty
 * KTFTPD_CFG_RULES nest removes every rule; without one, the rules in force
 * are kept.  The whole list is validated and replaced at once.
 */
enum ktftpd_rules {
	KTFTPD_RULES_UNSPEC,
	KTFTPD_RULES_RULE,		/* nested, enum ktftpd_rule */

	__KTFTPD_RULES_MAX,
};

#define KTFTPD_RULES_ATTR_MAX (__KTFTPD_RULES_MAX - 1)

enum ktftpd_rule {
	KTFTPD_RULE_UNSPEC,
	KTFTPD_RULE_MATCH,		/* u8, enum ktftpd_rule_match */
	KTFTPD_RULE_FLAGS,		/* u8, enum ktftpd_rule_flag bits (optional) */
	KTFTPD_RULE_PATTERN,		/* string, 1..KTFTPD_RULE_TEXT_MAX bytes */
	/* string, 0..KTFTPD_RULE_TEXT_MAX bytes (optional: empty) */
	KTFTPD_RULE_REPLACE,

	__KTFTPD_RULE_MAX,
};

#define KTFTPD_RULE_ATTR_MAX (__KTFTPD_RULE_MAX - 1)

/* What a rule's pattern matches. */
enum ktftpd_rule_match {
	KTFTPD_MATCH_EXACT,		/* the whole name */
	KTFTPD_MATCH_PREFIX,		/* its start; the rest is kept */
	KTFTPD_MATCH_GLOB,		/* the whole name, with * ? [...] */
};

enum ktftpd_rule_flag {
	KTFTPD_RULE_F_NOCASE	= 1 << 0,	/* match ignoring ASCII case */
	KTFTPD_RULE_F_STOP	= 1 << 1,	/* no rule after this one applies */
	KTFTPD_RULE_F_REFUSE	= 1 << 2,	/* a match refuses the request */
};

/* KTFTPD_CMD_REWRITE_TEST's question and answer. */
enum ktftpd_rewrite {
	KTFTPD_REWRITE_UNSPEC,
	KTFTPD_REWRITE_PAD,
	KTFTPD_REWRITE_NAME,		/* string: the request's file name */
	KTFTPD_REWRITE_PEER_IPV4,	/* 4 bytes (optional) */
	KTFTPD_REWRITE_PEER_IPV6,	/* 16 bytes (optional) */
	KTFTPD_REWRITE_NORMALIZED,	/* string: after the built-in switches */
	/* u64: bit i for each rule i that rewrote (or refused) the name */
	KTFTPD_REWRITE_APPLIED,
	/* string: the name looked up beneath root (absent if refused) */
	KTFTPD_REWRITE_LOOKUP,
	/*
	 * string, aa-bb-cc-dd-ee-ff: the client's, from the neighbour table
	 * (absent if not known)
	 */
	KTFTPD_REWRITE_MAC,
	KTFTPD_REWRITE_ERROR_CODE,	/* u16: the ERROR a client would get */
	KTFTPD_REWRITE_ERROR_MSG,	/* string */
	/* string: the client's own directory, looked in first (unique_root); absent if none  */
	KTFTPD_REWRITE_UNIQUE,

	__KTFTPD_REWRITE_MAX,
};

#define KTFTPD_REWRITE_ATTR_MAX (__KTFTPD_REWRITE_MAX - 1)

enum ktftpd_stat {
	KTFTPD_STAT_UNSPEC,
	KTFTPD_STAT_PAD,
	KTFTPD_STAT_REQUESTS,		/* u64: datagrams received on the listening port */
	KTFTPD_STAT_XFER_COMPLETED,	/* u64: transfers that completed */
	/* u64: transfers that timed out, were aborted or refused mid-way */
	KTFTPD_STAT_XFER_FAILED,
	KTFTPD_STAT_BYTES_SENT,		/* u64: file payload bytes sent */
	KTFTPD_STAT_PACKETS_SENT,	/* u64: datagrams sent */
	KTFTPD_STAT_RETRANSMITS,	/* u64: DATA (or upload ACKs) sent again */
	/* u64: requests refused by max_sessions or the per-client cap */
	KTFTPD_STAT_REFUSED_BUSY,
	KTFTPD_STAT_ACTIVE,		/* u32: transfers in flight now */
	KTFTPD_STAT_PEAK,		/* u32: most in flight at once */
	KTFTPD_STAT_ERRORS_SENT,	/* nested: u64 per code, type code + 1 */
	KTFTPD_STAT_BYTES_RECEIVED,	/* u64: upload payload bytes stored */
	/* u64: retransmission timer expiries (resends no peer asked for) */
	KTFTPD_STAT_TIMEOUTS,
	KTFTPD_STAT_RATE_LIMITED,	/* u64: requests dropped unanswered by rate_limit */
	KTFTPD_STAT_REWRITTEN,		/* u64: requests whose file name a filename rule rewrote */
	KTFTPD_STAT_RULE_REFUSED,	/* u64: requests refused by a filename rule */
	KTFTPD_STAT_CASE_FOLDED,	/* u64: requests answered by a case-insensitive match */
	/* u64: requests dropped unanswered because allow or deny refused their address */
	KTFTPD_STAT_DENIED,
	/* u64: requests refused because every port of port_range was taken */
	KTFTPD_STAT_PORTS_EXHAUSTED,
	/*
	 * u64: downloads counted completed whose client never acknowledged the
	 * last block, resent as retries allow (RFC 1350: a lost final ACK;
	 * firmware that boots at once may lose its own)
	 */
	KTFTPD_STAT_FINAL_ACK_MISSING,
	/*
	 * u64: downloads the client ended at an OACK that granted tsize, before
	 * any DATA, with ERROR 8 or 0: it only wanted the size (UEFI, U-Boot
	 * and GRUB ask first). Neither completed nor failed
	 */
	KTFTPD_STAT_SIZE_PROBES,

	__KTFTPD_STAT_MAX,
};

#define KTFTPD_STAT_MAX (__KTFTPD_STAT_MAX - 1)

/* Direction of a transfer (KTFTPD_SESSION_DIRECTION). */
enum ktftpd_direction {
	KTFTPD_DIR_READ,		/* RRQ: the client downloads */
	KTFTPD_DIR_WRITE,		/* WRQ: the client uploads */
};

/*
 * The options the server knows (RFC 2348 blksize, 2349 tsize and timeout,
 * 7440 windowsize), as bits of KTFTPD_SESSION_OPTIONS and _OACK.
 */
enum ktftpd_option {
	KTFTPD_OPT_BLKSIZE	= 1 << 0,
	KTFTPD_OPT_TSIZE	= 1 << 1,
	KTFTPD_OPT_TIMEOUT	= 1 << 2,
	KTFTPD_OPT_WINDOWSIZE	= 1 << 3,
};

enum ktftpd_session {
	KTFTPD_SESSION_UNSPEC,
	KTFTPD_SESSION_PAD,
	KTFTPD_SESSION_ID,		/* u64, unique since load, increasing */
	KTFTPD_SESSION_PEER_IPV4,	/* 4 bytes (one of the two) */
	KTFTPD_SESSION_PEER_IPV6,	/* 16 bytes */
	KTFTPD_SESSION_PEER_PORT,	/* u16 */
	KTFTPD_SESSION_FILE,		/* string, as requested, normalized */
	KTFTPD_SESSION_DIRECTION,	/* u8, enum ktftpd_direction */
	KTFTPD_SESSION_BYTES,		/* u64: payload sent or stored */
	/* u64: file size (reads), tsize (uploads that announced one); absent if unknown  */
	KTFTPD_SESSION_TOTAL,
	KTFTPD_SESSION_BLKSIZE,		/* u32 */
	KTFTPD_SESSION_WINDOWSIZE,	/* u32 */
	KTFTPD_SESSION_RETRANSMITS,	/* u32 */
	KTFTPD_SESSION_AGE_MS,		/* u64 */
	/* u32, enum ktftpd_option bits: the known options the request carried  */
	KTFTPD_SESSION_OPTIONS,
	/*
	 * u32, enum ktftpd_option bits: those the OACK granted (0: no OACK);
	 * their values are BLKSIZE, TOTAL, TIMEOUT, WINDOWSIZE
	 */
	KTFTPD_SESSION_OACK,
	/* u32, seconds: the RFC 2349 timeout granted; absent if none was */
	KTFTPD_SESSION_TIMEOUT,
	/*
	 * string: the name looked up beneath root, when the filename rules or a
	 * case-insensitive match changed it
	 */
	KTFTPD_SESSION_LOOKUP,

	__KTFTPD_SESSION_MAX,
};

#define KTFTPD_SESSION_MAX (__KTFTPD_SESSION_MAX - 1)

#endif /* _UAPI_LINUX_KTFTPD_H */
