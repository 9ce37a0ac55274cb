"""unique_root (dnsmasq's tftp-unique-root): a read looks first in the
client's own directory beneath root, by address or by MAC, then in root."""
import errno
import shutil

import pytest

from conftest import (PORT, TFTP_ROOT, client_namespace, fetch_in_namespace, sysctl_read,
                      sysctl_write)
from genl import A, REWRITE, Genl, attr, parse_attrs, string
from tftp import Client

NETS = {  # namespace: (link, server v4, client v4, server v6, client v6, MAC)
    "ktftpd-ua": ("veth-ua", "198.18.5.1", "198.18.5.2", "fd00:7466:7470:5::1",
                  "fd00:7466:7470:5::2", "02:00:5e:10:00:0a"),
    "ktftpd-ub": ("veth-ub", "198.18.6.1", "198.18.6.2", "fd00:7466:7470:6::1",
                  "fd00:7466:7470:6::2", "02:00:5e:10:00:0b"),
}
MADE = []


@pytest.fixture(scope="module")
def two_clients():
    with client_namespace("ktftpd-ua", *NETS["ktftpd-ua"][:5], mac=NETS["ktftpd-ua"][5]), \
            client_namespace("ktftpd-ub", *NETS["ktftpd-ub"][:5], mac=NETS["ktftpd-ub"][5]):
        yield


@pytest.fixture(autouse=True)
def tidy():
    yield
    for path in MADE:
        shutil.rmtree(path, ignore_errors=True)
    MADE.clear()


def put(rel, data, mode=0o644):
    path = TFTP_ROOT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o755)
    path.write_bytes(data)
    path.chmod(mode)
    MADE.append(TFTP_ROOT / rel.split("/")[0])
    return path


def fetch_as(ns, family, name, want_file):
    link, srv4, _, srv6, _, _ = NETS[ns]
    return fetch_in_namespace(ns, srv4 if family == 4 else srv6, name, want_file)


@pytest.mark.parametrize("family", [4, 6])
def test_by_ip_each_client_gets_its_own_then_the_shared(server, two_clients, family):
    server.set(unique_root="ip")
    assert sysctl_read("unique_root") == "ip"
    idx = 2 if family == 4 else 4
    own = {ns: put(f"{v[idx]}/boot.cfg", f"for {ns}\n".encode()) for ns, v in NETS.items()}
    shared = put("shared-only.cfg", b"everyone\n")
    for ns in NETS:
        rc, out = fetch_as(ns, family, "boot.cfg", own[ns])
        assert rc == 0, (ns, out)
        rc, out = fetch_as(ns, family, "shared-only.cfg", shared)     # the fallback
        assert rc == 0, (ns, out)


def test_by_mac_and_none_known_over_loopback(server, two_clients):
    server.set(unique_root="mac")
    own = {ns: put(f"{v[5].replace(':', '-')}/boot.cfg", f"mac {ns}\n".encode())
           for ns, v in NETS.items()}
    shared = put("boot.cfg", b"shared\n")
    try:
        for ns in NETS:
            rc, out = fetch_as(ns, 4, "boot.cfg", own[ns])
            assert rc == 0, (ns, out)
        # Loopback has no neighbour entry: the shared root only.
        with Client("127.0.0.1", PORT) as c:
            assert c.fetch("boot.cfg") == b"shared\n"
    finally:
        shared.unlink()


def test_off_is_the_shared_root_only(server, two_clients):
    own = put(f"{NETS['ktftpd-ua'][2]}/boot.cfg", b"own\n")
    shared = put("boot.cfg", b"shared\n")
    try:
        rc, out = fetch_as("ktftpd-ua", 4, "boot.cfg", shared)
        assert rc == 0, out
        server.set(unique_root=1)              # the number works too
        rc, out = fetch_as("ktftpd-ua", 4, "boot.cfg", own)
        assert rc == 0, out
    finally:
        shared.unlink()


def test_a_refusal_in_the_own_directory_does_not_fall_back(server):
    server.set(unique_root="ip")
    put("127.0.0.1/secret.cfg", b"private\n", mode=0o600)
    put("secret.cfg", b"shared\n")
    with Client("127.0.0.1", PORT) as c:
        c.request("secret.cfg")
        assert c.expect_error(2) == "Access violation"
    (TFTP_ROOT / "secret.cfg").unlink()


@pytest.mark.parametrize("bad", ["IP", "3", "-1", "ipv4", "", "mac ip", "1x"])
def test_sysctl_takes_a_word_or_its_number(server, bad):
    sysctl_write("unique_root", "mac\n")
    assert sysctl_read("unique_root") == "mac"
    with pytest.raises(OSError) as e:
        sysctl_write("unique_root", bad)
    assert e.value.errno == errno.EINVAL
    assert sysctl_read("unique_root") == "mac"
    sysctl_write("unique_root", "0")
    assert sysctl_read("unique_root") == "off"


def test_rewrite_test_names_the_own_directory(server):
    server.set(unique_root="ip")
    g = Genl()
    try:
        reply = g.ktftpd("REWRITE_TEST", attr(A["REWRITE"], [
            string(REWRITE["NAME"], "a"), attr(REWRITE["PEER_IPV4"], bytes([198, 18, 0, 9]))]))[0]
        r = parse_attrs(reply[A["REWRITE"]][0])
        assert r[REWRITE["UNIQUE"]][0].rstrip(b"\0") == b"198.18.0.9"
        reply = g.ktftpd("REWRITE_TEST", attr(A["REWRITE"], [string(REWRITE["NAME"], "a")]))[0]
        assert REWRITE["UNIQUE"] not in parse_attrs(reply[A["REWRITE"]][0])
    finally:
        g.close()
