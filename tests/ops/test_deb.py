"""The Debian packages (make deb), installed with apt in a guest that booted
systemd on the newest kernel, from a fresh disk.  tests/check's deb stage
builds them on the host first (scripts/build-deb, into DEBS: current/ and
previous/, the same tree as VERSION~prev, whose example config differs by
a line) and DKMS builds of both for the booted kernel (prebuilt/,
tests/ops/dkms-prebuild --deb).  In file order:

  install: apt installs both packages; DKMS compiles the module here, in
    the guest, from the package's source; ktftpd.service is enabled and
    active; a client fetches a file from /srv/tftp byte-exact;
  kernel upgrade: the hook a Debian kernel's install runs
    (/etc/kernel/postinst.d/dkms) compiles and installs the module for the
    other kernel;
  remove: with the log, the metrics timer and a network namespace's
    instance running too, apt remove stops every one and unloads the
    module, and keeps the config; purge removes it, what the units wrote
    and /srv/tftp, which the package made (the host's empty one is
    removed in the guest first);
  upgrade: from the previous version's packages, with the config edited
    and the log and metrics timer enabled, apt installs the current ones:
    the edit stays (the new example beside it), the service restarts with
    it, the log and timer run again, the old module stays loaded until the
    commands the upgrade prints load the new one.  (Both
    versions' DKMS builds come from the host, through DKMS's own
    prebuilt-tarball directory: the compile was tested above, and each
    costs minutes under emulation.)
  the role: the Ansible role installs ~prev's packages from their
    directory (ktftpd_packages) and the server starts with the role's
    config, never with the example's; then it upgrades both from the
    current packages' directory.
The kernel upgrade and the role are marked deb_full: make check-packages
(tests/check --stage deb --deb-full) runs them, make check does not (they
are two thirds of the guest's time: docs/packaging.md, "Tests").
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

import pytest

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))
from tftp import Client  # noqa: E402

DEBS = Path(os.environ.get("KTFTPD_DEBS", TOP / "build" / "test-results" / "deb"))
VERSION = (TOP / "VERSION").read_text().strip()
PREVIOUS = f"{VERSION}~prev"
CTL = "/usr/sbin/ktftpctl"
CONFIG = Path("/etc/ktftpd/ktftpd.json")
SERVED = Path("/srv/tftp")
# DKMS's common.postinst loads NAME-VERSION.dkms.tar.gz from here, if
# present, instead of compiling (dh_dkms's TARBALL_ROOT).
TARBALL_ROOT = Path("/usr/share/ktftpd-dkms")
PROM = Path("/var/lib/prometheus/node-exporter/ktftpd.prom")
# The network namespace of the instance the removal must stop.
TENANT = "deb-tenant"


def run(*args, check=True, timeout=1800):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    print(f"$ {' '.join(map(str, args))}\n{r.stdout}{r.stderr}")
    if check:
        assert r.returncode == 0, f"{args}: status {r.returncode}\n{r.stdout}{r.stderr}"
    return r


def debs(which: str, version: str) -> list[Path]:
    found = [DEBS / which / f"ktftpd-dkms_{version}_amd64.deb",
             DEBS / which / f"ktftpctl_{version}_amd64.deb"]
    for f in found:
        assert f.is_file(), f"{f} missing: tests/check's deb stage builds it"
    return found


def apt(*args):
    return run("apt-get", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef",
               "-o", "Dpkg::Options::=--force-confold", *args)


def dkms_status() -> str:
    return run("dkms", "status", "-m", "ktftpd").stdout


def other_kernel() -> str:
    running = os.uname().release
    others = [k for k in os.listdir("/lib/modules")
              if k != running and (Path("/lib/modules") / k / "build" / "include").exists()]
    assert others, "no second kernel with headers to upgrade to"
    return sorted(others)[0]


def load_host_builds(*versions: str) -> None:
    """DKMS's builds from the host, where DKMS's postinst loads them."""
    TARBALL_ROOT.mkdir(parents=True, exist_ok=True)
    for v in versions:
        tarball = DEBS / "prebuilt" / f"ktftpd-{v}.dkms.tar.gz"
        assert tarball.is_file(), f"{tarball} missing: tests/check's deb stage builds it"
        (TARBALL_ROOT / tarball.name).write_bytes(tarball.read_bytes())


def unit_prop(unit: str, name: str) -> str:
    return run("systemctl", "show", "-P", name, unit).stdout.strip()


def module_version() -> dict:
    return json.loads(run(CTL, "--json", "version").stdout)


def no_answer(name: str) -> bool:
    """Nothing answers a request for name on port 69 within 2 s."""
    with Client("127.0.0.1", 69) as c:
        c.request(name)
        return c.recv(2) is None


def unit_state(unit: str) -> tuple[str, str]:
    active = run("systemctl", "is-active", unit, check=False).stdout.strip()
    enabled = run("systemctl", "is-enabled", unit, check=False).stdout.strip()
    return active, enabled


def fetch_served(name: str, size: int) -> None:
    data = os.urandom(size)
    (SERVED / name).write_bytes(data)
    (SERVED / name).chmod(0o644)
    with Client("127.0.0.1", 69) as c:
        got = c.fetch(name)
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()


@pytest.fixture(scope="module", autouse=True)
def a_machines_own_service_policy():
    """This guest's root is the host's, under an overlay, and the host is a
    container image whose /usr/sbin/policy-rc.d (exit 101) forbids
    maintainer scripts to start or stop services.  A Debian machine has
    none, and the packages must start and stop theirs."""
    Path("/usr/sbin/policy-rc.d").unlink(missing_ok=True)
    # The same image keeps apt from caching (docker-clean), so every
    # apt-get parses the archive's package lists again: a sixth of an
    # install's CPU time under emulation.  A Debian machine keeps them.
    Path("/etc/apt/apt.conf.d/docker-clean").unlink(missing_ok=True)
    # The host's tftpd-hpa made an empty /srv/tftp; a fresh machine has
    # none, and the package makes it (and takes it back at purge).  Only
    # this guest's overlay loses it.
    if SERVED.exists():
        SERVED.rmdir()


def test_install_builds_enables_and_serves():
    assert not SERVED.exists(), "disk not fresh"
    assert "ktftpd" not in dkms_status(), "disk not fresh"
    t0 = time.monotonic()
    r = apt("install", *debs("current", VERSION))
    print(f"apt install took {time.monotonic() - t0:.0f}s")
    assert "Building initial module for" in r.stdout, "DKMS did not compile here"
    running = os.uname().release
    assert re.search(rf"ktftpd/{re.escape(VERSION)}, {re.escape(running)}, \S+: installed",
                     dkms_status())
    path = run("modinfo", "-n", "ktftpd").stdout.strip()
    assert "/updates/dkms/ktftpd.ko" in path, path
    assert unit_state("ktftpd.service") == ("active", "enabled")
    assert Path("/sys/module/ktftpd").is_dir()
    assert SERVED.is_dir() and (SERVED.stat().st_mode & 0o7777) == 0o755
    st = json.loads(run(CTL, "--json", "status").stdout)
    assert st["running"] and st["config"]["root"] == str(SERVED), st
    assert module_version() == {"ktftpctl": VERSION, "module": VERSION}
    fetch_served("pxelinux.0", 200_000)


@pytest.mark.deb_full
def test_kernel_upgrade_rebuilds_through_dkms():
    k = other_kernel()
    assert k not in dkms_status()
    # What a Debian kernel package's postinst runs (run-parts
    # /etc/kernel/postinst.d), DKMS's hook alone: initramfs and the boot
    # loader are not ours to test.
    t0 = time.monotonic()
    run("/etc/kernel/postinst.d/dkms", k, f"/boot/vmlinuz-{k}")
    print(f"the kernel hook took {time.monotonic() - t0:.0f}s")
    assert re.search(rf"ktftpd/{re.escape(VERSION)}, {re.escape(k)}, \S+: installed",
                     dkms_status())
    path = run("modinfo", "-k", k, "-n", "ktftpd").stdout.strip()
    assert path.startswith(f"/lib/modules/{k}/updates/dkms/ktftpd.ko"), path
    assert run("modinfo", "-k", k, "-F", "vermagic", "ktftpd").stdout.startswith(k + " ")


def test_remove_stops_and_unloads_then_purge_removes_config():
    # Everything the package's units can run: the log, the metrics (run
    # once: its .prom is what purge must remove) and a namespace's server.
    run("systemctl", "start", "ktftpd-log.service", "ktftpd-metrics.service")
    assert PROM.is_file()
    run("ip", "netns", "add", TENANT)
    Path(f"/etc/ktftpd/{TENANT}.json").write_text(CONFIG.read_text())
    run("systemctl", "start", f"ktftpd@{TENANT}.service")
    units = ["ktftpd.service", "ktftpd-log.service", f"ktftpd@{TENANT}.service"]
    assert [unit_state(u)[0] for u in units] == ["active"] * 3
    apt("remove", "ktftpctl", "ktftpd-dkms")
    assert [unit_state(u)[0] for u in units] == ["inactive"] * 3
    assert not Path("/sys/module/ktftpd").exists(), "module still loaded"
    assert "ktftpd" not in dkms_status()
    assert not list(Path("/lib/modules").glob("*/updates/dkms/ktftpd.ko*"))
    assert CONFIG.is_file(), "remove must keep the config"
    assert no_answer("pxelinux.0")
    (SERVED / "pxelinux.0").unlink()
    assert Path("/var/lib/ktftpctl/made-srv-tftp").exists()
    apt("purge", "ktftpctl", "ktftpd-dkms")
    assert not CONFIG.exists()
    assert not PROM.exists()
    # The admin's own file in /etc/ktftpd stays, and so the directory.
    assert Path(f"/etc/ktftpd/{TENANT}.json").is_file()
    # The package made /srv/tftp, now empty: purge takes it back.
    assert not SERVED.exists()
    assert "ktftpd" not in run("dpkg-query", "-W", "-f", "${Package} ${Status}\\n",
                               check=False).stdout
    Path(f"/etc/ktftpd/{TENANT}.json").unlink()
    run("ip", "netns", "delete", TENANT)


def test_upgrade_keeps_an_edited_config():
    load_host_builds(PREVIOUS, VERSION)
    apt("install", *debs("previous", PREVIOUS))
    assert unit_state("ktftpd.service") == ("active", "enabled")
    assert module_version() == {"ktftpctl": PREVIOUS, "module": PREVIOUS}
    run("systemctl", "enable", "--now", "ktftpd-log.service", "ktftpd-metrics.timer")
    text = CONFIG.read_text()
    assert f"as shipped by {PREVIOUS}" in text
    edited = text.replace('"timeout": 1000,', '"timeout": 2500,')
    assert edited != text
    CONFIG.write_text(edited)
    before = unit_prop("ktftpd.service", "InvocationID")
    # What unattended upgrades do: keep the admin's config, never ask.
    r = apt("install", *debs("current", VERSION))
    assert CONFIG.read_text() == edited, "the upgrade changed an edited config"
    # dpkg keeps the new example beside it.
    shipped = Path(f"{CONFIG}.dpkg-dist").read_text()
    assert "as shipped by" not in shipped and '"timeout": 1000,' in shipped
    status = dkms_status()
    assert re.search(rf"ktftpd/{re.escape(VERSION)}, .*: installed", status), status
    assert PREVIOUS not in status, status
    assert unit_state("ktftpd.service") == ("active", "enabled")
    assert unit_prop("ktftpd.service", "InvocationID") != before, "not restarted"
    st = json.loads(run(CTL, "--json", "status").stdout)
    assert st["running"] and st["config"]["timeout"] == 2500, st
    # The old module stays loaded (unloading would end servers no unit
    # of ours started), and the upgrade says how to load the new one;
    # doing that serves with the new module and the edited config.
    assert module_version() == {"ktftpctl": VERSION, "module": PREVIOUS}
    said = r.stderr + r.stdout
    assert f"ktftpd {PREVIOUS} is still loaded" in said
    # Run the command the upgrade printed, then start the log again, as
    # it says (a glob such as 'ktftpd*' would also have stopped
    # ktftpd-vm-command.service, the harness's unit running this test).
    hint = re.search(r"or now: (.*)$", said, re.MULTILINE)
    assert hint, said
    run("sh", "-c", hint.group(1))
    run("systemctl", "start", "ktftpd-log.service")
    assert module_version() == {"ktftpctl": VERSION, "module": VERSION}
    st = json.loads(run(CTL, "--json", "status").stdout)
    assert st["running"] and st["config"]["timeout"] == 2500, st
    # An upgrade leaves the enabled log and metrics timer running.
    assert unit_state("ktftpd-log.service") == ("active", "enabled")
    assert unit_state("ktftpd-metrics.timer") == ("active", "enabled")
    fetch_served("grubx64.efi", 100_000)


def role_with_packages(tmp_path, which: str, version: str) -> None:
    """The role, with ktftpd_packages a directory holding @which's debs."""
    debdir = tmp_path / which
    debdir.mkdir()
    for f in debs(which, version):
        (debdir / f.name).write_bytes(f.read_bytes())
    roles_vars = tmp_path / f"vars-{which}.yml"
    roles_vars.write_text(yaml.safe_dump({
        "ktftpd_packages": str(debdir), "ktftpd_root": str(SERVED),
        "ktftpd_allow": ["127.0.0.2/32"]}))
    r = run(TOP / "tests" / "ops" / "e2e-ansible", "-e", f"@{roles_vars}", check=False,
            timeout=1800)
    assert r.returncode == 0, r.stdout + r.stderr


