// SPDX-License-Identifier: GPL-2.0
/*
 * The case_insensitive fallback: the name a request meant when it names
 * nothing as written, found ignoring ASCII case (a Windows boot manager
 * asks for boot/bcd where the disk has Boot/BCD).
 *
 * It only spells a name: each component that does not exist as written is
 * looked for by one scan of its directory, and the name it finds is then
 * opened by the caller through the same beneath-root lookup as any other
 * (vfs.c), so nothing here decides what may be reached.  Every lookup
 * and scan runs as the serving identity (the caller's creds), which must
 * be allowed to read a directory to have it scanned.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "compat.h"
#include "identity.h"
#include "vfs.h"

/*
 * Bounds on what one request may cost: a name of many components, or a
 * directory of very many entries, gets "not found" instead.
 */
#define FOLD_COMPONENTS_MAX	32
#define FOLD_SCAN_MAX		65536

struct fold_scan {
	struct dir_context ctx;
	const char *want;
	int want_len;
	unsigned int seen;
	bool found;
	char best[NAME_MAX + 1];
};

/*
 * Of the entries equal to @want ignoring case, keep the least by strcmp:
 * the same one each time, whatever the directory's order.
 */
static bool fold_actor(struct dir_context *ctx, const char *name, int len,
		       loff_t off, u64 ino, unsigned int type)
{
	struct fold_scan *s = container_of(ctx, struct fold_scan, ctx);

	if (++s->seen > FOLD_SCAN_MAX)
		return false;
	if (len != s->want_len || len > NAME_MAX ||
	    strncasecmp(name, s->want, len))
		return true;
	if (!s->found || strncmp(name, s->best, len) < 0) {
		memcpy(s->best, name, len);
		s->best[len] = '\0';
		s->found = true;
	}
	return true;
}

/* Find @want (@len bytes) in directory @dir, ignoring case. */
static int fold_scan_dir(const struct path *dir, const char *want, int len,
			 char *found)
{
	struct fold_scan s = {
		.ctx.actor = fold_actor,
		.want = want,
		.want_len = len,
	};
	struct file *file;
	int err;

	/* Never listed, as never served (identity.c). */
	if (ktftpd_identity_pseudo_fs(dir->dentry->d_sb))
		return -ENOENT;
	err = inode_permission(ktftpd_mnt_idmap(dir->mnt), d_inode(dir->dentry),
			       MAY_READ | MAY_EXEC);
	if (err)
		return err;
	file = dentry_open(dir, O_RDONLY | O_DIRECTORY | O_LARGEFILE,
			   current_cred());
	if (IS_ERR(file))
		return PTR_ERR(file);
	err = iterate_dir(file, &s.ctx);
	fput(file);
	if (err)
		return err;
	if (s.seen > FOLD_SCAN_MAX || !s.found)
		return -ENOENT;
	strscpy(found, s.best, NAME_MAX + 1);
	return 0;
}

/* Look @rel (NUL-terminated, "" for root itself) up beneath @root. */
static int fold_lookup(const struct path *root, const char *rel,
		       unsigned int flags, struct path *out)
{
	if (!*rel) {
		*out = *root;
		path_get(out);
		return 0;
	}
	return vfs_path_lookup(root->dentry, root->mnt, rel,
			       flags | LOOKUP_BENEATH, out);
}

char *ktftpd_vfs_fold_case(const struct path *root, const char *name)
{
	size_t cap = strlen(name) + 1, used = 0;
	unsigned int components = 0;
	const char *p = name;
	char *out, *comp;
	int err = 0;

	out = kmalloc(cap, GFP_KERNEL);
	comp = kmalloc(NAME_MAX + 1, GFP_KERNEL);
	if (!out || !comp)
		goto fail;
	out[0] = '\0';
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t len = end - p;
		struct path dir, here;

		if (!len || len > NAME_MAX || ++components > FOLD_COMPONENTS_MAX)
			goto fail;
		/* Spelled the same length as asked: @out never outgrows @cap. */
		memcpy(comp, p, len);
		comp[len] = '\0';
		err = fold_lookup(root, out, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
				  &dir);
		if (err)
			goto fail;
		err = vfs_path_lookup(dir.dentry, dir.mnt, comp,
				      LOOKUP_BENEATH, &here);
		if (!err)
			path_put(&here);
		else if (err == -ENOENT && strcmp(comp, ".") && strcmp(comp, ".."))
			err = fold_scan_dir(&dir, comp, len, comp);
		path_put(&dir);
		if (err)
			goto fail;
		used += scnprintf(out + used, cap - used, "%s%s",
				  used ? "/" : "", comp);
		p = *end ? end + 1 : end;
	}
	kfree(comp);
	return out;
fail:
	kfree(comp);
	kfree(out);
	return NULL;
}
