"""The two lanes the guest jobs share: two threads take jobs from one
queue, the longest first, so the lanes end close together whatever ran
before.  The guests wait on timers and peers part of the time, so two at
once on 2 cores take less than the two one after the other; a third beside
them gains nothing (measured: the CPU was 95-97% busy with three and four
guests).  A light job, whose guest keeps at most one core busy, runs in a
third lane beside them from the start: the soak (--tcg single: one host
thread) and the lossy-link tests, which wait on their link's timers (57
CPU-seconds in 221 s on 6.1).  Measured once against two lanes: the
cores were 85% busy instead of 75%, but the lanes took as long (2009 s
against 1997 s), as every guest slows beside more; tests/vm/run's cpu
files are there to decide whether it stays.  What a lane prints is held
and printed whole as each of its jobs ends, so two guests' logs never
interleave."""
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Collection

from .results import record, spent

_lock = threading.RLock()
_lane = threading.local()


@dataclass
class Job:
    title: str
    stage: str              # whose wall time it counts in
    run: Callable[[], object]
    cost: float | None = None   # seconds it took last time; None: never measured
    plan: str = ""          # what it runs, for tests/check --plan
    light: bool = False     # keeps at most one core busy: the third lane's


def queue_order(jobs: list[Job], last_stages: Collection[str] = ()) -> list[Job]:
    """jobs as the lanes take them: a job never measured first (it may be
    long), then the longest first; ties keep the order given.  The jobs of
    last_stages go after all others (the debug and kcsan jobs, while their
    kernels are still building)."""
    return sorted(jobs, key=lambda j: (j.stage in last_stages, j.cost is not None,
                                       -(j.cost or 0)))


def holding() -> bool:
    """True in a lane whose output is held."""
    return getattr(_lane, "buf", None) is not None


class LaneOutput:
    """sys.stdout and sys.stderr while lanes of guests run at once: what a
    lane's thread writes is held, and printed whole when each of its jobs
    ends."""

    def __init__(self, real):
        self.real = real

    def write(self, text: str) -> int:
        if not holding():
            with _lock:
                return self.real.write(text)
        _lane.buf.append(text)
        return len(text)

    def flush(self) -> None:
        if not holding():
            self.real.flush()

    def __getattr__(self, name):
        return getattr(self.real, name)


def run_held(args: list, **kw) -> subprocess.CompletedProcess:
    """subprocess.run with stderr captured (callers look for a verdict in
    it); stdout streams through, or in a lane is held."""
    held = holding()
    r = subprocess.run(args, stderr=subprocess.PIPE,
                       stdout=subprocess.PIPE if held else None, text=True,
                       errors="replace", **kw)
    if held:
        sys.stdout.write(r.stdout)
    return r


def run_lanes(jobs: list[Job], serial: bool, last_stages: Collection[str] = ()) -> None:
    """Run jobs two at a time (serial: one at a time), in queue_order; the
    light jobs in a third lane beside them."""
    queue = queue_order(jobs, last_stages)
    light = [] if serial else [j for j in queue if j.light]
    queue = [j for j in queue if serial or not j.light]

    def lane(queue: list[Job]):
        _lane.buf = [] if not serial else None
        while True:
            with _lock:
                if not queue:
                    break
                job = queue.pop(0)
            t0 = time.monotonic()
            try:
                job.run()
            except Exception as e:  # a broken job fails, the other lane goes on
                record(f"{job.title}: ran", False, repr(e))
            spent(job.stage, t0, time.monotonic())
            print(f"{job.title}: job took {time.monotonic() - t0:.0f}s")
            if _lane.buf is not None:
                with _lock:
                    sys.__stdout__.write("".join(_lane.buf))
                    sys.__stdout__.flush()
                _lane.buf = []
        _lane.buf = None

    if serial:
        lane(queue)
        return
    sys.stdout, sys.stderr = LaneOutput(sys.__stdout__), LaneOutput(sys.__stderr__)
    threads = [threading.Thread(target=lane, args=(queue,)) for _ in range(min(2, len(queue)))]
    if light:
        threads.append(threading.Thread(target=lane, args=(light,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


def at_once(fns: list) -> list:
    """Run fns each in its own thread and return their results (or the
    exception each raised), in order.  In a lane, what each one prints is
    held and added to the lane's output in order once all have ended."""
    held = holding()
    bufs: list[list[str]] = [[] for _ in fns]
    out: list = [None] * len(fns)

    def run(i: int, fn) -> None:
        _lane.buf = bufs[i] if held else None
        try:
            out[i] = fn()
        except Exception as e:  # reported by the caller
            out[i] = e

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for b in bufs:
        sys.stdout.write("".join(b))
    return out
