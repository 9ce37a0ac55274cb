/* SPDX-License-Identifier: GPL-2.0 */
/* Validation of configuration values, shared by sysctl, netlink and tests. */
#ifndef KTFTPD_VALIDATE_H
#define KTFTPD_VALIDATE_H

#include "core_types.h"

#ifdef __cplusplus
extern "C" {
#endif

bool ktftpd_port_valid(long port);
bool ktftpd_root_valid(const char *root, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* KTFTPD_VALIDATE_H */
