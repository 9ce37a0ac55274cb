"""Hostile generic-netlink input: raw messages with missing, oversized,
wrongly typed, out-of-range and unknown attributes.  Each gets a clean
error naming the attribute (extended ack), nothing changes, and the server
keeps serving.  (The VM harness fails the run on any kernel WARN/BUG.)"""
import errno
import re
import struct

import pytest

from conftest import PORT, REPO, TFTP_ROOT, make_file, run
from genl import (A, CFG, CMD, LISTEN_IPV4, LISTEN_IPV6, NLM_F_ACK, NLM_F_REQUEST, STAT,
                  Genl, NetlinkError, attr, string, u8, u16, u32, u64)

HDR = 16 + 4  # nlmsghdr + genlmsghdr: offsets count from the message start


@pytest.fixture
def nl():
    g = Genl()
    yield g
    g.close()


def config(*attrs):
    return attr(A["CONFIG"], list(attrs))


def header_enum(name: str) -> dict:
    """{NAME: value} of enum @name in the uapi header (values counted from 0,
    as the header's enums are)."""
    text = (REPO / "include" / "uapi" / "linux" / "ktftpd.h").read_text()
    body = re.search(r"enum %s \{(.*?)\};" % name, text, re.S).group(1)
    names = re.findall(r"^\s*(\w+),", body, re.M)
    return {n: i for i, n in enumerate(names)}


@pytest.mark.parametrize("ours, enum, prefix", [
    (CMD, "ktftpd_cmd", "KTFTPD_CMD_"), (A, "ktftpd_attr", "KTFTPD_A_"),
    (CFG, "ktftpd_cfg", "KTFTPD_CFG_"), (STAT, "ktftpd_stat", "KTFTPD_STAT_"),
    ({"IPV4": LISTEN_IPV4, "IPV6": LISTEN_IPV6}, "ktftpd_listen", "KTFTPD_LISTEN_"),
])
def test_the_raw_clients_numbers_are_the_headers(ours, enum, prefix):
    """genl.py spells the family's numbers out (the fixtures' idle check
    reads a statistic by number): they must be the header's."""
    theirs = header_enum(enum)
    assert {k: theirs.get(prefix + k) for k in ours} == ours


# name, command, payload, errno, offset of the bad attribute in the payload
# (None: not reported), words expected in the message (None: any)
CASES = [
    ("unknown top-level attribute", "SET_CONFIG", u32(200, 1), errno.EINVAL, 0, None),
    ("reply-only attribute sent", "SET_CONFIG", u8(A["RUNNING"], 1), errno.EINVAL, 0, None),
    ("config missing", "SET_CONFIG", b"", errno.EINVAL, None, None),
    ("config not nested", "SET_CONFIG", u32(A["CONFIG"], 5), (errno.EINVAL, errno.ERANGE), 0, None),
    ("unknown config attribute", "SET_CONFIG", config(u32(99, 1)), errno.EINVAL, 4, None),
    ("port as u32", "SET_CONFIG", config(u32(CFG["PORT"], 69)), (errno.EINVAL, errno.ERANGE), 4, None),
    ("port zero", "SET_CONFIG", config(u16(CFG["PORT"], 0)), errno.ERANGE, 4, "range"),
    ("timeout too small", "SET_CONFIG", config(u32(CFG["TIMEOUT_MS"], 1)), errno.ERANGE, 4, "range"),
    ("retries too large", "SET_CONFIG", config(u32(CFG["RETRIES"], 101)), errno.ERANGE, 4, "range"),
    ("allow_write 2", "SET_CONFIG", config(u8(CFG["ALLOW_WRITE"], 2)), errno.ERANGE, 4, "range"),
    ("max_write_size 2^41", "SET_CONFIG", config(u64(CFG["MAX_WRITE_SIZE"], 1 << 41)), errno.ERANGE, 4, "range"),
    ("max_write_size truncated", "SET_CONFIG", config(attr(CFG["MAX_WRITE_SIZE"], b"\1\2\3")), (errno.EINVAL, errno.ERANGE), 4, None),
    ("root without NUL", "SET_CONFIG", config(attr(CFG["ROOT"], b"/tmp")), errno.EINVAL, 4, None),
    ("root too long", "SET_CONFIG", config(string(CFG["ROOT"], "/" + "a" * 300)), errno.EINVAL, 4, None),
    ("root relative", "SET_CONFIG", config(string(CFG["ROOT"], "tmp")), errno.EINVAL, 4, "absolute"),
    ("root missing", "SET_CONFIG", config(string(CFG["ROOT"], "/nonexistent")), errno.ENOENT, 4, "directory"),
    ("root with a newline", "SET_CONFIG", config(string(CFG["ROOT"], "/tmp\n")), errno.EINVAL, 4, "printable"),
    ("listen v4 of 3 bytes", "SET_CONFIG", config(attr(CFG["LISTEN"], [attr(LISTEN_IPV4, b"\x7f\0\0")])), (errno.EINVAL, errno.ERANGE), 8, None),
    ("listen v6 of 4 bytes", "SET_CONFIG", config(attr(CFG["LISTEN"], [attr(LISTEN_IPV6, b"\x7f\0\0\1")])), (errno.EINVAL, errno.ERANGE), 8, None),
    ("listen unknown type", "SET_CONFIG", config(attr(CFG["LISTEN"], [attr(7, b"\x7f\0\0\1")])), errno.EINVAL, 8, None),
    ("nine listen addresses", "SET_CONFIG",
     config(attr(CFG["LISTEN"], [attr(LISTEN_IPV4, bytes([127, 0, 0, i + 1])) for i in range(9)])),
     errno.E2BIG, None, "listen"),
    ("listen address twice", "SET_CONFIG",
     config(attr(CFG["LISTEN"], [attr(LISTEN_IPV4, b"\x7f\0\0\1"), attr(LISTEN_IPV4, b"\x7f\0\0\1")])),
     errno.EINVAL, 4, "twice"),
    ("v4-mapped listen address", "SET_CONFIG",
     config(attr(CFG["LISTEN"], [attr(LISTEN_IPV6, b"\0" * 10 + b"\xff\xff\x7f\0\0\1")])),
     errno.EINVAL, 4, "v4-mapped"),
    ("attribute longer than the message", "SET_CONFIG", struct.pack("=HH", 64, A["CONFIG"]) + b"\0" * 4, errno.EINVAL, None, None),
    ("drain too long", "STOP", u32(A["DRAIN_MS"], 600001), errno.ERANGE, 0, "range"),
    ("drain as u8", "STOP", u8(A["DRAIN_MS"], 1), (errno.EINVAL, errno.ERANGE), 0, None),
    ("status with an attribute", "GET_STATUS", u32(A["DRAIN_MS"], 1), errno.EINVAL, 0, None),
    ("start with a bad config", "START", config(u16(CFG["PORT"], 0)), errno.ERANGE, 4, "range"),
]


