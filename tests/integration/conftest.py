"""Fixtures for the guest integration tests (run inside the VM harness).

These tests load the real module into the guest's kernel, so they refuse to
run anywhere else: outside the harness they fail loudly instead of skipping.
"""
import contextlib
import hashlib
import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genl import A, COUNTERS, STAT, Genl, parse_attrs, parse_rules, rules_config

REPO = Path(__file__).resolve().parents[2]
SYSCTL = Path("/proc/sys/net/ktftpd")
MODULE = Path("/sys/module/ktftpd")
PARAMS = MODULE / "parameters"
KTFTPCTL = REPO / "build" / "ctl" / "ktftpctl"
PORT = 6969
TFTP_ROOT = Path("/tmp/tftproot")
# The module's default serving identity (Debian's nobody and nogroup):
# every file operation of the server runs as it.
SERVE_UID = SERVE_GID = 65534


# The guest kernel's series, (major, minor): what a test compares against a
# release that changed the kernel under it (kernel/compat.h names them).
KERNEL_SERIES = tuple(int(x) for x in os.uname().release.split(".")[:2])
# The debug lane's kernels (scripts/debug-kernel: KASAN, kmemleak, lockdep...).
DEBUG_KERNEL = os.uname().release.endswith("-ktftpd-debug")
# The KCSAN lane's kernel (scripts/debug-kernel --flavour kcsan).
KCSAN_KERNEL = os.uname().release.endswith("-ktftpd-kcsan")


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
    if DEBUG_KERNEL:
        return 10.0
    # Every memory access a call: 200 raw transfers took 4.7 times, 200
    # curl clients 2.7 times as long as on 6.1 (KCSAN_SET against make
    # check's 6.1 guest).
    return 4.0 if KCSAN_KERNEL else 1.0


TIME_SCALE = _time_scale()
# How long a test's transfers may take to end after it (the shared module's
# check waits this long for active == 0); test_fixtures shortens it.
IDLE_TIMEOUT = float(os.environ.get("KTFTPD_IDLE_TIMEOUT", "30"))


def module_path() -> str:
    ko = os.environ.get("KTFTPD_KO")
    if not ko:
        pytest.fail("KTFTPD_KO is not set: run these tests through tests/vm/run")
    return ko


