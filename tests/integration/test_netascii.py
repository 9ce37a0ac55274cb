"""netascii downloads (RFC 1350): LF -> CR LF, bare CR -> CR NUL, correct
across block boundaries, and a real client's ascii mode gets the file."""
import subprocess

import pytest

from conftest import PORT, TFTP_ROOT
from tftp import Client, opts


def encode(raw):
    return raw.replace(b"\r", b"\r\0").replace(b"\n", b"\r\n") if b"\r" not in raw \
        else b"".join(b"\r\n" if c == 0x0A else b"\r\0" if c == 0x0D else bytes([c])
                      for c in raw)


def put_text(name, raw):
    p = TFTP_ROOT / name
    p.write_bytes(raw)
    p.chmod(0o644)
    return p


@pytest.mark.parametrize("split", [b"\n", b"\r"])
def test_pair_split_exactly_on_a_block_boundary(server, split):
    # The 512th file byte is the LF (or CR): its CR ends block 1 on the
    # wire and its LF (or NUL) starts block 2.
    raw = b"x" * 511 + split + b"tail\nmore\r\n"
    put_text("na.txt", raw)
    with Client() as c:
        c.request("na.txt", mode=b"netascii")
        n1, b1, tid = c.expect("DATA")
        c.tid = tid
        assert n1 == 1 and len(b1) == 512
        assert b1[-1:] == b"\r"
        c.ack(1)
        n2, b2, _ = c.expect("DATA")
        assert n2 == 2
        assert b2[:1] == (b"\n" if split == b"\n" else b"\0")
        c.ack(2)
        assert b1 + b2 == encode(raw)


@pytest.mark.parametrize("blksize,window", [(8, 1), (8, 16), (512, 4), (1468, 64)])
def test_netascii_every_byte_with_windows(server, blksize, window):
    raw = bytes(range(256)) * 40 + b"\r\r\n\n\r"
    put_text("na.bin", raw)
    with Client() as c:
        got = c.fetch_window("na.bin", blksize=blksize, windowsize=window,
                             mode=b"netascii")
    assert got == encode(raw)


def test_netascii_window_resend_rebuilds_the_same_blocks(server):
    """A resend must start from where the block began, split pair and all."""
    raw = (b"ab\n" * 30) + (b"\r" * 20)
    put_text("na.txt", raw)
    server.set(timeout=5000)
    with Client() as c:
        c.negotiate("na.txt", opts(blksize=8, windowsize=4), mode=b"netascii")
        c.ack(0)
        first = [c.expect("DATA")[:2] for _ in range(4)]
        c.ack(1)  # blocks 2..4 "lost": the window restarts at 2
        again = [c.expect("DATA")[:2] for _ in range(4)]
        assert again[:3] == first[1:]
        c.cancel()


def test_netascii_has_no_tsize(server):
    put_text("na.txt", b"a\nb\n")
    with Client() as c:
        # The size on the wire is not the file's: tsize is not granted.
        oack = c.negotiate("na.txt", opts(tsize=0, blksize=512), mode=b"netascii")
        assert oack == {"blksize": "512"}
        c.cancel()


def test_tftp_hpa_ascii_mode_gets_the_text(server, tmp_path):
    raw = b"".join(b"line %d of a config file\n" % i for i in range(500))
    put_text("pxe.cfg", raw)
    out = tmp_path / "out"
    subprocess.run(["tftp", "-m", "netascii", "127.0.0.1", str(PORT), "-c", "get",
                    "pxe.cfg", str(out)], check=True, capture_output=True, timeout=120)
    assert out.read_bytes() == raw
