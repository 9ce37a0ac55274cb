// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the VM harness's self-test: it WARNs at load, and
 * the harness must then fail the run (the guest boots with panic_on_warn).
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init warnmod_init(void)
{
	WARN(1, "ktftpd harness self-test: deliberate WARN\n");
	return 0;
}

static void __exit warnmod_exit(void)
{
}

module_init(warnmod_init);
module_exit(warnmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktftpd VM harness self-test: WARN on load");
