"""Every check tests/check makes passes or fails here, one line each as it
ends; the summary at the end lists the failures and gives the one
'N passed, N failed' line."""
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

passed: list[str] = []
failed: list[str] = []
_lock = threading.Lock()


def record(name: str, ok: bool, detail: str = "") -> None:
    with _lock:
        (passed if ok else failed).append(name + (f": {detail}" if detail and not ok else ""))
    print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" ({detail})" if detail and not ok else ""), flush=True)


def junit(path: Path, prefix: str) -> bool:
    """Record every testcase of a JUnit file; False if the file is unusable."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        record(f"{prefix}: results", False, f"no JUnit results ({e})")
        return False
    cases = list(root.iter("testcase"))
    if not cases:
        record(f"{prefix}: results", False, "the run executed no test")
        return False
    for c in cases:
        name = f"{prefix}: {c.get('classname', '')}::{c.get('name')}"
        bad = c.find("failure") is not None or c.find("error") is not None
        skipped = c.find("skipped") is not None
        if skipped:
            # A skip hides a result: it counts as a failure here.
            record(name, False, "skipped")
        else:
            record(name, not bad)
    return True


def timed(stage: str, fn) -> None:
    """Run a host stage and say how long it took (the budget is CI's 90
    minutes: where they go is worth printing)."""
    t = time.monotonic()
    fn()
    print(f"tests/check: stage {stage} took {time.monotonic() - t:.0f}s", flush=True)


def summary(kvers: list[str], start: float) -> int:
    """The total time, the failures, then the one line CI reads; the exit
    status: 0 only if something passed and nothing failed."""
    print(f"\ntests/check: kernels {' '.join(kvers)}; {time.monotonic() - start:.0f}s")
    if failed:
        print("Failures:")
        for f in failed:
            print(f"  {f}")
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed or not passed else 0
