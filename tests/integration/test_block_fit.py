"""Blocks that fit the path: the granted blksize is capped to the route's
MTU towards the client (blksize_fit_mtu), a window to window_bytes_max,
and options can be refused outright (refuse_*), as tftpd-hpa --refuse."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PORT, TFTP_ROOT, client_namespace, fetch_in_namespace, make_file, run
from kprobes import kprobes, probe_hits
from tftp import Client, opts

HERE = Path(__file__).resolve().parent
NS = "ktftpd-mtu"
SRV4, CLI4 = "198.18.7.1", "198.18.7.2"
SRV6, CLI6 = "fd00:7466:7470:7::1", "fd00:7466:7470:7::2"

OACK_IN_NS = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from tftp import Client, opts
with Client(sys.argv[2], int(sys.argv[3])) as c:
    print(json.dumps(c.negotiate(sys.argv[4], opts(blksize=sys.argv[5], tsize=0))))
    c.cancel()
"""


@pytest.fixture(scope="module")
def narrow_link():
    with client_namespace(NS, "veth-m", SRV4, CLI4, SRV6, CLI6):
        run("ip", "link", "set", "veth-m-s", "mtu", "1400")
        run("ip", "-n", NS, "link", "set", "veth-m-c", "mtu", "1400")
        yield


@pytest.fixture
def blob():
    return make_file(TFTP_ROOT / "fit.bin", 200_000)


def oack_from_ns(host, blksize):
    r = subprocess.run(["ip", "netns", "exec", NS, sys.executable, "-c", OACK_IN_NS, str(HERE),
                        host, str(PORT), "fit.bin", str(blksize)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def fragments_made():
    """IPv4 and IPv6 fragments this namespace has created."""
    v4 = Path("/proc/net/snmp").read_text().split("\n")
    head, vals = [l.split() for l in v4 if l.startswith("Ip:")][:2]
    six = dict(l.split() for l in Path("/proc/net/snmp6").read_text().splitlines() if l)
    return int(vals[head.index("FragCreates")]) + int(six["Ip6FragCreates"])


@pytest.mark.parametrize("host,want", [(SRV4, 1400 - 20 - 8 - 4), (SRV6, 1400 - 40 - 8 - 4)],
                         ids=["ipv4", "ipv6"])
def test_blksize_fits_a_narrow_link(server, blob, narrow_link, host, want):
    assert oack_from_ns(host, 65464)["blksize"] == str(want)
    assert oack_from_ns(host, 1000)["blksize"] == "1000"      # below the cap: as asked
    before = fragments_made()
    rc, out = fetch_in_namespace(NS, host, "fit.bin", blob)
    assert rc == 0, out
    assert fragments_made() == before


def test_loopback_is_unaffected_and_the_cap_can_be_turned_off(server, blob, narrow_link):
    with Client("127.0.0.1", PORT) as c:
        assert c.negotiate("fit.bin", opts(blksize=65464))["blksize"] == "65464"
        c.cancel()
    server.set(blksize_fit_mtu=0)
    assert oack_from_ns(SRV4, 65464)["blksize"] == "65464"


@pytest.mark.parametrize("host", [SRV4, SRV6], ids=["ipv4", "ipv6"])
def test_blocks_past_the_link_mtu_go_out_in_fragments(server, blob, narrow_link, host):
    """With the cap off, a block larger than the link's MTU goes out as IP
    fragments, and from the fast path too: the softirq builds each
    fragment whole, and the worker is not woken (a kprobe counts the
    transfer's runs: the first block and the last ACK)."""
    server.set(blksize_fit_mtu=0)
    blocks = len(blob.read_bytes()) // 1468   # now in the page cache
    before = fragments_made()
    with kprobes({"ktftpd_run": "ktftpd:xfer_run"}):
        rc, out = fetch_in_namespace(NS, host, blob.name, blob, blksize=1468)
        runs = probe_hits("ktftpd_run")
    assert rc == 0, out
    assert fragments_made() - before >= blocks
    assert runs < blocks // 10, f"{runs} runs for {blocks} blocks"


def test_window_bytes_max_clamps_the_window(server, blob):
    server.set(window_bytes_max=65536)
    with Client("127.0.0.1", PORT) as c:
        got = c.negotiate("fit.bin", opts(blksize=8192, windowsize=64))
        c.cancel()
    assert got == {"blksize": "8192", "windowsize": "8"}
    with Client("127.0.0.1", PORT) as c:
        got = c.negotiate("fit.bin", opts(blksize=65464, windowsize=64))
        c.cancel()
    assert got["windowsize"] == "1"
    # And a clamped windowed transfer is whole.
    with Client("127.0.0.1", PORT) as c:
        data = c.fetch_window("fit.bin", blksize=8192, windowsize=8)
    assert data == blob.read_bytes()


def test_refused_options_are_left_out(server, blob):
    server.set(refuse_tsize=1)
    with Client("127.0.0.1", PORT) as c:
        assert c.negotiate("fit.bin", opts(tsize=0, blksize=1024)) == {"blksize": "1024"}
        c.cancel()
    server.set(refuse_blksize=1, refuse_windowsize=1, refuse_timeout=1)
    with Client("127.0.0.1", PORT) as c:
        c.request("fit.bin", options=opts(tsize=0, blksize=1024, windowsize=4, timeout=2))
        num, payload, c.tid = c.expect("DATA")  # no OACK at all: plain RFC 1350
        assert num == 1 and payload == blob.read_bytes()[:512]
        c.cancel()
