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
 *   Needs no privilege: it reveals no client address.
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

	__KTFTPD_A_MAX,
};
#define KTFTPD_A_MAX (__KTFTPD_A_MAX - 1)

#endif /* _UAPI_LINUX_KTFTPD_H */
