"""Network namespaces: one independent server in each, and nothing of one
namespace seen or changed from another."""
import json
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from conftest import (KTFTPCTL, PORT, TFTP_ROOT, fetch_in_namespace, insmod, make_file,
                      run, status, sysctl_read)
from tftp import Client


def in_namespace(ns, code):
    """Run Python @code in network namespace @ns; return its result."""
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", code],
                          capture_output=True, text=True, timeout=60)


@contextmanager
def namespace(ns):
    """A network namespace with its loopback up; deleted after."""
    run("ip", "netns", "add", ns)
    try:
        run("ip", "-n", ns, "link", "set", "lo", "up")
        yield ns
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def ns_sysctl(ns, **settings):
    """sysctl -w in @ns's network namespace alone: `ip netns exec` would
    also give it a mount namespace of its own, gone with it, and a root set
    there would lose the mounts beneath it (docs/operating.md)."""
    run("nsenter", f"--net=/run/netns/{ns}", "sysctl", "-q", "-w",
        *[f"net.ktftpd.{k}={v}" for k, v in settings.items()])


def ns_sysctl_read(ns, name):
    return run("ip", "netns", "exec", ns, "sysctl", "-n",
               f"net.ktftpd.{name}").stdout.strip()


def ns_ctl(ns, *args):
    """ktftpctl --json ARGS in @ns, parsed."""
    out = run("ip", "netns", "exec", ns, str(KTFTPCTL), "--json", *args).stdout
    return json.loads(out) if out.strip() else None


def serve_in(ns, root: Path, port=69):
    ns_sysctl(ns, root=root, port=port, stop=0)


def test_a_namespace_cannot_reconfigure_the_hosts_server(server, tmp_path):
    """A process in another network namespace (a container with a writable
    /proc/sys) writes net.ktftpd.root and port: the initial namespace's
    server keeps serving its own root on its own port."""
    blob = make_file(TFTP_ROOT / "netns-host.bin", 3000)
    with namespace("ktftpd-nsA") as ns:
        root_before, port_before = sysctl_read("root"), sysctl_read("port")
        assert root_before == str(TFTP_ROOT)
        r = in_namespace(ns, f"""
import os
for name, value in (("root", {str(tmp_path)!r}), ("port", "6969")):
    try:
        fd = os.open("/proc/sys/net/ktftpd/" + name, os.O_WRONLY)
    except OSError as e:
        print(name, "open", e.errno)
        continue
    try:
        os.write(fd, value.encode())
        print(name, "written")
    except OSError as e:
        print(name, "write", e.errno)
    finally:
        os.close(fd)
""")
        assert r.returncode == 0, r.stderr
        assert sysctl_read("root") == root_before, r.stdout
        assert sysctl_read("port") == port_before, r.stdout
        with Client(port=PORT) as c:
            assert c.fetch("netns-host.bin") == blob.read_bytes()


def test_a_namespace_cannot_stop_the_hosts_server(server):
    """ktftpctl stop, and a config change, from another network namespace
    leave the initial namespace's server running as it was."""
    blob = make_file(TFTP_ROOT / "netns-host.bin", 3000)
    with namespace("ktftpd-nsA") as ns:
        for args in (["stop"], ["config", "set", "port=6970"]):
            subprocess.run(["ip", "netns", "exec", ns, str(KTFTPCTL), *args],
                           capture_output=True, text=True, timeout=60)
        st = status()
        assert st["running"] and st["config"]["port"] == PORT, st
        with Client(port=PORT) as c:
            assert c.fetch("netns-host.bin") == blob.read_bytes()


def test_four_servers_each_serve_their_own_root(server, tmp_path):
    """Three namespaces and the initial one, each serving its own root on
    port 69 at once, with a client in each at the same time: each client
    gets its own namespace's file, and each server counts only its own."""
    from concurrent.futures import ThreadPoolExecutor
    names = ["ktftpd-nsA", "ktftpd-nsB", "ktftpd-nsC"]
    host_file = make_file(TFTP_ROOT / "who.bin", 7000)
    server.set(stop=1)
    server.set(port=69, stop=0)
    files = {}
    with ExitStack() as stack:
        for i, ns in enumerate(names):
            stack.enter_context(namespace(ns))
            root = tmp_path / ns
            root.mkdir()
            root.chmod(0o755)
            files[ns] = make_file(root / "who.bin", 3000 + 1000 * i)
            make_file(root / f"only-{ns}.bin", 100)
            serve_in(ns, root)

        def fetch_host():
            with Client(port=69) as c:
                return c.fetch("who.bin") == host_file.read_bytes()
        with ThreadPoolExecutor(len(names) + 1) as pool:
            host = pool.submit(fetch_host)
            done = {ns: pool.submit(fetch_in_namespace, ns, "127.0.0.1", "who.bin",
                                    files[ns], port=69) for ns in names}
            for ns, f in done.items():
                rc, out = f.result()
                assert rc == 0, (ns, out)
            assert host.result()
        # Another namespace's file is not there.
        rc, out = fetch_in_namespace(names[0], "127.0.0.1", f"only-{names[1]}.bin",
                                     files[names[1]], port=69)
        assert rc != 0, out
        for i, ns in enumerate(names):
            st = ns_ctl(ns, "status")
            assert st["running"] and st["config"]["root"] == str(tmp_path / ns), st
            assert st["config"]["port"] == 69
            assert st["stats"]["transfers_completed"] == 1, (ns, st["stats"])
            assert st["stats"]["bytes_sent"] == 3000 + 1000 * i, (ns, st["stats"])
            want_errors = 1 if ns == names[0] else 0
            assert st["stats"]["errors_sent"]["1"] == want_errors, (ns, st["stats"])
        own = server.stats()
        assert own["transfers_completed"] == 1 and own["bytes_sent"] == 7000, own
        assert own["errors_sent"]["1"] == 0, own


