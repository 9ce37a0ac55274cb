"""The fixtures' own promises (conftest.py): a module shared between tests
is given to each at its baseline, with counters that start at zero; a test
that leaves a transfer in flight, or that changes the shared module
behind the fixtures' back, fails loudly, and the next test gets a fresh
load; peak, which counts since the load, is for tests of a module of
their own.  Checked by an inner pytest session on tests that make exactly
those messes."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import REPO

HERE = Path(__file__).resolve().parent

INNER = '''
import pytest
from conftest import (PARAMS, PORT, TFTP_ROOT, Shared, make_file, nl_status, settings,
                      sysctl_read, sysctl_write)
from tftp import Client

held = []


def test_counts_and_changes_settings(server):
    make_file(TFTP_ROOT / "fx.bin", 3000)
    assert server.stats()["transfers_completed"] == 0
    with Client() as c:
        c.fetch("fx.bin")
    server.wait_idle()
    assert server.stats()["transfers_completed"] == 1
    # Every kind of setting, by every way there is.
    server.set(timeout=777, retries=9, listen="127.0.0.1", user=1000, create_mode="0600")
    sysctl_write("port", "7000")
    (PARAMS / "fast_path").write_text("0")


def test_next_starts_at_the_baseline(server):
    assert nl_status()["stats"]["transfers_completed"] >= 1     # shared
    st = server.stats()
    assert (st["transfers_completed"], st["requests"], st["bytes_sent"]) == (0, 0, 0)
    now = settings()
    for name in ("timeout", "retries", "listen", "user", "create_mode", "parameters/fast_path"):
        assert now[name] == Shared.defaults[name], name
    assert (sysctl_read("port"), sysctl_read("root")) == (str(PORT), str(TFTP_ROOT))


def test_peak_is_refused_on_a_shared_module(server):
    with pytest.raises(AssertionError, match="fresh_module"):
        server.stats()["peak"]


@pytest.mark.fresh_module
def test_peak_on_a_module_of_its_own(server):
    assert nl_status()["stats"]["transfers_completed"] == 0
    assert server.stats()["peak"] == 0


def test_leaves_a_transfer_in_flight(server):
    server.set(timeout=10000, retries=10)
    c = Client()
    c.request("fx.bin")
    c.expect("DATA")
    held.append(c)


def test_after_a_mess_gets_a_fresh_load(server):
    assert nl_status()["stats"]["transfers_completed"] == 0
    with Client() as c:
        assert c.fetch("fx.bin") == (TFTP_ROOT / "fx.bin").read_bytes()


def test_serves_behind_the_fixtures_back():
    sysctl_write("root", str(TFTP_ROOT))
    sysctl_write("port", str(PORT))
    sysctl_write("stop", "0")
    with Client() as c:
        c.fetch("fx.bin")


def test_after_that_is_refused(loaded):
    pass


def test_and_then_gets_a_fresh_load(loaded):
    assert nl_status()["stats"]["transfers_completed"] == 0
'''

# inner test: (outcome, words its report must hold)
WANT = {
    "test_counts_and_changes_settings": ("passed", ""),
    "test_next_starts_at_the_baseline": ("passed", ""),
    "test_peak_is_refused_on_a_shared_module": ("passed", ""),
    "test_peak_on_a_module_of_its_own": ("passed", ""),
    "test_leaves_a_transfer_in_flight": (
        "error", "test_leaves_a_transfer_in_flight left the shared module off its baseline"),
    "test_after_a_mess_gets_a_fresh_load": ("passed", ""),
    "test_serves_behind_the_fixtures_back": ("passed", ""),
    "test_after_that_is_refused": (
        "error", "the shared module changed after "
                 "test_inner.py::test_after_a_mess_gets_a_fresh_load ended"),
    "test_and_then_gets_a_fresh_load": ("passed", ""),
}


def test_the_shared_module_is_proved_back_at_its_baseline(tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER)
    xml = tmp_path / "inner.xml"
    env = dict(os.environ, PYTHONPATH=str(HERE), KTFTPD_IDLE_TIMEOUT="3")
    r = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "conftest",
                        "-q", "-rA", "--rootdir", str(tmp_path), "--junitxml", str(xml),
                        str(tmp_path / "test_inner.py")],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    report = r.stdout + r.stderr
    got = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        bad = [e for e in case if e.tag in ("failure", "error", "skipped")]
        got[case.get("name")] = (
            "+".join(e.tag for e in bad) or "passed",
            "".join(e.get("message", "") + (e.text or "") for e in bad))
    assert set(got) == set(WANT), report
    for name, (outcome, words) in WANT.items():
        assert got[name][0] == outcome, (name, got[name], report)
        assert words in got[name][1], (name, got[name][1])
    assert r.returncode != 0
