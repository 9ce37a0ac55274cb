"""Every check tests/check makes passes or fails here, one line each as it
ends; the summary at the end gives each stage's wall time, the failures and
the one 'N passed, N failed' line."""
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

passed: list[str] = []
failed: list[str] = []
_lock = threading.Lock()
# stage: [first start, last end]
_spans: dict[str, list[float]] = {}


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
        bad = c.find("failure") if c.find("failure") is not None else c.find("error")
        skipped = c.find("skipped") is not None
        if skipped:
            # A skip hides a result: it counts as a failure here.
            record(name, False, "skipped")
        else:
            record(name, bad is None, "" if bad is None else why(bad))
    return True


def why(failure: ET.Element, most: int = 400) -> str:
    """A failure's own message, on one line: the summary is often all of a
    run that is kept (CI shows its tail), so it must say what failed."""
    text = " ".join((failure.get("message") or failure.text or "").split())
    return text[:most] + ("..." if len(text) > most else "")


def spent(stage: str, start: float, end: float) -> None:
    """Count start..end (time.monotonic()) in stage's wall time: from its
    first job's start to its last job's end."""
    with _lock:
        span = _spans.setdefault(stage, [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)


def timed(stage: str, fn):
    """Run fn as (part of) stage, say how long it took, and return what it
    returned (the budget is CI's 90 minutes: where they go is worth
    printing)."""
    t = time.monotonic()
    out = fn()
    spent(stage, t, time.monotonic())
    print(f"tests/check: stage {stage} took {time.monotonic() - t:.0f}s", flush=True)
    return out


def summary(kvers: list[str], start: float) -> int:
    """Each stage's wall time and the total, the failures, then the one
    line CI reads; the exit status: 0 only if something passed and nothing
    failed."""
    print(f"\ntests/check: kernels {' '.join(kvers)}")
    print("tests/check: each stage's wall time (the guest stages share the lanes: they overlap)")
    width = max([len(s) for s in _spans] + [len("total")])
    for stage, (t0, t1) in sorted(_spans.items(), key=lambda s: s[1][0]):
        print(f"  {stage:<{width}} {t1 - t0:6.0f}s")
    print(f"  {'total':<{width}} {time.monotonic() - start:6.0f}s")
    if failed:
        print("Failures:")
        for f in failed:
            print(f"  {f}")
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed or not passed else 0