def test_ktftpctl_netns_acts_on_that_namespaces_server(server, tmp_path):
    """ktftpctl --netns NAME|PATH enters the network namespace alone: the
    root it sets is resolved in the caller's mount namespace (a mount
    beneath it stays), and the command reaches that namespace's server,
    never the caller's.  A name that is no namespace is a clear error."""
    root = tmp_path / "ctl"
    root.mkdir()
    root.chmod(0o755)
    blob = make_file(root / "ctl.bin", 4321)
    before = status()
    with namespace("ktftpd-ctl"):
        run(KTFTPCTL, "--netns", "ktftpd-ctl", "start", "--root", str(root), "--port", "69")
        rc, out = fetch_in_namespace("ktftpd-ctl", "127.0.0.1", "ctl.bin", blob, port=69)
        assert rc == 0, out
        st = json.loads(run(KTFTPCTL, "--json", "-n", "/run/netns/ktftpd-ctl",
                            "status").stdout)
        assert st["running"] and st["config"]["root"] == str(root), st
        assert st["stats"]["bytes_sent"] == 4321, st["stats"]
        run(KTFTPCTL, "--netns", "ktftpd-ctl", "stop")
        assert not ns_ctl("ktftpd-ctl", "status")["running"]
    after = status()
    assert after["running"] and after["config"] == before["config"], after
    assert server.stats()["bytes_sent"] == 0
    for bad, why in [("ktftpd-none", "cannot open /run/netns/ktftpd-none"),
                     ("/etc/hostname", "/etc/hostname is not a network namespace")]:
        r = run(KTFTPCTL, "--netns", bad, "status", check=False)
        assert r.returncode == 65 and why in r.stderr, (bad, r.returncode, r.stderr)
    r = run(KTFTPCTL, "--netns", "..", "status", check=False)
    assert r.returncode == 64, r.stderr


def test_a_root_is_resolved_in_its_configurers_mount_namespace(server, tmp_path):
    """ktftpctl, in a mount namespace of its own with a tmpfs mounted on the
    root it sets, starts a namespace's server: the server serves the
    tmpfs's file, which the initial mount namespace never sees, and still
    does once that mount namespace is gone."""
    root = tmp_path / "private"
    root.mkdir()
    root.chmod(0o755)
    copy = tmp_path / "copy.bin"
    with namespace("ktftpd-mnt"):
        run("unshare", "-m", "--propagation", "private", "sh", "-c",
            f"mount -t tmpfs -o mode=0755 ktftpd-private {root}"
            f" && head -c 2345 /dev/urandom > {root}/private.bin"
            f" && chmod 644 {root}/private.bin && cp {root}/private.bin {copy}"
            f" && {KTFTPCTL} --netns ktftpd-mnt start --root {root} --port 69")
        assert not (root / "private.bin").exists()
        rc, out = fetch_in_namespace("ktftpd-mnt", "127.0.0.1", "private.bin", copy, port=69)
        assert rc == 0, out
        assert ns_ctl("ktftpd-mnt", "stats")["bytes_sent"] == 2345


def test_a_new_namespaces_server_starts_only_once_its_root_is_set(server):
    """A new namespace's server is stopped, at the defaults, and its root is
    not looked up in whatever mount namespace its creator had: a start
    before root is set is refused, even with /srv/tftp there."""
    made = not Path("/srv/tftp").exists()
    Path("/srv/tftp").mkdir(parents=True, exist_ok=True)
    try:
        with namespace("ktftpd-nsA") as a:
            st = ns_ctl(a, "status")
            assert not st["running"] and st["config"]["root"] == "/srv/tftp", st
            r = subprocess.run(["ip", "netns", "exec", a, "sysctl", "-w",
                                "net.ktftpd.stop=0"], capture_output=True, text=True)
            assert r.returncode != 0 and not ns_ctl(a, "status")["running"], r
            ns_sysctl(a, root="/srv/tftp", stop=0)
            assert ns_ctl(a, "status")["running"]
    finally:
        if made:
            Path("/srv/tftp").rmdir()


def test_sysctl_and_netlink_agree_per_namespace(server):
    """A change through either surface in one namespace shows through the
    other in that namespace, and nowhere else."""
    with namespace("ktftpd-nsA") as a, namespace("ktftpd-nsB") as b:
        ns_sysctl(a, timeout=2000)
        run("ip", "netns", "exec", b, str(KTFTPCTL), "config", "set", "retries=7")
        assert ns_ctl(a, "status")["config"]["timeout"] == 2000
        assert ns_sysctl_read(b, "retries") == "7"
        assert ns_ctl(b, "status")["config"]["timeout"] == 1000
        assert ns_sysctl_read(a, "retries") == "5"
        assert sysctl_read("timeout") == "1000" and sysctl_read("retries") == "5"
        assert status()["config"]["retries"] == 5


