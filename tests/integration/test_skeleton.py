"""The module skeleton: load/unload, sysctl storage and validation, netlink."""
import errno
import json

import pytest

from conftest import (KTFTPCTL, SYSCTL, insmod, module_loaded, rmmod, run,
                      sysctl_read, sysctl_write)


def test_load_registers_sysctls_and_unload_removes_them(ktftpd):
    assert module_loaded()
    assert sorted(p.name for p in SYSCTL.iterdir()) >= ["port", "root", "stop"]


def test_defaults(ktftpd):
    assert sysctl_read("stop") == "1"  # loads stopped
    assert sysctl_read("port") == "69"
    assert sysctl_read("root") == "/srv/tftp"


@pytest.mark.parametrize("value", ["1", "65535", "6969", "6970\n", " 7000 \n"])
def test_port_accepts_valid(ktftpd, value):
    sysctl_write("port", value)
    assert sysctl_read("port") == value.strip()


@pytest.mark.parametrize("value", ["0", "65536", "-1", "abc", "", "\n",
                                   "1 2", "99999999999999999999", "69x"])
def test_port_rejects_invalid_and_keeps_old(ktftpd, value):
    sysctl_write("port", "6969")
    with pytest.raises(OSError) as e:
        sysctl_write("port", value)
    assert e.value.errno == errno.EINVAL
    assert sysctl_read("port") == "6969"


def test_port_via_sysctl_tool(ktftpd):
    run("sysctl", "-w", "net.ktftpd.port=4069")
    assert run("sysctl", "-n", "net.ktftpd.port").stdout.strip() == "4069"
    r = run("sysctl", "-w", "net.ktftpd.port=70000", check=False)
    assert r.returncode != 0
    assert sysctl_read("port") == "4069"


@pytest.mark.parametrize("value", ["/", "/srv/other", "/tmp/with space",
                                   "/" + "a" * 254])
def test_root_accepts_absolute(ktftpd, value):
    sysctl_write("root", value + "\n")
    assert sysctl_read("root") == value


@pytest.mark.parametrize("value", [b"relative/dir", b"", b"\n", b"/a\x01b",
                                   b"/a\nb", b"/a\x00b", b"/" + b"a" * 255,
                                   b"/" + b"a" * 5000])
def test_root_rejects_invalid_and_keeps_old(ktftpd, value):
    sysctl_write("root", "/srv/kept")
    with pytest.raises(OSError) as e:
        sysctl_write("root", value)
    assert e.value.errno == errno.EINVAL
    assert sysctl_read("root") == "/srv/kept"


@pytest.mark.parametrize("value", ["2", "-1", "yes", ""])
def test_stop_rejects_invalid(ktftpd, value):
    with pytest.raises(OSError) as e:
        sysctl_write("stop", value)
    assert e.value.errno == errno.EINVAL
    assert sysctl_read("stop") == "1"


def test_stop_accepts_stop_while_stopped(ktftpd):
    sysctl_write("stop", "1")
    assert sysctl_read("stop") == "1"


def test_netlink_status_agrees_with_sysctl(ktftpd):
    sysctl_write("port", "5069")
    sysctl_write("root", "/srv/agree")
    out = run(str(KTFTPCTL), "--json", "status").stdout
    st = json.loads(out)
    assert st == {"running": False, "port": 5069, "root": "/srv/agree"}
    text = run(str(KTFTPCTL), "status").stdout
    assert "stopped" in text and "5069" in text


def test_ktftpctl_without_module_says_so():
    if module_loaded():
        rmmod()
    r = run(str(KTFTPCTL), "status", check=False)
    assert r.returncode == 1
    assert "not loaded" in r.stderr


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