def installed_versions() -> dict:
    out = run("dpkg-query", "-W", "-f", "${Package} ${Version}\\n", "ktftpd-dkms", "ktftpctl").stdout
    return dict(line.split() for line in out.splitlines())


@pytest.mark.deb_full
def test_the_role_installs_and_upgrades_from_the_packages(tmp_path):
    """The role with ktftpd_packages: the server's first start is with the
    role's config (here: only 127.0.0.2 may ask), never the example's,
    which lets every client ask; then the role upgrades both packages
    (one at a time, neither could: each depends on the other's version)."""
    # After the tests above; alone (-k role), on a fresh disk.
    if run("dpkg-query", "-W", "ktftpctl", check=False).returncode == 0:
        apt("purge", "ktftpctl", "ktftpd-dkms")
    assert not Path("/sys/module/ktftpd").exists()
    load_host_builds(PREVIOUS, VERSION)
    role_with_packages(tmp_path, "previous", PREVIOUS)
    assert installed_versions() == {"ktftpd-dkms": PREVIOUS, "ktftpctl": PREVIOUS}
    assert unit_state("ktftpd.service") == ("active", "enabled")
    assert not Path("/run/systemd/system/ktftpd.service").exists(), "the role left its mask"
    st = json.loads(run(CTL, "--json", "status").stdout)
    assert st["running"] and st["config"]["allow"] == ["127.0.0.2/32"], st
    # The server went up after the role wrote its config, not before with
    # the example's (the package's own start, which the role's mask stops).
    up = int(unit_prop("ktftpd.service", "ActiveEnterTimestampMonotonic"))
    config_written = CONFIG.stat().st_mtime - (time.time() - time.monotonic())
    assert up / 1e6 >= config_written, (up / 1e6, config_written)
    assert no_answer("pxelinux.0"), "127.0.0.1 is not allowed: the example config served it"

    role_with_packages(tmp_path, "current", VERSION)
    assert installed_versions() == {"ktftpd-dkms": VERSION, "ktftpctl": VERSION}
    assert unit_state("ktftpd.service") == ("active", "enabled")
    st = json.loads(run(CTL, "--json", "status").stdout)
    assert st["running"] and st["config"]["allow"] == ["127.0.0.2/32"], st
    assert no_answer("pxelinux.0")
