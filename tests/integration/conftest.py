"""Fixtures for the guest integration tests (run inside the VM harness).

These tests load the real module into the guest's kernel, so they refuse to
run anywhere else: outside the harness they fail loudly instead of skipping.
"""
import hashlib
import json
import os
import struct
import subprocess
import time
from pathlib import Path

import pytest

from genl import A, STAT, Genl, parse_attrs

REPO = Path(__file__).resolve().parents[2]
SYSCTL = Path("/proc/sys/net/ktftpd")
KTFTPCTL = REPO / "build" / "ctl" / "ktftpctl"
PORT = 6969
TFTP_ROOT = Path("/tmp/tftproot")
# The module's default serving identity (Debian's nobody and nogroup):
# every file operation of the server runs as it.
SERVE_UID = SERVE_GID = 65534


# The debug lane's kernel (scripts/debug-kernel: KASAN, kmemleak, lockdep...).
DEBUG_KERNEL = os.uname().release.endswith("-ktftpd-debug")


def _time_scale() -> float:
    """How many times slower than a Debian kernel this guest's kernel moves
    a packet.  Protocol timeouts tuned to a Debian kernel turn a load test
    on the debug kernel (KASAN, kmemleak, lockdep: a lock-step block costs
    about 9 times as much, measured side by side with 6.1) into a test of
    retransmission collapse; tests whose point is the load, not the
    timers, multiply their timeouts and deadlines by this.
    KTFTPD_TIME_SCALE overrides it."""
    env = os.environ.get("KTFTPD_TIME_SCALE")
    if env:
        scale = float(env)
        if not 1 <= scale <= 100:
            raise ValueError(f"KTFTPD_TIME_SCALE={env}: want 1 to 100")
        return scale
    return 10.0 if DEBUG_KERNEL else 1.0


TIME_SCALE = _time_scale()


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


def status() -> dict:
    return json.loads(run(str(KTFTPCTL), "--json", "status").stdout)


def active_transfers() -> int:
    """Transfers in flight, asked over generic netlink from this process:
    every test's teardown asks, and a ktftpctl process costs most of a
    second under emulation (what ktftpctl prints is tested on its own)."""
    nl = Genl()
    try:
        stats = parse_attrs(nl.ktftpd("GET_STATUS")[0][A["STATS"]][0])
    finally:
        nl.close()
    return struct.unpack("=I", stats[STAT["ACTIVE"]][0])[0]


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_file(path: Path, size: int, mode=0o644) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(os.urandom(n))
            left -= n
    path.chmod(mode)
    return path


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


class Server:
    root = TFTP_ROOT
    port = PORT

    def set(self, **params):
        for k, v in params.items():
            sysctl_write(k, str(v))

    def status(self):
        return status()

    def stats(self):
        return status()["stats"]

    def wait_idle(self, timeout=30.0):
        """Wait until no transfer is in flight."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if active_transfers() == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"sessions still active: {self.stats()}")


@pytest.fixture
def server():
    """ktftpd loaded and serving TFTP_ROOT on PORT; checked idle at the end."""
    TFTP_ROOT.mkdir(parents=True, exist_ok=True)
    TFTP_ROOT.chmod(0o755)
    os.chown(TFTP_ROOT, 0, 0)
    if module_loaded():
        rmmod()
    insmod()
    srv = Server()
    try:
        srv.set(root=str(TFTP_ROOT), port=PORT, stop=0)
        yield srv
        # Every test leaves the server idle: nothing leaked, nothing stuck.
        srv.wait_idle()
        sysctl_write("stop", "1")
    finally:
        rmmod()
    assert not module_loaded()
