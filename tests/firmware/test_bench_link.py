"""make bench's link scenarios (tests/bench/link), small: a server guest
of the kernel under test, the link's lock-step ceiling, and S2, S3 and S4
from a client guest on the virtio-net link, for ktftpd and dnsmasq.  Every
byte is checked by the client, and nothing may fail: the mode cannot rot
between full benchmark runs."""
import json
import subprocess

from test_firmware import KVER, WORK

import firmware as F

STORM = 8


def test_link_scenarios_run_whole_for_each_server():
    out = WORK / "bench-link"
    r = subprocess.run([F.TOP / "tests" / "bench" / "link", "--kernel", KVER, "--rounds", "1",
                        "--mib", "1", "--storm-clients", str(STORM), "--storm-mib", "1",
                        "--servers", "ktftpd,dnsmasq", "--out", out],
                       cwd=F.TOP, capture_output=True, text=True, timeout=1800)
    print(r.stdout, r.stderr)
    assert r.returncode == 0, r.stdout + r.stderr
    raw = json.loads((out / "raw.json").read_text())
    assert raw["server_guest_status"] == 0
    for server in ("ktftpd", "dnsmasq"):
        (run,) = raw["runs"][server]
        for sc, clients in (("S2", 1), ("S3", 1), ("S4", STORM)):
            got = run[sc]
            assert (got["ok"], got["failed"], got["bad_data"]) == (clients, 0, 0), (server, sc, got)
            assert got["bytes"] == clients << 20
        # Windowed where the server knows RFC 7440, lock-step where not.
        assert run["S3"]["windowsize"] == (16 if server == "ktftpd" else 1)
    assert sorted(c["clients"] for c in raw["ceilings"]) == [1, STORM]
    assert all(c["received"] > 0 and c["host"] == F.SERVER_IP for c in raw["ceilings"])
    assert "| S4 |" in (out / "summary.md").read_text()
