/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's settings: the one table.
 *
 * Every setting is written once, here.  The module (sysctl.c, netlink.c,
 * config.c), ktftpctl (its parser, --KEY options, config show, the
 * netlink messages) and scripts/gen-settings (the man pages' settings
 * tables, the bash completion's key list, the uapi header's comments) all
 * derive from these lists; `make gen` rewrites the generated text and
 * tests/ops/test_generated.py fails when it is stale.
 *
 * Plain C, no kernel headers: the host unit tests and ktftpctl compile it.
 */
#ifndef KTFTPD_PARAMS_H
#define KTFTPD_PARAMS_H

#include "core_types.h"
#include <uapi/linux/ktftpd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How a person writes a value (the sysctl always takes the number). */
enum ktftpd_param_kind {
	KTFTPD_KIND_INT,	/* a decimal integer */
	KTFTPD_KIND_BOOL,	/* 0 or 1; true or false in the config file */
	KTFTPD_KIND_MODE,	/* permission bits, in octal everywhere */
	KTFTPD_KIND_ID,		/* a uid or gid; ktftpctl also takes a name */
	/*
	 * one of the words in unit, for min..max in order; the sysctl takes the
	 * word or number and shows the word
	 */
	KTFTPD_KIND_CHOICE,
};

/*
 * The numeric settings, in the order of enum ktftpd_param (and of the
 * sysctls).  X(ID, name, attr, bits, kind, unit, min, max, def, help):
 *   ID	   the enum suffix: KTFTPD_P_<ID>
 *   name  the sysctl, the config file's key and ktftpctl's --name
 *   attr  its attribute in enum ktftpd_cfg; `make gen` appends a new one
 *	   there and writes each one's comment
 *   bits  the attribute's width: 8, 16, 32 or 64 (NLA_U<bits>)
 *   kind  enum ktftpd_param_kind, without KTFTPD_KIND_
 *   unit  what the number counts, for people ("" when it is a count)
 *   help  for the man pages and --help: plain text, sentences
 *
 * Defaults follow RFC 1123 (a first timeout of about a second, doubled on
 * each retry) and bound what a silent or spoofed peer can cost: with
 * 1000 ms and 5 retries a dead transfer is freed after 1+2+4+8+8+8 s.
 * Writes are off unless asked for, and then only into existing files.
 * rate_limit is off: clients behind one NAT share an address, and a PXE
 * farm's burst must not be cut by a guess.  Every file operation runs as
 * user and group, never as the kernel thread's root (65534: Debian's
 * nobody and nogroup); uid 0 must be asked for, and ktftpctl warns.
 */
