/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Object lifetime accounting: every transfer, config and rule list the module
 * creates is counted, and so is every one it frees.  At unload the two
 * must match, or the module WARNs (which the test harness turns into a
 * failure): a leak shows at the first rmmod, not as slow slab growth.
 */
#ifndef KTFTPD_LIFETIME_H
#define KTFTPD_LIFETIME_H

enum ktftpd_object {
	KTFTPD_OBJ_XFER,
	KTFTPD_OBJ_CONFIG,
	KTFTPD_OBJ_RULES,
	KTFTPD_OBJ_COUNT
};

void ktftpd_lifetime_created(enum ktftpd_object obj);
void ktftpd_lifetime_freed(enum ktftpd_object obj);

/* At unload, after everything is torn down: log the totals, or WARN. */
void ktftpd_lifetime_check(void);

#endif /* KTFTPD_LIFETIME_H */
