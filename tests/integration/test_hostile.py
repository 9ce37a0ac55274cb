"""Hostile requests and a hostile filesystem: every one is refused cleanly,
and after each the server still serves a real file, byte-exact."""
import os
import socket
import stat

import pytest

from conftest import TFTP_ROOT, make_file
from tftp import Client

SECRET = b"root:x:0:0:not-the-real-one\n"


@pytest.fixture(scope="module")
def tree():
    """root/ with files, a subdir and traps; a secret outside root."""
    make_file(TFTP_ROOT / "ok.bin", 2000)
    (TFTP_ROOT / "sub").mkdir(exist_ok=True)
    make_file(TFTP_ROOT / "sub" / "inner.bin", 700)
    outside = TFTP_ROOT.parent / "outside"
    (outside / "etc").mkdir(parents=True, exist_ok=True)
    (outside / "etc" / "passwd").write_bytes(SECRET)
    (outside / "etc" / "passwd").chmod(0o644)

    def link(name, target):
        p = TFTP_ROOT / name
        if p.is_symlink() or p.exists():
            p.unlink()
        p.symlink_to(target)

    link("abs_passwd", "/etc/passwd")
    link("abs_etc", "/etc")
    link("rel_escape", "../outside/etc/passwd")
    link("rel_escape_dir", "../outside/etc")
    link("deep_escape", "sub/../../outside/etc/passwd")
    link("inside_link", "sub/inner.bin")          # stays inside: allowed
    make_file(TFTP_ROOT / "private.bin", 100, mode=0o600)
    make_file(TFTP_ROOT / "group.bin", 100, mode=0o640)
    dev = TFTP_ROOT / "null_dev"
    if not dev.exists():
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    fifo = TFTP_ROOT / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo, 0o666)
    return TFTP_ROOT


def still_serves():
    with Client() as c:
        assert c.fetch("ok.bin") == (TFTP_ROOT / "ok.bin").read_bytes()


TRAVERSALS = [
    "../outside/etc/passwd",
    "..",
    "../",
    "/..",
    "/../outside/etc/passwd",
    "//../outside/etc/passwd",
    "sub/../../outside/etc/passwd",
    "sub/../sub/../../outside/etc/passwd",
    "sub/./../../outside/etc/passwd",
    "./../outside/etc/passwd",
    "sub//..//..//outside/etc/passwd",
    "..\\outside\\etc\\passwd",
    "sub\\..\\..\\outside\\etc\\passwd",
    "\\..\\outside\\etc\\passwd",
    "../../../../../../../../etc/passwd",
    "sub/../../../../../../etc/shadow",
    "abs_passwd",
    "abs_etc/passwd",
    "rel_escape",
    "rel_escape_dir/passwd",
    "deep_escape",
]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_traversal_gets_error_2_and_nothing_leaks(server, tree, name):
    with Client() as c:
        c.request(name)
        r = c.recv()
        assert r is not None
        (kind, code, body), _ = r
        assert kind == "ERROR", f"{name!r} was served: {body!r}"
        assert code == 2, f"{name!r}: ERROR {code} {body}"
    still_serves()


def test_absolute_path_is_relative_to_root(server, tree):
    # PXE clients ask for "/pxelinux.0": a leading slash means root/.
    with Client() as c:
        assert c.fetch("/sub/inner.bin") == (TFTP_ROOT / "sub/inner.bin").read_bytes()
    with Client() as c:  # and /etc/passwd is root/etc/passwd: absent
        c.request("/etc/passwd")
        c.expect_error(1)


def test_symlink_inside_root_is_followed(server, tree):
    with Client() as c:
        assert c.fetch("inside_link") == (TFTP_ROOT / "sub/inner.bin").read_bytes()


@pytest.mark.parametrize("name,why", [
    # Root's files the serving identity may not read: refused by their
    # permissions before the world-readable rule is even asked.
    ("private.bin", "Access violation"),
    ("group.bin", "Access violation"),
    ("null_dev", "regular"),
    ("fifo", "regular"),
    ("sub", "regular"),
    ("sub/", "regular"),
])
def test_non_world_readable_and_special_files_get_error_2(server, tree, name, why):
    with Client() as c:
        c.request(name)
        assert why in c.expect_error(2)
    still_serves()


