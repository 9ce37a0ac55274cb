"""The module skeleton: load/unload, sysctl storage and validation, netlink."""
import errno
import json
import os
from pathlib import Path

import pytest

from conftest import (KTFTPCTL, SYSCTL, insmod, module_loaded, rmmod, run,
                      sysctl_read, sysctl_write)


def test_load_registers_sysctls_and_unload_removes_them(ktftpd):
    assert module_loaded()
    assert {p.name for p in SYSCTL.iterdir()} == {
        "stop", "root", "listen", "port", "timeout", "retries", "max_sessions",
        "max_sessions_per_client", "drain_timeout", "blksize_max",
        "windowsize_max", "allow_write", "create", "create_mode", "sync_uploads",
        "max_write_size", "rate_limit", "user", "group",
        "require_world_readable", "timeout_max", "handshake_timeout", "sockbuf_max",
        "backslash_to_slash", "strip_slashes", "case_insensitive", "unique_root",
        "blksize_fit_mtu", "window_bytes_max", "refuse_blksize", "refuse_tsize",
        "refuse_timeout", "refuse_windowsize", "single_port", "allow", "deny",
        "port_range"}


def test_defaults(ktftpd):
    assert sysctl_read("stop") == "1"  # loads stopped
    assert sysctl_read("port") == "69"
    assert sysctl_read("root") == "/srv/tftp"
    assert sysctl_read("timeout") == "1000"
    assert sysctl_read("retries") == "5"
    assert sysctl_read("max_sessions") == "1024"
    assert sysctl_read("max_sessions_per_client") == "64"
    assert sysctl_read("drain_timeout") == "5000"
    assert sysctl_read("blksize_max") == "65464"
    assert sysctl_read("windowsize_max") == "64"
    assert sysctl_read("allow_write") == "0"   # writes are opt-in
    assert sysctl_read("create") == "0"
    assert sysctl_read("create_mode") == "0644"
    assert sysctl_read("sync_uploads") == "1"   # uploads durable unless told
    assert sysctl_read("max_write_size") == str(64 << 20)
    assert sysctl_read("rate_limit") == "0"    # off: NATs share an address
    assert sysctl_read("user") == "65534"      # nobody, never root
    assert sysctl_read("group") == "65534"     # nogroup
    assert sysctl_read("require_world_readable") == "1"
    assert sysctl_read("timeout_max") == "30"
    assert sysctl_read("handshake_timeout") == "15000"
    assert sysctl_read("sockbuf_max") == "0"   # the system's limits
    assert sysctl_read("backslash_to_slash") == "1"
    assert sysctl_read("strip_slashes") == "1"
    assert sysctl_read("case_insensitive") == "0"
    assert sysctl_read("unique_root") == "off"
    assert sysctl_read("blksize_fit_mtu") == "1"   # no IP fragments
    assert sysctl_read("window_bytes_max") == "0"
    for option in ("blksize", "tsize", "timeout", "windowsize"):
        assert sysctl_read(f"refuse_{option}") == "0"
    assert sysctl_read("single_port") == "0"
    assert sysctl_read("port_range") == ""     # any port
    assert sysctl_read("allow") == ""          # every client
    assert sysctl_read("deny") == ""


@pytest.mark.parametrize("name,good,bad", [
    ("blksize_max", ["8", "65464", "1468"], ["7", "65465", "x"]),
    ("windowsize_max", ["1", "65535"], ["0", "65536"]),
    ("allow_write", ["0", "1"], ["2", "-1"]),
    ("create", ["1", "0"], ["2"]),
    ("create_mode", {"0600": "0600", "755": "0755", "0": "0"}, ["0800", "1000", "abc", "-1"]),
    ("max_write_size", ["0", "5000000000", str(1 << 40)], [str((1 << 40) + 1), "-5"]),
    ("rate_limit", ["0", "1", "1000000"], ["1000001", "-1", "1.5"]),
    ("user", ["1000", "65534", "4294967294"], ["4294967295", "-1", "nobody"]),
    ("group", ["1000", "65534"], ["4294967295", "-2"]),
    ("require_world_readable", ["0", "1"], ["2"]),
    ("timeout_max", ["1", "255", "30"], ["0", "256"]),
    ("handshake_timeout", ["100", "600000"], ["99", "600001"]),
    ("sockbuf_max", ["0", str(64 << 20)], [str((64 << 20) + 1), "-1"]),
])
def test_protocol_sysctls_validate(loaded, name, good, bad):
    for v in good:
        sysctl_write(name, v)
        want = good[v] if isinstance(good, dict) else v
        assert sysctl_read(name) == want
    kept = sysctl_read(name)
    for v in bad:
        with pytest.raises(OSError) as e:
            sysctl_write(name, v)
        assert e.value.errno == errno.EINVAL, v
        assert sysctl_read(name) == kept


@pytest.mark.parametrize("name,bad", [
    ("timeout", ["9", "255001", "-1", "x"]),
    ("retries", ["-1", "101"]),
    ("max_sessions", ["0", "65537"]),
    ("max_sessions_per_client", ["0", "65537"]),
    ("drain_timeout", ["-1", "600001"]),
])
def test_numeric_params_reject_out_of_range(loaded, name, bad):
    before = sysctl_read(name)
    for value in bad:
        with pytest.raises(OSError) as e:
            sysctl_write(name, value)
        assert e.value.errno == errno.EINVAL, (name, value)
        assert sysctl_read(name) == before


