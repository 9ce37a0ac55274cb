"""Memory failure: failslab aimed at ktftpd (the debug kernel only).

Debian's kernels have no FAULT_INJECTION, so these tests run only in the
debug-kernel lane (make check-debug, and its reduced set in make check);
elsewhere they fail rather than skip.  6.1 cannot filter failslab by call
site on x86-64, so faults are aimed two ways:

- at the server's own thread, the listener, through /proc/PID/make-it-fail
  with failslab's task filter: every allocation it makes while serving may
  fail, and so may every allocation of the transfers it admits (each run
  of a transfer, on whichever kworker, carries the listener's mark);
- at one control operation (START by sysctl or netlink, SET_CONFIG,
  module init), through /proc/thread-self/fail-nth: the Nth allocation
  made by this very thread fails, for N = 1, 2, ... until the operation
  runs out of allocations to fail.

Every failure must become an ERROR, a refused operation or a clean retry:
never an oops, a stuck session, a half-applied config or a leak (the
harness runs kmemleak after the suite, and the module's own lifetime
counters WARN at unload).
"""
import ctypes
import errno
import os
import subprocess
import time
from pathlib import Path

import pytest

import genl
from conftest import (PORT, SYSCTL, TFTP_ROOT, insmod, make_file, module_loaded,
                      module_path, rmmod, sha256, status, sysctl_read, sysctl_write)

FAILSLAB = Path("/sys/kernel/debug/failslab")
# More than any single operation allocates: the fail-nth walks stop long
# before (they stop at the first N the operation never reaches).
MAX_NTH = 1000
# make check's reduced debug lane fails every STRIDE-th allocation of
# module init (it has ~340, about 0.7 s each under the checkers); make
# check-debug fails every one.
STRIDE = int(os.environ.get("KTFTPD_FAILNTH_STRIDE", "1"))
# ... and a quarter of the transfers and cycles of the other tests.
DOWNLOADS, UPLOADS, CYCLES = (40, 20, 10) if STRIDE == 1 else (10, 5, 3)

# A module for each test: what failed allocations may have left behind is
# checked by that module's own unload (kernel/lifetime.c), test by test.
pytestmark = pytest.mark.fresh_module


def fs_write(knob, value):
    (FAILSLAB / knob).write_text(f"{value}\n")


@pytest.fixture
def failslab():
    assert FAILSLAB.exists(), \
        "no failslab here: these tests need the debug kernel (make check-debug)"
    # GFP_KERNEL allocations too (failslab skips them by default), no
    # stack per failure (the harness fails on a Call Trace), nothing yet.
    fs_write("probability", 0)
    fs_write("times", 0)
    fs_write("interval", 1)
    fs_write("space", 0)
    fs_write("verbose", 0)
    fs_write("ignore-gfp-wait", "N")
    fs_write("task-filter", "Y")
    yield
    fs_write("probability", 0)
    fs_write("times", 0)


class FailNth:
    """Arm /proc/thread-self/fail-nth around one system call.

    The file is opened beforehand, so that only the call under test runs
    while the fault is armed; armed() says whether the fault was injected.
    """

    def __init__(self):
        self.fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    def arm(self, n):
        os.pwrite(self.fd, str(n).encode(), 0)

    def injected(self):
        left = int(os.pread(self.fd, 32, 0) or b"0")
        os.pwrite(self.fd, b"0", 0)  # disarm whatever is left
        return left == 0

    def close(self):
        os.close(self.fd)


def server_threads():
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                comm = (p / "comm").read_text().strip()
            except OSError:
                continue
            if comm == "ktftpd-listen":
                pids.append(p)
    return pids


def aim_at_server_threads():
    pids = server_threads()
    assert pids, "no ktftpd threads to aim at"
    for p in pids:
        (p / "make-it-fail").write_text("1\n")
    return len(pids)


def curl_get(name, dest, max_time=8):
    """A download; with faults on, 8 s is plenty for one that is going to
    work.  One that must work gets longer: the checkers slow the guest 5-8
    times, and make check runs a second guest beside it."""
    return subprocess.run(["curl", "-s", "-S", "--max-time", str(max_time), "-o", str(dest),
                           f"tftp://127.0.0.1:{PORT}/{name}"], capture_output=True, text=True)


def must_get(name, dest):
    r = curl_get(name, dest, max_time=120)
    assert r.returncode == 0, f"{name}: curl {r.returncode} {r.stderr}"


def curl_put(src, name):
    return subprocess.run(["curl", "-s", "--max-time", "8", "-T", str(src),
                           f"tftp://127.0.0.1:{PORT}/{name}"], capture_output=True)


def running():
    return sysctl_read("stop") == "0"


