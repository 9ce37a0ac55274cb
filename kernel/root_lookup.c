// SPDX-License-Identifier: GPL-2.0
/*
 * Looking up a new root, which may wait on a file system for ever (a hung
 * NFS or FUSE mount), without making its writer wait past its namespace's
 * end.  A sysctl handler that has not returned holds up the unregistering
 * of its namespace's table, and so the kernel's namespace cleanup, which
 * is one worker for the whole host; the writer also holds the server's
 * lock, which the namespace's shutdown takes.
 *
 * So the lookup runs in a thread of its own, as the writer would do it
 * (from its root directory, with its credentials), and the writer waits
 * for it only until the server shuts down or the writer is killed.  An
 * abandoned lookup ends when the file system answers, and until then
 * holds the module (rmmod is refused, EBUSY) and its server.  A thread,
 * not a shared workqueue, so that one namespace's hung lookups never hold
 * up another's; and a kernel thread is charged to no one, so a writer who
 * gives up again and again (in namespace after namespace) cannot pile
 * them up: a server has one lookup going at most, and a user (the
 * writer's uid, the same in every user namespace) a few.
 *
 * Running in another thread changes what a name that depends on the
 * caller means: /proc/self is the lookup's thread, whose root is the
 * host's.  So a root never passes through a magic link (/proc/PID/root,
 * /dev/fd/N) and never ends in procfs (/proc/net is /proc/self/net).
 * At load the lookup is insmod's own, as before: a failed init frees the
 * module at once, and must not leave a thread running its code; anyone
 * else is asked to try again once the module is loaded.
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs_struct.h>
#include <linux/kthread.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include "compat.h"
#include "root_lookup.h"
#include "server.h"

/* How often a waiting writer looks whether its server is shutting down. */
#define KTFTPD_LOOKUP_POLL_MS 100
/* Lookups going on at once for one user, abandoned ones included. */
#define KTFTPD_LOOKUPS_PER_USER 4
#define KTFTPD_LOOKUP_FLAGS \
	(LOOKUP_FOLLOW | LOOKUP_DIRECTORY | LOOKUP_NO_MAGICLINKS)

/* A user with lookups going on, on lookup_users. */
struct lookup_user {
	struct list_head node;
	kuid_t uid;
	unsigned int n;
};

static LIST_HEAD(lookup_users);
static DEFINE_SPINLOCK(lookup_users_lock);
/* insmod's thread, while it loads the module: it looks up itself. */
static struct task_struct *loader;

struct root_lookup {
	struct ktftpd_server *srv;	/* held: its one lookup is this */
	kuid_t uid;			/* the writer's, counted on lookup_users */
	refcount_t users;		/* the writer and the thread */
	struct path from;		/* the writer's root directory */
	const struct cred *cred;	/* the writer's */
	wait_queue_head_t wq;		/* its lock guards what follows */
	bool done;
	bool taken;			/* the writer took @found */
	int err;
	struct path found;
	char name[];
};

/* What @err from a lookup of a root means, for the caller's "why". */
static const char *lookup_why(int err)
{
	switch (err) {
	case -ELOOP:
		return "root passes through a magic link (/proc/PID/root, /dev/fd) or symlink loop";
	case -ESHUTDOWN:
		return "the server shut down while root was looked up";
	case -EINTR:
		return "killed while root was looked up";
	case -EBUSY:
		return "a lookup of root is still waiting on its file system";
	case -EUSERS:
		return "this user's lookups of root are still waiting on their file systems";
	case -EAGAIN:
		return "the module is still loading: try again";
	case -ENOMEM:
		return "out of memory";
	case -EXDEV:
		return "root is in /proc, whose names depend on who looks";
	default:
		return "root does not name a directory";
	}
}

/* The same rules whoever looks. */
static int lookup_checked(const struct path *from, const char *name,
			  struct path *found)
{
	int err;

	err = vfs_path_lookup(from->dentry, from->mnt, name,
			      KTFTPD_LOOKUP_FLAGS, found);
	if (err)
		return err;
	if (found->mnt->mnt_sb->s_magic == PROC_SUPER_MAGIC) {
		path_put(found);
		return -EXDEV;
	}
	return 0;
}

/* Count a lookup for @uid: -EUSERS if it has too many going on. */
static int lookup_user_take(kuid_t uid)
{
	struct lookup_user *u, *spare;
	int err = 0;

	spare = kzalloc(sizeof(*spare), GFP_KERNEL);
	if (!spare)
		return -ENOMEM;
	spin_lock(&lookup_users_lock);
	list_for_each_entry(u, &lookup_users, node)
		if (uid_eq(u->uid, uid))
			goto found;
	u = spare;
	spare = NULL;
	u->uid = uid;
	list_add(&u->node, &lookup_users);
found:
	if (u->n >= KTFTPD_LOOKUPS_PER_USER)
		err = -EUSERS;
	else
		u->n++;
	spin_unlock(&lookup_users_lock);
	kfree(spare);
	return err;
}