@pytest.mark.parametrize("name,cmd,payload,err,offset,words", CASES, ids=[c[0] for c in CASES])
def test_hostile_message_is_refused_cleanly(server, nl, name, cmd, payload, err, offset, words):
    before = nl.ktftpd("GET_STATUS")[0][A["CONFIG"]]
    with pytest.raises(NetlinkError) as e:
        nl.ktftpd(cmd, payload)
    allowed = err if isinstance(err, tuple) else (err,)
    assert e.value.errno in allowed, f"{name}: {e.value}"
    if offset is not None:
        assert e.value.offset == HDR + offset, f"{name}: offset {e.value.offset}"
    if words is not None:
        assert words in e.value.msg, f"{name}: {e.value.msg!r}"
    if name == "config missing":
        assert e.value.miss_type == A["CONFIG"]
    # Nothing changed, and the server still serves.
    assert nl.ktftpd("GET_STATUS")[0][A["CONFIG"]] == before
    assert nl.ktftpd("GET_STATUS")[0][A["RUNNING"]] == [b"\1"]


def test_unknown_command_and_garbage(server, nl, tmp_path):
    with pytest.raises(NetlinkError) as e:
        nl.request(nl.family, 99, b"")
    assert e.value.errno == errno.EOPNOTSUPP
    # Notifications are not commands.
    with pytest.raises(NetlinkError) as e:
        nl.request(nl.family, 6, b"")
    assert e.value.errno == errno.EOPNOTSUPP
    # A message shorter than the generic-netlink header, and random bytes.
    import os
    for _ in range(200):
        nl.sock.send(struct.pack("=IHHII", 16 + 2, nl.family, NLM_F_REQUEST, 1, 0) + b"\1\1")
        body = os.urandom(os.urandom(1)[0])
        nl.sock.send(struct.pack("=IHHII", 20 + len(body), nl.family,
                                 NLM_F_REQUEST | NLM_F_ACK, 2, 0) +
                     bytes([1, 1, 0, 0]) + body)  # GET_STATUS: harmless if valid
    nl.sock.settimeout(0.5)
    try:
        while nl.sock.recv(1 << 16):
            pass
    except OSError:
        pass
    src = make_file(TFTP_ROOT / "hostile-after.bin", 3000)
    out = tmp_path / "after"
    run("curl", "-s", "--fail", "-o", str(out), f"tftp://127.0.0.1:{PORT}/{src.name}")
    assert out.read_bytes() == src.read_bytes()


def test_valid_raw_set_config_applies_whole(server, nl):
    r = nl.ktftpd("SET_CONFIG", config(u32(CFG["TIMEOUT_MS"], 2500), u32(CFG["RETRIES"], 9)))
    assert r[0][A["CHANGED"]] == [b"\1"]
    r = nl.ktftpd("SET_CONFIG", config(u32(CFG["TIMEOUT_MS"], 2500)))
    assert r[0][A["CHANGED"]] == [b"\0"]
    # One bad field: the good one in the same message is not applied.
    with pytest.raises(NetlinkError):
        nl.ktftpd("SET_CONFIG", config(u32(CFG["TIMEOUT_MS"], 3000), u32(CFG["RETRIES"], 500)))
    from conftest import sysctl_read
    assert sysctl_read("timeout") == "2500" and sysctl_read("retries") == "9"
