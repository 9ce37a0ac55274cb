"""Filename rules and the built-in name switches (ktftpd.json(5), RULES):
what a request's name becomes before the lookup beneath root, through
netlink (the rules are not a scalar: no sysctl holds them), and what a
hostile rule or request cannot make of it."""
import errno
import ipaddress
import os
import shutil
import struct
import time
from pathlib import Path

import pytest

from conftest import (PORT, TFTP_ROOT, client_namespace, fetch_in_namespace, nl_status,
                      set_rules)
from genl import (A, CMD, REWRITE, RULE, SESSION, Genl, NetlinkError, attr,
                  parse_attrs, rule, rules_config, string, u8)
from tftp import Client, wrq

NS = "ktftpd-rules"
SRV4, CLI4 = "198.18.3.1", "198.18.3.2"
SRV6, CLI6 = "fd00:7466:7470:3::1", "fd00:7466:7470:3::2"


@pytest.fixture(autouse=True)
def leave_root_as_found():
    """Other tests' expectations of TFTP_ROOT (no etc/passwd there, say)
    hold after these, which make files of their own."""
    listing = lambda: set(os.listdir(TFTP_ROOT)) if TFTP_ROOT.is_dir() else set()  # noqa: E731
    before = listing()
    yield
    for name in listing() - before:
        path = TFTP_ROOT / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()




def fetch(name, host="127.0.0.1"):
    with Client(host, PORT) as c:
        return c.fetch(name)


def refused(name, code, host="127.0.0.1"):
    """The ERROR message a request for @name gets; it must be @code."""
    with Client(host, PORT) as c:
        c.request(name)
        return c.expect_error(code)


def put(rel, data=None):
    path = TFTP_ROOT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    for d in path.relative_to(TFTP_ROOT).parents:
        (TFTP_ROOT / d).chmod(0o755)
    path.write_bytes(data if data is not None else rel.encode() + b"\n")
    path.chmod(0o644)
    return path.read_bytes()


def rewrite_test(name, client=None, nl=None):
    """KTFTPD_CMD_REWRITE_TEST: {normalized, applied, lookup | error}."""
    parts = [string(REWRITE["NAME"], name)]
    if client and ":" in client:
        parts.append(attr(REWRITE["PEER_IPV6"], ipaddress.IPv6Address(client).packed))
    elif client:
        parts.append(attr(REWRITE["PEER_IPV4"], ipaddress.IPv4Address(client).packed))
    own = nl is None
    nl = nl or Genl()
    try:
        reply = nl.ktftpd("REWRITE_TEST", attr(A["REWRITE"], parts))[0]
    finally:
        if own:
            nl.close()
    r = parse_attrs(reply[A["REWRITE"]][0])
    text = lambda k: r[REWRITE[k]][0].rstrip(b"\0").decode() if REWRITE[k] in r else None  # noqa: E731
    out = {"normalized": text("NORMALIZED"),
           "applied": struct.unpack("=Q", r[REWRITE["APPLIED"]][0])[0],
           "lookup": text("LOOKUP"), "mac": text("MAC")}
    if REWRITE["ERROR_CODE"] in r:
        out["error"] = (struct.unpack("=H", r[REWRITE["ERROR_CODE"]][0])[0], text("ERROR_MSG"))
    return out


# --- The built-in switches ----------------------------------------------------

def test_windows_names_with_backslashes_and_wrong_case(server):
    want = put("Boot/BCD")
    assert fetch("\\Boot\\BCD") == want
    # Wrong case: not found until case_insensitive is on.
    assert refused("\\boot\\bcd", 1) == "File not found"
    server.set(case_insensitive=1)
    before = server.stats()["case_folded"]
    assert fetch("\\boot\\bcd") == want
    assert fetch("BOOT/bcd") == want
    assert server.stats()["case_folded"] - before == 2
    # Still nothing that does not exist in any case.
    assert refused("boot/bcd.missing", 1) == "File not found"


def test_case_insensitive_prefers_the_exact_name_then_the_least(server):
    server.set(case_insensitive=1)
    exact = put("fold/a.txt", b"lower\n")
    upper = put("fold/A.TXT", b"upper\n")
    assert fetch("fold/a.txt") == exact
    assert fetch("fold/A.TXT") == upper
    # Neither spelled as asked: the least by byte order, every time.
    for _ in range(3):
        assert fetch("FOLD/a.TXT") == upper