def test_sessions_and_events_stay_in_their_namespace(server, tmp_path):
    """A transfer in one namespace is listed, and reported as events, in
    that namespace alone."""
    with namespace("ktftpd-nsA") as a, namespace("ktftpd-nsB") as b:
        root = tmp_path / "a"
        root.mkdir()
        root.chmod(0o755)
        src = make_file(root / "ev.bin", 5000)
        serve_in(a, root)
        monitors = {}
        try:
            for ns in (a, b, None):
                prefix = ["ip", "netns", "exec", ns] if ns else []
                monitors[ns] = subprocess.Popen(
                    prefix + [str(KTFTPCTL), "--json", "monitor"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1.5)  # each has joined the group by now
            # Hold a transfer at DATA 1 in A: listed there alone.
            held = subprocess.Popen(
                ["ip", "netns", "exec", a, sys.executable, "-c", """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(b"\\0\\1ev.bin\\0octet\\0", ("127.0.0.1", 69))
s.recvfrom(600)
print("held", flush=True)
time.sleep(30)
"""], stdout=subprocess.PIPE, text=True)
            assert held.stdout.readline().strip() == "held"
            assert len(ns_ctl(a, "sessions")) == 1
            assert ns_ctl(b, "sessions") == []
            assert json.loads(run(str(KTFTPCTL), "--json", "sessions").stdout) == []
            held.kill()
            held.wait()
            rc, out = fetch_in_namespace(a, "127.0.0.1", "ev.bin", src, port=69)
            assert rc == 0, out
            time.sleep(1.0)
        finally:
            outs = {}
            for ns, p in monitors.items():
                p.send_signal(signal.SIGINT)
                outs[ns] = p.communicate(timeout=10)[0]
        events = {ns: [json.loads(x) for x in out.splitlines()] for ns, out in outs.items()}
        seen = [(e["event"], e["session"]["file"]) for e in events[a]]
        assert ("start", "ev.bin") in seen and ("finish", "ev.bin") in seen, events
        assert events[b] == [] and events[None] == [], events


# One process with sockets in two namespaces, both sending from
# 127.0.0.1 (each namespace's own): a burst of RRQs, each from a port of
# its own, to the first namespace's server, then at once a few to the
# second's; it prints how many each answered.
TWO_NAMESPACE_BURST = """
import ctypes, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def sockets_in(ns, n):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
        s.setblocking(False)
    return socks
a, b, flood, few = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sa, sb = sockets_in(a, flood), sockets_in(b, few)
rrq = b"\\0\\1no-such-file\\0octet\\0"
for s in sa + sb:
    s.sendto(rrq, ("127.0.0.1", 69))
deadline = time.monotonic() + float(sys.argv[5])
answered = {id(s): 0 for s in sa + sb}
while time.monotonic() < deadline:
    for s in sa + sb:
        try:
            s.recvfrom(2048)
            answered[id(s)] = 1
        except BlockingIOError:
            pass
    time.sleep(0.05)
print(sum(answered[id(s)] for s in sa), sum(answered[id(s)] for s in sb))
"""


def test_rate_limit_buckets_stay_in_their_namespace(server, tmp_path):
    """Two namespaces' servers, each with rate_limit=10, and a client at
    127.0.0.1 in each (the same address, in two namespaces): a burst of 200
    requests to the first is cut to its bucket, and the second's 8 sent
    at the same moment are all answered; only the first counts the drops,
    and the initial namespace's server none."""
    from conftest import TIME_SCALE
    with namespace("ktftpd-rlA") as a, namespace("ktftpd-rlB") as b:
        for ns in (a, b):
            root = tmp_path / ns
            root.mkdir()
            root.chmod(0o755)
            ns_sysctl(ns, rate_limit=10)
            serve_in(ns, root)
        r = subprocess.run([sys.executable, "-c", TWO_NAMESPACE_BURST, a, b, "200", "8",
                            str(3 * TIME_SCALE)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        answered_a, answered_b = (int(x) for x in r.stdout.split())
        # A bucket holds a second's worth; refilled at 10 a second for as
        # long as the burst took to arrive.
        assert answered_a <= 10 + 10 * TIME_SCALE, r.stdout
        assert answered_b == 8, r.stdout
        st_a, st_b = ns_ctl(a, "stats"), ns_ctl(b, "stats")
        assert st_a["rate_limited"] >= 200 - answered_a - 5, st_a
        assert st_b["rate_limited"] == 0 and st_b["errors_sent"]["1"] == 8, st_b
        # The control: the same 8 sent to the first namespace's server,
        # its bucket full again, right behind the burst: cut with it.
        time.sleep(2 * TIME_SCALE)
        r = subprocess.run([sys.executable, "-c", TWO_NAMESPACE_BURST, a, a, "200", "8",
                            str(3 * TIME_SCALE)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert int(r.stdout.split()[1]) <= 2, r.stdout
    assert server.stats()["rate_limited"] == 0


HOLD_TRANSFERS = """
import socket, sys, time
n, name, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(20)
    s.sendto(b"\\0\\1" + name.encode() + b"\\0octet\\0", ("127.0.0.1", port))
    socks.append(s)
for s in socks:
    s.recvfrom(600)
print("held", flush=True)
time.sleep(120)
"""


def hold_transfers(ns, n, name, port=69):
    """@n transfers of @name in @ns, each held at DATA 1 (never ACKed) by a
    process that lives until killed."""
    p = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c",
                          HOLD_TRANSFERS, str(n), name, str(port)],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def test_deleting_a_namespace_under_load_aborts_its_transfers(ktftpd, tmp_path):
    """ip netns del with 200 transfers in flight there: they end, the other
    servers keep serving, and rmmod finds every object freed (an unfreed
    one WARNs, and fails the run)."""
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)
    make_file(root / "big.bin", 512 * 200)
    make_file(TFTP_ROOT / "after.bin", 2000)
    run("sysctl", "-q", "-w", f"net.ktftpd.root={TFTP_ROOT}", f"net.ktftpd.port={PORT}",
        "net.ktftpd.stop=0")
    with namespace("ktftpd-nsB") as b:
        serve_in(b, root)
        with namespace("ktftpd-nsA") as a:
            # Held transfers never make progress: without a long
            # handshake_timeout they end on their own after 15 s, which a
            # debug kernel setting up 200 of them can take.
            ns_sysctl(a, max_sessions_per_client=256, timeout=10000,
                      handshake_timeout=600000)
            serve_in(a, root)
            ns_sysctl(b, timeout=10000, handshake_timeout=600000)
            held_b = hold_transfers(b, 5, "big.bin")
            held_a = hold_transfers(a, 200, "big.bin")
            assert ns_ctl(a, "status")["stats"]["active"] == 200
            # The namespace goes when its last process leaves it.
            held_a.kill()
            held_a.wait()
        # A's server is gone with it; B's transfers and server are untouched.
        assert ns_ctl(b, "status")["stats"]["active"] == 5
        rc, out = fetch_in_namespace(b, "127.0.0.1", "big.bin", root / "big.bin", port=69)
        assert rc == 0, out
        with Client(port=PORT) as c:
            assert c.fetch("after.bin") == (TFTP_ROOT / "after.bin").read_bytes()
        held_b.kill()
        held_b.wait()
    run("sysctl", "-q", "-w", "net.ktftpd.stop=1")


def test_rmmod_with_four_running_servers(ktftpd, tmp_path):
    """rmmod while the initial namespace and three others serve, two of
    them with transfers in flight: every server stops, and each
    namespace's net.ktftpd goes with the module."""
    from conftest import rmmod
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)
    make_file(root / "big.bin", 512 * 200)
    run("sysctl", "-q", "-w", f"net.ktftpd.root={root}", f"net.ktftpd.port={PORT}",
        "net.ktftpd.stop=0")
    names = ["ktftpd-nsA", "ktftpd-nsB", "ktftpd-nsC"]
    with ExitStack() as stack:
        held = []
        for ns in names:
            stack.enter_context(namespace(ns))
            ns_sysctl(ns, timeout=10000)
            serve_in(ns, root)
        held.append(hold_transfers(names[0], 20, "big.bin"))
        held.append(hold_transfers(names[1], 20, "big.bin"))
        rmmod()
        for ns in names:
            r = subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-n", "net.ktftpd.root"],
                               capture_output=True, text=True)
            assert r.returncode != 0, (ns, r.stdout)
        for p in held:
            p.kill()
            p.wait()
    insmod()    # for the fixture, which unloads it


def in_user_namespace(script, uid=None, netns=True, groups=(), enter=None, timeout=60):
    """Run sh @script as root of a new user namespace, in a network
    namespace of its own (unshare -Urn; netns=False: the caller's, or with
    @enter the named one, joined first), from the repository.  The guest's tests run chrooted, and a chrooted process
    may not make a user namespace: busybox's unshare starts from PID 1's
    root, then chroots back (allowed in the mount namespace the new user
    namespace owns).  With @uid, an unprivileged user makes it: its root
    is then that uid (and gid) outside, with @groups, and nothing more."""
    import os
    from conftest import REPO

    def drop():
        if enter:
            import ctypes
            fd = os.open(f"/run/netns/{enter}", os.O_RDONLY)
            clone_newnet = 0x40000000       # os.CLONE_NEWNET from Python 3.12
            assert ctypes.CDLL(None).setns(fd, clone_newnet) == 0
            os.close(fd)
        os.chroot("/proc/1/root")
        os.chdir("/")
        if uid is not None:
            os.setgroups(list(groups))
            os.setgid(uid)
            os.setuid(uid)
    return subprocess.run(
        ["/bin/busybox", "unshare", "-Urm" + ("n" if netns else ""),
         "/bin/busybox", "chroot", "/newroot", "/bin/sh", "-c",
         f"cd {REPO} && {script}"],
        capture_output=True, text=True, timeout=timeout, preexec_fn=drop)


def test_a_user_namespace_root_cannot_administer_its_server(server):
    """A network namespace of an unprivileged user namespace (unshare -Urn):
    its root may read net.ktftpd but not write it, and netlink commands need
    CAP_NET_ADMIN in the initial user namespace."""
    r = in_user_namespace(
        f"cat /proc/sys/net/ktftpd/port; echo /tmp > /proc/sys/net/ktftpd/root;"
        f" echo write=$?; {KTFTPCTL} start; echo start=$?;"
        f" {KTFTPCTL} config set retries=7; echo set=$?;"
        f" {KTFTPCTL} --json status")
    lines = r.stdout.splitlines()
    assert lines[:4] == ["69", "write=2", "start=77", "set=77"], r.stdout + r.stderr
    st = json.loads(lines[4])
    assert not st["running"] and st["config"]["root"] == "/srv/tftp", st


def test_root_without_cap_net_admin_cannot_write_the_sysctls(server, tmp_path):
    """uid 0 without CAP_NET_ADMIN (a container on the host's network with
    a writable /proc/sys, a root service with a narrowed bounding set):
    the files' owner bits would let it write, but every write is refused
    (EPERM) as netlink refuses it, in the initial namespace and in another;
    reads still work."""
    no_admin = ["setpriv", "--inh-caps=-all", "--bounding-set=-net_admin", "sh", "-c"]
    writes = " ".join(f"echo {v} > /proc/sys/net/ktftpd/{k} 2>/dev/null; echo {k}=$?;"
                      for k, v in (("root", tmp_path), ("stop", 1), ("retries", 7),
                                   ("listen", "127.0.0.2"), ("allow", "10.0.0.0/8"),
                                   ("port_range", "40000:40100")))
    before = status()
    r = run(*no_admin, f"cat /proc/sys/net/ktftpd/port; {writes}")
    assert r.stdout.split() == [str(PORT), "root=1", "stop=1", "retries=1", "listen=1",
                                "allow=1", "port_range=1"], r.stdout
    after = status()
    assert after["running"] and after["config"] == before["config"], after
    with namespace("ktftpd-nocap") as ns:
        default_root = ns_sysctl_read(ns, "root")
        r = run("nsenter", f"--net=/run/netns/{ns}", *no_admin,
                f"echo {tmp_path} > /proc/sys/net/ktftpd/root; echo root=$?")
        assert r.stdout.split() == ["root=1"], r.stdout
        assert ns_sysctl_read(ns, "root") == default_root


# In a namespace: ask for hung/file.bin and ACK argv[1] blocks, then wait.
ASK_AND_HOLD = """
import sys, time
sys.path.insert(0, "tests/integration")
from tftp import Client
c = Client(port=69)
c.request("hung/file.bin")
for block in range(1, int(sys.argv[1]) + 1):
    num, payload, tid = c.expect("DATA", timeout=30)
    assert num == block, num
    c.ack(block, tid)
print("held", flush=True)
time.sleep(600)
"""


def veth_to(ns, host_end):
    """A veth pair, @host_end here and its peer in @ns: the host end goes
    only when @ns's cleanup has run."""
    run("modprobe", "veth")     # autoloading runs from init's root, not ours
    run("ip", "link", "add", host_end, "type", "veth", "peer", "name", "eth9",
        "netns", ns)


def link_exists(name):
    return run("ip", "link", "show", name, check=False).returncode == 0


def another_namespace_is_freed(what):
    """A second namespace, with a device, goes now: its cleanup must come
    within 30 s, whatever the first one's waits on."""
    from conftest import TIME_SCALE
    from tftp import wait_for
    with namespace("ktftpd-nsB") as b:
        veth_to(b, "ktftpd-vB")
    wait_for(lambda: not link_exists("ktftpd-vB"), timeout=30 * TIME_SCALE,
             what=f"namespace B's cleanup while {what}")


def module_held_until(fs):
    """rmmod is refused while @fs holds the module's thread, and works once
    @fs answers (the unload's counts balance); loaded again after."""
    from conftest import module_loaded
    r = run("rmmod", "ktftpd", check=False, timeout=30)
    assert r.returncode != 0 and "in use" in r.stderr, r
    assert module_loaded()
    module_unloads_once_answered(fs)


def module_unloads_once_answered(fs):
    """@fs answers everything held: every transfer or lookup waiting in it
    ends, and with it the module's pin; rmmod works, and loads it again."""
    from conftest import TIME_SCALE
    from tftp import wait_for
    fs.release()
    wait_for(lambda: run("rmmod", "ktftpd", check=False).returncode == 0,
             timeout=20 * TIME_SCALE, what="rmmod once the file system answered")
    insmod()


@pytest.mark.parametrize("hang", ["open", "read"])
def test_deleting_a_namespace_whose_transfer_hangs_holds_up_no_other(ktftpd, tmp_path,
                                                                     hang):
    """A namespace goes while its server's transfer waits in a hung file
    system, in its open or in a read in the middle of the file.  The
    namespaces' cleanup is one worker for the whole host: once it waited
    here for the file system, and no other namespace was ever freed
    meanwhile (their devices stayed, their servers too).  Now the transfer
    is cut off from its namespace and ends when the file system answers;
    until then rmmod is refused (EBUSY), never left waiting."""
    from conftest import TIME_SCALE
    from hungfs import HANG_AT, HungFs
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)
    with HungFs(root / "hung", hang=hang) as fs:
        with namespace("ktftpd-nsA") as a:
            serve_in(a, root)
            blocks = HANG_AT // 512 if hang == "read" else 0
            asker = subprocess.Popen(["ip", "netns", "exec", a, sys.executable, "-c",
                                      ASK_AND_HOLD, str(blocks)],
                                     stdout=subprocess.PIPE, text=True)
            assert asker.stdout.readline().strip() == "held"
            fs.wait_for_hold(timeout=10 * TIME_SCALE)
            asker.kill()
            asker.wait()
        # A's cleanup has begun; namespaces are still made and serve.
        with namespace("ktftpd-nsC") as c:
            make_file(root / "ok.bin", 1000)
            serve_in(c, root)
            rc, out = fetch_in_namespace(c, "127.0.0.1", "ok.bin", root / "ok.bin", port=69)
            assert rc == 0, out
        another_namespace_is_freed("A's transfer waits on the file system")
        # The transfer ends, its server is freed, and the pin is let go.
        module_held_until(fs)


