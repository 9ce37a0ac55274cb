"""Abuse: how much a spoofed request can make the server send, what an
unprivileged user can do (nothing that changes or reveals anything), and
traversal spellings and symlink races that must never leave root."""
import errno
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import PORT, SYSCTL, TFTP_ROOT, make_file, sysctl_read
from genl import rule
from tftp import Client, opts

HERE = Path(__file__).resolve().parent
NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
          "--inh-caps=-all", "--bounding-set=-all"]
RETRIES = 3


def collect(c, quiet=1.5):
    """Every datagram that reaches @c until the server is idle and @quiet
    seconds pass with nothing: [(kind, num, len)]."""
    got = []
    while True:
        r = c.recv(timeout=quiet)
        if r is None:
            return got
        (kind, num, body), _ = r
        got.append((kind, num, len(body) if isinstance(body, (bytes, str)) else 0))


@pytest.fixture
def victim_file(server):
    server.set(timeout=100, retries=RETRIES)
    make_file(TFTP_ROOT / "amp.bin", 512 * 100)
    return "amp.bin"


def test_spoofed_plain_rrq_yields_retries_plus_one_blocks(server, victim_file, capsys):
    """A spoofed RRQ: the victim (which never answers) gets block 1 and
    its RETRIES resends, then one ERROR: (retries + 1) x window(1)."""
    with Client() as c:
        c.request(victim_file)
        got = collect(c)
    server.wait_idle()
    data = [g for g in got if g[0] == "DATA"]
    assert data == [("DATA", 1, 512)] * (RETRIES + 1), got
    assert [g[0] for g in got[len(data):]] == ["ERROR"], got
    with capsys.disabled():
        sent = sum(4 + g[2] for g in got)
        print(f"\n  amplification, plain RRQ: {len(got)} packets, {sent} bytes "
              f"for a {len(victim_file) + 8}-byte request")


def test_spoofed_rrq_with_options_yields_only_oacks(server, victim_file):
    """With options, nothing but the OACK is sent until ACK 0: a spoofed
    request with windowsize 64 gets no window at all."""
    server.set(windowsize_max=64)
    with Client() as c:
        c.request(victim_file, options=opts(blksize=1428, windowsize=64))
        got = collect(c)
    server.wait_idle()
    assert [g[0] for g in got] == ["OACK"] * (RETRIES + 1) + ["ERROR"], got


@pytest.mark.parametrize("window", [1, 8, 32])
def test_a_silent_peer_after_ack_0_gets_retries_plus_one_windows(server, victim_file,
                                                                   window, capsys):
    """The bound the issue asks for: at most (retries + 1) x window DATA
    packets to a peer that stops answering (here: after ACK 0)."""
    server.set(windowsize_max=64)
    with Client() as c:
        oack = c.negotiate(victim_file, opts(windowsize=window))
        assert oack == {"windowsize": str(window)}
        c.ack(0)
        got = collect(c)
    server.wait_idle()
    data = [g for g in got if g[0] == "DATA"]
    assert len(data) <= (RETRIES + 1) * window, got
    # Exactly that: the window, then the same window once per retry.
    assert [g[1] for g in data] == list(range(1, window + 1)) * (RETRIES + 1)
    assert [g[0] for g in got[len(data):]] == ["ERROR"], got
    with capsys.disabled():
        print(f"\n  silent peer, window {window}: {len(data)} DATA packets "
              f"(bound {(RETRIES + 1) * window}) + 1 ERROR")


# --- Unprivileged users -----------------------------------------------------

def test_nobody_cannot_write_any_sysctl(server):
    names = sorted(p.name for p in SYSCTL.iterdir())
    assert {"stop", "root", "port", "listen"} <= set(names), names
    before = {n: sysctl_read(n) for n in names}
    for name in names:
        r = subprocess.run([*NOBODY, "sh", "-c", f"echo 1 > {SYSCTL / name}"],
                           capture_output=True, text=True)
        assert r.returncode != 0, f"nobody wrote {name}"
        assert "denied" in r.stderr or "not permitted" in r.stderr, (name, r.stderr)
    assert {n: sysctl_read(n) for n in names} == before


