"""How long each test file and each guest took in the last run, read from
what that run left in build/test-results: pytest's JUnit files (a file's
time is the sum of its tests') and tests/vm/run's `elapsed` (a guest's
wall time).  A fresh clone has neither, so each run also keeps a copy of
them in ~/.cache/ktftpd/last-run (remember()), read when build/ has none:
CI's clones are fresh, its machine's cache is not.  With neither, every
file weighs the same and no job's cost is known."""
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
OUT = TOP / "build" / "test-results"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ktftpd" / "last-run"
# The files of a run that weigh the next one.
KEPT = ("junit.xml", "elapsed", "cpu")


def last_run(path: Path) -> Path:
    """@path (a file under OUT), or its copy in CACHE when OUT has none."""
    if path.exists() or not path.is_relative_to(OUT):
        return path
    return CACHE / path.relative_to(OUT)


def last_run_folders(folder: Path, pattern: str) -> list[Path]:
    """The results folders matching @pattern in @folder (under OUT), or in
    its copy in CACHE when OUT has none."""
    found = sorted(folder.glob(pattern))
    if found or not folder.is_relative_to(OUT):
        return found
    return sorted((CACHE / folder.relative_to(OUT)).glob(pattern))


def remember() -> None:
    """Keep this run's times for the next run from a fresh clone."""
    for name in KEPT:
        for f in OUT.rglob(name):
            dest = CACHE / f.relative_to(OUT)
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest)
            except OSError:
                pass    # weights are a convenience: never fail a run for them

# What a file never run weighs when no file has a time either.
DEFAULT_SECONDS = 60.0


def file_of(classname: str) -> str:
    """A JUnit classname's test file, as pytest is given it:
    tests.integration.debug.test_failslab[.Class] is
    tests/integration/debug/test_failslab.py."""
    parts = classname.split(".")
    n = next((i for i, p in enumerate(parts) if p.startswith("test_")), len(parts) - 1)
    return "/".join(parts[:n + 1]) + ".py"


def file_seconds(folders: list[Path]) -> dict[str, float]:
    """Each test file's seconds in the junit.xml of these results folders;
    where two have the same file, the newer counts."""
    files = [last_run(f / "junit.xml") for f in folders]
    files = [f for f in files if f.is_file()]
    seconds: dict[str, float] = {}
    for xml in sorted(files, key=lambda f: f.stat().st_mtime):
        try:
            cases = ET.parse(xml).getroot().iter("testcase")
            mine: dict[str, float] = {}
            for c in cases:
                f = file_of(c.get("classname", ""))
                mine[f] = mine.get(f, 0.0) + float(c.get("time") or 0)
        except (OSError, ET.ParseError, ValueError):
            continue  # a broken file is the run's failure, recorded then
        seconds.update(mine)
    return seconds


def weigh(files: list[str], seconds: dict[str, float]) -> tuple[dict[str, float], bool]:
    """files' weights: each one's seconds, or for one never run the mean of
    those that were (DEFAULT_SECONDS when none was); and whether any was."""
    known = [seconds[f] for f in files if f in seconds]
    default = sum(known) / len(known) if known else DEFAULT_SECONDS
    return {f: seconds.get(f, default) for f in files}, bool(known)


def guest_seconds(*folders: Path) -> float | None:
    """The wall time of the guests whose results folders these are, one
    after another (tests/vm/run's elapsed file); None if one has none."""
    total = 0.0
    for f in folders:
        try:
            total += float(last_run(f / "elapsed").read_text())
        except (OSError, ValueError):
            return None
    return total


def balance(weight: dict[str, float], load: list[float]) -> list[list[str]]:
    """weight's files in len(load) shards of about equal weight, counting
    what each shard's lane carries already (load): the heaviest file first
    into the lightest shard."""
    load = list(load)
    shards: list[list[str]] = [[] for _ in load]
    for f in sorted(weight, key=lambda f: (-weight[f], f)):
        i = load.index(min(load))
        shards[i].append(f)
        load[i] += weight[f]
    return shards
