// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic uploads: see upload.h.  The policy (tftp-hpa's, without its
 * non-atomic writes): an existing target must be a world-writable regular
 * file; a new one may be made only when create is on.  The directory is
 * found with LOOKUP_BENEATH like every read, and the only names created
 * in it are our own single-component temporary names, with O_EXCL and
 * O_NOFOLLOW, so nothing can be written outside root.  The policy is
 * checked when the upload starts, for a prompt answer, and again under
 * the directory's lock at the rename, which is the moment that counts.
 * Every step runs as the serving identity (identity.h): the directory's
 * own permissions, its sticky bit and the identity's quota apply, and
 * what is created is the identity's.
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string.h>
#include "compat.h"
#include "identity.h"
#include "proto.h"
#include "upload.h"

#define KTFTPD_LOOKUP_TRIES 4
/* Never world-readable while incomplete: the server will not serve it. */
#define UPLOAD_TEMP_MODE 0600

struct ktftpd_upload {
	struct path dir;		/* the target's directory, beneath root */
	struct file *file;		/* the temporary file in it */
	char target[NAME_MAX + 1];
	umode_t mode;			/* the final file's permission bits */
	struct ktftpd_upload_policy policy;
	loff_t pos;
	bool committed;
};

bool ktftpd_upload_refuse(int err, struct tftp_refusal *ref)
{
	switch (err) {
	case -ENOSPC:
	case -EDQUOT:
	case -EFBIG:
		return tftp_refuse(ref, TFTP_ENOSPACE,
				   "Disk full or allocation exceeded");
	case -ENOENT:
	case -ENOTDIR:
		return tftp_refuse(ref, TFTP_ENOTFOUND, "File not found");
	case -ENAMETOOLONG:
		/* A client's mistake, answered as a read's would be. */
		return tftp_refuse(ref, TFTP_ENOTFOUND, "File name too long");
	case -EXDEV:
	case -ELOOP:
		return tftp_refuse(ref, TFTP_EACCESS,
				   "Access violation: outside the served root");
	case -EACCES:
	case -EPERM:
	case -EROFS:
	case -EISDIR:
		return tftp_refuse(ref, TFTP_EACCESS, "Access violation");
	default:
		pr_warn_ratelimited("ktftpd: upload failed: %d\n", err);
		return tftp_refuse(ref, TFTP_EUNDEF, "Write error");
	}
}

/* Is writing over @target (negative: absent) allowed?  0 or -errno. */
static int target_allowed(const struct ktftpd_upload *u, struct dentry *target,
			  umode_t *mode)
{
	struct inode *inode;

	if (d_really_is_negative(target)) {
		if (!u->policy.create)
			return -ENOENT;
		*mode = u->policy.create_mode & 0777;
		return 0;
	}
	/* A symlink, directory or device is never replaced. */
	if (!d_is_reg(target))
		return -EACCES;
	inode = d_inode(target);
	if (!(inode->i_mode & 0002))
		return -EACCES;
	*mode = inode->i_mode & 0777;
	return 0;
}

/* Split @name into its directory (looked up beneath @root) and last part. */
static int upload_resolve(struct ktftpd_upload *u, const struct path *root,
			  const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *last = slash ? slash + 1 : name;
	size_t last_len = strlen(last);
	char *dirname;
	int err, tries = 0;

	if (last_len == 0 || last_len > NAME_MAX)
		return last_len ? -ENAMETOOLONG : -EISDIR;
	if (!strcmp(last, ".") || !strcmp(last, ".."))
		return -EXDEV;
	memcpy(u->target, last, last_len + 1);

	if (!slash) {
		u->dir = *root;
		path_get(&u->dir);
		return 0;
	}
	dirname = kstrndup(name, slash - name, GFP_KERNEL);
	if (!dirname)
		return -ENOMEM;
	do {
		err = vfs_path_lookup(root->dentry, root->mnt, dirname,
				      LOOKUP_FOLLOW | LOOKUP_DIRECTORY |
				      LOOKUP_BENEATH, &u->dir);
	} while (err == -EAGAIN && ++tries < KTFTPD_LOOKUP_TRIES);
	kfree(dirname);
	return err;
}

/* Kernel state is never written, even where it is mounted beneath root. */
static int upload_check_dir(struct ktftpd_upload *u)
{
	return ktftpd_identity_pseudo_fs(u->dir.dentry->d_sb) ? -EACCES : 0;
}

static int upload_check_target(struct ktftpd_upload *u)
{
	struct dentry *target;
	int err;

	target = ktftpd_lookup_one_unlocked(u->target, u->dir.dentry);
	if (IS_ERR(target))
		return PTR_ERR(target);
	err = target_allowed(u, target, &u->mode);
	dput(target);
	return err;
}

static int upload_create_temp(struct ktftpd_upload *u)
{
	char temp[32];
	struct file *file;

	/* Unpredictable, and O_EXCL: an attacker's file is never reused. */
	snprintf(temp, sizeof(temp), ".ktftpd-%016llx.tmp", get_random_u64());
	file = file_open_root(&u->dir, temp,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			      O_LARGEFILE, UPLOAD_TEMP_MODE);
	if (IS_ERR(file))
		return PTR_ERR(file);
	u->file = file;
	return 0;
}

