/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The serving identity: the credentials every file operation of the
 * server runs under, so the kernel never uses its threads' root power on
 * a client's behalf (what tftpd-hpa's --user, nfsd's nfsd_setuser and
 * ksmbd's ksmbd_override_fsids do).  Prepared once per config.
 */
#ifndef KTFTPD_IDENTITY_H
#define KTFTPD_IDENTITY_H

#include <linux/cred.h>

/*
 * Credentials of @uid and @gid in the initial user namespace, with no
 * capabilities and no supplementary groups.  An ERR_PTR on failure.
 */
const struct cred *ktftpd_identity_prepare(u32 uid, u32 gid);

/*
 * Does the filesystem of @sb hold kernel state rather than files (proc,
 * sysfs, debugfs and the like)?  Nothing there is served or written, even
 * when it is mounted beneath root.
 */
bool ktftpd_identity_pseudo_fs(const struct super_block *sb);

#endif /* KTFTPD_IDENTITY_H */