static void lookup_user_drop(kuid_t uid)
{
	struct lookup_user *u;

	spin_lock(&lookup_users_lock);
	list_for_each_entry(u, &lookup_users, node) {
		if (!uid_eq(u->uid, uid))
			continue;
		if (!--u->n) {
			list_del(&u->node);
			kfree(u);
		}
		break;
	}
	spin_unlock(&lookup_users_lock);
}

static void root_lookup_put(struct root_lookup *l)
{
	if (!refcount_dec_and_test(&l->users))
		return;
	if (l->done && !l->err && !l->taken)
		path_put(&l->found);
	path_put(&l->from);
	put_cred(l->cred);
	kfree(l);
}

static int root_lookup_thread(void *data)
{
	struct root_lookup *l = data;
	struct ktftpd_server *srv = l->srv;
	const struct cred *old = override_creds(l->cred);
	struct path found;
	int err;

	/* An absolute name starts at @from, as in the writer's own walk. */
	err = lookup_checked(&l->from, l->name, &found);
	revert_creds(old);
	/* Before done: a writer who saw it done may look up again at once. */
	lookup_user_drop(l->uid);
	/* Pairs with root_lookup()'s acquire: who sees it idle sees all this. */
	smp_store_release(&srv->root_lookup_busy, false);
	spin_lock(&l->wq.lock);
	l->err = err;
	if (!err)
		l->found = found;
	l->done = true;
	wake_up_locked(&l->wq);
	spin_unlock(&l->wq.lock);
	root_lookup_put(l);
	ktftpd_server_put(srv);
	module_put_and_kthread_exit(0);
}

/* Wait for @l's thread, until it is done, @srv shuts down or we are killed. */
static int root_lookup_wait(struct ktftpd_server *srv, struct root_lookup *l,
			    struct path *path)
{
	long left;
	int err;

	for (;;) {
		left = wait_event_killable_timeout(l->wq, READ_ONCE(l->done),
						   msecs_to_jiffies(KTFTPD_LOOKUP_POLL_MS));
		if (left < 0)
			return -EINTR;
		spin_lock(&l->wq.lock);
		if (l->done) {
			err = l->err;
			if (!err) {
				*path = l->found;
				l->taken = true;
			}
			spin_unlock(&l->wq.lock);
			return err;
		}
		spin_unlock(&l->wq.lock);
		if (READ_ONCE(srv->unloading))
			return -ESHUTDOWN;
	}
}

static int root_lookup(struct ktftpd_server *srv, const char *name,
		       struct path *path)
{
	size_t len = strlen(name);
	struct task_struct *t;
	struct root_lookup *l;
	struct path from;
	int err;

	if (READ_ONCE(loader) == current) {
		get_fs_root(current->fs, &from);
		err = lookup_checked(&from, name, path);
		path_put(&from);
		return err;
	}
	if (THIS_MODULE->state == MODULE_STATE_COMING)
		return -EAGAIN;
	/* Under srv->lock: no other writer tests and sets it meanwhile. */
	if (smp_load_acquire(&srv->root_lookup_busy))
		return -EBUSY;
	/* Not once rmmod has begun: nothing would hold the module then. */
	if (READ_ONCE(srv->unloading) || !try_module_get(THIS_MODULE))
		return -ESHUTDOWN;
	l = kzalloc(struct_size(l, name, len + 1), GFP_KERNEL);
	if (!l) {
		module_put(THIS_MODULE);
		return -ENOMEM;
	}
	l->uid = current_uid();
	err = lookup_user_take(l->uid);
	if (err) {
		kfree(l);
		module_put(THIS_MODULE);
		return err;
	}
	memcpy(l->name, name, len + 1);
	get_fs_root(current->fs, &l->from);
	l->cred = get_current_cred();
	l->srv = srv;
	refcount_set(&l->users, 2);
	init_waitqueue_head(&l->wq);
	ktftpd_server_get(srv);
	srv->root_lookup_busy = true;
	t = kthread_run(root_lookup_thread, l, "ktftpd-lookup");
	if (IS_ERR(t)) {
		srv->root_lookup_busy = false;
		ktftpd_server_put(srv);
		lookup_user_drop(l->uid);
		refcount_set(&l->users, 1);
		root_lookup_put(l);
		module_put(THIS_MODULE);
		return PTR_ERR(t);
	}
	err = root_lookup_wait(srv, l, path);
	root_lookup_put(l);
	return err;
}

void ktftpd_root_lookup_loading(bool loading)
{
	WRITE_ONCE(loader, loading ? current : NULL);
}

int ktftpd_root_lookup(struct ktftpd_server *srv, const char *name,
		       struct path *path, const char **why)
{
	int err = root_lookup(srv, name, path);

	if (err)
		*why = lookup_why(err);
	return err;
}