def run(*args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


def module_loaded() -> bool:
    return MODULE.exists()


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


def pin_listeners(cpu):
    """Every listener thread onto @cpu: the first runs it queues go to
    that CPU's kworker pool.  (A stop and start makes new threads.)"""
    pinned = 0
    for p in Path("/proc").iterdir():
        try:
            if p.name.isdigit() and (p / "comm").read_text().strip() == "ktftpd-listen":
                run("taskset", "-p", str(1 << cpu), p.name)
                pinned += 1
        except (OSError, subprocess.CalledProcessError):
            pass                # a process that ended meanwhile
    assert pinned, "no listener thread"


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
    return nl_status()["stats"]["active"]


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


@contextlib.contextmanager
def genl_socket(nl=None):
    """@nl, or a generic-netlink socket of its own, closed after."""
    if nl is not None:
        yield nl
        return
    own = Genl()
    try:
        yield own
    finally:
        own.close()


def nl_status(nl=None) -> dict:
    """GET_STATUS over generic netlink from this process (on @nl, or a
    socket of its own): {running, uptime_ms, stats}, stats as `ktftpctl
    --json status` names them (the fixtures ask before and after every
    test, and a ktftpctl process costs most of a second under emulation;
    test_ctl checks the two agree)."""
    with genl_socket(nl) as sock:
        reply = sock.ktftpd("GET_STATUS")[0]
    st = parse_attrs(reply[A["STATS"]][0])
    u64 = lambda kind: struct.unpack("=Q", st[STAT[kind]][0])[0]  # noqa: E731
    u32 = lambda kind: struct.unpack("=I", st[STAT[kind]][0])[0]  # noqa: E731
    errors = parse_attrs(st[STAT["ERRORS_SENT"]][0])
    stats = {name: u64(kind) for name, kind in COUNTERS.items()}
    stats["active"] = u32("ACTIVE")
    stats["peak"] = u32("PEAK")
    stats["errors_sent"] = {str(t - 1): struct.unpack("=Q", v[-1])[0]
                            for t, v in sorted(errors.items())}
    return {"running": reply[A["RUNNING"]] == [b"\1"],
            "uptime_ms": struct.unpack("=Q", reply[A["UPTIME_MS"]][0])[0],
            "rules": parse_rules(parse_attrs(reply[A["CONFIG"]][0])),
            "stats": stats}


def set_rules(*rules, nl=None) -> None:
    """Make @rules (genl.rule() attributes) the filename rules in force:
    they are not a scalar, so no sysctl holds them."""
    with genl_socket(nl) as sock:
        sock.ktftpd("SET_CONFIG", rules_config(rules))


def transfers_listed(nl=None) -> int:
    """Transfers in the GET_SESSIONS dump (on @nl, or a socket of its own)."""
    with genl_socket(nl) as sock:
        return sum(len(r.get(A["SESSION"], [])) for r in sock.ktftpd("GET_SESSIONS", dump=True))


@contextlib.contextmanager
def client_namespace(ns, link, srv4, cli4, srv6, cli6, mac=None):
    """A network namespace @ns for a client, joined to this one by a veth
    pair (@link-s here, @link-c there) with an address of each family at
    each end (/24 and /64), and @mac on the client's end if given."""
    run("modprobe", "veth")     # autoloading runs from init's root, not ours
    run("ip", "netns", "add", ns)
    try:
        run("ip", "link", "add", f"{link}-s", "type", "veth", "peer", "name", f"{link}-c")
        run("ip", "link", "set", f"{link}-c", "netns", ns)
        run("ip", "addr", "add", f"{srv4}/24", "dev", f"{link}-s")
        run("ip", "addr", "add", f"{srv6}/64", "dev", f"{link}-s", "nodad")
        run("ip", "link", "set", f"{link}-s", "up")
        if mac:
            run("ip", "-n", ns, "link", "set", f"{link}-c", "address", mac)
        run("ip", "-n", ns, "addr", "add", f"{cli4}/24", "dev", f"{link}-c")
        run("ip", "-n", ns, "addr", "add", f"{cli6}/64", "dev", f"{link}-c", "nodad")
        run("ip", "-n", ns, "link", "set", f"{link}-c", "up")
        run("ip", "-n", ns, "link", "set", "lo", "up")
        yield
    finally:
        subprocess.run(["ip", "link", "del", f"{link}-s"], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def fetch_in_namespace(ns, host, name, local, port=PORT, timeout=30, blksize=512):
    """Fetch @name from @host in namespace @ns, lock-step with @blksize, and
    compare it with the file @local, waiting at most @timeout s for each
    reply: (exit status, what the client said)."""
    r = subprocess.run(["ip", "netns", "exec", ns, sys.executable,
                        str(Path(__file__).resolve().parent / "window_fetch.py"),
                        host, str(port), name, str(local), str(blksize), "1", str(timeout)],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def module_load_id():
    """Which load of the module is in the kernel (None: none): the inode of
    /sys/module/ktftpd, which each load creates anew."""
    try:
        return MODULE.stat().st_ino
    except FileNotFoundError:
        return None


def read_small(path) -> str:
    """A /proc or /sys file, in three system calls (every test's checks read
    some 30 of them, each system call slow under emulation)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 8192).decode().rstrip("\n")
    finally:
        os.close(fd)


def settings() -> dict:
    """Every setting: each file of /proc/sys/net/ktftpd, and the module's
    parameters (fast_path may be written at run time)."""
    out = {}
    for folder, prefix in ((SYSCTL, ""), (PARAMS, "parameters/")):
        for name in os.listdir(folder):
            out[prefix + name] = read_small(f"{folder}/{name}")
    return out


def write_setting(name: str, value: str) -> None:
    if name.startswith("parameters/"):
        (PARAMS / name.split("/", 1)[1]).write_text(value)
    else:
        sysctl_write(name, value)


@pytest.fixture
def ktftpd():
    """A fresh module, loaded for one test (stopped, at its defaults) and
    unloaded after it: for the tests of loading, unloading and defaults."""
    if module_loaded():
        rmmod()
    insmod()
    try:
        yield
    finally:
        rmmod()
    assert not module_loaded()
    assert not SYSCTL.exists()


class Stats(dict):
    """Server.stats(): the counters since the test began.  peak (the most
    transfers in flight at once since the load) cannot be made relative:
    only a test on a fresh module may read it."""

    def __init__(self, values, fresh):
        super().__init__(values)
        self.fresh = fresh

    def __getitem__(self, key):
        if key == "peak" and not self.fresh:
            raise AssertionError("peak counts since the load: a test that reads it "
                                 "needs @pytest.mark.fresh_module")
        return super().__getitem__(key)


class Server:
    root = TFTP_ROOT
    port = PORT

    def __init__(self, base: dict, fresh: bool):
        self.base = base
        self.fresh = fresh

    def set(self, **params):
        for k, v in params.items():
            sysctl_write(k, str(v))

    def set_rules(self, *rules):
        set_rules(*rules)

    def status(self):
        return status()

    def stats(self):
        """The counters as `ktftpctl --json stats` names them, counted from
        when the test began (a module shared with earlier tests has counted
        theirs); active and peak as they are."""
        now = nl_status()["stats"]
        for k in COUNTERS:
            now[k] -= self.base[k]
        now["errors_sent"] = {code: n - self.base["errors_sent"].get(code, 0)
                              for code, n in now["errors_sent"].items()}
        return Stats(now, self.fresh)

    def wait_idle(self, timeout=30.0):
        """Wait until no transfer is in flight."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if active_transfers() == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"transfers still active: {self.stats()}")


class Shared:
    """The load of the module that tests share (the server and loaded
    fixtures, unless a test is marked fresh_module)."""
    load_id = None      # module_load_id() of it; None: load one anew
    defaults = None     # settings() after the session's first fresh load
    counters = None     # its counters when the last test that shared it ended
    last = "(none)"     # that test


def idle_problems(expect_counters=None) -> tuple[list[str], dict]:
    """How the loaded module differs from the baseline a shared test starts
    from: stopped, no transfer in flight or listed, every setting at its
    default, no reference held (a stop can leave the module pinned by a
    transfer that waits on a file system), and, if given, the counters
    as they were.  Returns the differences, and the counters."""
    problems = []
    with genl_socket() as nl:
        st = nl_status(nl)
        n = transfers_listed(nl)
    if st["running"] or st["uptime_ms"]:
        problems.append(f"running (uptime {st['uptime_ms']} ms)")
    if st["stats"]["active"]:
        problems.append(f"{st['stats']['active']} transfers active")
    if n:
        problems.append(f"{n} transfers listed")
    if st["rules"]:
        problems.append(f"{len(st['rules'])} filename rules in force")
    now = settings()
    for name in sorted(set(now) | set(Shared.defaults)):
        if now.get(name) != Shared.defaults.get(name):
            problems.append(f"{name} is {now.get(name)!r}, not {Shared.defaults.get(name)!r}")
    refcnt = read_small(MODULE / "refcnt").strip()
    if refcnt != "0":
        problems.append(f"the module holds {refcnt} references")
    counters = {k: st["stats"][k] for k in (*COUNTERS, "errors_sent")}
    if expect_counters is not None and counters != expect_counters:
        problems.append(f"counters moved: {expect_counters} -> {counters}")
    return problems, counters


def take_shared(test: str) -> None:
    """The shared load, stopped at its defaults with its counters as the
    last test that shared it left them; loaded anew if it is not in the
    kernel (a test unloaded it) or another load is."""
    load = module_load_id()
    if load is not None and load == Shared.load_id:
        problems, _ = idle_problems(Shared.counters)
        if problems:
            Shared.load_id = None
            rmmod()
            raise AssertionError(f"the shared module changed after {Shared.last} ended "
                                 f"(unloaded): {'; '.join(problems)}")
        return
    if load is not None:
        rmmod()
    insmod()
    Shared.load_id = module_load_id()
    now = settings()
    if Shared.defaults is None:
        Shared.defaults = now
    assert now == Shared.defaults, "a fresh load has other defaults than the first"
    problems, Shared.counters = idle_problems()
    assert not problems, f"a fresh load is not idle: {problems}"


def restore_defaults() -> bool:
    """Stop, and put back every setting that is not its default; False if
    the default root cannot be put back (a machine without /srv/tftp: a
    fresh load sets it without looking it up)."""
    sysctl_write("stop", "1")
    if nl_status()["rules"]:
        set_rules()
    now = settings()
    for name, want in Shared.defaults.items():
        if name != "stop" and now.get(name) != want:
            try:
                write_setting(name, want)
            except FileNotFoundError:
                if name == "root" and not os.path.isdir(want):
                    return False
                raise
    return True


def give_back_shared(test: str, srv) -> None:
    """After a test that shared the module: it must be back at its
    baseline (see idle_problems) once the fixture has stopped it and put
    back the settings.  If not, the test fails, and the module is unloaded
    so that the next test gets a fresh one."""
    problems = []
    counters = None
    try:
        if srv is not None:
            srv.wait_idle(IDLE_TIMEOUT)
        if restore_defaults():
            problems, counters = idle_problems()
        else:
            # No default root to put back: the next test loads anew, and
            # this load's unload is the check.
            Shared.load_id = None
            rmmod()
            return
    except Exception as e:  # whatever it is, it is the test's mess
        problems.append(f"{type(e).__name__}: {e}")
    if problems:
        Shared.load_id = None
        try:
            rmmod()
        except AssertionError as e:
            problems.append(str(e))
        raise AssertionError(f"{test} left the shared module off its baseline "
                             f"(unloaded for the next test): {'; '.join(problems)}")
    Shared.counters = counters
    Shared.last = test


@pytest.fixture(scope="session")
def shared_module():
    """Unloads the shared module after the last test, so that its unload
    (every object freed: kernel/lifetime.c) is part of the run."""
    yield Shared
    if module_loaded():
        rmmod()


def serve() -> None:
    TFTP_ROOT.mkdir(parents=True, exist_ok=True)
    TFTP_ROOT.chmod(0o755)
    os.chown(TFTP_ROOT, 0, 0)
    sysctl_write("root", str(TFTP_ROOT))
    sysctl_write("port", str(PORT))
    sysctl_write("stop", "0")


def fresh(request) -> bool:
    return request.node.get_closest_marker("fresh_module") is not None


@pytest.fixture
def loaded(request, shared_module):
    """ktftpd loaded, stopped, every setting at its default: the module the
    tests share (see server), checked back at that baseline after the
    test."""
    take_shared(request.node.nodeid)
    yield
    give_back_shared(request.node.nodeid, None)


@pytest.fixture
def server(request, shared_module):
    """ktftpd serving TFTP_ROOT on PORT; checked idle at the end.

    The module is shared between tests: it is loaded once and given to
    each test stopped, at its defaults (read after a fresh load),
    with nothing in flight; after the test the fixture stops it, puts back
    every setting, and checks that baseline again (see give_back_shared),
    or fails the test.  stats() counts from the test's start.  A test
    marked fresh_module gets a module of its own, unloaded after it."""
    if fresh(request):
        if module_loaded():
            rmmod()
        insmod()
        srv = Server(nl_status()["stats"], fresh=True)
        try:
            serve()
            yield srv
            # Every test leaves the server idle: nothing leaked, nothing stuck.
            srv.wait_idle(IDLE_TIMEOUT)
            assert transfers_listed() == 0
            sysctl_write("stop", "1")
        finally:
            rmmod()
        assert not module_loaded()
        return
    take_shared(request.node.nodeid)
    srv = Server(Shared.counters, fresh=False)
    try:
        serve()
    except BaseException:
        give_back_shared(request.node.nodeid, None)
        raise
    yield srv
    give_back_shared(request.node.nodeid, srv)


@pytest.fixture
def userns_admin():
    """A fresh module loaded with userns_admin=1, unloaded after."""
    if module_loaded():
        rmmod()
    insmod("userns_admin=1")
    try:
        yield
    finally:
        rmmod()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fresh_module: the server fixture loads a module for this test alone "
        "and unloads it after (tests of peak, memory, module lifetime, failslab)")
