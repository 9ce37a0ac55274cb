/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Atomic uploads beneath root.  The data goes to a new temporary file in
 * the target's directory, and replaces the target (by rename) only when
 * the last block is in and synced; an upload that fails, times out or is
 * stopped removes its temporary file and leaves the old file untouched.
 */
#ifndef KTFTPD_UPLOAD_H
#define KTFTPD_UPLOAD_H

#include <linux/fs.h>
#include <linux/path.h>

struct ktftpd_upload;
struct tftp_refusal;

/* The write policy of the config the upload runs under. */
struct ktftpd_upload_policy {
	bool create;		/* new files may be made */
	umode_t create_mode;	/* with these permission bits */
	bool sync;		/* durable before commit returns */
};

/*
 * Check that @name (relative, normalized) may be written beneath @root
 * under @policy, and create the temporary file.  Returns the upload, or
 * NULL with @ref set.
 */
struct ktftpd_upload *ktftpd_upload_begin(const struct path *root,
					  const char *name,
					  const struct ktftpd_upload_policy *policy,
					  struct tftp_refusal *ref);

/* Append @len bytes.  0 or -errno (-ENOSPC, -EDQUOT, -EIO...). */
int ktftpd_upload_write(struct ktftpd_upload *u, const void *buf, size_t len);

/*
 * Move into place, checking the policy again; with policy.sync, the file
 * is synced first and the directory after, so the new file survives a
 * power cut once this returns 0.  0 or -errno; an error after the rename
 * (the directory's sync) leaves the new file in place, not yet durable.
 */
int ktftpd_upload_commit(struct ktftpd_upload *u);

/* Free; the temporary file is removed unless the upload was committed. */
void ktftpd_upload_free(struct ktftpd_upload *u);

/* Set @ref to the ERROR that reports an upload's -errno; returns false. */
bool ktftpd_upload_refuse(int err, struct tftp_refusal *ref);

#endif /* KTFTPD_UPLOAD_H */
