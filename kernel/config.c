// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration in force: one immutable struct published with RCU,
 * replaced whole under config_lock.  sysctl and netlink both change it
 * only through the setters here, so the two views can never disagree.
 */
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/namei.h>
#include <linux/path.h>
#include "config.h"
#include "validate.h"

static struct ktftpd_config __rcu *current_config;
static DEFINE_MUTEX(config_lock);

static void config_release(struct kref *ref)
{
	struct ktftpd_config *cfg = container_of(ref, struct ktftpd_config, ref);

	if (cfg->root_ok)
		path_put(&cfg->root_path);
	kfree_rcu(cfg, rcu);
}

struct ktftpd_config *ktftpd_config_get(void)
{
	struct ktftpd_config *cfg;

	/*
	 * The published config always holds one reference of its own, and a
	 * replaced one is freed only after a grace period, so within the read
	 * section the pointer stays valid while we take ours.
	 */
	rcu_read_lock();
	do {
		cfg = rcu_dereference(current_config);
	} while (!kref_get_unless_zero(&cfg->ref));
	rcu_read_unlock();
	return cfg;
}

void ktftpd_config_put(struct ktftpd_config *cfg)
{
	if (cfg)
		kref_put(&cfg->ref, config_release);
}

/* Publish @next (which carries the published reference) and drop @prev's. */
static void config_publish(struct ktftpd_config *next)
{
	struct ktftpd_config *prev;

	prev = rcu_replace_pointer(current_config, next,
				   lockdep_is_held(&config_lock));
	ktftpd_config_put(prev);
}

static struct ktftpd_config *config_copy_locked(void)
{
	struct ktftpd_config *cur, *next;

	cur = rcu_dereference_protected(current_config,
					lockdep_is_held(&config_lock));
	next = kmemdup(cur, sizeof(*cur), GFP_KERNEL);
	if (next) {
		kref_init(&next->ref);
		if (next->root_ok)
			path_get(&next->root_path);
	}
	return next;
}

long ktftpd_config_value(enum ktftpd_param p)
{
	struct ktftpd_config *cfg;
	long v;

	rcu_read_lock();
	cfg = rcu_dereference(current_config);
	v = cfg->val[p];
	rcu_read_unlock();
	return v;
}

int ktftpd_config_set(enum ktftpd_param p, long value)
{
	struct ktftpd_config *next;

	if (!ktftpd_param_valid(p, value))
		return -EINVAL;
	mutex_lock(&config_lock);
	next = config_copy_locked();
	if (next) {
		next->val[p] = value;
		config_publish(next);
	}
	mutex_unlock(&config_lock);
	return next ? 0 : -ENOMEM;
}

/* Resolve @root, which must name a directory, in the caller's context. */
static int resolve_root(const char *root, struct path *path)
{
	return kern_path(root, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, path);
}

int ktftpd_config_set_root(const char *root, size_t len)
{
	struct ktftpd_config *next;
	char buf[KTFTPD_ROOT_MAX];
	struct path path;
	int err;

	if (!ktftpd_root_valid(root, len))
		return -EINVAL;
	memcpy(buf, root, len);
	buf[len] = '\0';
	err = resolve_root(buf, &path);
	if (err)
		return err;

	mutex_lock(&config_lock);
	next = config_copy_locked();
	if (next) {
		if (next->root_ok)
			path_put(&next->root_path);
		memcpy(next->root, buf, len + 1);
		next->root_path = path;
		next->root_ok = true;
		config_publish(next);
	}
	mutex_unlock(&config_lock);
	if (!next) {
		path_put(&path);
		return -ENOMEM;
	}
	return 0;
}

int ktftpd_config_init(void)
{
	struct ktftpd_config *cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	int i;

	if (!cfg)
		return -ENOMEM;
	kref_init(&cfg->ref);
	for (i = 0; i < KTFTPD_P_COUNT; i++)
		cfg->val[i] = ktftpd_params[i].def;
	strscpy(cfg->root, KTFTPD_DEFAULT_ROOT, sizeof(cfg->root));
	/* The default root may well not exist: then start asks for one. */
	cfg->root_ok = resolve_root(cfg->root, &cfg->root_path) == 0;
	RCU_INIT_POINTER(current_config, cfg);
	return 0;
}

void ktftpd_config_exit(void)
{
	struct ktftpd_config *cfg;

	cfg = rcu_replace_pointer(current_config, NULL, true);
	ktftpd_config_put(cfg);
}