def test_transfers_under_allocation_failures_in_the_server_threads(server, failslab, tmp_path):
    """10% of the server threads' allocations fail while 40 downloads and
    20 uploads (a quarter in make check) run: each completes byte-exact or fails cleanly, no temp
    file is left, and afterwards the server is idle and serves again."""
    server.set(timeout=300, retries=3, allow_write=1, create=1)
    files = [make_file(TFTP_ROOT / f"f{i}.bin", 30_000 + i * 977) for i in range(8)]
    aim_at_server_threads()
    budget = 1_000_000
    fs_write("times", budget)
    fs_write("probability", 10)
    got = ok = 0
    for i in range(DOWNLOADS):
        src = files[i % len(files)]
        dest = tmp_path / f"get{i}"
        r = curl_get(src.name, dest)
        got += 1
        if r.returncode == 0:
            assert sha256(dest) == sha256(src), f"download {i}: wrong bytes"
            ok += 1
    up_ok = 0
    for i in range(UPLOADS):
        src = files[i % len(files)]
        r = curl_put(src, f"up{i}.bin")
        target = TFTP_ROOT / f"up{i}.bin"
        if r.returncode == 0:
            server.wait_idle(30)
            assert sha256(target) == sha256(src), f"upload {i}: wrong bytes"
            up_ok += 1
    fs_write("probability", 0)
    injected = budget - int((FAILSLAB / "times").read_text())
    print(f"failslab: {injected} allocations failed; {ok}/{DOWNLOADS} downloads and "
          f"{up_ok}/{UPLOADS} uploads completed")
    assert injected > 0, "no allocation failed: the faults never reached the server"
    server.wait_idle(60)
    assert list(TFTP_ROOT.rglob(".ktftpd-*")) == [], "an upload left a temp file"
    # The same server, faults off: everything works again.
    for src in files:
        dest = tmp_path / "after"
        must_get(src.name, dest)
        assert sha256(dest) == sha256(src)


def test_start_by_sysctl_under_every_allocation_failure(server, failslab):
    """START fails at its Nth allocation for every N it makes: it is
    refused (ENOMEM) and the server stays stopped, or it starts and
    serves; stopping it afterwards always works."""
    sysctl_write("stop", 1)
    make_file(TFTP_ROOT / "probe.bin", 5000)
    nth = FailNth()
    refused = started = 0
    try:
        for n in range(1, MAX_NTH):
            fd = os.open(SYSCTL / "stop", os.O_WRONLY)
            nth.arm(n)
            try:
                os.write(fd, b"0")
                err = 0
            except OSError as e:
                err = e.errno
            hit = nth.injected()
            os.close(fd)
            if not hit:
                assert err == 0 and running()
                break
            if err:
                assert err in (errno.ENOMEM, errno.ENOBUFS, errno.EAGAIN), os.strerror(err)
                assert not running(), f"N={n}: START failed ({os.strerror(err)}) but runs"
                refused += 1
            else:
                assert running()
                started += 1
            sysctl_write("stop", 1)
            assert not running()
        else:
            pytest.fail(f"START still allocating after {MAX_NTH} failures")
    finally:
        nth.close()
    print(f"START by sysctl: {refused + started} allocations failed in turn: "
          f"{refused} refused, {started} started anyway")
    assert refused > 0, "no failure ever reached START"
    must_get("probe.bin", "/tmp/probe.out")
    assert sha256("/tmp/probe.out") == sha256(TFTP_ROOT / "probe.bin")


def config_payload(port, root):
    return genl.attr(genl.A["CONFIG"], [
        genl.string(genl.CFG["ROOT"], str(root)),
        genl.u16(genl.CFG["PORT"], port),
        genl.u32(genl.CFG["TIMEOUT_MS"], 700),
        genl.u32(genl.CFG["RETRIES"], 4),
    ])


def nl_call(nl, cmd, payload):
    """('unsent' | 'refused' | 'lost' | 'done', errno): the request could
    not be sent, was refused, was handled but its answer lost, or done."""
    try:
        seq = nl.send_raw(nl.family, genl.CMD[cmd], payload)
    except OSError as e:
        return "unsent", e.errno
    try:
        nl.receive(seq)
    except genl.NetlinkError as e:
        return "refused", e.errno
    except OSError as e:
        return "lost", e.errno
    return "done", 0


CONFIG_KEYS = ("root", "port", "timeout", "retries")


