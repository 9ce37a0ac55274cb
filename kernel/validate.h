/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's numeric parameters and their valid ranges, shared by
 * sysctl, netlink, module parameters and the host tests.
 */
#ifndef KTFTPD_VALIDATE_H
#define KTFTPD_VALIDATE_H

#include "core_types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ktftpd_param {
	KTFTPD_P_PORT,		/* UDP port; a change rebinds at once */
	KTFTPD_P_TIMEOUT,	/* first retransmission timeout, ms */
	KTFTPD_P_RETRIES,	/* retransmissions before giving up */
	KTFTPD_P_MAX_SESSIONS,	/* concurrent transfers, all clients */
	KTFTPD_P_MAX_PER_CLIENT,	/* concurrent transfers, one address */
	KTFTPD_P_DRAIN,		/* ms a stop waits before aborting transfers */
	KTFTPD_P_BLKSIZE_MAX,	/* largest blksize granted (RFC 2348) */
	KTFTPD_P_WINDOWSIZE_MAX,	/* largest windowsize granted (RFC 7440) */
	KTFTPD_P_ALLOW_WRITE,	/* 1: accept WRQ into world-writable files */
	KTFTPD_P_CREATE,	/* 1: WRQ may also create new files */
	KTFTPD_P_CREATE_MODE,	/* permission bits of created files */
	KTFTPD_P_MAX_WRITE_SIZE,	/* bytes one upload may hold */
	KTFTPD_P_RATE_LIMIT,	/* requests/s from one address; 0: no limit */
	KTFTPD_P_USER,		/* uid every file operation runs as */
	KTFTPD_P_GROUP,		/* its gid (no supplementary groups) */
	KTFTPD_P_WORLD_READABLE,	/* 1: serve only world-readable files */
	KTFTPD_P_TIMEOUT_MAX,	/* largest RFC 2349 timeout granted, s */
	KTFTPD_P_HANDSHAKE,	/* ms a transfer may wait for its peer's first reply */
	KTFTPD_P_SOCKBUF_MAX,	/* bytes a transfer's socket buffer may hold; 0: the system's */
	KTFTPD_P_COUNT
};

struct ktftpd_param_desc {
	const char *name;	/* the sysctl's name */
	long min, max, def;
	bool octal;		/* shown and parsed in octal (a file mode) */
};

extern const struct ktftpd_param_desc ktftpd_params[KTFTPD_P_COUNT];

bool ktftpd_param_valid(enum ktftpd_param p, long value);
bool ktftpd_port_valid(long port);
bool ktftpd_root_valid(const char *root, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_VALIDATE_H */