@pytest.mark.parametrize("pkt", [
    b"",                                  # empty datagram
    b"\x00",                              # 1 byte
    b"\x00\x01",                          # opcode only
    b"\x00\x01ok.bin",                    # no NUL at all
    b"\x00\x01ok.bin\x00octet",           # mode not terminated
    b"\x00\x01\x00octet\x00",             # empty filename
    b"\x00\x01" + b"A" * 60000 + b"\x00octet\x00",   # 60 KB filename
    b"\x00\x01" + b"A" * 300 + b"\x00octet\x00",     # too long a name
    b"\x00\x00ok.bin\x00octet\x00",       # opcode 0
    b"\x00\x03\x00\x01data",              # DATA to the well-known port
    b"\x00\x04\x00\x01",                  # ACK to the well-known port
    b"\x00\x06ok.bin\x00octet\x00",       # OACK to the server
    b"\xff\xffok.bin\x00octet\x00",       # opcode 65535
    b"\x00\x05",                          # ERROR packets of 2..4 bytes
    b"\x00\x05\x00",
    b"\x00\x05\x00\x01",
    b"\x00\x01%n%n%n%s%s%x\x00octet\x00",  # format strings
    b"\x00\x01ok.bin\x00\x00",            # empty mode
    os.urandom(1400),
    b"\x00\x01" + b"\x00" * 1000,
    b"\x00\x01" + b"x\x00" * 700,         # option soup
])
def test_malformed_datagram_is_refused_or_dropped(server, tree, pkt):
    with Client() as c:
        c.send(pkt)
        r = c.recv(timeout=1.0)
        if r is not None:
            (kind, code, body), addr = r
            # Anything that comes back is an ERROR, never data.
            assert kind == "ERROR", (pkt[:20], kind)
            assert code in (0, 1, 2, 4), (pkt[:20], code, body)
    still_serves()


def test_huge_datagram_is_refused(server, tree):
    with Client() as c:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        c.send(b"\x00\x01" + b"B" * 65000 + b"\x00octet\x00")
        assert c.recv(timeout=2) is None or c.recv(timeout=0.1) is None
    still_serves()


def test_dangling_option_still_serves_the_request(server, tree):
    # RFC 2347: a server ignores options it can't read; the request stands.
    with Client() as c:
        assert c.fetch("ok.bin", options=()) == (TFTP_ROOT / "ok.bin").read_bytes()
    with Client() as c:
        c.send(b"\x00\x01ok.bin\x00octet\x00blksize")
        num, payload, tid = c.expect("DATA")
        assert num == 1 and len(payload) == 512
        c.cancel(tid)


def test_unterminated_error_from_peer_ends_transfer(server, tree):
    with Client() as c:
        c.request("ok.bin")
        _, _, tid = c.expect("DATA")
        c.send(b"\x00\x05\x00\x01", tid)  # ERROR 1 without a message
        assert c.recv(timeout=1.5) is None
    server.wait_idle(5)


@pytest.mark.parametrize("junk", [b"", b"\x00", b"\x00\x05", b"\x00\x05\x00",
                                  os.urandom(3), b"\x00\x04", b"\x00\x04\xff"])
def test_short_packets_to_a_transfer_are_ignored(server, tree, junk):
    with Client() as c:
        c.request("ok.bin")
        num, first, tid = c.expect("DATA")
        c.tid = tid
        c.send(junk, tid)  # from the peer itself: runt, ignored
        data = c.finish(first)
        assert bytes(data) == (TFTP_ROOT / "ok.bin").read_bytes()


def test_format_string_names_are_inert(server, tree):
    with Client() as c:
        c.request("%s%s%s%n%p%x")
        c.expect_error(1)
    still_serves()


def test_server_survives_a_burst_of_random_datagrams(server, tree):
    with Client() as c:
        for i in range(2000):
            size = (i * 37) % 1500
            c.send(os.urandom(size))
    still_serves()
    server.wait_idle()
