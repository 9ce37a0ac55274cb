"""ktftpctl against the real module for issue 25's settings: a config
file with rules, networks, a port range and a CHOICE applied whole and
read back by every view, `rewrite test`, and an imported tftpd-hpa
config that serves."""
import json
import subprocess

from conftest import KTFTPCTL, PORT, TFTP_ROOT, make_file, nl_status, sysctl_read
from tftp import Client

CTL = str(KTFTPCTL)


def ctl(*args, check=True):
    r = subprocess.run([CTL, *args], capture_output=True, text=True, timeout=120)
    if check:
        assert r.returncode == 0, f"{args}: {r.returncode} {r.stdout} {r.stderr}"
    return r


FEATURES = {
    "root": str(TFTP_ROOT), "port": PORT,
    "rules": [
        {"match": "prefix", "pattern": "tftp:/198.18.0.1/", "replace": ""},
        {"match": "glob", "pattern": "*.cfg", "replace": "hosts/\\i/\\0", "flags": ["stop"]},
        {"match": "glob", "pattern": "*.key", "flags": ["refuse", "nocase"]},
    ],
    "allow": ["127.0.0.0/8", "::1/128", "198.18.0.0/15"],
    "deny": ["198.18.0.66/32"],
    "port_range": "50100:50199",
    "unique_root": "ip",
    "case_insensitive": True,
    "blksize_fit_mtu": True,
    "window_bytes_max": 1048576,
    "refuse_timeout": True,
}


def test_a_config_file_with_every_new_kind_of_setting(server, tmp_path):
    f = tmp_path / "ktftpd.json"
    f.write_text(json.dumps(FEATURES))
    ctl("config", "apply", str(f))
    # The sysctl view of the same state.
    assert sysctl_read("allow") == "127.0.0.0/8 ::1/128 198.18.0.0/15"
    assert sysctl_read("deny") == "198.18.0.66/32"
    assert sysctl_read("port_range") == "50100:50199"
    assert sysctl_read("unique_root") == "ip"
    assert sysctl_read("window_bytes_max") == "1048576"
    assert [r["pattern"] for r in nl_status()["rules"]] == ["tftp:/198.18.0.1/", "*.cfg", "*.key"]
    shown = json.loads(ctl("--json", "config", "show").stdout)
    # Rules come back whole: an empty replacement and no flags written out.
    full = [{"replace": "", **r, "flags": sorted(r.get("flags", []))} for r in FEATURES["rules"]]
    assert shown["rules"] == full
    for key, value in FEATURES.items():
        if key not in ("root", "rules"):
            assert shown[key] == value, (key, shown[key])
    # And it serves through all of it: a range port, the per-IP rule.
    make_file(TFTP_ROOT / "hosts" / "127.0.0.1" / "boot.cfg", 700)
    with Client("127.0.0.1", PORT) as c:
        data = c.fetch("tftp://198.18.0.1//boot.cfg")
        assert 50100 <= c.tid[1] <= 50199
    assert data == (TFTP_ROOT / "hosts" / "127.0.0.1" / "boot.cfg").read_bytes()


def test_rewrite_test_reports_what_the_kernel_would_look_up(server, tmp_path):
    f = tmp_path / "ktftpd.json"
    f.write_text(json.dumps(FEATURES))
    ctl("config", "apply", str(f))
    got = json.loads(ctl("--json", "rewrite", "test", "\\a.cfg", "--client", "198.18.0.9").stdout)
    assert got["normalized"] == "a.cfg"
    assert got["applied"] == [1]
    assert got["lookup"] == "hosts/198.18.0.9/a.cfg"
    assert got["unique"] == "198.18.0.9"
    got = json.loads(ctl("--json", "rewrite", "test", "x.KEY").stdout)
    assert got["error"] == {"code": 2, "message": "Access violation: refused by a rule"}
    text = ctl("rewrite", "test", "tftp://198.18.0.1//b.cfg", "--client", "fd00::9").stdout
    assert "hosts/fd00::9/b.cfg" in text and "rule 0" in text and "rule 1" in text
    bad = ctl("rewrite", "test", "x", "--client", "not-an-address", check=False)
    assert bad.returncode == 64


def test_an_imported_tftpd_hpa_config_serves(server, tmp_path):
    default = tmp_path / "tftpd-hpa"
    default.write_text('# /etc/default/tftpd-hpa\n\nTFTP_USERNAME="nobody"\n'
                       f'TFTP_DIRECTORY="{TFTP_ROOT}"\nTFTP_ADDRESS=":{PORT}"\n'
                       'TFTP_OPTIONS="--secure --port-range 50200:50209 --blocksize 1468"\n')
    out = ctl("config", "import", "--from", "tftpd-hpa", str(default)).stdout
    f = tmp_path / "ktftpd.json"
    f.write_text(out)
    ctl("config", "apply", str(f))
    assert sysctl_read("port_range") == "50200:50209"
    assert sysctl_read("blksize_max") == "1468"
    blob = make_file(TFTP_ROOT / "imported.bin", 3000)
    with Client("127.0.0.1", PORT) as c:
        assert c.fetch("imported.bin") == blob.read_bytes()
        assert 50200 <= c.tid[1] <= 50209
