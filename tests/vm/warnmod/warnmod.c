// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the VM harness's self-tests: loaded, it commits the
 * fault its "fault" parameter names, and the harness must then fail the run.
 *   warn  (default) a WARN (the guest boots with panic_on_warn)
 *   uaf   a read after kfree (KASAN, the debug kernel)
 *   leak  a kmalloc nobody frees (kmemleak's scan, the debug kernel)
 *   lock  two locks taken in both orders (lockdep, the debug kernel)
 */
#include <linux/module.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/mutex.h>

static char *fault = "warn";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "warn, uaf, leak or lock");

static void *leaked;
static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);

static noinline int read_after_free(void)
{
	volatile char *p = kmalloc(64, GFP_KERNEL);
	char c;

	if (!p)
		return -ENOMEM;
	kfree((void *)p);
	c = p[8];
	return c ? 0 : 0;
}

static int __init warnmod_init(void)
{
	if (!strcmp(fault, "uaf"))
		return read_after_free();
	if (!strcmp(fault, "leak")) {
		WRITE_ONCE(leaked, kmalloc(128, GFP_KERNEL));
		WRITE_ONCE(leaked, NULL);	/* the only reference, gone */
		return 0;
	}
	if (!strcmp(fault, "lock")) {
		mutex_lock(&lock_a);
		mutex_lock(&lock_b);
		mutex_unlock(&lock_b);
		mutex_unlock(&lock_a);
		mutex_lock(&lock_b);
		mutex_lock(&lock_a);
		mutex_unlock(&lock_a);
		mutex_unlock(&lock_b);
		return 0;
	}
	WARN(1, "ktftpd harness self-test: deliberate WARN\n");
	return 0;
}

static void __exit warnmod_exit(void)
{
}

module_init(warnmod_init);
module_exit(warnmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktftpd VM harness self-test: a deliberate fault on load");