def test_case_insensitive_scans_only_what_the_identity_may_read(server):
    server.set(case_insensitive=1)
    put("hidden/Secret.bin", b"secret\n")
    (TFTP_ROOT / "hidden").chmod(0o711)     # searchable, not listable
    try:
        # The exact name still works: search permission is enough.
        assert fetch("hidden/Secret.bin") == b"secret\n"
        # Folding needs a listing, which nobody may not make: were the
        # scan made with the kernel's rights, this would be served.
        assert refused("hidden/secret.bin", 1) == "File not found"
    finally:
        (TFTP_ROOT / "hidden").chmod(0o755)


def test_case_insensitive_does_not_leave_root(server, tmp_path):
    server.set(case_insensitive=1)
    outside = Path("/tmp/ktftpd-outside")
    outside.mkdir(exist_ok=True)
    (outside / "Leak.txt").write_bytes(b"outside\n")
    (outside / "Leak.txt").chmod(0o644)
    link = TFTP_ROOT / "escape"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(outside)
    try:
        for name in ("escape/leak.txt", "ESCAPE/LEAK.TXT", "../tmp/ktftpd-outside/leak.txt",
                     "..//ktftpd-outside/leak.txt"):
            with Client("127.0.0.1", PORT) as c:
                c.request(name)
                r = c.recv()
            assert r is not None, name
            (kind, code, msg), _ = r
            # Outside root, or not found (the fold's walk stops at the
            # symlink): never served.
            assert kind == "ERROR" and code in (1, 2), (name, kind, code, msg)
    finally:
        link.unlink()


def test_slash_switches(server):
    want = put("thinstation.hosts")
    assert fetch("//thinstation.hosts") == want
    assert fetch("/thinstation.hosts") == want
    # Off, the rules see the slashes as sent; the lookup is beneath root
    # either way (a leading slash is root's).
    server.set_rules(rule("exact", "/thinstation.hosts", flags=["refuse"]))
    assert fetch("/thinstation.hosts") == want
    server.set(strip_slashes=0)
    assert refused("/thinstation.hosts", 2) == "Access violation: refused by a rule"
    assert fetch("thinstation.hosts") == want
    server.set(strip_slashes=1, backslash_to_slash=0)
    assert refused("\\thinstation.hosts", 1) == "File not found"


# --- Rules --------------------------------------------------------------------

def test_prefix_rule_strips_an_ipxe_url_and_counts(server):
    want = put("ipxe/boot.ipxe")
    server.set_rules(rule("prefix", "tftp:/127.0.0.1/", ""))
    before = server.stats()
    assert fetch("tftp://127.0.0.1//ipxe/boot.ipxe") == want
    assert fetch("ipxe/boot.ipxe") == want       # no match: as it is
    server.wait_idle()
    after = server.stats()
    assert after["rewritten"] - before["rewritten"] == 1
    assert after["transfers_completed"] - before["transfers_completed"] == 2


def test_per_client_rule_with_address_escapes_v4_and_v6(server):
    v4 = put("hosts/127.0.0.1/pxelinux.cfg", b"for 127.0.0.1\n")
    v6 = put("hosts/::1/pxelinux.cfg", b"for ::1\n")
    hexed = put("pxelinux.cfg/7F000001", b"hex\n")
    server.set_rules(rule("exact", "hex", "pxelinux.cfg/\\x", flags=["stop"]),
                     rule("glob", "*.cfg", "hosts/\\i/\\0", flags=["stop"]))
    assert fetch("pxelinux.cfg") == v4
    assert fetch("pxelinux.cfg", host="::1") == v6
    assert fetch("hex") == hexed
    # \x has no IPv6 form: the rule is skipped, and nothing else matches.
    assert refused("hex", 1, host="::1") == "File not found"


def test_rules_apply_in_order_each_to_the_last_result(server):
    want = put("c/final")
    server.set_rules(rule("prefix", "a/", "b/"),
                     rule("prefix", "B/", "c/", flags=["nocase", "stop"]),
                     rule("glob", "*", "never/\\0"))
    assert fetch("a/final") == want
    st = rewrite_test("a/final")
    assert st["applied"] == 0b011 and st["lookup"] == "c/final"


