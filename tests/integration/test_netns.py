"""Network namespaces: what one namespace may see and change of ktftpd."""
import subprocess
import sys

from conftest import KTFTPCTL, PORT, TFTP_ROOT, make_file, run, status, sysctl_read
from tftp import Client


def in_namespace(ns, code):
    """Run Python @code in network namespace @ns; return its result."""
    return subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", code],
                          capture_output=True, text=True, timeout=60)


def test_a_namespace_cannot_reconfigure_the_hosts_server(server, tmp_path):
    """A process in another network namespace (a container with a writable
    /proc/sys) writes net.ktftpd.root and port: the initial namespace's
    server keeps serving its own root on its own port."""
    blob = make_file(TFTP_ROOT / "netns-host.bin", 3000)
    ns = "ktftpd-nsA"
    run("ip", "netns", "add", ns)
    try:
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
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def test_a_namespace_cannot_stop_the_hosts_server(server):
    """ktftpctl stop, and a config change, from another network namespace
    leave the initial namespace's server running as it was."""
    blob = make_file(TFTP_ROOT / "netns-host.bin", 3000)
    ns = "ktftpd-nsA"
    run("ip", "netns", "add", ns)
    try:
        for args in (["stop"], ["config", "set", "port=6970"]):
            subprocess.run(["ip", "netns", "exec", ns, str(KTFTPCTL), *args],
                           capture_output=True, text=True, timeout=60)
        st = status()
        assert st["running"] and st["config"]["port"] == PORT, st
        with Client(port=PORT) as c:
            assert c.fetch("netns-host.bin") == blob.read_bytes()
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
