"""The fast path keeps the kernel's promises about files it serves: an
access event for inotify and atime, as sendfile gives, and page-cache pages
spliced into skbs are never written in place downstream (here: IPsec ESP
in transport mode, which encrypts in place where it may)."""
import hashlib
import subprocess
import time

import pytest

from conftest import KERNEL_SERIES, PORT, TFTP_ROOT, make_file, run, sha256
from tftp import Client, opts

FAST_PATH = "/sys/module/ktftpd/parameters/fast_path"


def access_events(path, fetch):
    """Run fetch() under an inotify watch of @path; the events seen."""
    w = subprocess.Popen(["inotifywait", "-m", "-e", "access", "--format", "%e",
                          str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        # inotifywait says "Watches established." on stderr when ready.
        while "established" not in w.stderr.readline():
            pass
        fetch()
        time.sleep(0.3)
    finally:
        w.terminate()
    out, _ = w.communicate(timeout=10)
    return out.split()


@pytest.mark.parametrize("path", ["fast", "worker"])
def test_a_served_file_gets_its_access_event(server, path):
    """With options, block 0 is the OACK; once the worker sleeps, every DATA
    after ACK 0 comes from the fast path: no worker read, which once meant
    no event at all."""
    f = make_file(TFTP_ROOT / "watched.bin", 20000)
    want = f.read_bytes()       # before the watch: our own read is an access
    server.set(timeout=5000)    # no resend while the worker sleeps
    if path == "worker":
        open(FAST_PATH, "w").write("0")
    try:
        def fetch():
            with Client() as c:
                oack = c.negotiate("watched.bin", opts(blksize=1024))
                assert oack == {"blksize": "1024"}
                time.sleep(0.5)     # the worker is asleep: ACK 0 is the fast path's
                c.ack(0)
                _, first, _ = c.expect("DATA")
                assert c.finish(first, blksize=1024) == want
        assert "ACCESS" in access_events(f, fetch)
    finally:
        open(FAST_PATH, "w").write("1")


XFRM_KEY_OUT = "0x" + "11" * 20
XFRM_KEY_IN = "0x" + "22" * 20
SERVER_ADDR, CLIENT_ADDR = "198.18.7.1", "198.18.7.2"


@pytest.fixture
def esp_namespace():
    """A client namespace on a veth link whose traffic with us is ESP in
    transport mode (AES-GCM), both ways."""
    ns = "ktftpd-esp"
    # The guest's kernel asks for no module itself: AES-GCM's pieces too,
    # generic ones (6.1's AES-NI GCM fails to set up under emulation).
    for mod in ("veth", "esp4", "xfrm_user", "gcm", "seqiv", "ctr"):
        run("modprobe", mod)
    # 7.x has no such modules: AES is built in, and GCM takes GHASH from
    # a library.  Where they are missing, the SA below still needs
    # rfc4106(gcm(aes)) to work, so nothing is skipped.
    for mod in ("ghash_generic", "aes_generic"):
        if subprocess.run(["modinfo", mod], capture_output=True).returncode == 0:
            run("modprobe", mod)
    run("ip", "netns", "add", ns)
    try:
        run("ip", "link", "add", "esp0", "type", "veth", "peer", "name", "esp1")
        run("ip", "link", "set", "esp1", "netns", ns)
        run("ip", "addr", "add", f"{SERVER_ADDR}/24", "dev", "esp0")
        run("ip", "link", "set", "esp0", "up")
        nsx = ["ip", "netns", "exec", ns]
        run(*nsx, "ip", "addr", "add", f"{CLIENT_ADDR}/24", "dev", "esp1")
        run(*nsx, "ip", "link", "set", "esp1", "up")
        run(*nsx, "ip", "link", "set", "lo", "up")
        for where in ([], nsx):
            for src, dst, spi, key in ((SERVER_ADDR, CLIENT_ADDR, "0x101", XFRM_KEY_OUT),
                                       (CLIENT_ADDR, SERVER_ADDR, "0x102", XFRM_KEY_IN)):
                run(*where, "ip", "xfrm", "state", "add", "src", src, "dst", dst,
                    "proto", "esp", "spi", spi, "reqid", "1", "mode", "transport",
                    "aead", "rfc4106(gcm(aes))", key, "128")
        for where, local, remote in (([], SERVER_ADDR, CLIENT_ADDR),
                                     (nsx, CLIENT_ADDR, SERVER_ADDR)):
            for direction, src, dst in (("out", local, remote), ("in", remote, local)):
                run(*where, "ip", "xfrm", "policy", "add", "src", f"{src}/32",
                    "dst", f"{dst}/32", "dir", direction, "tmpl", "src", src,
                    "dst", dst, "proto", "esp", "reqid", "1", "mode", "transport")
        yield nsx
    finally:
        run("ip", "xfrm", "policy", "flush", check=False)
        run("ip", "xfrm", "state", "flush", check=False)
        run("ip", "link", "del", "esp0", check=False)
        run("ip", "netns", "del", ns, check=False)


CLIENT = """
import sys
sys.path.insert(0, "tests/integration")
from tftp import Client, opts
with Client(host=sys.argv[1], port=int(sys.argv[2])) as c:
    c.negotiate("esp.bin", opts(blksize=1024))
    c.ack(0)
    _, first, _ = c.expect("DATA", 10)
    data = c.finish(first, blksize=1024, timeout=10)
open(sys.argv[3], "wb").write(data)
"""


def kernel_splices() -> bool:
    """MSG_SPLICE_PAGES (6.5 on): only then does the fast path put page
    cache pages in skbs (kernel/compat.h); before, it copies."""
    return KERNEL_SERIES >= (6, 5)


def spliced_pages_survive_esp_in_place_encryption(server, esp_namespace, tmp_path):
    f = make_file(TFTP_ROOT / "esp.bin", 1 << 20)
    want = sha256(f)
    # Page-cache resident, so the fast path splices it (6.12) or copies (6.1).
    f.read_bytes()
    out = tmp_path / "got.bin"
    before = run("ip", "-s", "xfrm", "state").stdout
    run(*esp_namespace, "python3", "-c", CLIENT, SERVER_ADDR, str(PORT), str(out),
        timeout=300)
    assert sha256(out) == want, "the client's copy differs"
    # Read back through the page cache the server spliced from.
    assert hashlib.sha256(f.read_bytes()).hexdigest() == want, \
        "the served file's page cache was written"
    after = run("ip", "-s", "xfrm", "state").stdout
    assert before != after, "no traffic went through ESP"
    # And again, the page cache dropped, from the disk copy.
    run("sh", "-c", "echo 1 > /proc/sys/vm/drop_caches")
    assert sha256(f) == want


# Only where the fast path splices is there a page-cache page in an skb to
# protect: before 6.5 it copies (kernel/compat.h), and this test does not
# exist rather than being skipped.  (6.1's guest also refuses to set up
# the ESP state: "unable to initialize cryptographic operations", with the
# generic AES-GCM instantiated and its self-test passed.)
if kernel_splices():
    test_spliced_pages_survive_esp_in_place_encryption = \
        spliced_pages_survive_esp_in_place_encryption