def leave_then(sysctl, then):
    """Python that opens net.ktftpd.@sysctl here (as fd), leaves for the
    initial namespace, says "left", and runs @then there."""
    return f"""
import ctypes, os, sys, time
fd = os.open("/proc/sys/net/ktftpd/{sysctl}", os.O_WRONLY)
libc = ctypes.CDLL(None, use_errno=True)
host = os.open("/proc/1/ns/net", os.O_RDONLY)
assert libc.setns(host, 0x40000000) == 0, ctypes.get_errno()   # CLONE_NEWNET
print("left", flush=True)
""" + then


# The stop's time in seconds.
LEAVE_AND_STOP = leave_then("stop", """
t0 = time.monotonic()
os.write(fd, b"1")
print(round(time.monotonic() - t0, 1), flush=True)
""")


def test_a_namespaces_deletion_cuts_its_servers_drain_short(server, tmp_path):
    """A stop with a long drain is under way in a namespace (written by a
    process that has left it) when the namespace goes: its cleanup, which
    every namespace shares, ends the drain instead of waiting it out."""
    from conftest import TIME_SCALE
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)
    make_file(root / "big.bin", 512 * 200)
    with namespace("ktftpd-nsA") as a:
        # The held transfer would outlive the test: only a cut ends the drain.
        ns_sysctl(a, timeout=10000, handshake_timeout=600000, drain_timeout=600000)
        serve_in(a, root)
        held = hold_transfers(a, 1, "big.bin")
        stopper = subprocess.Popen(["ip", "netns", "exec", a, sys.executable, "-c",
                                    LEAVE_AND_STOP], stdout=subprocess.PIPE, text=True)
        assert stopper.stdout.readline().strip() == "left"
        time.sleep(1)
        assert stopper.poll() is None, "the drain did not wait for the held transfer"
        held.kill()
        held.wait()
    # The namespace's last process is gone: its cleanup cuts the drain.
    out, _ = stopper.communicate(timeout=30 * TIME_SCALE)
    assert stopper.returncode == 0 and float(out.strip()) < 10 * TIME_SCALE, out


