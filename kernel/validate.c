// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of configuration values.  Plain C, no kernel headers: the host
 * unit tests compile this file as it is.
 */
#include "validate.h"
#include <uapi/linux/ktftpd.h>

/*
 * Defaults follow RFC 1123 (a first timeout of about a second, doubled on
 * each retry) and bound what a silent or spoofed peer can cost: with
 * 1000 ms and 5 retries a dead transfer is freed after 1+2+4+8+8+8 s.
 */
const struct ktftpd_param_desc ktftpd_params[KTFTPD_P_COUNT] = {
	[KTFTPD_P_PORT]		  = { "port", 1, 65535, 69 },
	[KTFTPD_P_TIMEOUT]	  = { "timeout", 10, 255000, 1000 },
	[KTFTPD_P_RETRIES]	  = { "retries", 0, 100, 5 },
	[KTFTPD_P_MAX_SESSIONS]	  = { "max_sessions", 1, 65536, 1024 },
	[KTFTPD_P_MAX_PER_CLIENT] = { "max_sessions_per_client", 1, 65536, 64 },
	[KTFTPD_P_DRAIN]	  = { "drain_timeout", 0, 600000, 5000 },
	[KTFTPD_P_BLKSIZE_MAX]	  = { "blksize_max", 8, 65464, 65464 },
	[KTFTPD_P_WINDOWSIZE_MAX] = { "windowsize_max", 1, 65535, 64 },
	/* Writes are off unless asked for, and then only into existing files. */
	[KTFTPD_P_ALLOW_WRITE]	  = { "allow_write", 0, 1, 0 },
	[KTFTPD_P_CREATE]	  = { "create", 0, 1, 0 },
	[KTFTPD_P_CREATE_MODE]	  = { "create_mode", 0, 0777, 0644, true },
	[KTFTPD_P_MAX_WRITE_SIZE] = { "max_write_size", 0, 1L << 40, 64L << 20 },
	/*
	 * Off by default: clients behind one NAT share an address, and a
	 * PXE farm's burst must not be cut by a guess.  Servers facing
	 * untrusted networks set it (a booting client needs a handful).
	 */
	[KTFTPD_P_RATE_LIMIT]	  = { "rate_limit", 0, 1000000, 0 },
	/*
	 * Every file operation runs as this identity, never as the kernel
	 * thread's root (65534: Debian's nobody and nogroup).  uid 0 must be
	 * asked for, and ktftpctl warns when it is.
	 */
	[KTFTPD_P_USER]		  = { "user", 0, 4294967294L, 65534 },
	[KTFTPD_P_GROUP]	  = { "group", 0, 4294967294L, 65534 },
	/* Rubini's rule, on top of the identity's own permissions. */
	[KTFTPD_P_WORLD_READABLE] = { "require_world_readable", 0, 1, 1 },
	/*
	 * A client's RFC 2349 timeout above this is declined (left out of the
	 * OACK): 255 s and 5 retries would hold a session for 25 minutes.
	 */
	[KTFTPD_P_TIMEOUT_MAX]	  = { "timeout_max", 1, 255, 30 },
	/*
	 * A transfer whose peer never answered (a spoofed request, say) is
	 * given up this long after it began, whatever its retries allow.
	 */
	[KTFTPD_P_HANDSHAKE]	  = { "handshake_timeout", 100, 600000, 15000 },
	/* 0: at most net.core.wmem_max and rmem_max, as a user socket. */
	[KTFTPD_P_SOCKBUF_MAX]	  = { "sockbuf_max", 0, 64L << 20, 0 },
};

bool ktftpd_param_valid(enum ktftpd_param p, long value)
{
	if ((unsigned int)p >= KTFTPD_P_COUNT)
		return false;
	return value >= ktftpd_params[p].min && value <= ktftpd_params[p].max;
}

bool ktftpd_port_valid(long port)
{
	return ktftpd_param_valid(KTFTPD_P_PORT, port);
}

/*
 * A root is an absolute path of printable characters, shorter than
 * KTFTPD_ROOT_MAX.  @len excludes any terminator; an embedded NUL or a
 * control character (a newline pasted into a sysctl, say) is refused rather
 * than silently cut, so the root in force is always exactly what was asked.
 */
bool ktftpd_root_valid(const char *root, size_t len)
{
	size_t i;

	if (!root || len == 0 || len >= KTFTPD_ROOT_MAX || root[0] != '/')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)root[i];

		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}
