"""Ports for firewalls and NAT: port_range (tftpd-hpa --port-range) and
single_port (dnsmasq's tftp-single-port), each through a client-side
firewall that lets in only those ports."""
import errno
import os
import selectors
import socket
import struct
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import (PORT, TFTP_ROOT, client_namespace, fetch_in_namespace, make_file,
                      nl_status, run, sysctl_read, sysctl_write)
from tftp import Client, ack, rrq, wait_for

NS = "ktftpd-ports"
SRV4, CLI4 = "198.18.8.1", "198.18.8.2"
SRV6, CLI6 = "fd00:7466:7470:8::1", "fd00:7466:7470:8::2"
# Above the ephemeral range (32768-60999): a range filled in full needs
# every port free, and any client socket of the run, its port chosen by
# the kernel, once took one of 50000-50009 ("Server busy: no free port").
LOW, HIGH = 61100, 61109


@pytest.fixture(scope="module")
def firewalled():
    """A client namespace; firewall(ports) lets in only UDP from those
    server ports."""
    run("modprobe", "nf_tables")
    with client_namespace(NS, "veth-p", SRV4, CLI4, SRV6, CLI6):
        def firewall(ports):
            subprocess.run(["ip", "netns", "exec", NS, "nft", "delete", "table", "inet", "f"],
                           capture_output=True)
            run("ip", "netns", "exec", NS, "nft",
                f"add table inet f; add chain inet f in {{ type filter hook input priority 0; }};"
                f" add rule inet f in udp sport {ports} accept; add rule inet f in meta l4proto udp drop")
        yield firewall


@pytest.fixture
def blob():
    return make_file(TFTP_ROOT / "ports.bin", 5000)


def open_transfers(n, host="127.0.0.1"):
    """@n transfers held open (each has its DATA 1, not ACKed): their
    sockets and the address each DATA came from."""
    out = []
    for _ in range(n):
        c = Client(host, PORT)
        c.request("ports.bin")
        r = c.recv(10)
        assert r is not None and r[0][0] == "DATA", r
        out.append((c, r[1]))
    return out


def test_every_transfer_port_is_in_the_range_and_a_full_range_is_busy(server, blob):
    server.set(port_range=f"{LOW}:{HIGH}")
    held = open_transfers(HIGH - LOW + 1)
    try:
        ports = sorted(addr[1] for _, addr in held)
        assert ports == list(range(LOW, HIGH + 1)), ports
        before = server.stats()["ports_exhausted"]
        with Client("127.0.0.1", PORT) as c:
            c.request("ports.bin")
            (kind, code, msg), addr = c.recv(10)
        assert (kind, code, msg) == ("ERROR", 0, "Server busy: no free port")
        assert addr[1] == PORT              # said from where it was asked
        assert server.stats()["ports_exhausted"] - before == 1
    finally:
        for c, addr in held:
            c.cancel(addr)
            c.close()
    server.wait_idle()
    with Client("127.0.0.1", PORT) as c:      # and free again
        assert c.fetch("ports.bin") == blob.read_bytes()


@pytest.mark.parametrize("bad", ["0:5", "5:4", "1:65536", "a:b", "5", "5:", ":5", "1:2:3",
                                 "-1:5", "70000:70001", "5 6"])
def test_port_range_sysctl(server, bad):
    sysctl_write("port_range", f"{LOW}:{HIGH}\n")
    assert sysctl_read("port_range") == f"{LOW}:{HIGH}"
    with pytest.raises(OSError) as e:
        sysctl_write("port_range", bad)
    assert e.value.errno == errno.EINVAL, bad
    assert sysctl_read("port_range") == f"{LOW}:{HIGH}"
    sysctl_write("port_range", "")
    assert sysctl_read("port_range") == ""


def test_single_port_serves_100_transfers_from_one_address(server, blob):
    """100 clients of one address, each its own port, all served from the
    listening port at once, each its own file's bytes."""
    server.set(single_port=1, max_sessions_per_client=128)
    want = blob.read_bytes()
    sel = selectors.DefaultSelector()
    got = {}
    socks = []
    for i in range(100):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        s.sendto(rrq("ports.bin"), ("127.0.0.1", PORT))
        sel.register(s, selectors.EVENT_READ, i)
        socks.append(s)
        got[i] = bytearray()
    done = set()
    sources = set()
    try:
        while len(done) < 100:
            events = sel.select(timeout=30)
            assert events, f"stalled with {len(done)} done"
            for key, _ in events:
                pkt, addr = key.fileobj.recvfrom(2048)
                op, block = struct.unpack("!HH", pkt[:4])
                assert op == 3, pkt
                sources.add(addr)
                if block == len(got[key.data]) // 512 + 1:
                    got[key.data] += pkt[4:]
                key.fileobj.sendto(ack(block), addr)
                if len(pkt) - 4 < 512:
                    done.add(key.data)
    finally:
        for s in socks:
            s.close()
    assert sources == {("127.0.0.1", PORT)}
    assert all(bytes(v) == want for v in got.values())
    server.wait_idle()
    assert server.stats()["transfers_completed"] == 100