def test_a_namespaces_deletion_ends_a_stops_wait_for_slow_aborted_transfers(ktftpd,
                                                                           tmp_path):
    """A stop (written by a process that has left the namespace) aborted
    transfers that wait in a slow file system, one answer every half
    second, and waits for them while they keep ending.  The namespace goes
    meanwhile: its cleanup, which every namespace shares, once waited for
    that stop's lock until the file system had answered every one."""
    import threading
    from conftest import TIME_SCALE
    from hungfs import HungFs
    from tftp import wait_for
    n, pace = 24, 0.5       # under the stop's 1 s period of progress
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)
    with HungFs(root / "hung", hang="open") as fs:
        paced = threading.Event()

        def pacer():
            while not paced.wait(pace):
                fs.release_one()
        askers = []
        try:
            with namespace("ktftpd-nsA") as a:
                ns_sysctl(a, drain_timeout=0)
                serve_in(a, root)
                for _ in range(n):
                    askers.append(subprocess.Popen(
                        ["ip", "netns", "exec", a, sys.executable, "-c", ASK_AND_HOLD, "0"],
                        stdout=subprocess.PIPE, text=True))
                for p in askers:
                    assert p.stdout.readline().strip() == "held"
                wait_for(lambda: fs.n_held() == n, timeout=10 * TIME_SCALE,
                         what="every open to reach the file system")
                stopper = subprocess.Popen(["ip", "netns", "exec", a, sys.executable, "-c",
                                            LEAVE_AND_STOP], stdout=subprocess.PIPE, text=True)
                assert stopper.stdout.readline().strip() == "left"
                threading.Thread(target=pacer, daemon=True).start()
                time.sleep(2 * pace)
                assert stopper.poll() is None, "the stop did not wait for the aborted transfers"
                for p in askers:
                    p.kill()
                    p.wait()
            out, _ = stopper.communicate(timeout=30 * TIME_SCALE)
            # Waited out, the stop took n * pace (12 s).
            assert stopper.returncode == 0 and float(out.strip()) < n * pace / 2, out
        finally:
            paced.set()
            for p in askers:
                p.kill()
                p.wait()
        module_unloads_once_answered(fs)


