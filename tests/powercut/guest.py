"""One boot of the power-cut test, inside the guest (tests/powercut/run
drives the boots):

  guest.py setup  STATE     the data disk's targets at version 0, synced
  guest.py round  STATE SEED SYNC
                            check what the last crash left, then upload
                            until the crash this round's SEED picks
  guest.py check  STATE     check what the last crash left, and stop
  guest.py bench  STATE     uploads with sync_uploads on and off, in turn

STATE is the round's results folder, on the host (9p writes reach the
host at once, so what is written there survives the crash).  The host
puts ledger.txt there before the boot: one line per upload, "start T V"
before its WRQ and "acked T V" once its last ACK came.  A round reports
what it found in verdict.json.
"""
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from tftp import Client, data, opts, wrq  # noqa: E402

LABEL = "ktftpd-powercut"
MNT = Path("/tmp/powercut")   # the guest's root is read-only; /tmp is its own
SYSCTL = Path("/proc/sys/net/ktftpd")
PORT = 6969
SERVE_UID = 65534
TARGETS = 6
BLKSIZE = 1428


def content(target: int, version: int) -> bytes:
    """Version @version of target @target: size and bytes follow from
    both, so a file matches one version or none (torn, mixed, empty)."""
    rng = random.Random(f"ktftpd-powercut:{target}:{version}")
    return rng.randbytes(rng.randrange(20_000, 200_000))


def name(target: int) -> str:
    return f"target-{target}.bin"


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


def ledger(state: Path) -> tuple[dict, dict]:
    """The last version started and the last acked, by target."""
    started, acked = {}, {}
    for line in (state / "ledger.txt").read_text().splitlines():
        what, t, v = line.split()
        book = started if what == "start" else acked
        book[int(t)] = max(book.get(int(t), -1), int(v))
    return started, acked


