"""Option negotiation (RFC 2347/2348/2349/7440), packet by packet."""
import os
import socket
import time

import pytest

from conftest import TFTP_ROOT, make_file
from tftp import Client, opts, rrq

SIZE = 10_000
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)


@pytest.fixture
def blob():
    return make_file(TFTP_ROOT / "opt.bin", SIZE)


def first_reply(name, options, mode=b"octet"):
    """The server's first answer to a request with @options."""
    with Client() as c:
        c.send(rrq(name, mode=mode, options=options))
        r = c.recv()
        assert r is not None, "no answer"
        c.cancel(r[1])
        return r[0]


def test_no_accepted_option_means_plain_data_1(server, blob):
    for options in ([], opts(rollover=0, foo="bar"), opts(blksize=7),
                    opts(blksize="abc", timeout=0, windowsize=0),
                    [(b"blksize", b""), (b"timeout", b"256")],
                    opts(windowsize=65536, blksize="99999999999999999999x")):
        kind, num, payload = first_reply("opt.bin", options)
        assert (kind, num) == ("DATA", 1), options
        assert payload == blob.read_bytes()[:512], options


def test_oack_lists_exactly_the_accepted_options(server, blob):
    kind, _, oack = first_reply("opt.bin", opts(
        BlkSize=1468, unknown=1, TSIZE=0, timeout=3, windowsize=16, rollover=0))
    assert kind == "OACK"
    assert oack == {"blksize": "1468", "tsize": str(SIZE), "timeout": "3",
                    "windowsize": "16"}
    # Only what was asked: tsize alone gets tsize alone.
    assert first_reply("opt.bin", opts(tsize=0))[2] == {"tsize": str(SIZE)}


@pytest.mark.parametrize("asked,granted", [
    ("8", "8"), ("65464", "65464"), ("65465", "65464"), ("100000", "65464"),
    ("99999999999999999999999999", "65464"), ("1000", "1000")])
def test_blksize_range_and_clamping(server, blob, asked, granted):
    assert first_reply("opt.bin", opts(blksize=asked))[2] == {"blksize": granted}


def test_blksize_max_clamps_but_never_exceeds_the_request(server, blob):
    server.set(blksize_max=1024)
    assert first_reply("opt.bin", opts(blksize=4096))[2] == {"blksize": "1024"}
    assert first_reply("opt.bin", opts(blksize=1000))[2] == {"blksize": "1000"}


def test_windowsize_clamped_to_windowsize_max(server, blob):
    assert first_reply("opt.bin", opts(windowsize=65535))[2] == {"windowsize": "64"}
    server.set(windowsize_max=8)
    assert first_reply("opt.bin", opts(windowsize=16))[2] == {"windowsize": "8"}


def test_timeout_echoed_exactly_and_used(server, blob):
    server.set(timeout=10000)  # the configured one would be 10 s
    with Client() as c:
        assert c.negotiate("opt.bin", opts(timeout=1)) == {"timeout": "1"}
        t0 = time.monotonic()
        # The OACK comes again when its timeout (1 s, not 10) passes.
        _, again, _ = c.expect("OACK", timeout=5)
        gap = time.monotonic() - t0
        assert again == {"timeout": "1"}
        assert 0.7 < gap < 3.0, gap
        c.cancel()


def test_oack_is_retransmitted_until_ack_0(server, blob):
    server.set(timeout=200)
    with Client() as c:
        first = c.negotiate("opt.bin", opts(blksize=1024))
        for _ in range(2):
            _, again, tid = c.expect("OACK", timeout=3)
            assert again == first and tid == c.tid
        c.ack(0)
        num, payload, _ = c.expect("DATA")
        assert (num, len(payload)) == (1, 1024)
        c.cancel()
    assert server.stats()["retransmits"] >= 2