# Set root to argv[1]: the write's errno (0: it worked).
LEAVE_AND_SET_ROOT = leave_then("root", """
try:
    os.write(fd, sys.argv[1].encode())
    print(0, flush=True)
except OSError as e:
    print(e.errno, flush=True)
""")


def test_a_root_write_waiting_on_a_hung_lookup_holds_up_no_namespace(ktftpd, tmp_path):
    """A root is being set, from a process that has left the namespace,
    and its lookup waits in a hung file system when the namespace goes.
    The write once held the sysctl table (and the server's lock) that the
    namespace's cleanup, one worker for the whole host, waits for: no
    other namespace was freed until the file system answered.  Now the
    write gives up (ESHUTDOWN), and the lookup ends on its own."""
    import errno
    from conftest import TIME_SCALE
    from hungfs import HungFs
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)
    with HungFs(root / "hung", hang="lookup") as fs:
        with namespace("ktftpd-nsA") as a:
            writer = subprocess.Popen(["ip", "netns", "exec", a, sys.executable, "-c",
                                       LEAVE_AND_SET_ROOT, str(root / "hung" / "dir")],
                                      stdout=subprocess.PIPE, text=True)
            assert writer.stdout.readline().strip() == "left"
            fs.wait_for_hold(timeout=10 * TIME_SCALE)
        out, _ = writer.communicate(timeout=30 * TIME_SCALE)
        assert out.strip() == str(errno.ESHUTDOWN), out
        another_namespace_is_freed("A's root lookup waits")
        # The abandoned lookup holds the module until it ends.
        module_held_until(fs)


def lookup_threads():
    return len(run("pgrep", "-x", "ktftpd-lookup", check=False).stdout.split())


