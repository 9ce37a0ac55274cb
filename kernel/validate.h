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
	KTFTPD_P_PORT,		/* UDP port, used at the next start */
	KTFTPD_P_TIMEOUT,	/* first retransmission timeout, ms */
	KTFTPD_P_RETRIES,	/* retransmissions before giving up */
	KTFTPD_P_MAX_SESSIONS,	/* concurrent transfers, all clients */
	KTFTPD_P_MAX_PER_CLIENT,	/* concurrent transfers, one address */
	KTFTPD_P_DRAIN,		/* ms a stop waits before aborting transfers */
	KTFTPD_P_COUNT
};

struct ktftpd_param_desc {
	const char *name;	/* the sysctl's name */
	long min, max, def;
};

extern const struct ktftpd_param_desc ktftpd_params[KTFTPD_P_COUNT];

bool ktftpd_param_valid(enum ktftpd_param p, long value);
bool ktftpd_port_valid(long port);
bool ktftpd_root_valid(const char *root, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_VALIDATE_H */