def test_refuse_rule_answers_error_and_counts(server):
    put("keys/host.key")
    server.set_rules(rule("glob", "*.KEY", flags=["refuse", "nocase"]))
    before = server.stats()["refused_by_rule"]
    assert refused("keys/host.key", 2) == "Access violation: refused by a rule"
    assert server.stats()["refused_by_rule"] - before == 1
    assert rewrite_test("keys/host.key")["error"] == (2, "Access violation: refused by a rule")


def test_a_refusal_cannot_be_spelled_around(server):
    """"./x" and "a/../x" are folded before the rules see them, as the
    lookup would resolve them: a rule about x meets them all."""
    put("secret.cfg")
    put("pxelinux.cfg/default")
    server.set_rules(rule("exact", "secret.cfg", flags=["refuse"]))
    for name in ("secret.cfg", "./secret.cfg", "pxelinux.cfg/../secret.cfg",
                 ".//secret.cfg", "\\.\\secret.cfg", "pxelinux.cfg/./../secret.cfg"):
        assert refused(name, 2) == "Access violation: refused by a rule", name
    assert rewrite_test("a/b/../../secret.cfg")["normalized"] == "secret.cfg"


def test_refusal_is_an_event(server):
    server.set_rules(rule("exact", "forbidden", flags=["refuse"]))
    g = Genl()
    try:
        g.join("events")
        refused("forbidden", 2)
        g.sock.settimeout(10)
        while True:
            data = g.sock.recv(1 << 16)
            if data[16] == CMD["EVENT_ERROR"]:
                break
        attrs = parse_attrs(data[20:])
        s = parse_attrs(attrs[A["SESSION"]][0])
        assert s[SESSION["FILE"]][0].rstrip(b"\0") == b"forbidden"
        assert struct.unpack("=H", attrs[A["ERROR_CODE"]][0])[0] == 2
    finally:
        g.close()


def test_session_and_finish_event_name_the_lookup(server):
    put("real/name.bin", os.urandom(4000))
    server.set_rules(rule("exact", "alias.bin", "real/name.bin"))
    g = Genl()
    try:
        g.join("events")
        fetch("alias.bin")
        g.sock.settimeout(10)
        while True:
            data = g.sock.recv(1 << 16)
            if data[16] == CMD["EVENT_FINISH"]:
                break
        s = parse_attrs(parse_attrs(data[20:])[A["SESSION"]][0])
        assert s[SESSION["FILE"]][0].rstrip(b"\0") == b"alias.bin"
        assert s[SESSION["LOOKUP"]][0].rstrip(b"\0") == b"real/name.bin"
    finally:
        g.close()


def test_upload_goes_where_the_rules_say(server):
    up = TFTP_ROOT / "uploads" / "127.0.0.1"
    up.mkdir(parents=True, exist_ok=True)
    os.chown(up, 65534, 65534)
    server.set(allow_write=1, create=1)
    server.set_rules(rule("prefix", "incoming/", "uploads/\\i/"))
    payload = os.urandom(1500)
    with Client("127.0.0.1", PORT) as c:
        c.send(wrq("incoming/log.txt"))
        _, _, tid = c.expect("ACK")
        for i, off in enumerate(range(0, len(payload) + 1, 512), 1):
            c.send(struct.pack("!HH", 3, i) + payload[off:off + 512], tid)
            c.expect("ACK")
    assert (up / "log.txt").read_bytes() == payload
    # Not where the client said (another test may have made incoming/).
    assert not (TFTP_ROOT / "incoming" / "log.txt").exists()


# --- Hostile rules and requests -----------------------------------------------

@pytest.mark.parametrize("target", ["../\\0", "sub/../../\\0", "escape-link/\\0"])
def test_a_rule_cannot_leave_root(server, target):
    outside = Path("/tmp/ktftpd-outside")
    outside.mkdir(exist_ok=True)
    (outside / "passwd").write_bytes(b"outside\n")
    (outside / "passwd").chmod(0o644)
    (TFTP_ROOT / "sub").mkdir(mode=0o755, exist_ok=True)
    link = TFTP_ROOT / "escape-link"
    if not link.is_symlink():
        link.symlink_to(outside)
    try:
        server.set_rules(rule("glob", "*", target))
        msg = refused("passwd", 2)
        assert msg == "Access violation: outside the served root", (target, msg)
    finally:
        link.unlink()