NOBODY_NETLINK = r"""
import errno, json, sys
sys.path.insert(0, sys.argv[1])
from genl import A, CFG, REWRITE, Genl, NetlinkError, attr, parse_attrs, string, u32
g = Genl()
out = {}
def call(name, cmd, payload=b"", dump=False):
    try:
        g.ktftpd(cmd, payload, dump=dump)
        out[name] = 0
    except NetlinkError as e:
        out[name] = e.errno
call("GET_STATUS", "GET_STATUS")
# The rules name clients: not in anyone's status (the test set one).
status = g.ktftpd("GET_STATUS")[0]
out["rules shown"] = CFG["RULES"] in parse_attrs(status[A["CONFIG"]][0])
call("START", "START")
call("STOP", "STOP", u32(A["DRAIN_MS"], 0))
call("SET_CONFIG", "SET_CONFIG", attr(A["CONFIG"], [u32(CFG["RETRIES"], 7)]))
call("GET_SESSIONS", "GET_SESSIONS", dump=True)
call("REWRITE_TEST", "REWRITE_TEST", attr(A["REWRITE"], [string(REWRITE["NAME"], "x")]))
try:
    g.join("events")
    out["join events"] = 0
except OSError as e:
    out["join events"] = e.errno
print(json.dumps(out))
"""


