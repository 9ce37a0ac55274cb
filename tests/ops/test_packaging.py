"""Host checks of the Debian packaging (make deb; the packages themselves
are installed in a guest by tests/ops/test_deb.py)."""
import re
import subprocess
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]


def test_the_package_version_is_the_tree_version():
    """dh_dkms names the DKMS module after the changelog's version, and
    dkms.conf after VERSION: apart, DKMS would find no module to build."""
    first = (TOP / "debian" / "changelog").read_text().splitlines()[0]
    m = re.match(r"ktftpd \(([^)]+)\) ", first)
    assert m, first
    assert m.group(1) == (TOP / "VERSION").read_text().strip()


def test_build_deb_refuses_what_is_not_a_version(tmp_path):
    """The version names a folder build-deb removes: a path is refused
    before anything is touched."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("x")
    for bad in ["../victim", "1.0/../../victim", "", "-rf"]:
        r = subprocess.run([TOP / "scripts" / "build-deb", tmp_path / "out", "--as-version", bad],
                           capture_output=True, text=True)
        assert r.returncode == 2, (bad, r.stdout, r.stderr)
    assert (victim / "keep").read_text() == "x"
    assert not (tmp_path / "out").exists()


def test_the_packages_depend_on_each_other_exactly():
    """ktftpctl speaks the netlink contract of its own version's module."""
    control = (TOP / "debian" / "control").read_text()
    ctl = control[control.index("Package: ktftpctl"):]
    assert "ktftpd-dkms (= ${binary:Version})" in ctl
