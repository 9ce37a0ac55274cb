"""Kprobe events through tracefs, for the tests that check where the
kernel's work happens (test_fast_path) or in which order (test_write)."""
import contextlib
import os
from pathlib import Path

TRACING = Path("/sys/kernel/debug/tracing")


def kernel_has(fn: str) -> bool:
    return any(line.split()[2] == fn
               for line in Path("/proc/kallsyms").read_text().splitlines())


def probe_events(line: str) -> None:
    # Appended without seeking: Python's "a" mode seeks, which tracefs refuses.
    fd = os.open(TRACING / "kprobe_events", os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, line.encode() + b"\n")
    finally:
        os.close(fd)


def probe_hits(name: str) -> int:
    """Calls counted by the kprobe event @name."""
    for line in (TRACING / "kprobe_profile").read_text().splitlines():
        cols = line.split()
        if cols and cols[0] == name:
            return int(cols[1])
    raise AssertionError(f"no {name} kprobe")


@contextlib.contextmanager
def kprobes(probes: dict):
    """Kprobe events {name: function}, enabled inside the block (and the
    trace buffer emptied on entry); removed after it."""
    for name, fn in probes.items():
        probe_events(f"p:{name} {fn}")
        (TRACING / "events" / "kprobes" / name / "enable").write_text("1")
    os.close(os.open(TRACING / "trace", os.O_WRONLY | os.O_TRUNC))
    try:
        yield
    finally:
        for name in probes:
            (TRACING / "events" / "kprobes" / name / "enable").write_text("0")
            probe_events(f"-:{name}")


def traced(names) -> list[tuple[str, str]]:
    """The trace buffer's hits of the events @names, in time order, as
    (task-pid, event name)."""
    out = []
    for line in (TRACING / "trace").read_text().splitlines():
        if line.startswith("#"):
            continue
        cols = line.split()
        for col in cols:
            if col.rstrip(":") in names and col.endswith(":"):
                out.append((cols[0], col.rstrip(":")))
                break
    return out
