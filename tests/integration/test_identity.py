"""The serving identity: every file operation of the server runs as one
unprivileged user and group (default 65534, nobody and nogroup), with no
capabilities and no supplementary groups, never as the kernel thread's
root.  Directory permissions, ownership of uploads, the sticky bit and
pseudo-filesystems beneath root are each checked here, and a caller with
only CAP_NET_ADMIN cannot make the server write where that identity may
not.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (KTFTPCTL, SERVE_GID, SERVE_UID, TFTP_ROOT, make_file, run,
                      sysctl_read)
from tftp import Client, opts, wrq
from test_write import put, temp_files

# A user with no capabilities at all, for the CAP_NET_ADMIN-only caller.
OTHER_UID = 4242


def test_the_default_identity_is_unprivileged(server):
    assert sysctl_read("user") == str(SERVE_UID)
    assert sysctl_read("group") == str(SERVE_GID)
    assert sysctl_read("require_world_readable") == "1"


def test_a_world_readable_file_in_a_private_directory_is_not_served(server):
    private = TFTP_ROOT / "private"
    private.mkdir(exist_ok=True)
    private.chmod(0o700)
    make_file(private / "secret.bin", 100, mode=0o644)
    with Client() as c:
        c.request("private/secret.bin")
        c.expect_error(2)
    # The same file where the identity may search is served.
    private.chmod(0o755)
    with Client() as c:
        assert c.fetch("private/secret.bin") == (private / "secret.bin").read_bytes()


def test_world_readable_rule_can_be_turned_off_not_the_permissions(server):
    make_file(TFTP_ROOT / "group.bin", 100, mode=0o640)
    os.chown(TFTP_ROOT / "group.bin", 0, SERVE_GID)
    make_file(TFTP_ROOT / "rootonly.bin", 100, mode=0o600)
    with Client() as c:
        c.request("group.bin")
        assert "world-readable" in c.expect_error(2)
    server.set(require_world_readable=0)
    with Client() as c:
        assert c.fetch("group.bin") == (TFTP_ROOT / "group.bin").read_bytes()
    # Off, the rule leaves the identity's own permissions in force.
    with Client() as c:
        c.request("rootonly.bin")
        c.expect_error(2)


def test_upload_into_a_root_owned_directory_is_refused(server):
    """pxelinux.cfg/01-<mac> in a root-owned 0755 directory: with writes and
    create on, another machine's boot config still cannot be planted."""
    cfgdir = TFTP_ROOT / "pxelinux.cfg"
    cfgdir.mkdir(exist_ok=True)
    cfgdir.chmod(0o755)
    os.chown(cfgdir, 0, 0)
    server.set(allow_write=1, create=1)
    assert put("pxelinux.cfg/01-52-54-00-12-34-56", b"DEFAULT evil\n")[:2] == ("ERROR", 2)
    assert list(cfgdir.iterdir()) == []


def test_upload_into_a_sticky_shared_directory_is_the_identitys(server):
    shared = TFTP_ROOT / "incoming"
    shared.mkdir(exist_ok=True)
    shared.chmod(0o1777)
    server.set(allow_write=1, create=1, create_mode="0644")
    payload = os.urandom(2000)
    assert put("incoming/new.bin", payload)[0] == "ACK"
    st = (shared / "new.bin").stat()
    assert (st.st_uid, st.st_gid) == (SERVE_UID, SERVE_GID)
    assert (shared / "new.bin").read_bytes() == payload
    # The sticky bit holds: root's world-writable file there is not replaced.
    make_file(shared / "roots.bin", 10, mode=0o666)
    old = (shared / "roots.bin").read_bytes()
    assert put("incoming/roots.bin", b"replaced")[:2] == ("ERROR", 2)
    assert (shared / "roots.bin").read_bytes() == old
    assert temp_files() == []


