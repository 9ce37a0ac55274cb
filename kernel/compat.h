/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels ktftpd supports (Debian's 6.1 and
 * 6.12) lives here, and only here.  Other files use the ktftpd_ names below
 * and never test LINUX_VERSION_CODE themselves.
 */
#ifndef KTFTPD_COMPAT_H
#define KTFTPD_COMPAT_H

#include <linux/version.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

/* 6.11 made the ctl_table passed to proc handlers const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
typedef const struct ctl_table ktftpd_ctl_table;
#else
typedef struct ctl_table ktftpd_ctl_table;
#endif

/*
 * 6.6 added register_net_sysctl_sz() with an explicit count, and later
 * kernels dropped the empty sentinel entry.  Tables here keep a sentinel
 * (older kernels need it) and pass the count without it (newer ones use
 * that).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define ktftpd_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define ktftpd_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/*
 * vfs_path_lookup() is exported by both kernels, but 6.1 declares it only
 * in fs/internal.h, which no headers package ships; 6.12 has it in
 * <linux/namei.h>.  (The exact release that moved it is not one we build
 * for; 6.12 is the first we know to have it.)
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
struct dentry;
struct vfsmount;
struct path;
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);
#endif

/*
 * 6.3 replaced the user namespace that VFS calls take for idmapped mounts
 * with struct mnt_idmap.  ktftpd_mnt_idmap(mnt) gives whichever this kernel
 * wants, for vfs_unlink(), notify_change() and struct renamedata (whose
 * fields KTFTPD_RENAMEDATA_IDMAP names).
 */
#include <linux/mount.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define ktftpd_mnt_idmap(mnt)	mnt_idmap(mnt)
#define KTFTPD_RENAMEDATA_IDMAP(idmap) \
	.old_mnt_idmap = (idmap), .new_mnt_idmap = (idmap)
#else
#define ktftpd_mnt_idmap(mnt)	mnt_user_ns(mnt)
#define KTFTPD_RENAMEDATA_IDMAP(idmap) \
	.old_mnt_userns = (idmap), .new_mnt_userns = (idmap)
#endif

/*
 * A folio of the page cache, or NULL.  6.4 made filemap_get_folio() return
 * ERR_PTR(-ENOENT) where 6.1 returns NULL; this takes either.
 */
#include <linux/err.h>
#include <linux/pagemap.h>
static inline struct folio *ktftpd_cached_folio(struct address_space *mapping,
						pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	return IS_ERR_OR_NULL(folio) ? NULL : folio;
}

/*
 * MSG_SPLICE_PAGES (6.5, also in Debian's later 6.1 releases as a bare
 * flag) makes sendmsg() take references on the pages of a bvec iterator
 * instead of copying them.  Where a kernel does not know it, UDP copies
 * the same iterator once, which is still the fewest copies it can make.
 */
#include <linux/socket.h>
#ifdef MSG_SPLICE_PAGES
#define KTFTPD_MSG_SPLICE_PAGES	MSG_SPLICE_PAGES
#else
#define KTFTPD_MSG_SPLICE_PAGES	0
#endif

#endif /* KTFTPD_COMPAT_H */
