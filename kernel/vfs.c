// SPDX-License-Identifier: GPL-2.0
/*
 * Confined file access: only regular files beneath root that the serving
 * identity may read (the caller runs as it: identity.h), and by default
 * only world-readable ones too (the rule of Rubini's sample), found with
 * the kernel's own beneath-root lookup rather than string tricks.  The
 * walk checks search permission on every directory as that identity.
 * LOOKUP_BENEATH makes the walk fail with EXDEV on anything that would
 * leave root: "..", absolute symlinks, relative symlinks that climb
 * out, and races that rename a directory from under the walk (which the
 * kernel reports as EAGAIN).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include "compat.h"
#include "identity.h"
#include "proto.h"
#include "vfs.h"

/* How often a lookup raced by a rename is retried before giving up. */
#define KTFTPD_LOOKUP_TRIES 4

/* Refuse with the ERROR that answers a failed lookup; returns false. */
static bool lookup_refuse(int err, struct tftp_refusal *ref)
{
	switch (err) {
	case -ENOENT:
	case -ENOTDIR:
		return tftp_refuse(ref, TFTP_ENOTFOUND, "File not found");
	case -ENAMETOOLONG:
		return tftp_refuse(ref, TFTP_ENOTFOUND, "File name too long");
	case -EXDEV:
	case -ELOOP:
		return tftp_refuse(ref, TFTP_EACCESS,
				   "Access violation: outside the served root");
	case -EACCES:
	case -EPERM:
		return tftp_refuse(ref, TFTP_EACCESS, "Access violation");
	case -EWOULDBLOCK:
		/* A lease's holder was told to let go: asked again, it may have. */
		return tftp_refuse(ref, TFTP_EUNDEF, "File busy: try again");
	default:
		pr_warn_ratelimited("ktftpd: open failed: %d\n", err);
		return tftp_refuse(ref, TFTP_EUNDEF, "Cannot open file");
	}
}

static int lookup_beneath(const struct path *root, const char *name,
			  struct path *path)
{
	int err, tries = 0;

	do {
		err = vfs_path_lookup(root->dentry, root->mnt, name,
				      LOOKUP_FOLLOW | LOOKUP_BENEATH, path);
	} while (err == -EAGAIN && ++tries < KTFTPD_LOOKUP_TRIES);
	return err;
}

bool ktftpd_vfs_open(const struct path *root, const char *name,
		     bool world_readable, bool fold_case, char **folded,
		     struct file **filp, loff_t *size, struct tftp_refusal *ref)
{
	struct inode *inode;
	struct file *file;
	struct path path;
	int err;

	*folded = NULL;
	err = lookup_beneath(root, name, &path);
	if (err == -ENOENT && fold_case) {
		char *other = ktftpd_vfs_fold_case(root, name);

		if (other && strcmp(other, name))
			err = lookup_beneath(root, other, &path);
		if (err)
			kfree(other);
		else
			*folded = other;
	}
	if (err)
		return lookup_refuse(err, ref);

	if (!d_is_reg(path.dentry) ||
	    ktftpd_identity_pseudo_fs(path.dentry->d_sb)) {
		path_put(&path);
		return tftp_refuse(ref, TFTP_EACCESS,
				   "Access violation: not a regular file");
	}
	/* dentry_open checks no permission itself: open(2) would. */
	err = inode_permission(ktftpd_mnt_idmap(path.mnt), d_inode(path.dentry),
			       MAY_READ);
	if (err) {
		path_put(&path);
		return lookup_refuse(err, ref);
	}
	/*
	 * O_NONBLOCK: a lease is broken without waiting for its holder (a
	 * local user may hold one and never let go), as nfsd opens.  The flag
	 * is then dropped, as fcntl would: reads of the file should wait for
	 * their data on filesystems that honour it.
	 */
	file = dentry_open(&path, O_RDONLY | O_LARGEFILE | O_NONBLOCK,
			   current_cred());
	path_put(&path);
	if (IS_ERR(file))
		return lookup_refuse(PTR_ERR(file), ref);
	spin_lock(&file->f_lock);
	file->f_flags &= ~O_NONBLOCK;
	spin_unlock(&file->f_lock);

	/* Check the opened inode itself, not a name that may have moved. */
	inode = file_inode(file);
	if (!S_ISREG(inode->i_mode)) {
		fput(file);
		return tftp_refuse(ref, TFTP_EACCESS,
				   "Access violation: not a regular file");
	}
	if (world_readable && !(inode->i_mode & 0004)) {
		fput(file);
		return tftp_refuse(ref, TFTP_EACCESS,
				   "Access violation: not world-readable");
	}
	*size = i_size_read(inode);
	*filp = file;
	return true;
}

ssize_t ktftpd_vfs_read(struct file *file, void *buf, size_t len, loff_t pos)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = kernel_read(file, (char *)buf + done, len - done, &pos);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}
