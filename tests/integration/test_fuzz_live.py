"""Live fuzzing of the running module: mutated and random datagrams to the
listening port and to live transfers' ports, and random generic-netlink
messages to the family.  Afterwards the server serves byte-exact, every
session is gone, and (the VM harness checks) the kernel logged no splat.

The runs are seeded and print their seed; KTFTPD_FUZZ_SEED replays one,
KTFTPD_FUZZ_SECONDS lengthens them (`make check` runs 60 s and 30 s)."""
import errno
import os
import random
import socket
import struct
import time

import pytest

from conftest import PORT, TFTP_ROOT, make_file, sysctl_read, sysctl_write
from genl import (CMD, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
                  NLA_F_NESTED, Genl)
from tftp import Client
from test_netns import UNPRIVILEGED, in_user_namespace

SECONDS = int(os.environ.get("KTFTPD_FUZZ_SECONDS", "60"))
OPTION_NAMES = [b"blksize", b"tsize", b"windowsize", b"BLKSIZE", b"WindowSize",
                b"multicast", b"rollover", b"utimeout", b"", b"x" * 300]
# The server honours a client's "timeout" exactly (RFC 2349, up to 255 s),
# and the sessions the fuzz leaves must end soon: only unmutated requests
# carry it, and only as 1 s (a mutation could make it 56 s, say).
OPTION_VALUES = [b"0", b"1", b"8", b"512", b"1428", b"65464", b"65465", b"65535", b"-1",
                 b"18446744073709551616", b"99999999999999999999999", b"", b" 1", b"0x10",
                 b"%s%n", b"\xff\xfe"]


def keep_fuzzing(start, seconds, enough):
    """Fuzz for @seconds, and on past them (up to ten times as long) until
    enough was sent to mean something: a slow kernel (the debug one, or a
    loaded guest) gets the same amount of fuzz, not a failed floor."""
    spent = time.monotonic() - start
    return spent < seconds or (spent < 10 * seconds and not enough())


def seed():
    s = int(os.environ.get("KTFTPD_FUZZ_SEED", random.randrange(1 << 32)))
    print(f"fuzz seed {s} (KTFTPD_FUZZ_SEED={s} replays it)")
    return random.Random(s)


def request(rng, timeout_option=False):
    """A request, valid or nearly: options in any number and order."""
    op = rng.choice([1, 1, 1, 2, 0, 3, 4, 5, 6, 7, 0xFFFF])
    name = rng.choice([b"fz.bin", b"small.bin", b"/fz.bin", b"..", b"", b"nope",
                       b"dir", b"a" * rng.randrange(1, 600), b"up-" + str(rng.randrange(9)).encode()])
    mode = rng.choice([b"octet", b"netascii", b"NETASCII", b"mail", b"binary", b""])
    pkt = struct.pack("!H", op) + name + b"\0" + mode + b"\0"
    for _ in range(rng.choice([0, 0, 1, 2, 4, 8, 17, 40])):
        pkt += rng.choice(OPTION_NAMES) + b"\0" + rng.choice(OPTION_VALUES) + b"\0"
    if timeout_option and rng.random() < 0.3:
        pkt += b"timeout\0" + b"1\0"
    return pkt


def mutate(rng, pkt):
    """Truncation, bit flips, byte soup, splices, or pure noise."""
    how = rng.randrange(6)
    pkt = bytearray(pkt)
    if how == 0 and pkt:
        del pkt[rng.randrange(len(pkt)):]
    elif how == 1:
        for _ in range(rng.randrange(1, 8)):
            if pkt:
                pkt[rng.randrange(len(pkt))] ^= 1 << rng.randrange(8)
    elif how == 2:
        for _ in range(rng.randrange(1, 8)):
            if pkt:
                pkt[rng.randrange(len(pkt))] = rng.choice([0, 0xFF, 0x2F, 0x2E, rng.randrange(256)])
    elif how == 3:
        pkt += rng.randbytes(rng.randrange(0, 200))
    elif how == 4:
        return rng.randbytes(rng.choice([0, 1, 2, 3, 4, 5, 100, 1500, 65000]))
    return bytes(pkt)


def to_transfer(rng):
    """What a peer (or an impostor) might send to a transfer's port."""
    kind = rng.randrange(5)
    if kind == 0:
        return struct.pack("!HH", 4, rng.randrange(65536))                # ACK
    if kind == 1:
        return struct.pack("!HH", 3, rng.randrange(65536)) + rng.randbytes(rng.randrange(600))
    if kind == 2:
        return struct.pack("!HH", 5, rng.randrange(65536)) + rng.randbytes(rng.randrange(20))
    if kind == 3:
        return struct.pack("!H", rng.randrange(65536)) + rng.randbytes(rng.randrange(8))
    return rng.randbytes(rng.randrange(6))


@pytest.fixture
def fuzz_root(server):
    server.set(timeout=200, retries=2, allow_write=1, create=1, max_write_size=1 << 20,
               windowsize_max=64, max_sessions=256)
    make_file(TFTP_ROOT / "fz.bin", 300_000)
    make_file(TFTP_ROOT / "small.bin", 700)
    (TFTP_ROOT / "dir").mkdir(exist_ok=True)
    yield
    for p in TFTP_ROOT.glob("up-*"):
        p.unlink()


