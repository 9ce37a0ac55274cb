"""scripts/debug-kernel for Python callers (tests/check): whether its
build is cached, and the build started in the background at idle
priority, then waited for.  The build
itself, its cache and the cache's key stay in scripts/debug-kernel, whose
command line tests/vm/run uses (--kernel debug)."""
import subprocess
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().with_name("debug-kernel")


def built() -> bool:
    """The cache holds the kernel of the current inputs (scripts/debug-kernel dir)."""
    return subprocess.run([SCRIPT, "dir"], capture_output=True).returncode == 0


class Build:
    """scripts/debug-kernel build, started at idle priority (SCHED_IDLE):
    it takes only CPU time the guests leave unused, and finishes at full
    speed when nothing else runs.  A cached kernel ends it at once."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(["chrt", "--idle", "0", SCRIPT, "build"],
                                     cwd=SCRIPT.parents[1], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)

    def building(self) -> bool:
        return self.proc.poll() is None

    def wait(self) -> tuple[int, str]:
        """The build's exit status and what it said on stderr."""
        err = self.proc.communicate()[1]
        return self.proc.returncode, err

    def seconds(self) -> float:
        """Since the build started."""
        return time.monotonic() - self.t0