def test_a_user_cannot_pile_up_abandoned_root_lookups(ktftpd, tmp_path):
    """A lookup a writer gave up on goes on in a kernel thread, charged to
    no one, until its file system answers.  One user who sets a root on a
    hung mount and gives up, in namespace after namespace (each server
    has one lookup at most), gets no more than four such threads: the
    fifth write is refused at once (EUSERS)."""
    import errno
    from conftest import TIME_SCALE
    from hungfs import HungFs
    from tftp import wait_for
    root = tmp_path / "root"
    root.mkdir()
    root.chmod(0o755)
    with HungFs(root / "hung", hang="lookup") as fs, ExitStack() as stack:
        for i in range(4):
            ns = stack.enter_context(namespace(f"ktftpd-nsL{i}"))
            writer = subprocess.Popen(["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                                       f"net.ktftpd.root={root / 'hung' / f'dir{i}'}"])
            # The first waits in the file system, the rest behind it
            # (the directory's lock): each in a thread of its own.
            wait_for(lambda: lookup_threads() > i, timeout=10 * TIME_SCALE,
                     what=f"lookup {i + 1}'s thread")
            writer.kill()
            writer.wait(timeout=10 * TIME_SCALE)
        ns = stack.enter_context(namespace("ktftpd-nsL4"))
        r = in_namespace(ns, f"""
import errno, os
fd = os.open("/proc/sys/net/ktftpd/root", os.O_WRONLY)
try:
    os.write(fd, b"{root / 'hung' / 'dir4'}")
    print(0)
except OSError as e:
    print(e.errno)
""")
        assert r.stdout.strip() == str(errno.EUSERS), r
        assert lookup_threads() == 4
        module_held_until(fs)
    assert lookup_threads() == 0


UNPRIVILEGED = 4242
DENIED_GROUP = 4343

# In the user namespace's network namespace: loopback up, then one line
# a file, "NAME ok" or "NAME error N".
FETCH_EACH = """ip link set lo up && python3 -c '
import sys; sys.path.insert(0, "tests/integration")
from tftp import Client
for name in sys.argv[1:]:
    with Client(port=6969) as c:
        c.request(name)
        r = c.recv(5)
        print(name, "none" if r is None else
              "ok" if r[0][0] == "DATA" else f"error {r[0][1]}")
' """


def test_userns_admin_serves_only_what_the_mapped_identity_may_read(userns_admin):
    """userns_admin=1: root of an unprivileged user's user namespace runs
    the server of its network namespace.  Its ids are read through that
    user namespace (its 0 is uid 4242 outside): nobody is not mapped there,
    so start is refused until user and group are set; then the server
    reads what uid 4242 may read, and not root's own 0600 file, nor one
    its supplementary group is denied."""
    import os
    import shutil
    import tempfile
    # Not beneath tmp_path: pytest's base directory is root's alone (0700).
    root = Path(tempfile.mkdtemp(prefix="userns-root-", dir="/tmp"))
    root.chmod(0o755)
    mine = make_file(root / "mine.bin", 700, mode=0o600)
    os.chown(mine, UNPRIVILEGED, UNPRIVILEGED)
    make_file(root / "roots.bin", 700, mode=0o600)
    # World-readable, but not by its group, of which the user is one: the
    # user cannot read it, and its user namespace cannot drop the group
    # (setgroups is denied there); nor can the server on its behalf.
    denied = make_file(root / "denied.bin", 700, mode=0o604)
    os.chown(denied, 0, DENIED_GROUP)
    ctl = f"{KTFTPCTL}"
    r = in_user_namespace(
        f"{ctl} start --root {root} --port 6969; echo unmapped=$?;"
        f" echo 0 > /proc/sys/net/ktftpd/user && echo 0 > /proc/sys/net/ktftpd/group"
        f" && echo sysctl=$?;"
        f" {ctl} config set require_world_readable=0 >/dev/null && {ctl} start --root {root}"
        f" --port 6969 >/dev/null; echo start=$?;"
        f" {ctl} --json status | python3 -c 'import json,sys; c=json.load(sys.stdin);"
        f" print(\"running\", c[\"running\"], c[\"config\"][\"user\"])';"
        f" {FETCH_EACH} mine.bin roots.bin denied.bin",
        uid=UNPRIVILEGED, groups=[DENIED_GROUP])
    shutil.rmtree(root)
    out = r.stdout.splitlines()
    assert out == ["unmapped=65", "sysctl=0", "start=0", "running True 0",
                   "mine.bin ok", "roots.bin error 2", "denied.bin error 2"], \
        r.stdout + r.stderr
    assert "no mapping in the namespace's user namespace" in r.stderr, r.stderr


@pytest.mark.parametrize("where", ["initial", "another"])
def test_userns_admin_reaches_no_other_namespaces_server(userns_admin, where):
    """userns_admin=1, a server running in the initial network namespace,
    or in another one the host made (ip netns add): root of a user
    namespace that lives in that network namespace without owning it
    (unshare -Urm there) is still refused every change to its server,
    through netlink and sysctl, and one with its own network namespace
    sees only its own server."""
    from conftest import serve
    blob = make_file(TFTP_ROOT / "userns-host.bin", 2000)
    with ExitStack() as stack:
        if where == "initial":
            ns = None
            serve()
            before = status()
        else:
            ns = stack.enter_context(namespace("ktftpd-nsB"))
            serve_in(ns, TFTP_ROOT, port=PORT)
            before = ns_ctl(ns, "status")
        # The server it sees runs (the initial one is stopped when B's runs).
        r = in_user_namespace(
            f"cat /proc/sys/net/ktftpd/stop;"
            f" {KTFTPCTL} stop; echo stop=$?; {KTFTPCTL} config set retries=7;"
            f" echo set=$?; echo /tmp > /proc/sys/net/ktftpd/root; echo write=$?",
            uid=UNPRIVILEGED, netns=False, enter=ns)
        assert r.stdout.splitlines() == ["0", "stop=77", "set=77", "write=2"], \
            r.stdout + r.stderr
        r = in_user_namespace(f"{KTFTPCTL} --json status", uid=UNPRIVILEGED)
        own = json.loads(r.stdout)
        assert not own["running"] and own["stats"]["requests"] == 0, own
        after = status() if ns is None else ns_ctl(ns, "status")
        assert after["running"] and after["config"] == before["config"], after
        if ns is None:
            with Client(port=PORT) as c:
                assert c.fetch(blob.name) == blob.read_bytes()
        else:
            rc, out = fetch_in_namespace(ns, "127.0.0.1", blob.name, blob)
            assert rc == 0, out
            return
        run("sh", "-c", "echo 1 > /proc/sys/net/ktftpd/stop")


def test_userns_admin_cannot_buy_socket_memory_past_the_systems_limits(userns_admin):
    """userns_admin=1: root of an unprivileged user's namespaces sets
    sockbuf_max to 8 MiB and asks for a window of 64 blocks of 64 KiB.
    The transfer's send buffer still stops at net.core.wmem_max (doubled,
    as SO_SNDBUF doubles): only the host's root may go past it
    (test_stalls.py's test_socket_buffers_follow_the_window_within_the_
    systems_limits shows it does), or 1024 sessions would be 16 GiB.  Its
    listener's receive buffer stays within net.core.rmem_max too."""
    import shutil
    import tempfile
    wmem_max = int(Path("/proc/sys/net/core/wmem_max").read_text())
    rmem_max = int(Path("/proc/sys/net/core/rmem_max").read_text())
    run("modprobe", "udp_diag")
    root = Path(tempfile.mkdtemp(prefix="userns-sockbuf-", dir="/tmp"))
    root.chmod(0o755)
    make_file(root / "big.bin", 70000)
    probe = root / "probe.py"
    probe.write_text(PROBE_SEND_BUFFER)
    probe.chmod(0o644)
    r = in_user_namespace(
        f"ip link set lo up && {KTFTPCTL} config set user=0 group=0 sockbuf_max={8 << 20}"
        f" windowsize_max=64 >/dev/null && {KTFTPCTL} start --root {root} --port 6969"
        f" >/dev/null && python3 {probe}", uid=UNPRIVILEGED)
    shutil.rmtree(root)
    m = re.fullmatch(r"rb (\d+)\ntb (\d+)\n", r.stdout)
    assert m, r.stdout + r.stderr
    rb, tb = int(m.group(1)), int(m.group(2))
    assert wmem_max < 8 << 20 and tb <= 2 * wmem_max, (tb, wmem_max)
    # Nor does its listener get the 4 MiB the host's does for a PXE burst.
    assert rb <= 2 * rmem_max, (rb, rmem_max)


@pytest.mark.parametrize("lender", ["insmod", "creator"])
def test_userns_admin_lends_a_server_no_groups_but_its_admins(lender):
    """userns_admin=1: a server administered from a user namespace serves
    as its user and group with the groups of whoever made its identity
    there.  Made with the namespace, it would be the namespace's creator's
    (a container runtime that drops its groups only after unsharing), or
    insmod's, the host root's, for a namespace older than the module: here
    either has group 4444, which may read theirs.bin (0640, group 4444).
    The container's root, which has no group, configures and starts its
    server: it serves ours.bin, and not theirs.bin."""
    import os
    import shutil
    import tempfile
    from conftest import REPO, module_loaded, module_path, rmmod
    root = Path(tempfile.mkdtemp(prefix="userns-lender-", dir="/tmp"))
    root.chmod(0o755)
    make_file(root / "ours.bin", 700)
    theirs = make_file(root / "theirs.bin", 700, mode=0o640)
    os.chown(theirs, 0, LENDERS_GROUP)
    if module_loaded():
        rmmod()
    if lender == "creator":
        insmod("userns_admin=1")
    script = (f"{KTFTPCTL} config set require_world_readable=0 >/dev/null && {KTFTPCTL}"
              f" start --root {root} --port 6969 >/dev/null && echo start=$?;"
              f" {FETCH_EACH} ours.bin theirs.bin")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_USER_NAMESPACE, str(REPO), script,
         "net-after-map" if lender == "creator" else "net-at-once"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: os.setgroups([LENDERS_GROUP] if lender == "creator" else []))
    try:
        assert holder.stdout.readline() == "ready\n"
        # A container's map, which holds nobody (unshare -r maps its root
        # alone, and an unmapped nobody is no identity anyway).
        for m in ("uid_map", "gid_map"):
            Path(f"/proc/{holder.pid}/{m}").write_text("0 100000 65536\n")
        if lender == "insmod":
            run("setpriv", f"--groups={LENDERS_GROUP}", "insmod", module_path(),
                "userns_admin=1")
        out, err = holder.communicate("go\n", timeout=60)
        assert out.splitlines() == ["start=0", "ours.bin ok", "theirs.bin error 2"], out + err
    finally:
        holder.kill()
        holder.wait()
        shutil.rmtree(root)
        if module_loaded():
            rmmod()


LENDERS_GROUP = 4444

# argv: the repository, a shell script, and when the network namespace is
# made: with the user namespace (net-at-once) or once the caller has
# mapped it (net-after-map).  The script then runs as that namespace's
# root (its 0, whose capabilities survive exec), with no group, in the
# guest's chroot.  The caller writes a line once it has mapped it.  A
# chrooted process may not make a user namespace: it leaves the chroot
# first and comes back (see in_user_namespace).
HOLD_USER_NAMESPACE = """import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
NEWUSER, NEWNS, NEWNET = 0x10000000, 0x00020000, 0x40000000
def unshare(flags):
    if libc.unshare(flags):
        raise OSError(ctypes.get_errno(), "unshare")
os.chroot("/proc/1/root")
os.chdir("/")
at_once = sys.argv[3] == "net-at-once"
unshare(NEWUSER | NEWNS | (NEWNET if at_once else 0))
print("ready", flush=True)
sys.stdin.readline()
if not at_once:
    unshare(NEWNET)
os.setgroups([])
os.setgid(0)
os.setuid(0)
os.chroot("/newroot")
os.chdir(sys.argv[1])
os.execv("/bin/sh", ["sh", "-c", sys.argv[2]])
"""

# In the caller's network namespace, from ss -m: the receive buffer (rb)
# of the listener on port 6969, and the send buffer (tb) of the transfer
# socket of a window of 64 blocks of 64 KiB.
PROBE_SEND_BUFFER = """import re, subprocess, sys
sys.path.insert(0, "tests/integration")
from tftp import Client, opts
def skmem(port):
    out = subprocess.run(["ss", "-uamn", f"sport = :{port}"],
                         capture_output=True, text=True).stdout
    return re.search(r"skmem:[(]r\\d+,rb(\\d+),t\\d+,tb(\\d+)", out).groups()
print("rb", skmem(6969)[0])
with Client(port=6969) as c:
    c.negotiate("big.bin", opts(blksize=65464, windowsize=64))
    print("tb", skmem(c.tid[1])[1])
    c.cancel()
"""


def test_a_stopped_namespaces_server_costs_no_config_or_counters(tmp_path):
    """A namespace's server, until it is first changed or started, shares
    the default config and has no counters of its own: 20 namespaces made
    and deleted make no config (the unload's lifetime report counts the
    initial namespace's and the shared one); a never-started server reads
    all zeros, and counts once started."""
    from conftest import module_loaded, rmmod
    if module_loaded():
        rmmod()
    insmod()
    try:
        for i in range(20):
            with namespace(f"ktftpd-idle{i}"):
                st = ns_ctl(f"ktftpd-idle{i}", "status")
                assert not st["running"] and set(st["stats"]["errors_sent"].values()) == {0}
                assert st["stats"]["requests"] == st["stats"]["peak"] == 0, st["stats"]
        root = tmp_path / "idle"
        root.mkdir()
        root.chmod(0o755)
        blob = make_file(root / "idle.bin", 1500)
        with namespace("ktftpd-idle-run"):
            serve_in("ktftpd-idle-run", root)
            rc, out = fetch_in_namespace("ktftpd-idle-run", "127.0.0.1", "idle.bin", blob,
                                         port=69)
            assert rc == 0, out
            assert ns_ctl("ktftpd-idle-run", "stats")["bytes_sent"] == 1500
    finally:
        rmmod()
    report = [l for l in run("dmesg").stdout.splitlines() if "every object freed" in l][-1]
    # The initial namespace's, the shared default and the running
    # namespace's few (one a setting): not one a namespace (22 or more).
    m = re.search(r"(\d+) configs", report)
    assert m and int(m.group(1)) < 10, report
