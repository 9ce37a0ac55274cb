"""Who may ask: the allow and deny lists of client networks.  A refused
address costs no parsing and gets no answer, and is counted."""
import errno

import pytest

from conftest import (PORT, TFTP_ROOT, client_namespace, fetch_in_namespace, make_file,
                      nl_status, sysctl_read, sysctl_write)
from genl import A, CFG, Genl, NetlinkError, attr, u8
from tftp import Client

NS = "ktftpd-nets"
SRV4, CLI4 = "198.18.4.1", "198.18.4.2"
SRV6, CLI6 = "fd00:7466:7470:4::1", "fd00:7466:7470:4::2"
NETS = {"IPV4": 1, "IPV6": 2, "PREFIX": 3}


@pytest.fixture(scope="module")
def client_net():
    with client_namespace(NS, "veth-n", SRV4, CLI4, SRV6, CLI6):
        yield


@pytest.fixture
def blob():
    return make_file(TFTP_ROOT / "nets.bin", 3000)


def answered(host, name="nets.bin", wait=1.0):
    """Does a request from here to @host get any answer within @wait s?"""
    with Client(host, PORT) as c:
        c.request(name)
        r = c.recv(wait)
        if r is not None and r[0][0] == "DATA":
            c.tid = r[1]
            c.cancel()
        return r is not None


def test_deny_drops_unanswered_and_counts(server, blob):
    before = server.stats()
    server.set(deny="127.0.0.0/8")
    assert not answered("127.0.0.1")
    assert answered("::1")                     # not in the list
    server.set(deny="127.0.0.0/8 ::1/128")
    assert not answered("::1")
    after = server.stats()
    assert after["denied"] - before["denied"] == 2
    assert after["requests"] - before["requests"] == 3
    # Nothing else was spent on them: no ERROR, no transfer.
    assert after["packets_sent"] - before["packets_sent"] == 1
    assert not any(after["errors_sent"].values()), after["errors_sent"]
    server.set(deny="")
    assert answered("127.0.0.1")


def test_allow_admits_only_its_networks(server, blob, client_net):
    server.set(allow=f"198.18.4.0/24, {SRV6.rsplit(':', 1)[0]}:/120")
    assert not answered("127.0.0.1")
    assert not answered("::1")
    for host in (SRV4, SRV6):
        rc, out = fetch_in_namespace(NS, host, "nets.bin", blob)
        assert rc == 0, (host, out)
    # Deny wins over allow.
    server.set(deny=f"{CLI4}/32")
    rc, _ = fetch_in_namespace(NS, SRV4, "nets.bin", blob)
    assert rc != 0
    rc, out = fetch_in_namespace(NS, SRV6, "nets.bin", blob)
    assert rc == 0, out


def test_sysctl_reads_back_what_netlink_and_it_wrote(server):
    sysctl_write("allow", "198.18.0.0/15,fd00::/8\n")
    assert sysctl_read("allow") == "198.18.0.0/15 fd00::/8"
    sysctl_write("deny", "198.18.0.66")
    assert sysctl_read("deny") == "198.18.0.66/32"
    sysctl_write("deny", "")
    assert sysctl_read("deny") == ""
    with Genl() as g:
        g.ktftpd("SET_CONFIG", attr(A["CONFIG"], [
            attr(CFG["DENY"], [net("IPV6", bytes(16), 0)])]))
    assert sysctl_read("deny") == "::/0"
    assert sysctl_read("allow") == "198.18.0.0/15 fd00::/8"


@pytest.mark.parametrize("text", [
    "198.18.0.1/15", "1.2.3.4/33", "fd00::/129", "junk", "1.2.3.4/", "1.2.3.4/x",
    "1.2.3.4/8x", "1.2.3.4:69", "::ffff:1.2.3.4/128", "1.2.3.4/-1", "1.2.3.4//8",
    " ".join(f"10.0.{i}.0/24" for i in range(65))])
def test_malformed_networks_are_refused_by_sysctl(server, text):
    sysctl_write("allow", "10.0.0.0/8")
    with pytest.raises(OSError) as e:
        sysctl_write("allow", text)
    assert e.value.errno == errno.EINVAL, text
    assert sysctl_read("allow") == "10.0.0.0/8"


def net(family, addr, prefix):
    return attr(1, [attr(NETS[family], addr), u8(NETS["PREFIX"], prefix)])




@pytest.mark.parametrize("why,nets,err", [
    ("host bits", [net("IPV4", bytes([10, 0, 0, 1]), 8)], errno.EINVAL),
    ("v4 prefix 33", [net("IPV4", bytes(4), 33)], errno.EINVAL),
    ("prefix 129", [net("IPV6", bytes(16), 129)], errno.ERANGE),
    ("no prefix", [attr(1, [attr(NETS["IPV4"], bytes(4))])], errno.EINVAL),
    ("two addresses", [attr(1, [attr(NETS["IPV4"], bytes(4)), attr(NETS["IPV6"], bytes(16)),
                                u8(NETS["PREFIX"], 0)])], errno.EINVAL),
    ("short address", [attr(1, [attr(NETS["IPV4"], bytes(3)), u8(NETS["PREFIX"], 0)])],
     (errno.EINVAL, errno.ERANGE)),
    ("65 networks", [net("IPV4", bytes([10, i, 0, 0]), 16) for i in range(65)], errno.E2BIG),
])
def test_malformed_networks_are_refused_by_netlink(server, why, nets, err):
    sysctl_write("deny", "10.0.0.0/8")
    with pytest.raises(NetlinkError) as e:
        with Genl() as g:
            g.ktftpd("SET_CONFIG", attr(A["CONFIG"], [attr(CFG["DENY"], nets)]))
    assert e.value.errno in (err if isinstance(err, tuple) else (err,)), (why, e.value)
    assert sysctl_read("deny") == "10.0.0.0/8"
    assert nl_status()["running"]