@pytest.mark.parametrize("code", [8, 0], ids=["uefi-error-8", "u-boot-grub-error-0"])
def test_a_size_probe_is_neither_completed_nor_failed(server, blob, code):
    """The firmware's tsize probe: RRQ+tsize, read the OACK, ERROR 8 (UEFI)
    or 0 (U-Boot, GRUB), ask again.  Counted apart: a dashboard of
    failures must not fill with every boot's probe."""
    before = server.stats()
    with Client() as c:
        assert c.negotiate("opt.bin", opts(tsize=0)) == {"tsize": str(SIZE)}
        c.send(b"\x00\x05\x00" + bytes([code]) + b"tsize probe\x00", c.tid)
    server.wait_idle(5)
    after = server.stats()
    assert after["size_probes"] == before["size_probes"] + 1
    assert after["transfers_failed"] == before["transfers_failed"]
    assert after["transfers_completed"] == before["transfers_completed"]
    with Client() as c:  # and the real request that follows works
        assert c.fetch_window("opt.bin", blksize=1456) == blob.read_bytes()
    # Counted when the server reads the last ACK, which the client only sent.
    server.wait_idle(5)
    assert server.stats()["transfers_completed"] == before["transfers_completed"] + 1


def test_an_error_that_is_no_size_probe_is_a_failure(server, blob):
    """Not a probe: an ERROR 8 to an OACK that granted no tsize (the client
    refused what it was offered), and an ERROR 0 after the first DATA."""
    before = server.stats()
    with Client() as c:
        assert c.negotiate("opt.bin", opts(blksize=1024)) == {"blksize": "1024"}
        c.send(b"\x00\x05\x00\x08no\x00", c.tid)
    with Client() as c:
        assert c.negotiate("opt.bin", opts(tsize=0)) == {"tsize": str(SIZE)}
        c.send(b"\x00\x04\x00\x00", c.tid)      # ACK 0: DATA 1 comes
        assert c.expect("DATA")[0] == 1
        c.send(b"\x00\x05\x00\x00gave up\x00", c.tid)
    server.wait_idle(5)
    after = server.stats()
    assert after["transfers_failed"] == before["transfers_failed"] + 2
    assert after["size_probes"] == before["size_probes"]


def test_a_config_search_of_missing_files_fails_no_transfer(server, blob):
    """PXELINUX asks for pxelinux.cfg/<uuid>, <mac>, then ever shorter hex
    prefixes of its address: each missing one is an ERROR 1, counted in
    errors_sent, never as a failed transfer."""
    names = ["pxelinux.cfg/01-52-54-00-12-34-56"] + [
        "pxelinux.cfg/" + "C612000A"[:n] for n in range(8, 0, -1)]
    before = server.stats()
    for name in names:
        kind, code, _ = first_reply(name, [])
        assert (kind, code) == ("ERROR", 1), name
    server.wait_idle(5)
    after = server.stats()
    assert after["errors_sent"].get("1", 0) == before["errors_sent"].get("1", 0) + len(names)
    assert after["transfers_failed"] == before["transfers_failed"]
    assert after["size_probes"] == before["size_probes"]


def test_duplicated_options_first_wins(server, blob):
    assert first_reply("opt.bin", [(b"blksize", b"1024"), (b"blksize", b"8"),
                                   (b"BLKSIZE", b"4096")])[2] == {"blksize": "1024"}


def test_overflowing_oack_shape_is_safe(server, blob):
    """CVE-2021-41054's shape: blksize 8 and a pile of long options."""
    options = [(b"blksize", b"8")]
    for i in range(4):
        options.append((b"tsize" if i % 2 else b"windowsize", b"9" * 150))
    options += [(b"x" * 100, b"y" * 100)] + opts(timeout=30, windowsize=2) * 10
    kind, _, oack = first_reply("opt.bin", options)
    assert kind == "OACK" and oack == {"blksize": "8", "timeout": "30"}
    # Past a request's largest size (1500 bytes): refused whole, ERROR 4.
    huge = [(b"blksize", b"8")] + [(b"windowsize", b"9" * 200)] * 40
    assert first_reply("opt.bin", huge)[:2] == ("ERROR", 4)
    with Client() as c:  # the server still serves
        assert c.fetch_window("opt.bin", blksize=8, windowsize=16) == blob.read_bytes()


@pytest.mark.parametrize("blksize", [8, 511, 512, 1468, 8192, 65464])
def test_every_blksize_byte_exact(server, blob, blksize):
    with Client() as c:
        assert c.fetch_window("opt.bin", blksize=blksize) == blob.read_bytes()