def as_net_admin_only(*args):
    """Run ktftpctl as another user whose only capability is CAP_NET_ADMIN."""
    return subprocess.run(
        ["setpriv", f"--reuid={OTHER_UID}", f"--regid={OTHER_UID}", "--clear-groups",
         "--inh-caps=-all,+net_admin", "--ambient-caps=-all,+net_admin",
         "--bounding-set=-all,+net_admin", str(KTFTPCTL), *args],
        capture_output=True, text=True)


def test_cap_net_admin_alone_cannot_plant_a_file(server):
    """Pointing root at a root-owned tree with uploads on needs only
    CAP_NET_ADMIN; writing into it would need root's power, which the server
    no longer has; and taking root's identity needs CAP_SETUID."""
    # Where that user can look (pytest's tmp_path is root's alone).
    etc = Path("/tmp/ktftpd-etc")
    shutil.rmtree(etc, ignore_errors=True)
    (etc / "cron.d").mkdir(parents=True)
    os.chmod(etc, 0o755)
    os.chmod(etc / "cron.d", 0o755)
    r = as_net_admin_only("config", "set", f"root={etc}", "allow_write=true",
                          "create=true")
    assert r.returncode == 0, r.stderr
    assert sysctl_read("root") == str(etc)
    with Client() as c:
        c.send(wrq("cron.d/evil", options=opts(blksize=512)))
        c.expect_error(2)
    assert list((etc / "cron.d").iterdir()) == []
    # Nor can that caller make the server act as root.
    for key in ("user=0", "group=0", "user=root"):
        r = as_net_admin_only("config", "set", key)
        assert r.returncode != 0, key
        assert "CAP_SET" in r.stderr, r.stderr
    assert sysctl_read("user") == str(SERVE_UID)
    assert sysctl_read("group") == str(SERVE_GID)


def test_root_identity_must_be_asked_for_and_is_warned_about(server):
    r = run(str(KTFTPCTL), "config", "set", "user=root", "group=0")
    assert "warning" in r.stderr and "root" in r.stderr
    assert sysctl_read("user") == "0" and sysctl_read("group") == "0"
    r = run(str(KTFTPCTL), "config", "set", "user=nobody", "group=nogroup")
    assert sysctl_read("user") == str(SERVE_UID)
    assert sysctl_read("group") == str(SERVE_GID)
    r = run(str(KTFTPCTL), "config", "set", "user=no-such-user-here", check=False)
    assert r.returncode != 0 and "names no user" in r.stderr


@pytest.mark.parametrize("fs", ["proc", "sysfs"])
def test_pseudo_filesystems_beneath_root_are_not_served(server, fs):
    where = TFTP_ROOT / fs
    where.mkdir(exist_ok=True)
    run("mount", "--bind", "/proc" if fs == "proc" else "/sys", str(where))
    try:
        name = f"{fs}/version" if fs == "proc" else f"{fs}/kernel/uevent_seqnum"
        assert (TFTP_ROOT / name).stat().st_mode & 0o004
        with Client() as c:
            c.request(name)
            c.expect_error(2)
    finally:
        run("umount", str(where))


def test_a_bind_mounted_image_tree_is_served(server, tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    os.chmod(tmp_path, 0o755)
    make_file(images / "vmlinuz", 5000)
    where = TFTP_ROOT / "img"
    where.mkdir(exist_ok=True)
    run("mount", "--bind", str(images), str(where))
    try:
        with Client() as c:
            assert c.fetch("img/vmlinuz") == (images / "vmlinuz").read_bytes()
    finally:
        run("umount", str(where))


def test_no_upload_into_a_pseudo_filesystem(server):
    """An mqueue mount is 1777, like an upload directory: writing there
    would make a message queue, so nothing is created."""
    where = TFTP_ROOT / "mq"
    where.mkdir(exist_ok=True)
    run("mount", "-t", "mqueue", "none", str(where))
    try:
        assert where.stat().st_mode & 0o1777 == 0o1777
        server.set(allow_write=1, create=1)
        assert put("mq/new", b"x" * 100)[:2] == ("ERROR", 2)
        assert list(where.iterdir()) == []
    finally:
        run("umount", str(where))
