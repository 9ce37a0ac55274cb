// SPDX-License-Identifier: GPL-2.0
/*
 * Object lifetime accounting (see lifetime.h).  Plain atomics: a transfer
 * is created and freed once each, far from any per-packet path.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/printk.h>
#include "lifetime.h"

static atomic_long_t created[KTFTPD_OBJ_COUNT];
static atomic_long_t freed[KTFTPD_OBJ_COUNT];

static const char *const object_name[KTFTPD_OBJ_COUNT] = {
	[KTFTPD_OBJ_XFER]	= "transfers",
	[KTFTPD_OBJ_CONFIG]	= "configs",
	[KTFTPD_OBJ_RULES]	= "rule lists",
};

void ktftpd_lifetime_created(enum ktftpd_object obj)
{
	atomic_long_inc(&created[obj]);
}

void ktftpd_lifetime_freed(enum ktftpd_object obj)
{
	atomic_long_inc(&freed[obj]);
}

void ktftpd_lifetime_check(void)
{
	long c[KTFTPD_OBJ_COUNT], f[KTFTPD_OBJ_COUNT];
	bool balanced = true;
	int i;

	for (i = 0; i < KTFTPD_OBJ_COUNT; i++) {
		c[i] = atomic_long_read(&created[i]);
		f[i] = atomic_long_read(&freed[i]);
		WARN(c[i] != f[i], "ktftpd: %s: %ld created, %ld freed\n",
		     object_name[i], c[i], f[i]);
		balanced &= c[i] == f[i];
	}
	if (balanced)
		pr_info("ktftpd: unloaded; every object freed: %ld %s, %ld %s, %ld %s\n",
			c[KTFTPD_OBJ_XFER], object_name[KTFTPD_OBJ_XFER],
			c[KTFTPD_OBJ_CONFIG], object_name[KTFTPD_OBJ_CONFIG],
			c[KTFTPD_OBJ_RULES], object_name[KTFTPD_OBJ_RULES]);
}