def test_mutated_datagrams_to_the_port_and_to_live_transfers(server, fuzz_root):
    rng = seed()
    sent = {"port": 0, "transfer": 0, "foreign": 0}
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(8)]
    for s in socks:
        s.setblocking(False)
    tids = {}                      # socket index -> the transfer's address

    def enough():
        return sent["port"] > 1000 and sent["transfer"] > 100

    start = time.monotonic()
    try:
        while keep_fuzzing(start, SECONDS, enough):
            i = rng.randrange(len(socks))
            s = socks[i]
            # What came back tells us the transfers' ports (their TIDs).
            try:
                while True:
                    _, addr = s.recvfrom(70000)
                    tids[i] = addr
            except BlockingIOError:
                pass
            r = rng.random()
            if r < 0.45:
                s.sendto(mutate(rng, request(rng)) if rng.random() < 0.6
                         else request(rng, timeout_option=True), ("127.0.0.1", PORT))
                sent["port"] += 1
            elif tids:
                j, addr = rng.choice(list(tids.items()))
                if j == i or rng.random() < 0.7:
                    socks[j].sendto(to_transfer(rng), addr)
                    sent["transfer"] += 1
                else:                   # a foreign TID: ERROR 5 to it, no harm
                    s.sendto(to_transfer(rng), addr)
                    sent["foreign"] += 1
    finally:
        for s in socks:
            s.close()
    print(f"sent {sent}, {len(tids)} transfer ports learned")
    assert sent["port"] > 1000 and sent["transfer"] > 100, sent
    # Everything the fuzz began ends by itself: timeout 200 ms (or the
    # client's 1 s), 2 retries, backed off.
    server.wait_idle(timeout=60)
    assert server.stats()["active"] == 0
    want = (TFTP_ROOT / "fz.bin").read_bytes()
    with Client() as c:
        assert c.fetch_window("fz.bin", blksize=1428, windowsize=16) == want
    with Client() as c:
        assert c.fetch("small.bin") == (TFTP_ROOT / "small.bin").read_bytes()


# --- Netlink -----------------------------------------------------------------

def nla(rng, depth=0):
    """A random attribute: any type, any length, sometimes nested, sometimes
    claiming a length it does not have."""
    kind = rng.randrange(0, 40) | (NLA_F_NESTED if rng.random() < 0.2 else 0)
    if depth < 3 and rng.random() < 0.3:
        payload = b"".join(nla(rng, depth + 1) for _ in range(rng.randrange(4)))
    else:
        payload = rng.choice([b"", rng.randbytes(1), rng.randbytes(2), rng.randbytes(4),
                              rng.randbytes(8), rng.randbytes(rng.randrange(300)),
                              b"/tmp\0", b"/\0", rng.randbytes(4100)])
    length = 4 + len(payload)
    if rng.random() < 0.05:
        length = rng.choice([0, 1, 3, 4, length + 4, 0xFFFF])
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-len(payload) % 4)


def exchange(g, cmd, version, flags, payload):
    """Send one message; return the error (0: success) its answer carries."""
    g.seq += 1
    body = struct.pack("=BBH", cmd, version, 0) + payload
    g.sock.send(struct.pack("=IHHII", 16 + len(body), g.family, flags, g.seq, 0) + body)
    while True:
        data = g.sock.recv(1 << 20)
        while len(data) >= 16:
            n, kind, _, mseq, _ = struct.unpack_from("=IHHII", data)
            msg, data = data[:n], data[(n + 3) & ~3:]
            if mseq != g.seq:
                continue
            if kind == NLMSG_DONE:
                return 0
            if kind == NLMSG_ERROR:
                return -struct.unpack_from("=i", msg, 16)[0]


# What a random message may be answered with: nothing like ENOMEM or
# EFAULT.
ENOTSUPP = 524          # the kernel's own "operation not supported"
CLEAN_ANSWERS = {0, errno.EINVAL, errno.ERANGE, errno.EOPNOTSUPP, ENOTSUPP, errno.EMSGSIZE,
                 errno.ENOENT, errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.ENOTDIR,
                 errno.EACCES, errno.ENAMETOOLONG, errno.E2BIG}


