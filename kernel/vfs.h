/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTFTPD_VFS_H
#define KTFTPD_VFS_H

#include <linux/fs.h>
#include <linux/path.h>

struct tftp_refusal;

/*
 * Open @name for reading, beneath @root and never outside it.  Returns
 * true with the file and its size, or false with @ref set (its code may
 * be 0, "not defined").  With @fold_case, a name that does not exist is
 * looked for ignoring case (ktftpd_vfs_fold_case()); *@folded then gets
 * the name opened (kmalloc'd), and is NULL when the name was exact.
 */
bool ktftpd_vfs_open(const struct path *root, const char *name,
		     bool world_readable, bool fold_case, char **folded,
		     struct file **filp, loff_t *size, struct tftp_refusal *ref);

/*
 * The name beneath @root that @name spells ignoring ASCII case, component
 * by component, kmalloc'd; NULL if there is none (or it costs too much).
 * It is only a spelling: open it with the beneath-root lookup.
 */
char *ktftpd_vfs_fold_case(const struct path *root, const char *name);

/* Read up to @len bytes at @pos; short only at end of file.  0 or -errno. */
ssize_t ktftpd_vfs_read(struct file *file, void *buf, size_t len, loff_t pos);

#endif /* KTFTPD_VFS_H */
