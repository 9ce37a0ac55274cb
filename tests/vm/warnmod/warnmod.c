// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the VM harness's self-tests: loaded, it commits the
 * fault its "fault" parameter names, and the harness must then fail the run.
 *   warn  (default) a WARN (the guest boots with panic_on_warn)
 *   uaf   a read after kfree (KASAN, the debug kernel)
 *   leak  a kmalloc nobody frees (kmemleak's scan, the debug kernel)
 *   lock  two locks taken in both orders (lockdep, the debug kernel)
 *   race  a plain variable read and incremented with no lock, by threads
 *         on each CPU and a timer, until unloaded (KCSAN, its kernel)
 */
#include <linux/module.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/kthread.h>
#include <linux/err.h>
#include <linux/timer.h>
#include <linux/jiffies.h>

static char *fault = "warn";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "warn, uaf, leak, lock or race");

static void *leaked;
static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);

/*
 * The data race: a plain counter, written and read with no lock.  A
 * reader thread on CPU 0 reads it; a writer thread on the last CPU
 * increments it (a race across CPUs, seen when the emulator runs both at
 * once), and so does a timer on CPU 0 every jiffy (a task racing with a
 * softirq on one CPU, which KCSAN's interrupt watcher sees even when the
 * emulator runs one vCPU at a time, as on a loaded host).
 */
static unsigned long racy;
/*
 * Where the reader puts what it read (marked: only the reader writes it).
 * A read whose value went nowhere was compiled away, and with it the race.
 */
static unsigned long race_seen, race_reads;
static struct task_struct *race_reader, *race_writer;
static struct timer_list race_timer;

static noinline void race_write(void)
{
	racy++;
}

static noinline unsigned long race_read(void)
{
	return racy;
}

static int race_read_loop(void *unused)
{
	while (!kthread_should_stop()) {
		WRITE_ONCE(race_seen, race_read());
		WRITE_ONCE(race_reads, race_reads + 1);
		cond_resched();
	}
	return 0;
}

static int race_write_loop(void *unused)
{
	while (!kthread_should_stop()) {
		race_write();
		cond_resched();
	}
	return 0;
}

static void race_tick(struct timer_list *t)
{
	race_write();
	mod_timer(t, jiffies + 1);
}

static void race_stop(void)
{
	if (!IS_ERR_OR_NULL(race_reader))
		kthread_stop(race_reader);
	if (!IS_ERR_OR_NULL(race_writer))
		kthread_stop(race_writer);
	race_reader = NULL;
	race_writer = NULL;
	/* No longer re-armed by its callback either. */
	timer_shutdown_sync(&race_timer);
	if (!strcmp(fault, "race"))	/* how long each side went on */
		pr_info("warnmod: %lu writes, %lu reads\n", READ_ONCE(racy),
			READ_ONCE(race_reads));
}

static struct task_struct *race_thread(int (*fn)(void *), unsigned int cpu)
{
	struct task_struct *t = kthread_create(fn, NULL, "warnmod-race/%u", cpu);

	if (!IS_ERR(t)) {
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	return t;
}

static int race_start(void)
{
	race_reader = race_thread(race_read_loop, 0);
	race_writer = race_thread(race_write_loop, num_online_cpus() - 1);
	if (IS_ERR(race_reader) || IS_ERR(race_writer)) {
		int err = IS_ERR(race_reader) ? PTR_ERR(race_reader) :
			  PTR_ERR(race_writer);

		race_stop();
		return err;
	}
	race_timer.expires = jiffies + 1;
	add_timer_on(&race_timer, 0);
	return 0;
}

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
	timer_setup(&race_timer, race_tick, 0);
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
	if (!strcmp(fault, "race"))
		return race_start();
	WARN(1, "ktftpd harness self-test: deliberate WARN\n");
	return 0;
}

static void __exit warnmod_exit(void)
{
	race_stop();
}

module_init(warnmod_init);
module_exit(warnmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktftpd VM harness self-test: a deliberate fault on load");
