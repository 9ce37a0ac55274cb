"""scripts/debug-kernel for Python callers (tests/check): whether a
kernel of ours is cached, and the builds started in the background at
idle priority, one after another, then waited for.  The build itself,
its cache and the cache's key stay in scripts/debug-kernel, whose command
line tests/vm/run uses (--kernel debug, debug-6.12, kcsan)."""
import subprocess
import threading
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().with_name("debug-kernel")

# tests/vm/run's --kernel name: (flavour, series) for scripts/debug-kernel.
KERNELS = {"debug": ("debug", "6.1"), "debug-6.12": ("debug", "6.12"),
           "kcsan": ("kcsan", "6.1")}


def script_args(name: str) -> list[str]:
    flavour, series = KERNELS[name]
    return ["--flavour", flavour, "--series", series]


def built(name: str = "debug") -> bool:
    """The cache holds that kernel of the current inputs (scripts/debug-kernel dir)."""
    return subprocess.run([SCRIPT, *script_args(name), "dir"],
                          capture_output=True).returncode == 0


class Builds:
    """scripts/debug-kernel build for each kernel named, one after another
    (two at once would each take both cores), at idle priority
    (SCHED_IDLE): they take only CPU time the guests leave unused, and
    finish at full speed when nothing else runs.  A cached kernel is done
    at once."""

    def __init__(self, names: list[str]) -> None:
        self.t0 = time.monotonic()
        self.ended: dict[str, threading.Event] = {n: threading.Event() for n in names}
        self.result: dict[str, tuple[int, str, float]] = {}
        # A cached kernel is ready now, not after another one's build.
        for name in names:
            if built(name):
                self.result[name] = (0, "", 0.0)
                self.ended[name].set()
        self.todo = [n for n in names if not self.ended[n].is_set()]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        for name in self.todo:
            try:
                p = subprocess.run(["chrt", "--idle", "0", SCRIPT, *script_args(name),
                                    "build"], cwd=SCRIPT.parents[1],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
                self.result[name] = (p.returncode, p.stderr, time.monotonic() - self.t0)
            except Exception as e:  # a waiter must never wait forever
                self.result[name] = (-1, f"scripts/debug-kernel did not run: {e}",
                                     time.monotonic() - self.t0)
            finally:
                self.ended[name].set()

    def building(self, name: str) -> bool:
        return name in self.ended and not self.ended[name].is_set()

    def wait(self, name: str) -> tuple[int, str]:
        """That build's exit status and what it said on stderr."""
        self.ended[name].wait()
        rc, err, _ = self.result[name]
        return rc, err

    def seconds(self, name: str) -> float:
        """From the first build's start until this one's end."""
        self.ended[name].wait()
        return self.result[name][2]