def test_windowsize_sends_exactly_n_blocks_per_ack(server):
    f = make_file(TFTP_ROOT / "win.bin", 8 * 40 + 3)
    server.set(timeout=5000)
    with Client() as c:
        assert c.negotiate("win.bin", opts(blksize=8, windowsize=4)) == \
            {"blksize": "8", "windowsize": "4"}
        c.ack(0)
        nums = [c.expect("DATA")[0] for _ in range(4)]
        assert nums == [1, 2, 3, 4]
        assert c.recv(timeout=0.7) is None, "more than a window before an ACK"
        c.ack(4)
        assert [c.expect("DATA")[0] for _ in range(4)] == [5, 6, 7, 8]
        # A duplicate ACK for the window before: no burst.
        c.ack(4)
        assert c.recv(timeout=0.7) is None, "a duplicate ACK caused a burst"
        # A lost block mid-window (we say we have up to 6): restart at 7.
        c.ack(6)
        got = [c.expect("DATA") for _ in range(4)]
        assert [g[0] for g in got] == [7, 8, 9, 10]
        data = f.read_bytes()
        assert got[0][1] == data[6 * 8:7 * 8]
        # A stale ACK (older than the base) is ignored too.
        c.ack(5)
        assert c.recv(timeout=0.7) is None
        c.cancel()


def test_window_resent_from_the_base_on_timeout(server):
    make_file(TFTP_ROOT / "win.bin", 8 * 40 + 3)
    server.set(timeout=300)
    before = server.stats()
    with Client() as c:
        c.negotiate("win.bin", opts(blksize=8, windowsize=4))
        c.ack(0)
        assert [c.expect("DATA")[0] for _ in range(4)] == [1, 2, 3, 4]
        c.ack(2)
        assert [c.expect("DATA")[0] for _ in range(4)] == [3, 4, 5, 6]
        # Say nothing: the whole window comes again from block 3.
        assert [c.expect("DATA", timeout=3)[0] for _ in range(4)] == [3, 4, 5, 6]
        c.cancel()
    after = server.stats()
    resent = after["retransmits"] - before["retransmits"]
    timeouts = after["timeouts"] - before["timeouts"]
    # Blocks 3 and 4 again because the ACK asked for them (not a timeout),
    # then the window of 4 each time the timer fired (at least once).
    assert timeouts >= 1 and resent == 2 + 4 * timeouts, (resent, timeouts)


@pytest.mark.parametrize("window", [16, 64])
def test_rollover_at_blksize_8(server, window):
    """1 MiB at blksize 8 is 131073 blocks: the number wraps twice."""
    f = make_file(TFTP_ROOT / "roll8.bin", 1 << 20)
    with Client() as c:
        assert c.fetch_window("roll8.bin", blksize=8, windowsize=window,
                              timeout=10) == f.read_bytes()


def test_rollover_at_blksize_512_with_a_window(server):
    f = make_file(TFTP_ROOT / "roll512.bin", (65536 + 100) * 512 + 7)
    with Client() as c:
        assert c.fetch_window("roll512.bin", blksize=512, windowsize=32,
                              timeout=10) == f.read_bytes()


def test_file_past_4gib_at_blksize_65464(server, tmp_path):
    """A sparse 4 GiB + 1 MiB file, with random data across the 4 GiB line,
    fetched whole at the largest block size; every block is compared with
    the file at its 64-bit offset."""
    big = TFTP_ROOT / "big4g.sparse"
    size = (4 << 30) + (1 << 20) + 12345
    data = [(0, 1 << 20), ((4 << 30) - (1 << 19), 1 << 20), (size - 70000, 70000)]
    with open(big, "wb") as f:
        f.truncate(size)
        for off, n in data:
            f.seek(off)
            f.write(os.urandom(n))
    big.chmod(0o644)
    bs = 65464
    zeros = bytes(bs)
    src = open(big, "rb")

    def check(block, payload):
        off = (block - 1) * bs
        if any(off < o + n and o < off + bs for o, n in data):
            src.seek(off)
            want = src.read(bs)
        else:
            # A block wholly inside a hole is compared with zeros: reading
            # 4 GiB of holes back would add a fourth copy of every byte.
            want = zeros[:min(bs, size - off)]
        assert payload == want, f"block {block} differs"

    try:
        with Client() as c:
            # A window of 16 blocks of 64 KiB outgrows the default buffer.
            c.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
            n = c.fetch_window("big4g.sparse", blksize=bs, windowsize=16,
                               timeout=20, check=check)
        assert n == size
    finally:
        src.close()
        big.unlink()
