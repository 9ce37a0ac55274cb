"""Whose CPU a benchmark run used, from `perf record -a -g` samples.

On loopback the client and the server share the machine, and much of a
kernel server's work runs in softirq, in whatever process happened to be
on the CPU: process CPU times (getrusage, /proc/PID/stat) cannot separate
them.  Sampling every CPU with call chains can.  Each sample is walked from
the leaf towards the root, and the first of these decides whose it is:

  - a frame in the ktftpd module: the server (ktftpd), in any context:
    its work items, its timers, its fast path inside the softirq that a
    client's send raised;
  - a softirq entry (__do_softirq, handle_softirqs, net_rx_action): the
    network stack's receive side, nobody's: the delivery of the server's
    DATA to the client and of the client's ACK to the server, which every
    server needs alike;
  - the root reached: the process on the CPU: the server if it is one of
    the server's processes (a user-space server with its system calls),
    the client if it is the client, else other.

So every server is charged for its own code and the kernel calls it makes,
down to where the network stack takes the packet, and not for receive
processing that happened to run on its time.  `calibrate` checks the
sampling itself against a busy loop whose CPU time the kernel accounts.
"""
import re
import subprocess
from pathlib import Path

SOFTIRQ_ENTRIES = frozenset({"__do_softirq", "handle_softirqs", "net_rx_action",
                             "do_softirq", "__softirqentry_text_start"})
MODULE_DSO = "[ktftpd]"
HEADER = re.compile(r"^(\S.*?)\s+(\d+)\s+\[(\d+)\]\s*$")
# What perf script must print for samples() to read it.
SCRIPT_FIELDS = "comm,pid,cpu,ip,sym,dso"
FRAME = re.compile(r"^\s+([0-9a-f]+)\s+(.+?)(?:\+0x[0-9a-f]+)?\s+\(([^()]*)\)\s*$")


def samples(script_text):
    """(comm, cpu, [(ip, sym, dso), ...] leaf first) for each sample of
    `perf script -F SCRIPT_FIELDS` output."""
    head, frames = None, []
    for line in script_text.splitlines():
        m = FRAME.match(line)
        if m and head is not None:
            frames.append((int(m.group(1), 16), m.group(2), m.group(3)))
            continue
        h = HEADER.match(line)
        if h or not line.strip():
            if head is not None:
                yield head[0], head[1], frames
            head, frames = None, []
        if h:
            head = (h.group(1).strip(), int(h.group(3)))
    if head is not None:
        yield head[0], head[1], frames


def module_range(modules_text, name="ktftpd"):
    """[start, end) of module @name's memory, from /proc/modules: perf
    names a module's symbols as [kernel.kallsyms] when it cannot find the
    .ko file (one loaded by insmod from a path), so frames are matched by
    address too."""
    for line in modules_text.splitlines():
        f = line.split()
        if len(f) >= 6 and f[0] == name:
            start = int(f[5], 16)
            return start, start + int(f[1])
    return None


def in_module(ip, dso, span):
    return dso == MODULE_DSO or (span is not None and span[0] <= ip < span[1])


def owner(comm, frames, server_comms, client_comms, span=None):
    for ip, sym, dso in frames:
        if in_module(ip, dso, span):
            return "server"
        if sym in SOFTIRQ_ENTRIES:
            return "softirq"
    if comm in server_comms:
        return "server"
    if comm in client_comms:
        return "client"
    return "other"


IDLE_COMMS = frozenset({"swapper"})


def attribute(script_text, server_comms=(), client_comms=("ktftp-bench",), span=None):
    """{"samples": {owner: n}, "per_cpu": {cpu: {owner: n}}, "top": {owner:
    [(leaf symbol, n), ...]}} with owner one of server, client, softirq,
    other and idle (the idle task)."""
    owners = ("server", "client", "softirq", "other", "idle")
    counts = dict.fromkeys(owners, 0)
    per_cpu, leaves = {}, {o: {} for o in owners}
    servers, clients = set(server_comms), set(client_comms)
    for comm, cpu, frames in samples(script_text):
        who = "idle" if comm in IDLE_COMMS and not frames_busy(frames, span) else \
            owner(comm, frames, servers, clients, span)
        counts[who] += 1
        per_cpu.setdefault(cpu, dict.fromkeys(owners, 0))[who] += 1
        leaf = frames[0][1] if frames else "?"
        leaves[who][leaf] = leaves[who].get(leaf, 0) + 1
    top = {o: sorted(v.items(), key=lambda kv: -kv[1])[:12] for o, v in leaves.items()}
    return dict(samples=counts, per_cpu=per_cpu, top=top)


def frames_busy(frames, span):
    """An idle task's sample that is not idling: an interrupt or softirq
    taken while the CPU was idle."""
    return any(in_module(ip, dso, span) or sym in SOFTIRQ_ENTRIES for ip, sym, dso in frames)


# Running perf (in the guest, as root).

PERIOD_NS = 2_000_000   # a cpu-clock sample every 2 ms of each CPU's time


def record(cmd, data):
    """@cmd run under `perf record` of every CPU with call chains.
    cpu-clock: emulated CPUs have no PMU."""
    return ["perf", "record", "-q", "-a", "-g", "-e", "cpu-clock", "-c", str(PERIOD_NS),
            "-o", str(data), "--", *cmd]


def owners(data, server_comms):
    """attribute() of a perf.data file, with "seconds" per owner."""
    script = subprocess.run(["perf", "script", "-i", str(data), "-F", SCRIPT_FIELDS],
                            capture_output=True, text=True, check=True).stdout
    got = attribute(script, server_comms,
                    span=module_range(Path("/proc/modules").read_text()))
    got["seconds"] = {k: v * PERIOD_NS / 1e9 for k, v in got["samples"].items()}
    return got


CALIBRATION_LOOPS = {
    # Each burns SECONDS of CPU, then prints the user and system time the
    # kernel accounted to it.
    "user": "while time.process_time() < SECONDS: pass",
    # Reading /dev/zero is clearing memory in the kernel: system time.
    "kernel": "f = os.open('/dev/zero', os.O_RDONLY); b = bytearray(1 << 20)\n"
              "while time.process_time() < SECONDS: os.readv(f, [b])",
}


def calibrate(workdir, seconds=2.0):
    """The sampling checked against what the kernel accounts to a busy
    loop, in user space and in the kernel, sampled as a server would be."""
    out = []
    for what, loop in CALIBRATION_LOOPS.items():
        data = workdir / "calibrate.data"
        code = f"import os, time\nSECONDS = {seconds}\n{loop}\nt = os.times()\nprint(t.user, t.system)"
        r = subprocess.run(record(["python3", "-c", code], data), check=True,
                           capture_output=True, text=True)
        user, system = (float(x) for x in r.stdout.split())
        sampled = owners(data, ("python3",))["seconds"]["server"]
        out.append(dict(what=what, accounted_user_s=user, accounted_system_s=system,
                        sampled_s=round(sampled, 3), ratio=round(sampled / (user + system), 3)))
    return out
