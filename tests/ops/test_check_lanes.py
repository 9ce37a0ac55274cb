"""tests/check's lanes (tests/check_lib/lanes.py): two lanes for the guest
jobs, longest first, and a third from the start for the light ones."""
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from check_lib.lanes import Job, queue_order, run_lanes  # noqa: E402


class Tracker:
    """Jobs that note when they start and end, and how many ran at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running: set[str] = set()
        self.most_heavy = 0
        self.started: dict[str, float] = {}
        self.ended: dict[str, float] = {}

    def job(self, title: str, seconds: float, cost: float | None = None,
            light: bool = False) -> Job:
        def run():
            with self.lock:
                self.started[title] = time.monotonic()
                self.running.add(title)
                heavy = sum(1 for t in self.running if not t.startswith("light"))
                self.most_heavy = max(self.most_heavy, heavy)
            time.sleep(seconds)
            with self.lock:
                self.running.discard(title)
                self.ended[title] = time.monotonic()
        return Job(title, "guest", run, cost, light=light)


def test_light_jobs_start_at_once_beside_two_lanes():
    t = Tracker()
    jobs = [t.job("heavy-a", 0.3, 30), t.job("heavy-b", 0.3, 20), t.job("heavy-c", 0.3, 10),
            t.job("light-x", 0.1, 5, light=True), t.job("light-y", 0.1, 1, light=True)]
    run_lanes(jobs, serial=False)
    assert set(t.ended) == {j.title for j in jobs}
    assert t.most_heavy == 2
    # The light jobs do not wait for a lane: the first starts with the
    # first two heavy ones, the second after it, one at a time.
    assert t.started["light-x"] < t.ended["heavy-a"]
    assert t.started["light-y"] >= t.ended["light-x"]
    assert t.started["light-y"] < t.ended["heavy-a"]
    assert t.started["heavy-c"] >= min(t.ended["heavy-a"], t.ended["heavy-b"])


def test_serial_runs_everything_one_at_a_time_in_queue_order():
    t = Tracker()
    jobs = [t.job("heavy-a", 0.05, 1), t.job("light-x", 0.05, 9, light=True),
            t.job("heavy-b", 0.05, 5)]
    run_lanes(jobs, serial=True)
    order = sorted(t.started, key=t.started.get)
    assert order == [j.title for j in queue_order(jobs)] == ["light-x", "heavy-b", "heavy-a"]
    for a, b in zip(order, order[1:]):
        assert t.started[b] >= t.ended[a]