def fuzz_netlink(rng, seconds):
    """Random messages to the family, from the caller's network namespace
    (so to its server), for @seconds or until 500 were sent; a STOP that
    hit is undone now and then.  (messages sent, {errno: answers})."""
    g = Genl()
    g.sock.settimeout(30)
    answers = {}
    cmds = list(CMD.values()) + [0, 9, 10, 200, 255]
    n = 0
    start = time.monotonic()
    try:
        while keep_fuzzing(start, seconds, lambda: n > 500):
            cmd = rng.choice(cmds)
            version = rng.choice([1, 1, 1, 0, 2, 255])
            flags = NLM_F_REQUEST | rng.choice([NLM_F_ACK, NLM_F_ACK, NLM_F_DUMP, 0x20, 0])
            flags |= NLM_F_ACK         # every message is answered, so none is lost
            payload = b"".join(nla(rng) for _ in range(rng.randrange(6)))
            # No drain that outlasts the test: STOP with a random drain of
            # an idle server returns at once, but keep it short anyway.
            err = exchange(g, cmd, version, flags, payload)
            answers[err] = answers.get(err, 0) + 1
            n += 1
            if sysctl_read("stop") == "1" and rng.random() < 0.5:
                try:
                    sysctl_write("stop", "0")
                except OSError as e:
                    # What a lucky SET_CONFIG may have left: an identity
                    # a user namespace does not map.
                    if e.errno != errno.EOVERFLOW:
                        raise
    finally:
        g.close()
    return n, answers


def check_answers(n, answers):
    named = {errno.errorcode.get(e, e): k for e, k in answers.items()}
    print(f"{n} messages, answers {named}")
    assert n > 500, n
    assert set(answers) <= CLEAN_ANSWERS, named
    assert answers.get(errno.EINVAL, 0) > n // 10, named


def test_random_netlink_messages_get_clean_answers(server, fuzz_root):
    rng = seed()
    config = {k: sysctl_read(k) for k in ("root", "port", "listen", "timeout", "retries")}
    n, answers = fuzz_netlink(rng, max(SECONDS // 2, 10))
    check_answers(n, answers)
    # Put back what a lucky SET_CONFIG changed, and serve again.
    sysctl_write("stop", "1")
    for k, v in config.items():
        sysctl_write(k, v)
    sysctl_write("stop", "0")
    with Client() as c:
        assert c.fetch("small.bin") == (TFTP_ROOT / "small.bin").read_bytes()


def test_random_netlink_messages_from_a_namespace_reach_only_its_server(server, fuzz_root):
    """The same fuzz from another network namespace, whose server has a
    root to start with: clean answers there, and the initial namespace's
    server (serving all along) sees none of it: config, state and
    counters as they were."""
    import json
    import subprocess
    from conftest import REPO, run, status
    rng = seed()
    before = status()
    ns = "ktftpd-fuzz"
    run("ip", "netns", "add", ns)
    try:
        run("ip", "-n", ns, "link", "set", "lo", "up")
        run("nsenter", f"--net=/run/netns/{ns}", "sysctl", "-q", "-w",
            f"net.ktftpd.root={TFTP_ROOT}")
        child = subprocess.run(
            ["nsenter", f"--net=/run/netns/{ns}", "python3", "-c", f"""
import json, random, sys
sys.path.insert(0, "{REPO / 'tests' / 'integration'}")
from test_fuzz_live import fuzz_netlink
n, answers = fuzz_netlink(random.Random({rng.randrange(1 << 32)}), {max(SECONDS // 4, 10)})
print(json.dumps([n, answers]))
"""], capture_output=True, text=True, timeout=60 * max(SECONDS, 10))
        assert child.returncode == 0, child.stderr
        n, answers = json.loads(child.stdout.splitlines()[-1])
        check_answers(n, {int(e): k for e, k in answers.items()})
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    after = status()
    assert after["running"] and after["config"] == before["config"], after
    assert after["stats"] == before["stats"], (before["stats"], after["stats"])
    with Client() as c:
        assert c.fetch("small.bin") == (TFTP_ROOT / "small.bin").read_bytes()


def test_random_netlink_messages_from_an_unprivileged_users_namespace(userns_admin):
    """userns_admin=1: the same fuzz from root of an unprivileged user's
    user and network namespaces, the most hostile sender that may
    administer a server at all.  Clean answers there (a start may also
    meet the user namespace's unmapped default identity: EOVERFLOW), and
    the initial namespace's server sees none of it."""
    import json
    from conftest import serve, status
    rng = seed()
    serve()
    make_file(TFTP_ROOT / "small.bin", 700)
    before = status()
    child = in_user_namespace(
        "ip link set lo up && cd /proc/sys/net/ktftpd && echo 0 > user && echo 0 > group"
        f" && echo {TFTP_ROOT} > root && cd - >/dev/null && python3 -c '"
        "import json, random, sys; sys.path.insert(0, \"tests/integration\");"
        " from test_fuzz_live import fuzz_netlink;"
        f" n, answers = fuzz_netlink(random.Random({rng.randrange(1 << 32)}),"
        f" {max(SECONDS // 4, 10)}); print(json.dumps([n, answers]))'",
        uid=UNPRIVILEGED, timeout=60 * max(SECONDS, 10))
    assert child.returncode == 0, child.stdout + child.stderr
    n, answers = json.loads(child.stdout.splitlines()[-1])
    answers = {int(e): k for e, k in answers.items()}
    answers.pop(errno.EOVERFLOW, None)
    check_answers(n, answers)
    after = status()
    assert after["running"] and after["config"] == before["config"], after
    assert after["stats"] == before["stats"], (before["stats"], after["stats"])
    with Client() as c:
        assert c.fetch("small.bin") == (TFTP_ROOT / "small.bin").read_bytes()