def test_single_port_over_ipv6_and_a_second_request_from_the_same_port(server, blob):
    server.set(single_port=1)
    with Client("::1", PORT) as c:
        c.request("ports.bin")
        c.request("ports.bin")      # the same request again: not a second transfer
        num, payload, addr = c.expect("DATA")
        assert addr[1] == PORT and num == 1
        c.tid = addr
        data = bytearray(payload)
        c.ack(1)
        while len(payload) == 512:
            num, payload, _ = c.expect("DATA")
            if num == len(data) // 512 + 1:
                data += payload
            c.ack(num)
    assert bytes(data) == blob.read_bytes()
    server.wait_idle()
    assert server.stats()["transfers_completed"] == 1


@pytest.mark.parametrize("host", [SRV4, SRV6])
def test_a_firewall_open_only_to_the_range_or_the_port(server, blob, firewalled, host):
    # The controls' transfers are shut out: let them die quickly.
    server.set(timeout=200, retries=2)
    firewalled(f"{LOW}-{HIGH}")
    rc, _ = fetch_in_namespace(NS, host, "ports.bin", blob, timeout=3)
    assert rc != 0                          # the control: ephemeral ports are shut out
    server.set(port_range=f"{LOW}:{HIGH}")
    rc, out = fetch_in_namespace(NS, host, "ports.bin", blob)
    assert rc == 0, out
    firewalled(str(PORT))
    rc, _ = fetch_in_namespace(NS, host, "ports.bin", blob, timeout=3)
    assert rc != 0
    server.set(single_port=1)
    rc, out = fetch_in_namespace(NS, host, "ports.bin", blob)
    assert rc == 0, out


@contextmanager
def flooding(name):
    """Four threads asking for @name on the listening port, each request
    from a new socket (a new client port), until the block ends."""
    done = threading.Event()

    def flood():
        while not done.is_set():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(rrq(name), ("127.0.0.1", PORT))
            time.sleep(0.001)
    threads = [threading.Thread(target=flood) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        done.set()
        for t in threads:
            t.join()


def test_stop_under_a_single_port_flood_leaves_nothing_running(server, blob):
    """Requests keep coming to the shared port while the server stops: a
    stop must end every transfer, and none may be admitted after it (a
    transfer's socket hands on the requests it catches)."""
    server.set(single_port=1, max_sessions_per_client=1024)
    with flooding("ports.bin"):
        time.sleep(2)
        sysctl_write("stop", "1")
        for _ in range(3):
            time.sleep(0.5)
            assert nl_status()["stats"]["active"] == 0


def test_stop_while_a_handed_on_request_is_admitted(server):
    """single_port: a transfer's socket catches requests that come before
    its connect, and its run hands them to the listener's code
    (ktftpd_listener_take).  A request admitted there, then aborted and
    freed by a stop before its first run was queued, had that queueing
    write freed memory.  racemod holds both windows open: a transfer's
    bind (to port 69, not yet connected) waits 1 s while requests flood
    in, so its socket catches some; the admission of one, in that
    transfer's run, waits 3 s, and the server stops (drain 0) inside it.
    On the old code a worker then ran the freed transfer (6.1: a soft
    lockup in xfer_run, which fails the run).  Not in the debug set: on
    the debug kernel the flood's requests were never caught in 120 s."""
    make_file(TFTP_ROOT / "race.bin", 512 * 100)
    server.set(single_port=1, max_sessions_per_client=1024, drain_timeout=0)
    hits = Path("/sys/module/racemod/parameters/hits")
    # Any worker's bind counts (a listener's rebind too): five of them.
    run("insmod", os.environ["KTFTPD_RACEMOD"], "func=kernel_bind,ktftpd_server_admit",
        "delay_ms=1000,3000", "max_hits=5,1")
    try:
        with flooding("race.bin"):
            wait_for(lambda: hits.read_text().split(",")[1].strip() != "0", timeout=120,
                     what="a request handed on by a transfer's run")
            sysctl_write("stop", "1")
    finally:
        time.sleep(3.5)    # the window closes before its probe goes
        run("rmmod", "racemod")
    assert nl_status()["stats"]["active"] == 0