#define KTFTPD_PARAMS(X)						\
	X(PORT, "port", KTFTPD_CFG_PORT, 16, INT, "",			\
	  1, 65535, 69,							\
	  "The UDP port. A change while running rebinds at once.")	\
	X(TIMEOUT, "timeout", KTFTPD_CFG_TIMEOUT_MS, 32, INT,		\
	  "milliseconds", 10, 255000, 1000,				\
	  "The first retransmission timeout. It doubles on each expiry " \
	  "up to 8 times this value, and is back to it on progress. A "	\
	  "client's RFC 2349 timeout option overrides it for its transfer.") \
	X(RETRIES, "retries", KTFTPD_CFG_RETRIES, 32, INT, "",		\
	  0, 100, 5,							\
	  "Resends without progress before a transfer is abandoned (at " \
	  "the next expiry).")						\
	X(MAX_SESSIONS, "max_sessions", KTFTPD_CFG_MAX_SESSIONS, 32, INT, \
	  "transfers", 1, 65536, 1024,					\
	  "Transfers at once, all clients. While half of it, at most "	\
	  "256, are in their first run (opening the file, reading its "	\
	  "first block), a new request is refused. A request beyond "	\
	  "either gets ERROR 0 (\"Server busy\").")			\
	X(MAX_PER_CLIENT, "max_sessions_per_client",			\
	  KTFTPD_CFG_MAX_SESSIONS_PER_CLIENT, 32, INT, "transfers",	\
	  1, 65536, 64,							\
	  "Transfers at once from one client address.")			\
	X(DRAIN, "drain_timeout", KTFTPD_CFG_DRAIN_MS, 32, INT,		\
	  "milliseconds", 0, 600000, 5000,				\
	  "How long a stop lets transfers in flight finish before "	\
	  "aborting them.")						\
	X(BLKSIZE_MAX, "blksize_max", KTFTPD_CFG_BLKSIZE_MAX, 32, INT,	\
	  "bytes", 8, 65464, 65464,					\
	  "The largest block size granted (RFC 2348); larger requests "	\
	  "are clamped.")						\
	X(WINDOWSIZE_MAX, "windowsize_max", KTFTPD_CFG_WINDOWSIZE_MAX, 32, \
	  INT, "blocks", 1, 65535, 64,					\
	  "The largest window granted (RFC 7440); larger requests are "	\
	  "clamped.")							\
	X(ALLOW_WRITE, "allow_write", KTFTPD_CFG_ALLOW_WRITE, 8, BOOL, "", \
	  0, 1, 0,							\
	  "Accept uploads (WRQ). Without create, only an existing "	\
	  "world-writable regular file may be overwritten.")		\
	X(CREATE, "create", KTFTPD_CFG_CREATE, 8, BOOL, "",		\
	  0, 1, 0,							\
	  "Let an upload create a file that does not exist.")		\
	X(CREATE_MODE, "create_mode", KTFTPD_CFG_CREATE_MODE, 32, MODE,	\
	  "", 0, 0777, 0644,						\
	  "Permission bits of a file an upload creates.")		\
	X(SYNC_UPLOADS, "sync_uploads", KTFTPD_CFG_SYNC_UPLOADS, 8, BOOL, \
	  "", 0, 1, 1,							\
	  "Make each upload durable before its last ACK: sync the file, "	\
	  "rename it into place, then sync the directory, so that a "	\
	  "power cut leaves the old file or the whole new one. Off: "	\
	  "faster, for scratch directories whose uploads may be lost.") \
	X(MAX_WRITE_SIZE, "max_write_size", KTFTPD_CFG_MAX_WRITE_SIZE, 64, \
	  INT, "bytes", 0, 1L << 40, 64L << 20,				\
	  "The most one upload may hold: a larger announced tsize is "	\
	  "refused, and more data gets ERROR 3.")			\
	X(RATE_LIMIT, "rate_limit", KTFTPD_CFG_RATE_LIMIT, 32, INT,	\
	  "requests per second", 0, 1000000, 0,				\
	  "Requests one source address may make per second, with a "	\
	  "burst of one second's worth; more are dropped unanswered "	\
	  "before they are parsed. 0: no limit.")			\
	X(USER, "user", KTFTPD_CFG_USER, 32, ID, "uid",			\
	  0, 4294967294L, 65534,					\
	  "The user every file operation runs as, with no capabilities, " \
	  "numbered as the network namespace's user namespace numbers " \
	  "it: an id it does not map keeps the server from starting. " \
	  "Changing it needs CAP_SETUID over that user namespace, in " \
	  "the writer's context. "					\
	  "ktftpctl also takes a name, and warns about 0 (root).")	\
	X(GROUP, "group", KTFTPD_CFG_GROUP, 32, ID, "gid",		\
	  0, 4294967294L, 65534,					\
	  "The group every file operation runs as, with no "		\
	  "supplementary groups, numbered as user is. Changing it "	\
	  "needs CAP_SETGID over that user namespace, in the "		\
	  "writer's context. ktftpctl also takes a name.")		\
	X(WORLD_READABLE, "require_world_readable",			\
	  KTFTPD_CFG_REQUIRE_WORLD_READABLE, 8, BOOL, "", 0, 1, 1,	\
	  "Serve only world-readable files, on top of the serving "	\
	  "identity's own permissions (Rubini's rule).")		\
	X(TIMEOUT_MAX, "timeout_max", KTFTPD_CFG_TIMEOUT_MAX_S, 32, INT, \
	  "seconds", 1, 255, 30,					\
	  "The largest RFC 2349 timeout a client may ask for; a larger " \
	  "one is left out of the OACK (255 s and 5 retries would hold " \
	  "a transfer for 25 minutes).")				\
	X(HANDSHAKE, "handshake_timeout", KTFTPD_CFG_HANDSHAKE_MS, 32, INT, \
	  "milliseconds", 100, 600000, 15000,				\
	  "A transfer whose peer has made no progress (a spoofed "	\
	  "request, say) is given up this long after it was set up, "	\
	  "whatever its retries allow.")				\
	X(SOCKBUF_MAX, "sockbuf_max", KTFTPD_CFG_SOCKBUF_MAX, 32, INT,	\
	  "bytes", 0, 64L << 20, 0,					\
	  "The most a transfer's socket buffer may grow to hold its "	\
	  "window. 0: net.core.wmem_max and rmem_max, as a user socket. " \
	  "Set from a user namespace (userns_admin=1), it can only lower " \
	  "them.")							\
	X(BACKSLASH, "backslash_to_slash", KTFTPD_CFG_BACKSLASH_TO_SLASH, \
	  8, BOOL, "", 0, 1, 1,						\
	  "Read a backslash in a requested name as a slash, as Windows " \
	  "boot managers write paths (\\Boot\\BCD).")		\
	X(STRIP_SLASHES, "strip_slashes", KTFTPD_CFG_STRIP_SLASHES, 8,	\
	  BOOL, "", 0, 1, 1,						\
	  "Strip a requested name's leading slashes before the "	\
	  "filename rules see it (repeated slashes inside, . and x/.. "	\
	  "are always folded). Either way the lookup is beneath root, "	\
	  "where a leading slash is root.")				\
	X(CASE_INSENSITIVE, "case_insensitive", KTFTPD_CFG_CASE_INSENSITIVE, \
	  8, BOOL, "", 0, 1, 0,						\
	  "When a requested file does not exist, look for it ignoring "	\
	  "ASCII case: one scan of each directory on its path, so "	\
	  "boot/bcd finds Boot/BCD. The exact name always wins.")	\
	X(UNIQUE_ROOT, "unique_root", KTFTPD_CFG_UNIQUE_ROOT, 8, CHOICE,	\
	  "off ip mac", 0, 2, 0,					\
	  "A read looks first in a directory of the client's own "	\
	  "beneath root, then in root: ip is its address "		\
	  "(root/198.18.0.7/, root/fd00::7/), mac its MAC address when " \
	  "the neighbour table knows it (root/52-54-00-12-34-56/, as "	\
	  "dnsmasq's tftp-unique-root names it). Uploads are not "	\
	  "affected.")							\
	X(BLKSIZE_FIT_MTU, "blksize_fit_mtu", KTFTPD_CFG_BLKSIZE_FIT_MTU, 8, \
	  BOOL, "", 0, 1, 1,						\
	  "Cap a granted block size so that a block fits the route's "	\
	  "MTU towards the client unfragmented: the MTU less the IP and " \
	  "UDP headers and 4 (1472 on Ethernet's 1500 over IPv4). "	\
	  "Loopback's MTU is larger than any block.")			\
	X(WINDOW_BYTES_MAX, "window_bytes_max", KTFTPD_CFG_WINDOW_BYTES_MAX, \
	  32, INT, "bytes", 0, 1L << 30, 0,				\
	  "The most bytes a window may hold, windowsize times blksize; " \
	  "a larger window is clamped to fit (at least 1 block), never " \
	  "refused. 0: only windowsize_max applies.")			\
	X(REFUSE_BLKSIZE, "refuse_blksize", KTFTPD_CFG_REFUSE_BLKSIZE, 8, \
	  BOOL, "", 0, 1, 0,						\
	  "Never grant the blksize option, as if no client asked for it " \
	  "(tftpd-hpa's --refuse blksize), for clients that break on it.") \
	X(REFUSE_TSIZE, "refuse_tsize", KTFTPD_CFG_REFUSE_TSIZE, 8,	\
	  BOOL, "", 0, 1, 0,						\
	  "Never grant the tsize option (--refuse tsize).")		\
	X(REFUSE_TIMEOUT, "refuse_timeout", KTFTPD_CFG_REFUSE_TIMEOUT, 8, \
	  BOOL, "", 0, 1, 0,						\
	  "Never grant the timeout option (--refuse timeout).")		\
	X(REFUSE_WINDOWSIZE, "refuse_windowsize",			\
	  KTFTPD_CFG_REFUSE_WINDOWSIZE, 8, BOOL, "", 0, 1, 0,		\
	  "Never grant the windowsize option (--refuse windowsize).")	\
	X(SINGLE_PORT, "single_port", KTFTPD_CFG_SINGLE_PORT, 8, BOOL,	\
	  "", 0, 1, 0,							\
	  "Serve every transfer from the listening port, told apart by " \
	  "the client's address and port, for containers and NAT that "	\
	  "forward only port 69 (dnsmasq's tftp-single-port). For "	\
	  "transfers that start after a change.")