def note(state: Path, line: str) -> None:
    """Append to the ledger, on the host before this returns."""
    fd = os.open(state / "ledger.txt", os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def mount() -> tuple[int, list[str]]:
    """fsck (replaying the journal), then mount; e2fsck's status and what
    it said it did."""
    # No udev here: load the disk's driver and the filesystem ourselves.
    sh("modprobe", "-a", "virtio_blk", "ext4")
    for _ in range(50):
        dev = sh("blkid", "-L", LABEL, check=False).stdout.strip()
        if dev:
            break
        time.sleep(0.1)
    else:
        raise SystemExit(f"no disk labelled {LABEL}")
    fsck = sh("e2fsck", "-f", "-y", dev, check=False)
    # 0: clean, 1: errors corrected, 2: corrected, reboot; 4 and up: left.
    if fsck.returncode >= 4:
        raise SystemExit(f"e2fsck left errors ({fsck.returncode}): {fsck.stdout}")
    MNT.mkdir(parents=True, exist_ok=True)
    sh("mount", "-t", "ext4", dev, str(MNT))
    said = [line for line in fsck.stdout.splitlines()
            if line and not line.startswith(("Pass ", dev, "e2fsck "))]
    return fsck.returncode, said


def crash() -> None:
    """A power cut: no sync, no unmount, the guest gone at once."""
    Path("/proc/sysrq-trigger").write_text("b")
    time.sleep(60)
    raise SystemExit("still running after the sysrq reset")


def serve(sync: int) -> None:
    sh("insmod", os.environ["KTFTPD_KO"])
    os.chown(MNT, SERVE_UID, SERVE_UID)
    for key, value in (("root", str(MNT)), ("port", str(PORT)), ("allow_write", "1"),
                       ("blksize_max", str(BLKSIZE)), ("sync_uploads", str(sync)),
                       ("stop", "0")):
        (SYSCTL / key).write_text(value)


def put(target: int, payload: bytes, after_last_data=None) -> None:
    """Upload @payload over target @target, blksize BLKSIZE; call
    @after_last_data right after the last DATA is sent."""
    with Client("127.0.0.1", PORT) as c:
        c.send(wrq(name(target), options=opts(blksize=BLKSIZE)))
        _, _, tid = c.expect("OACK", 10)
        blocks = [payload[i:i + BLKSIZE] for i in range(0, len(payload), BLKSIZE)]
        if len(payload) % BLKSIZE == 0:
            blocks.append(b"")
        for i, block in enumerate(blocks, 1):
            c.send(data(i, block), tid)
            if i == len(blocks) and after_last_data:
                after_last_data()
            # A slow guest's server may resend the ACK before: skip it.
            while True:
                r = c.recv(30)
                assert r is not None, f"no ACK {i}"
                (kind, num, body), _ = r
                assert kind == "ACK", (kind, num, body)
                if num == i:
                    break


def check(state: Path) -> dict:
    """Each target against the ledger: the version last acked, or the one
    after it if that one was started; nothing else, and never less."""
    started, acked = ledger(state)
    found = {"ok": 0, "new": 0, "lost": [], "torn": [], "stale_temps": 0}
    for t in range(TARGETS):
        have = (MNT / name(t)).read_bytes()
        allowed = [acked[t]] + ([started[t]] if started[t] > acked[t] else [])
        match = [v for v in allowed if content(t, v) == have]
        if match:
            found["ok"] += 1
            found["new"] += match[0] != acked[t]
            continue
        older = [v for v in range(acked[t]) if content(t, v) == have]
        (found["lost"] if older else found["torn"]).append(
            {"target": t, "size": len(have), "acked": acked[t], "started": started[t],
             "is_version": older[0] if older else None})
    # A crash mid-upload leaves the server's temporary file: nothing ever
    # serves it (mode 0600); an operator may delete it.
    for temp in MNT.glob(".ktftpd-*.tmp"):
        found["stale_temps"] += 1
        temp.unlink()
    return found


def do_setup(state: Path) -> None:
    mount()
    for t in range(TARGETS):
        path = MNT / name(t)
        path.write_bytes(content(t, 0))
        path.chmod(0o666)
    sh("sync")
    for t in range(TARGETS):
        note(state, f"start {t} 0")
        note(state, f"acked {t} 0")
    sh("umount", str(MNT))


def do_round(state: Path, seed: int, sync: int) -> None:
    fsck, said = mount()
    verdict = check(state)
    verdict["fsck"], verdict["fsck_said"] = fsck, said
    rng = random.Random(seed)
    # Where this round's power cut falls: anywhere (a timer), right after
    # the last DATA of upload k (while the server syncs and renames), or
    # right after upload k's last ACK (the upload the client was told is
    # stored).
    verdict["crash"] = kind = rng.choice(["timer", "after_last_data", "after_ack"])
    k = rng.randrange(1, 6)
    (state / "verdict.json").write_text(json.dumps(verdict))
    os.sync()
    serve(sync)
    if kind == "timer":
        threading.Timer(rng.uniform(0.2, 8.0), crash).start()
    started, _ = ledger(state)
    for j in range(1000):
        t = (seed + j) % TARGETS
        v = started[t] + 1
        started[t] = v
        note(state, f"start {t} {v}")
        hook = None
        if kind == "after_last_data" and j == k:
            delay = rng.uniform(0, 0.05)
            hook = lambda d=delay: (time.sleep(d), crash())  # noqa: E731
        put(t, content(t, v), hook)
        note(state, f"acked {t} {v}")
        if kind == "after_ack" and j == k:
            crash()
    crash()


def do_check(state: Path) -> None:
    fsck, said = mount()
    verdict = check(state)
    verdict["fsck"], verdict["fsck_said"] = fsck, said
    (state / "verdict.json").write_text(json.dumps(verdict))
    sh("umount", str(MNT))


def do_bench(state: Path) -> None:
    """Uploads of one 200 KB-ish file, sync_uploads on and off in turn,
    on the same disk and server: the cost of durability per upload."""
    mount()
    serve(1)
    times = {1: [], 0: []}
    payload = content(0, 1)
    for _ in range(6):
        for sync in (1, 0):
            (SYSCTL / "sync_uploads").write_text(str(sync))
            for _ in range(5):
                t0 = time.monotonic()
                put(0, payload)
                times[sync].append(time.monotonic() - t0)
    (SYSCTL / "stop").write_text("1")
    result = {"upload_bytes": len(payload), "uploads_each": len(times[1]),
              "median_s_sync": statistics.median(times[1]),
              "median_s_nosync": statistics.median(times[0])}
    result["ratio"] = result["median_s_sync"] / result["median_s_nosync"]
    (state / "bench.json").write_text(json.dumps(result))
    sh("rmmod", "ktftpd")
    sh("umount", str(MNT))


def main() -> None:
    what, state = sys.argv[1], Path(sys.argv[2])
    if what == "setup":
        do_setup(state)
    elif what == "round":
        do_round(state, int(sys.argv[3]), int(sys.argv[4]))
    elif what == "check":
        do_check(state)
    elif what == "bench":
        do_bench(state)
    else:
        raise SystemExit(f"unknown step {what}")


if __name__ == "__main__":
    main()
