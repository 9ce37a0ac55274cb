// SPDX-License-Identifier: GPL-2.0
/* The serving identity: see identity.h. */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <linux/uidgid.h>
#include "identity.h"

const struct cred *ktftpd_identity_prepare(struct user_namespace *ns,
					   u32 uid, u32 gid, bool as_writer)
{
	kuid_t kuid = make_kuid(ns, uid);
	kgid_t kgid = make_kgid(ns, gid);
	struct group_info *none;
	struct cred *c;

	if (!uid_valid(kuid) || !gid_valid(kgid))
		return ERR_PTR(-EINVAL);
	if (as_writer) {
		/*
		 * The writer's own, capabilities aside: an unprivileged
		 * user may not shed the groups that deny it a file
		 * (setgroups is denied in its user namespace), nor the
		 * LSM or Landlock domain that confines it.
		 */
		c = prepare_creds();
		if (!c)
			return ERR_PTR(-ENOMEM);
		goto ids;
	}
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
ids:
	c->uid = kuid;
	c->euid = kuid;
	c->suid = kuid;
	c->fsuid = kuid;
	c->gid = kgid;
	c->egid = kgid;
	c->sgid = kgid;
	c->fsgid = kgid;
	/* Not even the capabilities root keeps over files: DAC applies. */
	c->cap_inheritable = CAP_EMPTY_SET;
	c->cap_permitted = CAP_EMPTY_SET;
	c->cap_effective = CAP_EMPTY_SET;
	c->cap_bset = CAP_EMPTY_SET;
	c->cap_ambient = CAP_EMPTY_SET;
	return c;
}

/* Magics their filesystems keep to themselves (the file named). */
#define KTFTPD_CONFIGFS_MAGIC	0x62656570	/* fs/configfs/mount.c */
#define KTFTPD_MQUEUE_MAGIC	0x19800202	/* ipc/mqueue.c */
#define KTFTPD_FUSECTL_MAGIC	0x65735543	/* fs/fuse/control.c */
#define KTFTPD_RPC_PIPEFS_MAGIC	0x67596969	/* net/sunrpc/rpc_pipe.c */
#define KTFTPD_NFSD_MAGIC	0x6e667364	/* fs/nfsd/nfsctl.c */

/*
 * Kernel state dressed as files: never served, never written (an upload
 * into a 1777 /dev/mqueue would make a message queue).
 */
static const unsigned long pseudo_fs_magic[] = {
	PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
	SECURITYFS_MAGIC, SELINUX_MAGIC, SMACK_MAGIC, KTFTPD_CONFIGFS_MAGIC,
	BPF_FS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, EFIVARFS_MAGIC,
	PSTOREFS_MAGIC, DEVPTS_SUPER_MAGIC, BINFMTFS_MAGIC, NSFS_MAGIC,
	KTFTPD_MQUEUE_MAGIC, KTFTPD_FUSECTL_MAGIC, KTFTPD_RPC_PIPEFS_MAGIC,
	KTFTPD_NFSD_MAGIC,
};

bool ktftpd_identity_pseudo_fs(const struct super_block *sb)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pseudo_fs_magic); i++)
		if (sb->s_magic == pseudo_fs_magic[i])
			return true;
	return false;
}
