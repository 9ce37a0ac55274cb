/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels ktftpd supports (Debian's 6.1 and
 * 6.12, and sid's newest, 7.x: scripts/newest-kernel) lives here, and only
 * here.  Other files use the ktftpd_ names below and never test
 * LINUX_VERSION_CODE themselves.  A cutoff between 6.12 and 7.x is the
 * release that made the change upstream; only the kernels named above are
 * built, so a kernel in between is not supported (dkms.conf).
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
 * wants, for vfs_unlink() and notify_change().
 *
 * KTFTPD_RENAMEDATA(idmap, dir) fills struct renamedata for a rename within
 * the one directory dir: 6.3 renamed its user namespaces to idmaps, and
 * 6.17 merged the two into one and gave it the parent dentries rather
 * than their inodes.
 */
#include <linux/mount.h>
#include <linux/dcache.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define ktftpd_mnt_idmap(mnt)	mnt_idmap(mnt)
#else
#define ktftpd_mnt_idmap(mnt)	mnt_user_ns(mnt)
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define KTFTPD_RENAMEDATA(idmap, dir) \
	.mnt_idmap = (idmap), .old_parent = (dir), .new_parent = (dir)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define KTFTPD_RENAMEDATA(idmap, dir) \
	.old_mnt_idmap = (idmap), .new_mnt_idmap = (idmap), \
	.old_dir = d_inode(dir), .new_dir = d_inode(dir)
#else
#define KTFTPD_RENAMEDATA(idmap, dir) \
	.old_mnt_userns = (idmap), .new_mnt_userns = (idmap), \
	.old_dir = d_inode(dir), .new_dir = d_inode(dir)
#endif

/*
 * A name's dentry in base, looked up with base locked (ktftpd_lookup_one)
 * or not (ktftpd_lookup_one_unlocked).  6.16 removed lookup_one_len() and
 * lookup_one_len_unlocked(); their successors take an idmap and a qstr.
 * The idmap given is the one the old calls used (no mapping), so every
 * kernel checks the same permission on base.
 */
#include <linux/namei.h>
#include <linux/string.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define ktftpd_lookup_one(name, base) \
	lookup_one(&nop_mnt_idmap, &QSTR(name), base)
#define ktftpd_lookup_one_unlocked(name, base) \
	lookup_one_unlocked(&nop_mnt_idmap, &QSTR(name), base)
#else
#define ktftpd_lookup_one(name, base) \
	lookup_one_len(name, base, strlen(name))
#define ktftpd_lookup_one_unlocked(name, base) \
	lookup_one_len_unlocked(name, base, strlen(name))
#endif

/* 6.16 renamed from_timer() to timer_container_of(); this is the new name. */
#include <linux/timer.h>
#ifndef timer_container_of
#define timer_container_of(var, timer, field)	from_timer(var, timer, field)
#endif

/*
 * A workqueue bound to the CPU that queues the work, the default of 6.1 and
 * 6.12.  Later kernels want that said (WQ_PERCPU, 6.17), and 7.x WARNs at a
 * workqueue that names neither WQ_PERCPU nor WQ_UNBOUND.
 */
#include <linux/workqueue.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define KTFTPD_WQ_PERCPU	WQ_PERCPU
#else
#define KTFTPD_WQ_PERCPU	0
#endif

/*
 * 6.19 made kernel_bind() and kernel_connect() take a struct
 * sockaddr_unsized; both point at the same bytes.
 */
#include <linux/net.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
typedef struct sockaddr_unsized ktftpd_sockaddr_arg;
#else
typedef struct sockaddr ktftpd_sockaddr_arg;
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
