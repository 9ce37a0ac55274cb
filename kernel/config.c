// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration in force: one immutable struct published with RCU,
 * replaced whole under config_lock.  sysctl and netlink both change it
 * only through the setters here, so the two views can never disagree.
 */
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include "config.h"
#include "validate.h"

static struct ktftpd_config __rcu *current_config;
static DEFINE_MUTEX(config_lock);

static void config_release(struct kref *ref)
{
	struct ktftpd_config *cfg = container_of(ref, struct ktftpd_config, ref);

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
	if (next)
		kref_init(&next->ref);
	return next;
}

int ktftpd_config_set_port(long port)
{
	struct ktftpd_config *next;

	if (!ktftpd_port_valid(port))
		return -EINVAL;
	mutex_lock(&config_lock);
	next = config_copy_locked();
	if (next) {
		next->port = port;
		config_publish(next);
	}
	mutex_unlock(&config_lock);
	return next ? 0 : -ENOMEM;
}

int ktftpd_config_set_root(const char *root, size_t len)
{
	struct ktftpd_config *next;

	if (!ktftpd_root_valid(root, len))
		return -EINVAL;
	mutex_lock(&config_lock);
	next = config_copy_locked();
	if (next) {
		memcpy(next->root, root, len);
		next->root[len] = '\0';
		config_publish(next);
	}
	mutex_unlock(&config_lock);
	return next ? 0 : -ENOMEM;
}

int ktftpd_config_init(void)
{
	struct ktftpd_config *cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);

	if (!cfg)
		return -ENOMEM;
	kref_init(&cfg->ref);
	cfg->port = KTFTPD_DEFAULT_PORT;
	strscpy(cfg->root, KTFTPD_DEFAULT_ROOT, sizeof(cfg->root));
	RCU_INIT_POINTER(current_config, cfg);
	return 0;
}

void ktftpd_config_exit(void)
{
	struct ktftpd_config *cfg;

	cfg = rcu_replace_pointer(current_config, NULL, true);
	ktftpd_config_put(cfg);
}