def test_an_absolute_result_is_beneath_root(server):
    inside = put("etc/passwd", b"inside root\n")
    server.set_rules(rule("glob", "*", "/etc/\\0"))
    assert fetch("passwd") == inside


def test_a_result_too_long_is_refused(server):
    # 255 bytes of replacement, each expanding \0 (the whole name) again.
    server.set_rules(rule("glob", "*", "\\0" * 100))
    assert refused("x" * 10, 2) == "Access violation: name too long after the rules"
    assert refused("y", 1) == "File not found"           # 100 bytes: fits


def test_pathological_rules_cost_little(server):
    """64 globs built to backtrack as much as a glob can, on a name of
    ~500 bytes: the request is still answered, and the listener (which
    never runs the rules) answers other clients meanwhile."""
    put("plain.txt")
    evil = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
    name = "/".join(["a" * 160] * 3)
    t0 = time.monotonic()
    assert refused(name, 1) == "File not found"
    base = time.monotonic() - t0
    server.set_rules(*[rule("glob", evil, "x", flags=["nocase"])] * 64)
    t0 = time.monotonic()
    assert refused(name, 1) == "File not found"
    slow = time.monotonic() - t0
    assert fetch("plain.txt") == b"plain.txt\n"
    # Under emulation a request takes some 10 ms; 64 such rules add a few
    # ms natively (docs/security.md).  A second would mean exponential work.
    assert slow < base + 1.0, (base, slow)


def test_rules_are_replaced_whole_or_not_at_all(server):
    good = [rule("prefix", "a", "b"), rule("prefix", "c", "d"), rule("exact", "e", "f")]
    set_rules(*good)
    assert [r["pattern"] for r in nl_status()["rules"]] == ["a", "c", "e"]
    # The third of these is bad: nothing changes, and the ack names it.
    with pytest.raises(NetlinkError) as e:
        set_rules(rule("prefix", "x", "y"), rule("prefix", "z", "w"),
                  rule("glob", "*", "\\q"))
    assert e.value.errno == errno.EINVAL
    assert "escape" in e.value.msg
    assert e.value.offset is not None
    assert [r["pattern"] for r in nl_status()["rules"]] == ["a", "c", "e"]
    set_rules(rule("glob", "*.efi", "efi/\\0", flags=["nocase", "stop"]))
    assert nl_status()["rules"] == [{"match": "glob", "pattern": "*.efi",
                                     "replace": "efi/\\0", "flags": ["nocase", "stop"]}]
    set_rules()
    assert nl_status()["rules"] == []


def test_sixty_four_rules_of_the_longest_text_round_trip(server):
    rules = [rule("glob", f"{i:02}" + "p" * 253, "r" * 255) for i in range(64)]
    set_rules(*rules)
    got = nl_status()["rules"]
    assert len(got) == 64 and got[63]["pattern"] == "63" + "p" * 253
    assert all(r["replace"] == "r" * 255 for r in got)


