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

struct user_namespace;

/*
 * Credentials of @uid and @gid as @ns (the server's network namespace's
 * owner) sees them, with no capabilities.  Built from init's, with no
 * supplementary groups; or, @as_writer (a server administered from a
 * user namespace other than the initial one: privilege.h), from the
 * caller's, keeping its groups and its LSM and Landlock confinement.
 * An ERR_PTR on failure: -EINVAL when @ns maps no such id.
 */
const struct cred *ktftpd_identity_prepare(struct user_namespace *ns,
					   u32 uid, u32 gid, bool as_writer);

/*
 * Does the filesystem of @sb hold kernel state rather than files (proc,
 * sysfs, debugfs and the like)?  Nothing there is served or written, even
 * when it is mounted beneath root.
 */
bool ktftpd_identity_pseudo_fs(const struct super_block *sb);

#endif /* KTFTPD_IDENTITY_H */
