// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for race tests: it widens windows so that a test can
 * act inside them.  Loaded with func=F1[,F2], delay_ms=D1[,D2] and
 * max_hits=M1[,M2], it busy-waits Dn when a call of Fn returns, the first
 * Mn times (1 unless told) a workqueue worker (a transfer's run, not the
 * listener thread) makes that call.  hits (in /sys/module/racemod/
 * parameters/) counts each one's waits begun, "N1,N2": a test polls it to
 * know it is inside a window.  at_entry=1 (per function) waits when the
 * call begins instead, and any_task=1 (per function) counts any task's
 * call, such as a sysctl writer's.  A wait is a delay loop, as a
 * kretprobe handler may not sleep: keep it seconds, well under the
 * soft-lockup watchdog's 20 s.
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/delay.h>
#include <linux/sched.h>

#define RACEMOD_PROBES 2

static char *func[RACEMOD_PROBES];
static int n_func;
module_param_array(func, charp, &n_func, 0444);
MODULE_PARM_DESC(func, "the functions whose returns are delayed");

static unsigned int delay_ms[RACEMOD_PROBES] = { 1000, 1000 };
module_param_array(delay_ms, uint, NULL, 0444);
MODULE_PARM_DESC(delay_ms, "how long each function's delayed return waits");

static unsigned int max_hits[RACEMOD_PROBES] = { 1, 1 };
module_param_array(max_hits, uint, NULL, 0444);
MODULE_PARM_DESC(max_hits, "how many returns of each function are delayed, at most");

struct racemod_probe {
	struct kretprobe rp;
	unsigned int delay_ms;
	unsigned int max_hits;
	bool any_task;
	atomic_t hits;
};

static bool at_entry[RACEMOD_PROBES];
module_param_array(at_entry, bool, NULL, 0444);
MODULE_PARM_DESC(at_entry, "wait when each function's call begins, not when it returns");

static bool any_task[RACEMOD_PROBES];
module_param_array(any_task, bool, NULL, 0444);
MODULE_PARM_DESC(any_task, "delay any task's call of each function, not only a worker's");

static struct racemod_probe probes[RACEMOD_PROBES];

static int hits_get(char *buf, const struct kernel_param *kp)
{
	int i, n = 0;

	for (i = 0; i < n_func; i++)
		n += sysfs_emit_at(buf, n, "%s%d", i ? "," : "",
				   atomic_read(&probes[i].hits));
	return n + sysfs_emit_at(buf, n, "\n");
}

static const struct kernel_param_ops hits_ops = { .get = hits_get };
module_param_cb(hits, &hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "each function's delayed returns begun so far");

static int delay(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *rp = get_kretprobe(ri);
	struct racemod_probe *p;
	unsigned int ms;

	if (!rp)
		return 0;
	p = container_of(rp, struct racemod_probe, rp);
	if (!p->any_task && !(current->flags & PF_WQ_WORKER))
		return 0;
	if (atomic_inc_return(&p->hits) > p->max_hits) {
		atomic_dec(&p->hits);
		return 0;
	}
	/*
	 * mdelay, not a spin on ktime_get(): our own kernels (no ftrace
	 * kprobes) run an entry handler from int3, interrupts off, and keep
	 * time by jiffies (no ACPI: no HPET or PM timer for the TSC), so the
	 * clock stood still whenever the CPU that ticks it waited here.  A
	 * debug-6.12 guest hung so, silent, in test_stop_reads_1_only_once_
	 * the_port_is_closed (3000 ms at entry).
	 */
	for (ms = p->delay_ms; ms; ms--)
		mdelay(1);
	return 0;
}

static void unregister_first(int n)
{
	while (n--)
		unregister_kretprobe(&probes[n].rp);
}

static int __init racemod_init(void)
{
	int i, err;

	if (!n_func)
		return -EINVAL;
	for (i = 0; i < n_func; i++) {
		if (delay_ms[i] > 10000) {
			unregister_first(i);
			return -EINVAL;
		}
		probes[i].delay_ms = delay_ms[i];
		probes[i].max_hits = max_hits[i];
		probes[i].any_task = any_task[i];
		probes[i].rp.kp.symbol_name = func[i];
		if (at_entry[i])
			probes[i].rp.entry_handler = delay;
		else
			probes[i].rp.handler = delay;
		probes[i].rp.maxactive = 16;
		err = register_kretprobe(&probes[i].rp);
		if (err) {
			unregister_first(i);
			return err;
		}
	}
	return 0;
}

static void __exit racemod_exit(void)
{
	unregister_first(n_func);
}

module_init(racemod_init);
module_exit(racemod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktftpd race tests: delay functions' calls or returns");