@pytest.mark.parametrize("name,value", [("timeout", "10"), ("timeout", "255000"),
                                        ("retries", "0"), ("max_sessions", "1"),
                                        ("max_sessions_per_client", "65536"),
                                        ("drain_timeout", "0")])
def test_numeric_params_accept_range(loaded, name, value):
    sysctl_write(name, value)
    assert sysctl_read(name) == value


@pytest.mark.parametrize("value", ["1", "65535", "6969", "6970\n", " 7000 \n"])
def test_port_accepts_valid(loaded, value):
    sysctl_write("port", value)
    assert sysctl_read("port") == value.strip()


@pytest.mark.parametrize("value", ["0", "65536", "-1", "abc", "", "\n",
                                   "1 2", "99999999999999999999", "69x"])
def test_port_rejects_invalid_and_keeps_old(loaded, value):
    sysctl_write("port", "6969")
    with pytest.raises(OSError) as e:
        sysctl_write("port", value)
    assert e.value.errno == errno.EINVAL
    assert sysctl_read("port") == "6969"


def test_port_via_sysctl_tool(loaded):
    run("sysctl", "-w", "net.ktftpd.port=4069")
    assert run("sysctl", "-n", "net.ktftpd.port").stdout.strip() == "4069"
    r = run("sysctl", "-w", "net.ktftpd.port=70000", check=False)
    assert r.returncode != 0
    assert sysctl_read("port") == "4069"


@pytest.mark.parametrize("value", ["/", "/tmp/other", "/tmp/with space",
                                   "/tmp/" + "a" * 250])
def test_root_accepts_existing_directories(loaded, value):
    os.makedirs(value, exist_ok=True)
    sysctl_write("root", value + "\n")
    assert sysctl_read("root") == value


def test_root_rejects_missing_directory_and_keeps_old(loaded):
    os.makedirs("/tmp/kept", exist_ok=True)
    sysctl_write("root", "/tmp/kept")
    with pytest.raises(OSError) as e:
        sysctl_write("root", "/tmp/does-not-exist")
    assert e.value.errno == errno.ENOENT
    Path("/tmp/plainfile").write_text("x")
    with pytest.raises(OSError) as e:
        sysctl_write("root", "/tmp/plainfile")
    assert e.value.errno == errno.ENOTDIR
    assert sysctl_read("root") == "/tmp/kept"


@pytest.mark.parametrize("value", [b"relative/dir", b"", b"\n", b"/a\x01b",
                                   b"/a\nb", b"/a\x00b", b"/" + b"a" * 255,
                                   b"/" + b"a" * 5000])
def test_root_rejects_invalid_and_keeps_old(loaded, value):
    os.makedirs("/tmp/kept", exist_ok=True)
    sysctl_write("root", "/tmp/kept")
    with pytest.raises(OSError) as e:
        sysctl_write("root", value)
    assert e.value.errno == errno.EINVAL
    assert sysctl_read("root") == "/tmp/kept"


@pytest.mark.parametrize("value", ["2", "-1", "yes", ""])
def test_stop_rejects_invalid(loaded, value):
    with pytest.raises(OSError) as e:
        sysctl_write("stop", value)
    assert e.value.errno == errno.EINVAL
    assert sysctl_read("stop") == "1"


def test_stop_accepts_stop_while_stopped(loaded):
    sysctl_write("stop", "1")
    assert sysctl_read("stop") == "1"


@pytest.fixture
def no_default_root():
    """Hide the host's /srv (a host with tftpd-hpa installed has a
    /srv/tftp) under an empty tmpfs, so the default root is missing.
    Before the module loads: the default root is looked up at load."""
    run("mount", "-t", "tmpfs", "-o", "size=64k", "empty-srv", "/srv")
    try:
        yield
    finally:
        run("umount", "/srv")


def test_stop_zero_without_a_root_directory_is_refused(no_default_root, ktftpd):
    assert not Path("/srv/tftp").exists()
    with pytest.raises(OSError) as e:
        sysctl_write("stop", "0")
    assert e.value.errno == errno.ENOENT
    assert sysctl_read("stop") == "1"


def test_netlink_status_agrees_with_sysctl(loaded):
    os.makedirs("/tmp/agree", exist_ok=True)
    sysctl_write("port", "5069")
    sysctl_write("root", "/tmp/agree")
    st = json.loads(run(str(KTFTPCTL), "--json", "status").stdout)
    assert (st["running"], st["config"]["port"], st["config"]["root"]) == \
        (False, 5069, "/tmp/agree")
    assert st["stats"]["active"] == 0
    text = run(str(KTFTPCTL), "status").stdout
    assert "stopped" in text and "5069" in text
    sysctl_write("stop", "0")
    st = json.loads(run(str(KTFTPCTL), "--json", "status").stdout)
    assert st["running"] is True
    assert sysctl_read("stop") == "0"
    sysctl_write("stop", "1")
    assert json.loads(run(str(KTFTPCTL), "--json", "status").stdout)["running"] is False


def test_ktftpctl_without_module_says_so():
    if module_loaded():
        rmmod()
    r = run(str(KTFTPCTL), "status", check=False)
    assert r.returncode == 69  # EX_UNAVAILABLE: the family is not registered
    assert "not loaded" in r.stderr and r.stdout == ""


def test_fifty_load_unload_cycles():
    if module_loaded():
        rmmod()
    for i in range(50):
        insmod()
        assert sysctl_read("stop") == "1", f"cycle {i}"
        sysctl_write("port", str(1000 + i))
        assert sysctl_read("port") == str(1000 + i)
        rmmod()
        assert not module_loaded(), f"cycle {i}"
    assert not SYSCTL.exists()
