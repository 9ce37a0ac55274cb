// SPDX-License-Identifier: GPL-2.0
/* The serving identity: see identity.h. */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include "identity.h"

const struct cred *ktftpd_identity_prepare(u32 uid, u32 gid)
{
	kuid_t kuid = make_kuid(&init_user_ns, uid);
	kgid_t kgid = make_kgid(&init_user_ns, gid);
	struct group_info *none;
	struct cred *c;

	if (!uid_valid(kuid) || !gid_valid(kgid))
		return ERR_PTR(-EINVAL);
	/* From init's credentials, not the caller's: nothing of theirs leaks in. */
	c = prepare_kernel_cred(&init_task);
	if (!c)
		return ERR_PTR(-ENOMEM);
	none = groups_alloc(0);
	if (!none) {
		abort_creds(c);
		return ERR_PTR(-ENOMEM);
	}
	set_groups(c, none);
	put_group_info(none);
	c->uid = c->euid = c->suid = c->fsuid = kuid;
	c->gid = c->egid = c->sgid = c->fsgid = kgid;
	/* Not even the capabilities root keeps over files: DAC applies. */
	c->cap_inheritable = CAP_EMPTY_SET;
	c->cap_permitted = CAP_EMPTY_SET;
	c->cap_effective = CAP_EMPTY_SET;
	c->cap_bset = CAP_EMPTY_SET;
	c->cap_ambient = CAP_EMPTY_SET;
	return c;
}

/* configfs keeps its magic to itself (fs/configfs/mount.c). */
#define KTFTPD_CONFIGFS_MAGIC	0x62656570

/* Kernel state dressed as files: never served, never written. */
static const unsigned long pseudo_fs_magic[] = {
	PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
	SECURITYFS_MAGIC, KTFTPD_CONFIGFS_MAGIC, BPF_FS_MAGIC, CGROUP_SUPER_MAGIC,
	CGROUP2_SUPER_MAGIC, EFIVARFS_MAGIC, PSTOREFS_MAGIC, DEVPTS_SUPER_MAGIC,
};

bool ktftpd_identity_pseudo_fs(const struct super_block *sb)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pseudo_fs_magic); i++)
		if (sb->s_magic == pseudo_fs_magic[i])
			return true;
	return false;
}
