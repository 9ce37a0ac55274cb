"""The softirq fast path of reads (kernel/xfer_fast.c): an in-order ACK is
answered from the page cache in the softirq that delivered it, and the
transfer's work item is not run.  That is what these tests measure: the
runs of transfers (a kprobe on the work function, xfer_run) during a
lock-step download, with the fast path on, off (module parameter
fast_path=0), and for a file that has no page cache (9p with cache=none:
every block falls back to the worker).  The data is byte-exact in every
case.  Kprobes show where the bytes come from: the worker reads each
block into its packet buffer (ktftpd_vfs_read), the fast path never does;
and where the kernel splices (MSG_SPLICE_PAGES in UDP, 6.5 on: 6.12
here), every fast-path block is spliced from the page cache
(skb_splice_from_iter) rather than copied."""
import hashlib
import os
from pathlib import Path

import pytest

from conftest import PORT, TFTP_ROOT, make_file, sha256
from kprobes import kernel_has, kprobes, probe_hits
from tftp import Client

PARAM = Path("/sys/module/ktftpd/parameters/fast_path")
SPLICE_FN = "skb_splice_from_iter"
READ_FN = "ktftpd_vfs_read"
SIZE = 1_536_000 + 100          # 3001 blocks of 512
BLOCKS = SIZE // 512 + 1


RUN_FN = "ktftpd:xfer_run"     # a transfer's work function: one call a run


def fetch_counting(name, want_sha):
    """Fetch @name lock-step; return how many times transfers were run."""
    before = probe_hits("ktftpd_run")
    with Client(port=PORT) as c:
        data = c.fetch(name)
    runs = probe_hits("ktftpd_run") - before
    assert len(data) == SIZE
    assert hashlib.sha256(data).hexdigest() == want_sha
    return runs


@pytest.fixture
def fast_path_param(server):
    """The fast path's parameter, and a kprobe counting transfer runs (set
    on the loaded module, removed before it unloads)."""
    assert PARAM.read_text().strip() == "Y", "the fast path is on by default"
    with kprobes({"ktftpd_run": RUN_FN}):
        yield
    PARAM.write_text("1")


def test_cached_blocks_are_sent_without_running_the_transfer(server, fast_path_param):
    f = make_file(TFTP_ROOT / "fast.bin", SIZE)
    runs = fetch_counting(f.name, sha256(f))
    # It runs at the start (DATA 1) and the end (the last ACK).
    assert runs < BLOCKS // 20, f"{runs} runs for {BLOCKS} blocks"
    server.wait_idle()
    assert server.stats()["transfers_completed"] == 1


def test_with_the_fast_path_off_the_worker_sends_every_block(server, fast_path_param):
    f = make_file(TFTP_ROOT / "slow.bin", SIZE)
    PARAM.write_text("0")
    runs = fetch_counting(f.name, sha256(f))
    assert runs > BLOCKS // 2, f"only {runs} runs for {BLOCKS} blocks"


def test_a_file_without_page_cache_falls_back_to_the_worker(server, fast_path_param):
    # The results share is 9p without caching: no folio is ever cached.
    root = Path(os.environ["KTFTPD_RESULTS"]) / "fast-path-root"
    f = make_file(root / "uncached.bin", SIZE)
    root.chmod(0o755)
    server.set(root=str(root))
    runs = fetch_counting(f.name, sha256(f))
    assert runs > BLOCKS // 2, f"only {runs} runs for {BLOCKS} blocks"
    f.unlink()


@pytest.fixture
def send_probes():
    """ktftpd_read on the worker's block read; ktftpd_splice on the
    kernel's splice, where it has one.  Yields the names set."""
    probes = {"ktftpd_read": READ_FN}
    if kernel_has(SPLICE_FN):
        probes["ktftpd_splice"] = SPLICE_FN
    with kprobes(probes):
        yield set(probes)


def test_fast_path_blocks_go_from_the_page_cache_to_the_socket(server, fast_path_param,
                                                               send_probes):
    f = make_file(TFTP_ROOT / "spliced.bin", SIZE)
    fetch_counting(f.name, sha256(f))
    reads = probe_hits("ktftpd_read")
    # Only the worker's few blocks (the first, a refill) pass through a
    # buffer: the rest go from the page cache into the skb.
    assert reads < BLOCKS // 20, f"{reads} buffered reads for {BLOCKS} blocks"
    if "ktftpd_splice" in send_probes:
        # ... and not even copied there: header and bytes spliced, one
        # call per packet.
        spliced = probe_hits("ktftpd_splice")
        assert spliced > BLOCKS * 9 // 10, f"{spliced} splices for {BLOCKS} blocks"
    # The worker's path reads every block into its buffer and copies it.
    PARAM.write_text("0")
    fetch_counting(f.name, sha256(f))
    assert probe_hits("ktftpd_read") - reads >= BLOCKS - 1
    if "ktftpd_splice" in send_probes:
        assert probe_hits("ktftpd_splice") - spliced < BLOCKS // 20