struct ktftpd_upload *ktftpd_upload_begin(const struct path *root,
					  const char *name,
					  const struct ktftpd_upload_policy *policy,
					  struct tftp_refusal *ref)
{
	struct ktftpd_upload *u;
	int err;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u) {
		tftp_refuse(ref, TFTP_EUNDEF, "Out of memory");
		return NULL;
	}
	u->policy = *policy;
	err = upload_resolve(u, root, name);
	if (err) {
		u->dir.dentry = NULL;
		goto fail;
	}
	err = upload_check_dir(u);
	if (!err)
		err = upload_check_target(u);
	if (!err)
		err = upload_create_temp(u);
	if (err)
		goto fail;
	return u;

fail:
	ktftpd_upload_free(u);
	ktftpd_upload_refuse(err, ref);
	return NULL;
}

int ktftpd_upload_write(struct ktftpd_upload *u, const void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = kernel_write(u->file, buf, len, &u->pos);
		if (n < 0)
			return n;
		if (n == 0)
			return -EIO;
		buf = (const u8 *)buf + n;
		len -= n;
	}
	return 0;
}

static int upload_set_mode(struct ktftpd_upload *u)
{
	struct dentry *dentry = u->file->f_path.dentry;
	struct inode *inode = d_inode(dentry);
	struct iattr attr = {
		.ia_valid = ATTR_MODE,
		.ia_mode = S_IFREG | u->mode,
	};
	int err;

	inode_lock(inode);
	err = notify_change(ktftpd_mnt_idmap(u->file->f_path.mnt), dentry,
			    &attr, NULL);
	inode_unlock(inode);
	return err;
}

/* Rename the temporary file over the target; the directory is locked. */
static int upload_rename_locked(struct ktftpd_upload *u)
{
	struct dentry *dir = u->dir.dentry;
	struct dentry *temp = u->file->f_path.dentry;
	struct dentry *target;
	umode_t mode;
	int err;

	/* Someone with access to the directory may have moved our file. */
	if (temp->d_parent != dir || d_unhashed(temp))
		return -ENOENT;
	target = ktftpd_lookup_one(u->target, dir);
	if (IS_ERR(target))
		return PTR_ERR(target);
	err = target_allowed(u, target, &mode);
	if (!err) {
		struct renamedata rd = {
			KTFTPD_RENAMEDATA(ktftpd_mnt_idmap(u->dir.mnt), dir),
			.old_dentry = temp,
			.new_dentry = target,
		};

		/* As rename(2) would, hold the source by a lookup's reference. */
		dget(temp);
		err = vfs_rename(&rd);
		dput(temp);
	}
	dput(target);
	return err;
}

/*
 * The rename is in the directory: until the directory is synced, a power
 * cut may undo it (ext4 commits its journal every 5 s), and a client told
 * "stored" by the last ACK would find the old file.
 */
static int upload_sync_dir(struct ktftpd_upload *u)
{
	struct file *dir;
	int err;

	dir = dentry_open(&u->dir, O_RDONLY | O_DIRECTORY, current_cred());
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	/*
	 * A file system whose directories have no fsync (vboxsf, hfs...)
	 * cannot do better: vfs_fsync() would fail every upload with -EINVAL
	 * after its rename.
	 */
	err = dir->f_op->fsync ? vfs_fsync(dir, 0) : 0;
	fput(dir);
	return err;
}

int ktftpd_upload_commit(struct ktftpd_upload *u)
{
	int err;

	/* Data before the name: the rename must never expose a short file. */
	if (u->policy.sync) {
		err = vfs_fsync(u->file, 0);
		if (err)
			return err;
	}
	err = upload_set_mode(u);
	if (err)
		return err;
	err = mnt_want_write(u->dir.mnt);
	if (err)
		return err;
	inode_lock_nested(d_inode(u->dir.dentry), I_MUTEX_PARENT);
	err = upload_rename_locked(u);
	inode_unlock(d_inode(u->dir.dentry));
	mnt_drop_write(u->dir.mnt);
	if (err)
		return err;
	u->committed = true;
	return u->policy.sync ? upload_sync_dir(u) : 0;
}

static void upload_remove_temp(struct ktftpd_upload *u)
{
	struct dentry *dir = u->dir.dentry;
	struct dentry *temp = u->file->f_path.dentry;
	int err;

	err = mnt_want_write(u->dir.mnt);
	if (err)
		goto out;
	/*
	 * Our own reference, as unlink(2) holds one from its lookup: with
	 * only the open file's, d_delete() would turn the dentry negative
	 * under the file, and the file's last fput would find no inode.
	 */
	dget(temp);
	inode_lock_nested(d_inode(dir), I_MUTEX_PARENT);
	if (temp->d_parent == dir && !d_unhashed(temp) && d_is_positive(temp))
		err = vfs_unlink(ktftpd_mnt_idmap(u->dir.mnt), d_inode(dir),
				 temp, NULL);
	inode_unlock(d_inode(dir));
	dput(temp);
	mnt_drop_write(u->dir.mnt);
out:
	if (err)
		pr_warn_ratelimited("ktftpd: could not remove an upload's temporary file: %d\n",
				    err);
}

void ktftpd_upload_free(struct ktftpd_upload *u)
{
	if (!u)
		return;
	if (u->file) {
		if (!u->committed)
			upload_remove_temp(u);
		fput(u->file);
	}
	if (u->dir.dentry)
		path_put(&u->dir);
	kfree(u);
}