/*
 * The settings that are not numbers, with their own parsers.
 * X(name, attr, type, def, help); type and def are as people read them.
 */
#define KTFTPD_TEXT_SETTINGS(X)						\
	X("root", KTFTPD_CFG_ROOT, "path", "/srv/tftp",			\
	  "The directory served: an absolute path of printable "	\
	  "characters, shorter than 256 bytes, naming a directory. It is " \
	  "resolved when it is set, in the setter's mount namespace and " \
	  "root directory, never through a magic link (/proc/PID/root) " \
	  "nor in /proc. Nothing outside it is reachable: no .., no "	\
	  "absolute or escaping symlinks.")				\
	X("listen", KTFTPD_CFG_LISTEN, "addresses", "",			\
	  "IPv4 and IPv6 addresses to listen on, at most 8 (separated by " \
	  "spaces or commas; a list in the config file). Empty: every "	\
	  "address of both families. A change while running rebinds at " \
	  "once; if the new addresses cannot be bound, the old ones stay.") \
	X("allow", KTFTPD_CFG_ALLOW, "networks", "",			\
	  "Client networks that may ask (CIDR, IPv4 and IPv6, at most "	\
	  "64, separated by spaces or commas; a list in the config "	\
	  "file). A request from elsewhere is dropped unanswered before " \
	  "it is parsed, and counted (denied). Empty: every client.")	\
	X("deny", KTFTPD_CFG_DENY, "networks", "",			\
	  "Client networks that may not ask, in allow's form; deny wins " \
	  "over allow. Empty: none.")					\
	X("port_range", KTFTPD_CFG_PORT_RANGE, "LOW:HIGH", "",		\
	  "The local ports the transfers use, for a firewall or NAT "	\
	  "that opens only those (1 <= LOW <= HIGH <= 65535). When all " \
	  "are taken, a request gets ERROR 0 (\"Server busy\"), counted " \
	  "as ports_exhausted. Empty: any port the kernel picks. Not "	\
	  "used with single_port.")

#define KTFTPD_PARAM_ENUM(id, ...) KTFTPD_P_##id,
enum ktftpd_param {
	KTFTPD_PARAMS(KTFTPD_PARAM_ENUM)
	KTFTPD_P_COUNT
};

#undef KTFTPD_PARAM_ENUM

struct ktftpd_param_desc {
	const char *name;
	u16 attr;		/* enum ktftpd_cfg */
	u8 bits;		/* the attribute's width */
	enum ktftpd_param_kind kind;
	const char *unit;
	long min, max, def;
	const char *help;	/* NULL in the module: nobody reads it there */
};

extern const struct ktftpd_param_desc ktftpd_params[KTFTPD_P_COUNT];

bool ktftpd_param_valid(enum ktftpd_param p, long value);
/*
 * A CHOICE's word for @value, into @buf (of @len bytes); false if there
 * is none.  And the value a word (or a number) stands for.
 */
bool ktftpd_param_choice_name(enum ktftpd_param p, long value, char *buf,
			      size_t len);
bool ktftpd_param_choice_parse(enum ktftpd_param p, const char *text,
			       long *value);
bool ktftpd_port_valid(long port);
bool ktftpd_root_valid(const char *root, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_PARAMS_H */