def test_nobody_gets_eperm_from_every_mutating_or_revealing_command(server):
    server.set_rules(rule("exact", "pxelinux.cfg/mine", "pxelinux.cfg/01-52-54-00-12-34-56"))
    before = sysctl_read("retries")
    r = subprocess.run([*NOBODY, sys.executable, "-c", NOBODY_NETLINK, str(HERE)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got == {"GET_STATUS": 0, "START": errno.EPERM, "STOP": errno.EPERM,
                   "SET_CONFIG": errno.EPERM, "GET_SESSIONS": errno.EPERM,
                   "REWRITE_TEST": errno.EPERM, "join events": errno.EPERM,
                   "rules shown": False}, got
    assert sysctl_read("retries") == before
    assert sysctl_read("stop") == "0"


# --- Traversal ---------------------------------------------------------------

SECRET = b"root:x:0:0:abuse-secret\n"

# Spellings beyond tests/test_hostile.py's: encodings a web server would
# decode (TFTP does not: each is a literal name that does not exist),
# overlong UTF-8 dots, dots with trailing junk, case games, and names that
# the NUL ends early.  None may be served, from anywhere.
MORE_TRAVERSALS = [
    "%2e%2e/outside2/secret",
    "%2e%2e%2foutside2%2fsecret",
    "..%2foutside2/secret",
    "..%5coutside2%5csecret",
    "%252e%252e/outside2/secret",
    b"\xc0\xae\xc0\xae/outside2/secret",          # overlong UTF-8 "."
    b"\xe0\x80\xae\xe0\x80\xae/outside2/secret",
    "\uff0e\uff0e/outside2/secret",                  # fullwidth dots
    b"../outside2/secret\0sub/inside.bin",            # the NUL ends it
    ".../outside2/secret",
    "..../outside2/secret",
    ". ./outside2/secret",
    ".. /outside2/secret",
    "../outside2/secret ",
    "../outside2/secret.",
    "SUB/../../outside2/secret",
    "sub/../../OUTSIDE2/secret",
    "sub\\../..\\outside2/secret",
    "/\\../outside2/secret",
    "\\\\..\\..\\outside2\\secret",
    "./.././outside2/./secret",
    "sub/..//.././outside2/secret",
    "sub/" + "../" * 64 + "tmp/outside2/secret",
    "a" * 200 + "/../../outside2/secret",
    "/proc/self/root/tmp/outside2/secret",
    "/proc/self/cwd/../outside2/secret",
    "/dev/fd/0",
    "swap_link",
    "swap_dir_link/secret",
]


@pytest.fixture
def swap_tree(server):
    outside = TFTP_ROOT.parent / "outside2"
    outside.mkdir(exist_ok=True)
    (outside / "secret").write_bytes(SECRET)
    (outside / "secret").chmod(0o644)
    (TFTP_ROOT / "sub").mkdir(exist_ok=True)
    inside = make_file(TFTP_ROOT / "sub" / "inside.bin", 3000)
    yield outside, inside
    for p in (TFTP_ROOT / "swap_link", TFTP_ROOT / "swap_dir_link"):
        if p.is_symlink():
            p.unlink()


def fetch_or_error(name, timeout=5.0):
    """('DATA', bytes) for whatever was served, or ('ERROR', code)."""
    with Client() as c:
        c.request(name)
        r = c.recv(timeout)
        assert r is not None, f"no answer for {name!r}"
        (kind, num, body), addr = r
        if kind == "ERROR":
            return kind, num
        assert kind == "DATA", (name, kind)
        c.tid = addr
        return kind, c.finish(body, timeout=timeout)


def test_more_traversal_spellings_never_leave_root(swap_tree):
    outside, _ = swap_tree
    (TFTP_ROOT / "swap_link").symlink_to(outside / "secret")
    (TFTP_ROOT / "swap_dir_link").symlink_to(outside)
    served = {}
    for name in MORE_TRAVERSALS:
        kind, what = fetch_or_error(name)
        # Not found (1), access violation (2), or for the NUL-cut name a
        # bad mode (4): anything but data.
        if kind != "ERROR" or what not in (1, 2, 4):
            served[name] = (kind, what)
    assert served == {}, served


def test_symlink_swapped_during_requests_never_serves_outside(swap_tree):
    """A symlink flipped as fast as a thread can between a file inside root
    and one outside, while requests resolve it: every answer is the inside
    file or an ERROR, never a byte of the secret."""
    outside, inside = swap_tree
    link = TFTP_ROOT / "swap_link"
    tmp = TFTP_ROOT / "swap_link.tmp"
    targets = [Path("sub/inside.bin"), outside / "secret"]
    stop = threading.Event()
    flips = [0]

    def flipper():
        while not stop.is_set():
            for t in targets:
                if tmp.is_symlink():
                    tmp.unlink()
                tmp.symlink_to(t)
                os.replace(tmp, link)     # atomic: the link always exists
                flips[0] += 1

    link.symlink_to(targets[0])       # there before the first request
    th = threading.Thread(target=flipper)
    th.start()
    outcomes = {"inside": 0, "error": 0}
    try:
        deadline = time.monotonic() + 20
        n = 0
        while time.monotonic() < deadline and n < 300:
            kind, what = fetch_or_error("swap_link")
            n += 1
            if kind == "ERROR":
                assert what == 2, f"ERROR {what}"
                outcomes["error"] += 1
            else:
                assert SECRET not in what and what == inside.read_bytes(), what[:64]
                outcomes["inside"] += 1
    finally:
        stop.set()
        th.join()
    # Both outcomes happened, so the race was really run.
    assert outcomes["inside"] > 0 and outcomes["error"] > 0, (outcomes, flips[0])


# --- Per-source rate limit -------------------------------------------------

def udp_rcvbuf_errors():
    """Datagrams the kernel dropped at a full socket buffer (all sockets)."""
    lines = [l.split() for l in open("/proc/net/snmp") if l.startswith("Udp:")]
    return int(lines[1][lines[0].index("RcvbufErrors")])


def test_a_flood_from_one_address_is_cut_to_the_rate_and_others_are_served(server):
    """rate_limit=50: a flood of RRQs from 127.0.0.2 gets at most 50 per
    second (plus a second's burst) answered, the rest dropped before
    parsing and counted; meanwhile a client at 127.0.0.1 fetches a file 20
    times, 10 a second, every time, byte-exact."""
    import socket
    rate = 50
    server.set(rate_limit=rate)
    f = make_file(TFTP_ROOT / "fair.bin", 5000)
    want = f.read_bytes()
    # From many ports of one address: a request from the port of one still
    # being set up is its duplicate, dropped as a resent RRQ is.
    floods = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(256)]
    for flood in floods:
        flood.bind(("127.0.0.2", 0))
        flood.setblocking(False)
    stop = threading.Event()
    sent = [0]

    def flooder():
        pkt = b"\x00\x01no-such-file\x00octet\x00"
        while not stop.is_set():
            for _ in range(50):
                floods[sent[0] % len(floods)].sendto(pkt, ("127.0.0.1", PORT))
                sent[0] += 1
            time.sleep(0.005)

    before = server.stats()
    overflow_before = udp_rcvbuf_errors()
    th = threading.Thread(target=flooder)
    t0 = time.monotonic()
    th.start()
    try:
        # 20 fetches, 10 a second: well inside the client's own rate, and
        # 2 s of flood at least (back to back, 20 once took 0.1 s, before
        # the flooder thread had sent enough to be a flood).
        for _ in range(20):
            with Client() as c:
                assert c.fetch("fair.bin", timeout=5) == want
            time.sleep(0.1)
    finally:
        stop.set()
        th.join()
    elapsed = time.monotonic() - t0
    time.sleep(0.5)
    answered = 0
    for flood in floods:
        while True:
            try:
                flood.recvfrom(2048)
                answered += 1
            except BlockingIOError:
                break
        flood.close()
    after = server.stats()
    dropped = after["rate_limited"] - before["rate_limited"]
    overflowed = udp_rcvbuf_errors() - overflow_before
    print(f"flood: {sent[0]} sent in {elapsed:.1f} s, {answered} answered, {dropped} dropped "
          f"by the limit, {overflowed} overflowed the listener's buffer")
    # What the limit may let through: the rate, a second's burst, and a
    # few datagrams of timer granularity.
    allowed = rate * (elapsed + 1) + 5
    assert sent[0] > 4 * rate * (elapsed + 1), "the flood was not a flood"
    assert answered <= allowed, (answered, elapsed)
    assert answered >= rate * 0.5, "the limit let nearly nothing through"
    # The rest was dropped by the limit, or, when the host is too slow for
    # the listener to keep up (the debug kernel's checkers), by the kernel
    # at the listener's full buffer: every datagram is accounted for (but for
    # 5% still on their way), and whatever reached the listener beyond the
    # allowance the limit dropped.  (A fixed 80% asserted here before held
    # only for a flood 5 times the allowance: on the debug kernel the flood
    # was 950 datagrams in about 3.5 s, and the limit rightly let 22% by.)
    assert answered + dropped <= sent[0], (answered, dropped, sent[0])
    assert answered + dropped + overflowed >= sent[0] * 0.95, \
        (answered, dropped, overflowed, sent[0])
    reached = sent[0] - overflowed
    assert dropped >= reached - allowed - sent[0] * 0.05, \
        (answered, dropped, overflowed, sent[0], allowed)


def test_rate_limit_off_answers_everything(server):
    """The same short burst with rate_limit=0 (the default): all answered."""
    import socket
    assert sysctl_read("rate_limit") == "0"
    # One port each: 300 RRQs from one port are one request sent again.
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(300)]
    for s in socks:
        s.bind(("127.0.0.2", 0))
        s.settimeout(5)
    for s in socks:
        s.sendto(b"\x00\x01no-such-file\x00octet\x00", ("127.0.0.1", PORT))
    got = 0
    for s in socks:
        try:
            s.recvfrom(2048)
            got += 1
        except socket.timeout:
            pass
        s.close()
    assert got == 300 and server.stats()["rate_limited"] == 0
