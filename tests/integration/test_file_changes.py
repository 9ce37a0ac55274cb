"""Files that change under a transfer: deleted, replaced, truncated,
rewritten in place.  The open file is what is served, so a delete or a
rename-over leaves the old bytes whole; a truncation ends the transfer
early with a short block (never bytes that were not in the file, never a
hang); a rewrite in place gives each block from the old file or the new.
Both the workers and the softirq fast path are checked."""
import os
from pathlib import Path

import pytest

from conftest import TFTP_ROOT, make_file
from tftp import Client, opts

BLK = 1024
BLOCKS = 600


FAST_PATH = Path("/sys/module/ktftpd/parameters/fast_path")


@pytest.fixture(params=[True, False], ids=["fast_path", "workers"])
def path(server, request):
    server.set(timeout=1000)
    FAST_PATH.write_text("1" if request.param else "0")
    yield request.param
    FAST_PATH.write_text("1")


def download(name, after_block, change, windowsize=1):
    """Fetch @name, calling change() once block @after_block is in.  Returns
    (blocks, how): blocks as received (block number -> payload); how is
    'complete' (a short final block) or 'error N'."""
    got = {}
    with Client() as c:
        c.negotiate(name, opts(blksize=BLK, windowsize=windowsize))
        c.ack(0)
        block = 0
        changed = False
        while True:
            r = c.recv(timeout=10)
            assert r is not None, f"stalled after block {block}"
            (kind, num, body), _ = r
            if kind == "ERROR":
                return got, f"error {num}"
            assert kind == "DATA"
            if num != (block + 1) & 0xFFFF:
                c.ack(block)
                continue
            block += 1
            got[block] = body
            if block == after_block and not changed:
                change()
                changed = True
            if len(body) < BLK:
                c.ack(block)
                return got, "complete"
            if block % windowsize == 0:
                c.ack(block)


def joined(blocks):
    return b"".join(blocks[i] for i in sorted(blocks))


@pytest.mark.parametrize("windowsize", [1, 8])
def test_deleted_file_is_served_whole(server, path, windowsize):
    f = make_file(TFTP_ROOT / "del.bin", BLK * BLOCKS + 77)
    want = f.read_bytes()
    blocks, how = download("del.bin", 100, f.unlink, windowsize)
    assert how == "complete" and joined(blocks) == want


def test_replaced_file_keeps_the_old_bytes(server, path):
    f = make_file(TFTP_ROOT / "rep.bin", BLK * BLOCKS + 5)
    old = f.read_bytes()
    new = make_file(TFTP_ROOT / "rep.new", BLK * BLOCKS * 2)

    def replace():
        os.replace(new, f)

    blocks, how = download("rep.bin", 50, replace, 4)
    assert how == "complete" and joined(blocks) == old
    # And the next request gets the new file.
    with Client() as c:
        assert c.fetch_window("rep.bin", blksize=BLK, windowsize=8) == f.read_bytes()


@pytest.mark.parametrize("new_size", [0, BLK * 200 + 10, BLK * 200])
def test_truncated_file_ends_early_with_its_own_bytes(server, path, new_size):
    f = make_file(TFTP_ROOT / "trunc.bin", BLK * BLOCKS)
    old = f.read_bytes()

    def truncate():
        os.truncate(f, new_size)

    blocks, how = download("trunc.bin", 100, truncate, 8)
    data = joined(blocks)
    # Blocks already in flight may still carry old bytes; everything is a
    # prefix of the old file, and the end comes no later than the old size.
    assert data == old[:len(data)]
    assert how == "complete" or how.startswith("error"), how
    assert 100 * BLK <= len(data) <= len(old)
    server.wait_idle()


def test_rewritten_in_place_gives_old_then_new_bytes(server, path):
    """The rewrite happens (synchronously) when block 100 is in, before we
    ACK: blocks up to 100 are old, from the next window (105 on, window 8)
    new.  Blocks 101..104 were already sent: old, or on 6.12's fast path,
    whose datagrams hold the page-cache pages themselves, new."""
    f = make_file(TFTP_ROOT / "rw.bin", BLK * BLOCKS + 300)
    old = f.read_bytes()
    new = bytes(b ^ 0xFF for b in old)

    def rewrite():
        with open(f, "r+b") as out:
            out.write(new)

    blocks, how = download("rw.bin", 100, rewrite, 8)
    assert how == "complete", how
    for n, body in blocks.items():
        at = (n - 1) * BLK
        if n <= 100:
            assert body == old[at:at + BLK], f"block {n} is not the old bytes"
        elif n <= 104:
            assert body in (old[at:at + BLK], new[at:at + BLK]), f"block {n} is neither"
        else:
            assert body == new[at:at + BLK], f"block {n} is not the new bytes"
