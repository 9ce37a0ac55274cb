"""A few seconds of tests/bench/ktftp-bench against the module, of
ktftp-blast's ceilings and of the CPU attribution, so make bench's tools
cannot rot: every byte checked, the numbers add up, and a wrong checksum
or a missing file is a failure it reports."""
import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import PORT, REPO, TFTP_ROOT, make_file

BENCH = REPO / "build" / "tests" / "bench" / "ktftp-bench"
BLAST = REPO / "build" / "tests" / "bench" / "ktftp-blast"


def bench(*args):
    return subprocess.run([str(BENCH), "--host", "127.0.0.1", "--port", str(PORT), "--json",
                           *args], capture_output=True, text=True, timeout=300)


def test_concurrent_windowed_downloads_all_verified(server):
    a = make_file(TFTP_ROOT / "bench-a.bin", 300_000)
    b = make_file(TFTP_ROOT / "bench-b.bin", 1468 * 16)  # ends on a window edge
    r = bench("--file", a.name, "--file", b.name, "--verify-dir", str(TFTP_ROOT),
              "--clients", "20", "--repeat", "3", "--blksize", "1468", "--windowsize", "16")
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads(r.stdout)
    assert (s["transfers"], s["ok"], s["failed"], s["bad_data"]) == (60, 60, 0, 0)
    assert (s["blksize"], s["windowsize"], s["fell_back"]) == (1468, 16, 0)
    assert s["bytes"] == 30 * (300_000 + 1468 * 16)
    # Every DATA packet: full blocks plus one short (maybe empty) one each.
    want_packets = 30 * (300_000 // 1468 + 1) + 30 * (16 + 1)
    assert s["data_packets"] == want_packets + s["duplicates"]
    assert 0 < s["p50_ms"] <= s["p95_ms"] <= s["p99_ms"] <= s["max_ms"]
    assert s["mb_per_s"] > 0 and s["packets_per_s"] > 0 and s["cpu_busy_seconds"] > 0
    server.wait_idle()
    assert server.stats()["transfers_completed"] >= 60


def test_lock_step_512_and_text_output(server):
    a = make_file(TFTP_ROOT / "bench-c.bin", 100_000)
    r = subprocess.run([str(BENCH), "--port", str(PORT), "--file", a.name, "--verify-dir",
                        str(TFTP_ROOT), "--clients", "4", "--transfers", "10"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "10 ok, 0 failed" in r.stdout and "blksize 512, windowsize 1" in r.stdout


def test_wrong_checksum_and_missing_file_are_failures(server):
    a = make_file(TFTP_ROOT / "bench-d.bin", 5000)
    r = bench("--file", a.name, "--expect", a.name + "=" + "0" * 64, "--clients", "2")
    assert r.returncode == 1
    s = json.loads(r.stdout)
    assert (s["ok"], s["failed"], s["bad_data"]) == (0, 2, 2)
    r = bench("--file", "no-such-file", "--expect", "no-such-file=" + "0" * 64,
              "--retries", "1", "--timeout", "200")
    assert r.returncode == 1
    s = json.loads(r.stdout)
    assert s["failed"] == 1 and "ERROR 1" in s["errors"][0]
    # No checksum at all: refused before any packet is sent.
    r = bench("--file", a.name)
    assert r.returncode == 64 and "no checksum" in r.stderr


def test_xxh3_digest_verifies_and_catches_a_wrong_sum(server):
    a = make_file(TFTP_ROOT / "bench-e.bin", 200_000)
    r = bench("--file", a.name, "--verify-dir", str(TFTP_ROOT), "--digest", "xxh3",
              "--clients", "3", "--blksize", "1468", "--windowsize", "8")
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads(r.stdout)
    assert (s["ok"], s["failed"], s["bytes"]) == (3, 0, 600_000)
    r = bench("--file", a.name, "--digest", "xxh3", "--expect", a.name + "=" + "0" * 32)
    assert r.returncode == 1 and json.loads(r.stdout)["bad_data"] == 1
    # A SHA-256-sized sum for an XXH3 run is a usage error, before any packet.
    r = bench("--file", a.name, "--digest", "xxh3", "--expect", a.name + "=" + "0" * 64)
    assert r.returncode == 64 and "32 hex digits of xxh3" in r.stderr


def test_client_threads_share_the_clients_and_the_files(server):
    """--threads: each thread its own epoll and share of the clients; the
    run still makes every transfer, and takes the files in turn."""
    a = make_file(TFTP_ROOT / "bench-f.bin", 30_000)
    b = make_file(TFTP_ROOT / "bench-g.bin", 50_000)
    before = server.stats()["transfers_completed"]
    r = bench("--file", a.name, "--file", b.name, "--verify-dir", str(TFTP_ROOT),
              "--clients", "4", "--threads", "4", "--transfers", "10", "--blksize", "1468")
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads(r.stdout)
    assert (s["transfers"], s["ok"], s["failed"], s["bad_data"]) == (10, 10, 0, 0)
    # 5 of each: transfer i fetches files[i % 2], threads or not (threads
    # of 3, 3, 2 and 2 transfers each starting at a would fetch 6 of a).
    assert s["bytes"] == 5 * 30_000 + 5 * 50_000
    server.wait_idle()
    assert server.stats()["transfers_completed"] - before == 10
    # More threads than clients: one per client, not an error.
    r = bench("--file", a.name, "--verify-dir", str(TFTP_ROOT), "--clients", "2",
              "--threads", "8", "--transfers", "4")
    assert r.returncode == 0 and json.loads(r.stdout)["ok"] == 4, r.stdout + r.stderr


def blast(*args):
    r = subprocess.run([str(BLAST), "--json", "--seconds", "0.5", *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def test_blast_ceilings_one_way_and_lock_step():
    s = blast("--mode", "stream")
    assert s["mode"] == "stream" and s["received"] > 0 and s["received"] <= s["sent"]
    for clients in (1, 50):
        lk = blast("--mode", "lockstep", "--clients", str(clients), "--threads", "2",
                   "--size", "1472")
        assert lk["mode"] == "lockstep" and lk["clients"] == clients
        assert lk["threads"] == min(2, clients)
        # Lock-step: never more replies than requests, and every socket
        # has at most one request outstanding (a resend adds one more).
        assert 0 < lk["received"] <= lk["sent"]
        assert lk["sent"] - lk["received"] <= 2 * clients
        assert abs(lk["mb_per_s"] * 1e6 - lk["received"] * 1472 / lk["seconds"]) < 1e3
    r = subprocess.run([str(BLAST), "--mode", "pingpong"], capture_output=True, text=True)
    assert r.returncode != 0 and "pingpong" in r.stderr


def udp_binds(port):
    """The local addresses (hex, as /proc/net/udp has them) of the UDP
    sockets on @port."""
    rows = Path("/proc/net/udp").read_text().splitlines()[1:]
    return {addr for addr, p in (r.split()[1].split(":") for r in rows) if int(p, 16) == port}


def test_blast_reflector_answers_on_loopback_unless_told():
    """--mode reflect answers 4 bytes with 1472: on every address it
    would amplify a spoofed flood, so it listens on --bind, loopback by
    default, and a lock-step run with --host is answered there."""
    port = 7017
    with subprocess.Popen([str(BLAST), "--mode", "reflect", "--port", str(port),
                           "--seconds", "4"]) as reflector:
        deadline = time.monotonic() + 3
        while not udp_binds(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert udp_binds(port) == {"0100007F"}          # 127.0.0.1, nothing else
        lk = blast("--mode", "lockstep", "--host", "127.0.0.1", "--port", str(port),
                   "--clients", "4", "--threads", "2")
        assert lk["host"] == "127.0.0.1" and lk["received"] > 0
        assert reflector.wait(timeout=10) == 0
    r = subprocess.run([str(BLAST), "--mode", "reflect", "--bind", "0.0.0.0x", "--port",
                        str(port), "--seconds", "1"], capture_output=True, text=True)
    assert r.returncode != 0 and "not an IPv4 address: 0.0.0.0x" in r.stderr


def test_cpu_attribution_is_calibrated_and_finds_ktftpd(server, tmp_path):
    """make bench's CPU per GiB: the sampling agrees with what the kernel
    accounts to busy loops, and ktftpd's work (found by its module's
    addresses) and the client's are both seen in a real run."""
    sys.path.insert(0, str(REPO / "tests" / "bench"))
    import cpu_share
    # On a quiet machine the sampled time is within 2% of the accounted
    # (make bench's runs record it).  Beside make check's other guest,
    # a vCPU the host has descheduled misses its timer ticks and perf
    # drops the overrun: 0.71 was seen, and 0.49 on the KCSAN kernel in
    # make check-debug (two such guests and the soak's on two cores).
    # This bound still fails a broken attribution (0, or the wrong process).
    for c in cpu_share.calibrate(tmp_path, seconds=1.0):
        assert 0.35 <= c["ratio"] <= 1.25, c
    a = make_file(TFTP_ROOT / "bench-h.bin", 2_000_000)
    data = tmp_path / "run.data"
    r = subprocess.run(cpu_share.record(
        [str(BENCH), "--host", "127.0.0.1", "--port", str(PORT), "--file", a.name,
         "--verify-dir", str(TFTP_ROOT), "--clients", "10", "--blksize", "1468",
         "--threads", "2"], data), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    # No server process is named: a sample is the server's only through
    # a frame in the module's address range.
    got = cpu_share.owners(data, ())
    assert got["samples"]["server"] > 0 and got["samples"]["client"] > 0, got["samples"]
