/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ktftpd generic-netlink protocol.
 *
 * Family name "ktftpd", version KTFTPD_GENL_VERSION.  The family is the
 * operator interface of the in-kernel TFTP server; /proc/sys/net/ktftpd/ is
 * a second, simpler view of the same state, and a change made through either
 * is visible through the other.
 *
 * Every message carries typed attributes (never packed structs), so the
 * protocol can grow by adding attributes at the end of each enum.  Unknown
 * attributes sent to the kernel are rejected by strict validation; tools
 * must ignore unknown attributes they receive.
 *
 * KTFTPD_CMD_GET_STATUS
 *   Request: no attributes.
 *   Reply:   KTFTPD_A_RUNNING   u8, 1 while serving, 0 while stopped
 *            KTFTPD_A_PORT      u16, UDP port used at the next start
 *            KTFTPD_A_ROOT      NUL-terminated string, the directory served
 *            KTFTPD_A_STATS     nested, enum ktftpd_stat: counters since load
 *   Needs no privilege: it reveals no client address.
 *
 * Counters (KTFTPD_A_STATS) are u64 (padded with KTFTPD_STAT_PAD) except
 * ACTIVE and PEAK (u32).  KTFTPD_STAT_ERRORS_SENT nests one u64 per TFTP
 * error code, with attribute type = code + 1.
 */
#ifndef _UAPI_LINUX_KTFTPD_H
#define _UAPI_LINUX_KTFTPD_H

#define KTFTPD_GENL_NAME	"ktftpd"
#define KTFTPD_GENL_VERSION	1

/* Longest root path accepted, including the terminating NUL. */
#define KTFTPD_ROOT_MAX		256

enum ktftpd_cmd {
	KTFTPD_CMD_UNSPEC,
	KTFTPD_CMD_GET_STATUS,

	__KTFTPD_CMD_MAX,
};
#define KTFTPD_CMD_MAX (__KTFTPD_CMD_MAX - 1)

enum ktftpd_attr {
	KTFTPD_A_UNSPEC,
	KTFTPD_A_RUNNING,	/* u8 */
	KTFTPD_A_PORT,		/* u16 */
	KTFTPD_A_ROOT,		/* string, < KTFTPD_ROOT_MAX bytes */
	KTFTPD_A_STATS,		/* nested, enum ktftpd_stat */

	__KTFTPD_A_MAX,
};
#define KTFTPD_A_MAX (__KTFTPD_A_MAX - 1)

enum ktftpd_stat {
	KTFTPD_STAT_UNSPEC,
	KTFTPD_STAT_PAD,
	KTFTPD_STAT_REQUESTS,		/* u64: datagrams on the listening port */
	KTFTPD_STAT_XFER_COMPLETED,	/* u64 */
	KTFTPD_STAT_XFER_FAILED,	/* u64: timed out, aborted, refused mid-way */
	KTFTPD_STAT_BYTES_SENT,		/* u64: file payload */
	KTFTPD_STAT_PACKETS_SENT,	/* u64: every datagram */
	KTFTPD_STAT_RETRANSMITS,	/* u64: DATA sent again */
	KTFTPD_STAT_REFUSED_BUSY,	/* u64: max_sessions or per-client cap */
	KTFTPD_STAT_ACTIVE,		/* u32: transfers in flight now */
	KTFTPD_STAT_PEAK,		/* u32: most in flight at once */
	KTFTPD_STAT_ERRORS_SENT,	/* nested: u64 per code, type code + 1 */
	KTFTPD_STAT_BYTES_RECEIVED,	/* u64: upload payload stored */

	__KTFTPD_STAT_MAX,
};
#define KTFTPD_STAT_MAX (__KTFTPD_STAT_MAX - 1)

#endif /* _UAPI_LINUX_KTFTPD_H */