@pytest.mark.parametrize("why,payload,err", [
    ("65 rules", lambda: [rule("exact", f"r{i}", "x") for i in range(65)], errno.E2BIG),
    ("pattern of 256 bytes", lambda: [rule("exact", "p" * 256, "x")], errno.EINVAL),
    ("replacement of 256 bytes", lambda: [rule("exact", "p", "r" * 256)], errno.EINVAL),
    ("empty pattern", lambda: [rule("prefix", "", "x")], errno.EINVAL),
    ("unknown match", lambda: [attr(1, [u8(RULE["MATCH"], 3), string(RULE["PATTERN"], "p")])],
     errno.ERANGE),
    ("unknown flag", lambda: [attr(1, [u8(RULE["MATCH"], 0), u8(RULE["FLAGS"], 8),
                                       string(RULE["PATTERN"], "p")])], errno.EINVAL),
    ("no match kind", lambda: [attr(1, [string(RULE["PATTERN"], "p")])], errno.EINVAL),
    ("no pattern", lambda: [attr(1, [u8(RULE["MATCH"], 0)])], errno.EINVAL),
    ("glob ending in a lone backslash", lambda: [rule("glob", "a\\", "x")], errno.EINVAL),
    ("unterminated string", lambda: [attr(1, [u8(RULE["MATCH"], 0),
                                              attr(RULE["PATTERN"], b"abc")])], errno.EINVAL),
    ("a rule not nested", lambda: [attr(1, u8(RULE["MATCH"], 0))], errno.EINVAL),
    ("another attribute among rules", lambda: [attr(2, [u8(RULE["MATCH"], 0)])], errno.EINVAL),
])
def test_malformed_rules_are_refused(server, why, payload, err):
    set_rules(rule("exact", "keep", "me"))
    with pytest.raises(NetlinkError) as e:
        with Genl() as g:
            g.ktftpd("SET_CONFIG", rules_config(payload()))
    assert e.value.errno == err, (why, e.value)
    assert e.value.msg, why
    assert [r["pattern"] for r in nl_status()["rules"]] == ["keep"], why


def test_rewrite_test_reports_what_a_request_would_look_up(server):
    server.set(case_insensitive=1)
    server.set_rules(rule("prefix", "tftp:/198.18.0.1/", ""),
                     rule("glob", "*.cfg", "hosts/\\i/\\0", flags=["stop"]),
                     rule("glob", "*.key", flags=["refuse"]))
    assert rewrite_test("tftp://198.18.0.1//a.cfg", "198.18.0.9") == {
        "normalized": "tftp:/198.18.0.1/a.cfg", "applied": 0b011,
        "lookup": "hosts/198.18.0.9/a.cfg", "mac": None}
    assert rewrite_test("\\Boot\\BCD") == {"normalized": "Boot/BCD", "applied": 0,
                                           "lookup": "Boot/BCD", "mac": None}
    # No client: a rule that needs its address is skipped.
    assert rewrite_test("x.cfg")["lookup"] == "x.cfg"
    assert rewrite_test("a.key", "fd00::1")["error"] == (2, "Access violation: refused by a rule")
    assert rewrite_test("///")["error"] == (2, "Access violation: not a file")
    with pytest.raises(NetlinkError) as e:
        with Genl() as g:
            g.ktftpd("REWRITE_TEST", attr(A["REWRITE"], [
                string(REWRITE["NAME"], "x"), attr(REWRITE["PEER_IPV4"], b"\1\2\3\4"),
                attr(REWRITE["PEER_IPV6"], b"\0" * 16)]))
    assert e.value.errno == errno.EINVAL
    with pytest.raises(NetlinkError):
        with Genl() as g:
            g.ktftpd("REWRITE_TEST", attr(A["REWRITE"], [string(REWRITE["NAME"], "x" * 600)]))


# --- The client's MAC, on a directly connected network --------------------------

MAC = "02:00:5e:10:00:07"


@pytest.fixture(scope="module")
def client_net():
    with client_namespace(NS, "veth-r", SRV4, CLI4, SRV6, CLI6, mac=MAC):
        yield MAC.replace(":", "-")


@pytest.mark.parametrize("server_addr", [SRV4, SRV6])
def test_mac_rule_for_a_directly_connected_client(server, client_net, server_addr):
    mac = client_net
    per_mac = TFTP_ROOT / "pxelinux.cfg" / f"01-{mac}"
    put(f"pxelinux.cfg/01-{mac}", b"this machine\n")
    default = put("pxelinux.cfg/default", b"everyone\n")
    server.set_rules(rule("exact", "pxelinux.cfg/mine", "pxelinux.cfg/01-\\m"),
                     rule("exact", "pxelinux.cfg/mine", "pxelinux.cfg/default"))
    rc, out = fetch_in_namespace(NS, server_addr, "pxelinux.cfg/mine", per_mac)
    assert rc == 0, out
    client = CLI4 if server_addr == SRV4 else CLI6
    assert rewrite_test("pxelinux.cfg/mine", client)["mac"] == mac
    # Loopback has no neighbours: the \m rule is skipped, the next applies.
    assert fetch("pxelinux.cfg/mine") == default