def test_netlink_start_and_set_config_under_every_allocation_failure(server, failslab):
    """Netlink START (with a config) and SET_CONFIG, each failing at its
    Nth allocation: the request fails with an error or succeeds whole;
    a refused one leaves the old config exactly as it was (and START
    leaves the server stopped)."""
    other = Path("/tmp/tftproot-other")
    other.mkdir(exist_ok=True)
    wanted = {"root": str(other), "port": str(PORT), "timeout": "700", "retries": "4"}
    payload = config_payload(PORT, other)
    nth = FailNth()
    seen = {"START": {}, "SET_CONFIG": {}}
    try:
        for cmd in ("START", "SET_CONFIG"):
            for n in range(1, MAX_NTH):
                # The old state: stopped for START, running for SET_CONFIG.
                sysctl_write("stop", 1 if cmd == "START" else 0)
                sysctl_write("root", str(TFTP_ROOT))
                sysctl_write("timeout", 1000)
                sysctl_write("retries", 5)
                before = {k: sysctl_read(k) for k in CONFIG_KEYS}
                nl = genl.Genl()
                nth.arm(n)
                outcome, err = nl_call(nl, cmd, payload)
                hit = nth.injected()
                nl.close()
                after = {k: sysctl_read(k) for k in CONFIG_KEYS}
                if not hit:
                    assert outcome == "done" and after == wanted, (outcome, after)
                    break
                seen[cmd][outcome] = seen[cmd].get(outcome, 0) + 1
                if outcome in ("unsent", "refused"):
                    assert err in (errno.ENOMEM, errno.ENOBUFS), os.strerror(err)
                    assert after == before, f"{cmd} N={n}: {outcome}, yet {after}"
                    if cmd == "START":
                        assert not running(), f"START N={n} {outcome} but runs"
                elif outcome == "done":
                    assert after == wanted, f"{cmd} N={n}: half-applied {after}"
                    assert running()
                else:  # lost: whole or nothing
                    assert after in (before, wanted), f"{cmd} N={n}: {after}"
            else:
                pytest.fail(f"{cmd} still allocating after {MAX_NTH} failures")
    finally:
        nth.close()
    print(f"netlink under fail-nth: {seen}")
    assert seen["START"].get("refused") and seen["SET_CONFIG"].get("refused"), seen
    assert running()


def test_module_init_under_every_allocation_failure(failslab):
    """Module init fails at its Nth allocation for every N it makes: the
    load is refused and leaves nothing behind (no sysctl table, no
    family, nothing kmemleak finds), or the module loads and unloads."""
    if module_loaded():
        rmmod()
    libc = ctypes.CDLL(None, use_errno=True)
    finit_module = 313
    fd = os.open(module_path(), os.O_RDONLY)
    nth = FailNth()
    refused = loaded = 0
    try:
        libc.syscall(39)  # ctypes' first call allocates; not under the fault
        for n in range(1, MAX_NTH, STRIDE):
            nth.arm(n)
            r = libc.syscall(finit_module, fd, b"", 0)
            err = ctypes.get_errno() if r != 0 else 0
            hit = nth.injected()
            if not hit:
                assert r == 0 and module_loaded()
                rmmod()
                break
            if r != 0:
                assert not module_loaded(), f"N={n}: init failed ({os.strerror(err)}) but loaded"
                assert not SYSCTL.exists()
                refused += 1
            else:
                assert module_loaded()
                rmmod()
                loaded += 1
        else:
            pytest.fail(f"init still allocating after {MAX_NTH} failures")
    finally:
        nth.close()
        os.close(fd)
    print(f"module init: {refused + loaded} allocations failed in turn: {refused} refused, "
          f"{loaded} loaded anyway")
    assert refused > 0
    # And a plain load works.
    insmod()
    assert status()["running"] is not None
    rmmod()


def test_stop_start_cycles_with_failing_server_threads(server, failslab, tmp_path):
    """Stop and start 10 times (3 in make check) while downloads run and the server threads'
    allocations fail: every cycle's threads are aimed at again, every
    download ends, and the server comes back idle and whole."""
    server.set(timeout=300, retries=3)
    src = make_file(TFTP_ROOT / "cycle.bin", 200_000)
    fs_write("times", 1_000_000)
    procs = []
    for cycle in range(CYCLES):
        aim_at_server_threads()
        fs_write("probability", 5)
        procs += [subprocess.Popen(["curl", "-s", "-o",
                                    str(tmp_path / f"c{cycle}-{j}"), "--max-time", "15",
                                    f"tftp://127.0.0.1:{PORT}/cycle.bin"])
                  for j in range(4)]
        time.sleep(0.5)
        fs_write("probability", 0)
        sysctl_write("stop", 1)
        assert not running()
        sysctl_write("stop", 0)
    for p in procs:
        # curl gives up after 15 s; the guard is loose for a guest slowed
        # by the checkers and a second guest beside it.
        p.wait(timeout=300)
    for cycle in range(CYCLES):
        for j in range(4):
            out = tmp_path / f"c{cycle}-{j}"
            # A download cut by the stop fails; one that finished is exact.
            if procs[cycle * 4 + j].returncode == 0:
                assert sha256(out) == sha256(src)
    server.wait_idle(60)
    must_get("cycle.bin", tmp_path / "final")
    assert sha256(tmp_path / "final") == sha256(src)
