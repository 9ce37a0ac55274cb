"""The four TFTP servers the benchmark compares, each started by hand as a
plain process (or, for ktftpd, the module) on its own loopback port, all
serving the same directory.  Their packages conflict as services, so no
service script is used."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
from genl import Genl, rule, rules_config  # noqa: E402
KTFTPCTL = REPO / "build" / "ctl" / "ktftpctl"
ATFTPD = REPO / "build" / "bench" / "atftpd" / "usr" / "sbin" / "atftpd"
FAST_PATH = Path("/sys/module/ktftpd/parameters/fast_path")
SYSCTL = Path("/proc/sys/net/ktftpd")

# The largest storm, plus room: every server gets the same session cap.
MAX_SESSIONS = 1100


def raise_open_files(want: int):
    """A socket and a file per session, and then some: the default soft
    limit of 1024 made dnsmasq cap itself at 974 transfers, below the
    1000-client storm."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), max(hard, want)))


def answers(port: int, timeout=5.0) -> bool:
    """True once an RRQ for a missing file on @port draws any reply."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        while time.monotonic() < deadline:
            s.sendto(b"\x00\x01no-such-file-probe\x00octet\x00", ("127.0.0.1", port))
            try:
                s.recvfrom(2048)
                return True
            except OSError:
                pass
    return False


class Server:
    name = ""
    port = 0
    windowsize = False      # does it implement RFC 7440?
    # The names its processes run under (comm), whose CPU is the server's
    # (tests/bench/cpu_share.py); ktftpd's work is found by its frames.
    comms = ()
    # Open files it may have (raise_open_files).
    open_files = 4 * MAX_SESSIONS

    def __init__(self, root: Path, logs: Path):
        self.root, self.logs, self.proc = root, logs, None

    def start(self):
        # Appended: a restart after a crash keeps what the crash said.
        log = open(self.logs / f"{self.name}.log", "ab")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     preexec_fn=lambda: raise_open_files(self.open_files))
        if not answers(self.port):
            self.proc.kill()
            raise RuntimeError(f"{self.name} did not answer on port {self.port}; "
                               f"see {self.logs / (self.name + '.log')}")

    def before_run(self):
        """Called before each of its runs (servers that share state)."""

    def exited(self):
        """None while it runs; else its exit status, and it is started
        again (one crash must not fail every later run of it)."""
        if not self.proc or self.proc.poll() is None:
            return None
        status = self.proc.returncode
        self.start()
        return status

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def version(self) -> str:
        return ""


class Ktftpd(Server):
    name, port, windowsize = "ktftpd", 1069, True
    fast_path = True

    def start(self):
        subprocess.run(["insmod", os.environ["KTFTPD_KO"]], check=True)
        config = self.logs / "ktftpd.json"
        config.write_text(json.dumps({
            "root": str(self.root), "port": self.port, "listen": ["127.0.0.1"],
            "max_sessions": MAX_SESSIONS, "max_sessions_per_client": MAX_SESSIONS,
            "windowsize_max": 64}))
        subprocess.run([str(KTFTPCTL), "start", "--config", str(config)], check=True)
        if not answers(self.port):
            raise RuntimeError("ktftpd did not answer")

    def before_run(self):
        FAST_PATH.write_text("1" if self.fast_path else "0")
        # The PXE-farm features off (see KtftpdFeature), whoever ran last.
        for name, value in (("unique_root", "off"), ("single_port", "0")):
            (SYSCTL / name).write_text(value)
        with Genl() as g:
            g.ktftpd("SET_CONFIG", rules_config([]))

    def stop(self):
        subprocess.run([str(KTFTPCTL), "stop", "--drain", "0"], check=False)
        subprocess.run(["rmmod", "ktftpd"], check=False)

    def version(self):
        return Path("/sys/module/ktftpd/version").read_text().strip()


class KtftpdWorkers(Ktftpd):
    """ktftpd with its softirq fast path off (fast_path=0, which applies to
    transfers that start after the change): what the fast path is worth,
    measured in the same run.  It shares the module the ktftpd entry loads,
    so it needs ktftpd in --servers, and it is not a peer in the targets."""
    name, fast_path = "ktftpd-workers", False

    def start(self):
        if not FAST_PATH.exists():
            raise RuntimeError("ktftpd-workers needs ktftpd in --servers")

    def stop(self):
        pass


class KtftpdFeature(Ktftpd):
    """ktftpd with one of issue 25's features on, in the same run as ktftpd
    with them off: what each costs.  It shares the module the ktftpd entry
    loads, so it needs ktftpd in --servers, and it is not a peer."""
    sysctls = {}
    rules = []

    def start(self):
        if not FAST_PATH.exists():
            raise RuntimeError(f"{self.name} needs ktftpd in --servers")

    def before_run(self):
        super().before_run()
        for name, value in self.sysctls.items():
            (SYSCTL / name).write_text(value)
        if self.rules:
            with Genl() as g:
                g.ktftpd("SET_CONFIG", rules_config(self.rules))

    def stop(self):
        pass


class KtftpdRules(KtftpdFeature):
    """16 filename rules of a PXE farm: 15 that a request tries and misses
    (prefixes, globs, a case-folded one, a refusal), and the last one,
    which rewrites every *.bin to data/ (a symlink back to root)."""
    name = "ktftpd-rules"

    @property
    def rules(self):
        misses = [rule("prefix", f"tftp:/198.18.0.{i}/", "") for i in range(1, 6)]
        misses += [rule("glob", f"pxelinux.cfg/01-*-{i:02x}", "pxelinux.cfg/default")
                   for i in range(5)]
        misses += [rule("glob", "*.efi", "efi/\\0", flags=["nocase"]),
                   rule("exact", "boot/bcd", "Boot/BCD", flags=["nocase"]),
                   rule("glob", "*.key", flags=["refuse"]),
                   rule("prefix", "/EFI/", "efi/", flags=["nocase"]),
                   rule("glob", "hosts/*/*.cfg", "hosts/\\i/\\0")]
        return misses + [rule("glob", "*.bin", "data/\\0", flags=["stop"])]


class KtftpdUnique(KtftpdFeature):
    """unique_root=ip, with no directory for the client: every request
    looks there first, misses, and falls back to root (the common case)."""
    name = "ktftpd-unique"
    sysctls = {"unique_root": "ip"}


class KtftpdSinglePort(KtftpdFeature):
    """single_port=1: every transfer on the listening port."""
    name = "ktftpd-single-port"
    sysctls = {"single_port": "1"}


class TftpdHpa(Server):
    # in.tftpd 5.2 will not bind in a guest whose lo holds 127.0.0.1 only
    # (exit 66); the benchmark adds 127.0.0.2 to lo before starting it.
    name, port, comms = "tftpd-hpa", 2069, ("in.tftpd",)

    def command(self):
        return ["in.tftpd", "--listen", "--foreground", "--address", f"127.0.0.1:{self.port}",
                "--user", "root", "--secure", str(self.root)]

    def version(self):
        r = subprocess.run(["in.tftpd", "-V"], capture_output=True, text=True)
        return (r.stdout + r.stderr).split(",")[0].strip()


class Atftpd(Server):
    name, port, windowsize, comms = "atftpd", 3069, True, ("atftpd",)
    # It waits with select(): glibc aborts it ("bit out of range 0 -
    # FD_SETSIZE on fd_set") at its first descriptor past 1023, so it
    # keeps the default limit, and with it a cap of its own in a storm.
    open_files = 1024

    def command(self):
        # --maxthread: the default (100) would refuse most of a 500-client storm.
        return [str(ATFTPD), "--daemon", "--no-fork", "--port", str(self.port),
                "--bind-address", "127.0.0.1", "--maxthread", str(MAX_SESSIONS),
                "--user", "root", "--group", "root", "--logfile", "-", "--verbose=1",
                "--no-multicast", str(self.root)]

    def version(self):
        r = subprocess.run([str(ATFTPD), "-V"], capture_output=True, text=True)
        return (r.stdout + r.stderr).strip().splitlines()[0]


class Dnsmasq(Server):
    # dnsmasq serves TFTP on port 69 only; DNS off (--port=0), no DHCP range.
    name, port, comms = "dnsmasq", 69, ("dnsmasq",)

    def command(self):
        return ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                "--enable-tftp", f"--tftp-root={self.root}",
                f"--tftp-max={MAX_SESSIONS}", "--listen-address=127.0.0.1",
                "--bind-interfaces", "--user=root", "--group=root", "--pid-file=",
                "--log-facility=-"]

    def version(self):
        r = subprocess.run(["dnsmasq", "--version"], capture_output=True, text=True)
        return r.stdout.splitlines()[0].split("Copyright")[0].strip()


ALL = [Ktftpd, KtftpdWorkers, KtftpdRules, KtftpdUnique, KtftpdSinglePort,
       TftpdHpa, Atftpd, Dnsmasq]
