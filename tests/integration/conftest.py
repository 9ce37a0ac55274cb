"""Fixtures for the guest integration tests (run inside the VM harness).

These tests load the real module into the guest's kernel, so they refuse to
run anywhere else: outside the harness they fail loudly instead of skipping.
"""
import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SYSCTL = Path("/proc/sys/net/ktftpd")
KTFTPCTL = REPO / "build" / "ctl" / "ktftpctl"


def module_path() -> str:
    ko = os.environ.get("KTFTPD_KO")
    if not ko:
        pytest.fail("KTFTPD_KO is not set: run these tests through tests/vm/run")
    return ko


def run(*args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def module_loaded() -> bool:
    return Path("/sys/module/ktftpd").exists()


def insmod(*params):
    run("insmod", module_path(), *params)


def rmmod():
    # rmmod may race with a just-finished user of the module; retry briefly.
    deadline = time.monotonic() + 10
    while True:
        r = run("rmmod", "ktftpd", check=False)
        if r.returncode == 0 or not module_loaded():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"rmmod ktftpd failed: {r.stderr}")
        time.sleep(0.1)


def sysctl_read(name: str) -> str:
    return (SYSCTL / name).read_text().rstrip("\n")


def sysctl_write(name: str, value) -> None:
    """Write value in one write(2), as sysctl -w does; raise OSError on error."""
    data = value if isinstance(value, bytes) else str(value).encode()
    fd = os.open(SYSCTL / name, os.O_WRONLY)
    try:
        n = os.write(fd, data)
        assert n == len(data), f"short write to {name}: {n} of {len(data)}"
    finally:
        os.close(fd)


@pytest.fixture
def ktftpd():
    """The module, freshly loaded for one test and unloaded after it."""
    if module_loaded():
        rmmod()
    insmod()
    try:
        yield
    finally:
        rmmod()
    assert not module_loaded()
    assert not SYSCTL.exists()
