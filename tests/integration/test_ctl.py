"""ktftpctl against the real module: every subcommand, the sysctl and
netlink views of one state, permissions and exit codes, events, sessions
beyond one netlink message, and reloads during a transfer."""
import json
import os
import select
import signal
import subprocess
import time

import pytest

from conftest import (KTFTPCTL, PORT, TFTP_ROOT, insmod, make_file,
                      module_loaded, nl_status, rmmod, serve, sha256, sysctl_read,
                      sysctl_write)
from tftp import Client, opts, rrq, wait_for

CTL = str(KTFTPCTL)


def ctl(*args, check=True, user=None):
    cmd = [CTL, *args]
    if user:
        cmd = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if check:
        assert r.returncode == 0, f"{args}: {r.returncode} {r.stdout} {r.stderr}"
    return r


def ctl_json(*args):
    return json.loads(ctl("--json", *args).stdout)


def curl_fetch(name, dest, host="127.0.0.1", port=PORT, extra=()):
    h = f"[{host}]" if ":" in host else host
    return subprocess.run(["curl", "-s", "--fail", "-m", "60", *extra, "-o", str(dest),
                           f"tftp://{h}:{port}/{name}"], capture_output=True, timeout=90)


def test_start_stop_and_status(loaded, tmp_path):
    TFTP_ROOT.mkdir(parents=True, exist_ok=True)
    src = make_file(TFTP_ROOT / "ctl-start.bin", 70000)
    st = ctl_json("status")
    assert st["running"] is False and st["uptime_ms"] == 0
    assert st["version"] == open("VERSION").read().strip()
    r = ctl("start", "--root", str(TFTP_ROOT), "--port", str(PORT), "--timeout", "800")
    assert r.stdout.strip() == "ktftpd started; config changed"
    assert sysctl_read("stop") == "0" and sysctl_read("timeout") == "800"
    st = ctl_json("status")
    assert st["running"] is True
    assert st["config"]["root"] == str(TFTP_ROOT) and st["config"]["port"] == PORT
    assert curl_fetch(src.name, tmp_path / "out").returncode == 0
    assert sha256(tmp_path / "out") == sha256(src)
    assert ctl("start").stdout.strip() == "ktftpd was already running"
    text = ctl("status").stdout
    assert "state:     running, up" in text and f"port:      {PORT}" in text
    assert ctl("stop", "--drain", "0.5").stdout.strip() == "ktftpd stopped"
    assert ctl_json("status")["running"] is False and sysctl_read("stop") == "1"
    assert ctl("stop").stdout.strip() == "ktftpd was not running"
    assert ctl("stop", "--drain", "601", check=False).returncode == 64


def test_start_with_a_bad_config_changes_nothing(loaded, tmp_path):
    before = ctl_json("status")["config"]
    r = ctl("start", "--root", "/nonexistent-root", "--timeout", "700", check=False)
    assert r.returncode == 65, r.stderr
    assert "root does not name a directory" in r.stderr
    st = ctl_json("status")
    assert st["running"] is False and st["config"] == before
    # A port that is taken: the start fails, the config stays as it was.
    TFTP_ROOT.mkdir(parents=True, exist_ok=True)
    import socket
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        s.bind(("::", 7070))
        r = ctl("start", "--root", str(TFTP_ROOT), "--port", "7070", check=False)
        assert r.returncode == 1 and "could not be bound" in r.stderr, r.stderr
    assert ctl_json("status")["config"] == before


def test_stats_match_real_transfers(server, tmp_path):
    sizes = [0, 511, 512, 100000]
    files = [make_file(TFTP_ROOT / f"ctl-stats-{n}.bin", n) for n in sizes]
    before = ctl_json("stats")
    for f in files:
        # No options: no OACK, so the packet count below is exact.
        assert curl_fetch(f.name, tmp_path / f.name, extra=["--tftp-no-options"]).returncode == 0
        assert sha256(tmp_path / f.name) == sha256(f)
    assert curl_fetch("ctl-stats-missing", tmp_path / "x").returncode != 0
    server.wait_idle()
    after = ctl_json("stats")
    assert after["transfers_completed"] - before["transfers_completed"] == len(files)
    assert after["bytes_sent"] - before["bytes_sent"] == sum(sizes)
    assert after["requests"] - before["requests"] == len(files) + 1
    assert after["errors_sent"]["1"] - before["errors_sent"]["1"] == 1
    # Lock-step, no loss: one DATA per 512 bytes (+1 for the end), one ERROR.
    blocks = sum(n // 512 + 1 for n in sizes)
    assert after["packets_sent"] - before["packets_sent"] == blocks + 1
    # The Prometheus text says the same numbers.
    prom = ctl("stats", "--format", "prometheus").stdout
    assert "# TYPE ktftpd_sent_bytes_total counter" in prom
    assert f"ktftpd_sent_bytes_total {after['bytes_sent']}\n" in prom
    assert f"ktftpd_transfers_completed_total {after['transfers_completed']}\n" in prom
    assert 'ktftpd_errors_sent_total{code="1",name="file_not_found"} ' in prom
    # Labelled for a scrape of several namespaces' servers.
    labelled = ctl("stats", "--format", "prometheus", "--netns-label", "host").stdout
    assert f'ktftpd_sent_bytes_total{{netns="host"}} {after["bytes_sent"]}\n' in labelled
    assert 'ktftpd_errors_sent_total{netns="host",code="1",name="file_not_found"} ' in labelled
    rows = dict(line.split() for line in ctl("stats").stdout.splitlines())
    assert rows["bytes_sent"] == str(after["bytes_sent"])
    assert rows["errors_sent.file_not_found"] == str(after["errors_sent"]["1"])
    # The fixtures read the counters over raw netlink (conftest.nl_status):
    # the same numbers under the same names.
    assert nl_status()["stats"] == ctl_json("stats")


def test_stats_watch_repeats_until_interrupted(server):
    p = subprocess.Popen([CTL, "stats", "--watch", "0.2", "--format", "json"],
                         stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=10)
    assert p.returncode == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) >= 3 and all("bytes_sent" in x for x in lines)


def test_sessions_beyond_one_netlink_message(server):
    """400 transfers held open (their clients never ACK): the dump must
    return each exactly once, across many messages."""
    n = 400
    src = make_file(TFTP_ROOT / "ctl-sessions.bin", 3000)
    server.set(max_sessions_per_client=1000, timeout=10000, retries=1)
    clients = [Client() for _ in range(n)]
    try:
        for c in clients:
            c.send(rrq(src.name))
        wait_for(lambda: ctl_json("stats")["active"] == n, timeout=60, what="all sessions")
        sessions = ctl_json("sessions")
        assert len(sessions) == n
        assert len({s["id"] for s in sessions}) == n
        ports = {c.sock.getsockname()[1] for c in clients}
        assert {s["port"] for s in sessions} == ports
        for s in sessions:
            assert s["peer"] == "127.0.0.1" and s["file"] == src.name
            assert s["direction"] == "read" and s["total"] == 3000
            assert s["blksize"] == 512 and s["windowsize"] == 1
            assert s["bytes"] == 512 and s["age_ms"] >= 0
        text = ctl("sessions").stdout.splitlines()
        assert len(text) == n + 1 and text[0].startswith("ID")
    finally:
        for c in clients:
            c.close()
    # Unprivileged users may not see client addresses.
    assert ctl("sessions", user="nobody", check=False).returncode == 77
    # End the held transfers now rather than after their timeouts.
    ctl("stop", "--drain", "0")
    ctl("start")


def test_monitor_sees_start_finish_and_error(server, tmp_path):
    src = make_file(TFTP_ROOT / "ctl-monitor.bin", 5000)
    p = subprocess.Popen([CTL, "--json", "monitor"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # joined the group by now
        assert curl_fetch(src.name, tmp_path / "m").returncode == 0
        assert curl_fetch("ctl-monitor-missing", tmp_path / "x").returncode != 0
        server.wait_idle()
        time.sleep(0.5)
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    events = [json.loads(x) for x in out.splitlines()]
    kinds = [(e["event"], e["session"]["file"]) for e in events]
    assert kinds == [("start", src.name), ("finish", src.name),
                     ("error", "ctl-monitor-missing")], events
    start, finish, error = events
    assert start["session"]["id"] == finish["session"]["id"]
    assert finish["session"]["bytes"] == 5000
    assert finish["session"]["peer"] == "127.0.0.1"
    assert error["error_code"] == 1 and "not found" in error["error_message"].lower()
    # Text form: one line per event, and only for root.
    assert ctl("monitor", user="nobody", check=False).returncode == 77


def stderr_line(p, timeout: float) -> str:
    """@p's next line on stderr, or '' after @timeout seconds."""
    if select.select([p.stderr], [], [], timeout)[0]:
        return p.stderr.readline()
    return ""


@pytest.mark.fresh_module
def test_monitor_follows_the_module_through_a_reload(server, tmp_path):
    """`monitor` (and ktftpd-log.service, which runs it) outlives an rmmod
    and insmod in the same process: it hears the family go and come
    back (the controller's notifications), and joins the new module's
    events group."""
    src = make_file(TFTP_ROOT / "ctl-reload.bin", 3000)
    p = subprocess.Popen([CTL, "--json", "monitor"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # joined the group by now
        sysctl_write("stop", "1")
        rmmod()
        assert "was unloaded" in stderr_line(p, 10)
        insmod()
        assert "is back" in stderr_line(p, 10)
        serve()
        assert curl_fetch(src.name, tmp_path / "m").returncode == 0
        server.wait_idle()
        time.sleep(0.5)
        assert p.poll() is None, "monitor ended"
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    events = [json.loads(x) for x in out.splitlines()]
    assert [(e["event"], e["session"]["file"]) for e in events] == [
        ("start", src.name), ("finish", src.name)], events


def test_monitor_reports_an_aborted_transfer(server):
    src = make_file(TFTP_ROOT / "ctl-abort.bin", 5000)
    p = subprocess.Popen([CTL, "monitor"], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        with Client() as c:
            c.send(rrq(src.name))
            _, _, tid = c.expect("DATA")
            c.cancel(tid)
        server.wait_idle()
        time.sleep(0.5)
    finally:
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=10)
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("start  #"), out
    assert lines[1].startswith("error  #") and "Aborted by the client" in lines[1]



@pytest.mark.parametrize("withheld", ["last", "middle", "only"])
def test_a_download_whose_last_ack_never_comes_is_finished_unconfirmed(server, withheld):
    """A client that ACKs every block but the last (firmware that boots at
    once loses it: OVMF's GRUB resets its NIC) has the whole file: the
    server resends the last block as retries allow, then counts the
    transfer completed, with final_ack_missing, in a finish event marked
    unconfirmed.  It still sends ERROR 0 Timeout: a client that lost
    every copy of the last block learns it will never come (one that has
    it all has gone).  One that stops ACKing before the last block
    fails, with the same ERROR; and so does a request for a one-block
    file never ACKed (a spoofed one: no peer heard)."""
    size = 100 if withheld == "only" else 3 * 512 + 100
    src = make_file(TFTP_ROOT / "ctl-unconfirmed.bin", size)
    server.set(timeout=100, retries=2)
    before = server.stats()
    p = subprocess.Popen([CTL, "--json", "monitor"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # joined the group by now
        with Client() as c:
            c.send(rrq(src.name))
            last = {"last": 4, "middle": 3, "only": 1}[withheld]
            for block in range(1, last):
                num, _, c.tid = c.expect("DATA")
                assert num == block
                c.ack(block)
            # The withheld block, resent twice, then the timeout's ERROR.
            seen = []
            while (r := c.recv(timeout=3.0)) is not None:
                seen.append(r[0][:2])
        server.wait_idle()
        time.sleep(0.5)
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
    events = [json.loads(x) for x in out.splitlines()]
    assert [e["event"] for e in events][0] == "start", events
    end = events[-1]
    after = server.stats()
    assert seen == [("DATA", last)] * 3 + [("ERROR", 0)], seen
    if withheld == "last":
        assert end["event"] == "finish" and end.get("unconfirmed") is True, end
        assert end["session"]["bytes"] == src.stat().st_size
        assert after["final_ack_missing"] == before["final_ack_missing"] + 1
        assert after["transfers_completed"] == before["transfers_completed"] + 1
        assert after["transfers_failed"] == before["transfers_failed"]
    else:
        assert end["event"] == "error" and "unconfirmed" not in end, end
        assert after["final_ack_missing"] == before["final_ack_missing"]
        assert after["transfers_failed"] == before["transfers_failed"] + 1


@pytest.mark.parametrize("single_port", [0, 1])
def test_a_new_request_from_the_same_port_gets_no_stale_error(server, single_port):
    """A client that keeps its port (U-Boot's tftpsrcp, some NATs) loses
    its final ACK and asks again at once.  Its request waits behind the
    old transfer (the same address and port: dropped as a repeat, by
    admission or, single_port, by the transfer on the listening port),
    and the old one, given up, must send no ERROR: the client would take
    it as the answer to its new request.  Asked again once the old one
    has ended, it is served."""
    src = make_file(TFTP_ROOT / "ctl-again.bin", 3 * 512 + 100)
    server.set(timeout=100, retries=2, single_port=single_port)
    with Client() as c:
        c.send(rrq(src.name))
        for block in range(1, 4):
            num, _, c.tid = c.expect("DATA")
            assert num == block
            c.ack(block)
        assert c.expect("DATA")[0] == 4        # never ACKed
        old = c.tid
        c.tid = None
        c.send(rrq(src.name))
        seen = []
        while (r := c.recv(timeout=3.0)) is not None:
            seen.append((r[0][0], r[0][1], r[1] == old))
        assert seen == [("DATA", 4, True)] * 2, seen
        server.wait_idle()
        c.send(rrq(src.name))
        num, _, tid = c.expect("DATA")
        assert num == 1 and (tid != old) != bool(single_port)
        c.cancel(tid)
    server.wait_idle()


def test_config_apply_is_idempotent(server, tmp_path):
    cfg = tmp_path / "ktftpd.json"
    cfg.write_text(f"""{{
  // The PXE farm's settings.
  "root": "{TFTP_ROOT}",
  "port": {PORT},
  "timeout": 1500, /* ms */
  "retries": 7,
  "allow_write": true,
  "create_mode": "0640"
}}
""")
    # Addresses the file leaves out go back to "all": an empty list must
    # reach the kernel (libnl drops empty nests unless told otherwise).
    sysctl_write("listen", "127.0.0.1")
    assert ctl("config", "apply", "--check", str(cfg)).stdout.strip() == f"{cfg}: valid"
    r1 = ctl("config", "apply", str(cfg))
    assert r1.stdout.strip() == f"{cfg}: config changed"
    r2 = ctl("config", "apply", str(cfg))
    assert r2.stdout.strip() == f"{cfg}: no change"
    assert ctl_json("config", "apply", str(cfg)) == {"changed": False}
    assert sysctl_read("timeout") == "1500" and sysctl_read("retries") == "7"
    assert sysctl_read("allow_write") == "1" and sysctl_read("create_mode") == "0640"
    # Keys the file leaves out are back at their defaults.
    assert sysctl_read("max_sessions") == "1024" and sysctl_read("listen") == ""
    # `config show` is a file `apply` takes, and applying it changes nothing.
    shown = tmp_path / "shown.json"
    shown.write_text(ctl("config", "show").stdout)
    assert ctl("config", "apply", str(shown)).stdout.strip().endswith("no change")


@pytest.mark.parametrize("text,line,words", [
    ('{\n "root": "/srv",\n "bogus": 1\n}', 3, "bogus: unknown key"),
    ('{\n "timeout": 5\n}', 2, "timeout: must be an integer, 10..255000"),
    ('{\n "port": "69"\n}', 2, "port: must be an integer"),
    ('{\n "allow_write": 1\n}', 2, "allow_write: must be true or false"),
    ('{\n "create_mode": "0999"\n}', 2, "create_mode: must be an octal"),
    ('{\n "listen": ["10.0.0.300"]\n}', 2, "listen: '10.0.0.300' is not"),
    ('{\n "root": "relative"\n}', 2, "root: must be an absolute path"),
    ('{\n "retries": 1,\n "retries": 2\n}', 3, "retries: given twice"),
    ('{\n "retries": 1,\n}', 3, "not valid JSON"),
    ('[1, 2]', 1, "must be a JSON object"),
])
def test_config_errors_name_key_and_line(server, tmp_path, text, line, words):
    cfg = tmp_path / "bad.json"
    cfg.write_text(text)
    before = sysctl_read("timeout"), sysctl_read("retries")
    for args in (["--check", str(cfg)], [str(cfg)]):
        r = ctl("config", "apply", *args, check=False)
        assert r.returncode == 78, r.stderr
        assert f"{cfg}:{line}: " in r.stderr and words in r.stderr, r.stderr
    assert (sysctl_read("timeout"), sysctl_read("retries")) == before


def test_reload_during_a_transfer_does_not_break_it(server, tmp_path):
    """A transfer keeps the config it started under; a moved listener does
    not touch it; new requests see the new config at once.  The client
    holds the transfer at block 1 until every check of the new config is
    done, so the transfer cannot end first (a free-running curl download
    could, on a loaded machine, before the session list was read)."""
    src = make_file(TFTP_ROOT / "ctl-reload.bin", 300_000)
    with Client(port=PORT) as c:
        # RFC 2349 timeout 30 (timeout_max): a slow check below costs a
        # resent DATA 1 at most, which finish() takes as a client does.
        oack = c.negotiate(src.name, opts(blksize=1468, timeout=30))
        assert oack == {"blksize": "1468", "timeout": "30"}, oack
        c.ack(0)
        num, first, _ = c.expect("DATA")
        assert num == 1 and len(first) == 1468
        ctl("config", "set", "timeout=600", "retries=9", f"port={PORT + 1}",
            "blksize_max=1024")
        assert [s["file"] for s in ctl_json("sessions")] == [src.name]
        # The new port serves, the old one is closed.
        small = make_file(TFTP_ROOT / "ctl-reload-small.bin", 3000)
        assert curl_fetch(small.name, tmp_path / "s", port=PORT + 1).returncode == 0
        assert curl_fetch(small.name, tmp_path / "s2", extra=["--connect-timeout", "3"]).returncode != 0
        # The held transfer goes on with the block size it was granted,
        # past the new blksize_max.
        got = c.finish(first, blksize=1468, timeout=40)
    assert got == src.read_bytes()
    ctl("config", "set", f"port={PORT}")


def test_a_root_that_depends_on_who_looks_it_up_is_refused(server):
    """A root is looked up in a thread of the module's own (the writer may
    give up waiting), where /proc/self is that thread, whose root is the
    host's: a root through a magic link, or in procfs, is refused, by
    netlink and sysctl alike, and the config stays."""
    before = ctl_json("config", "show")
    via = TFTP_ROOT.parent / "via-proc"
    via.unlink(missing_ok=True)
    via.symlink_to("/proc/self/root")
    for root, why in (("/proc/self/root", "magic link"), ("/proc/1/cwd", "magic link"),
                      (str(via), "magic link"), ("/proc/self/fd", "root is in /proc"),
                      ("/proc/net", "root is in /proc"), ("/proc", "root is in /proc")):
        r = ctl("config", "set", f"root={root}", check=False)
        assert r.returncode == 65 and why in r.stderr, (root, r.stderr)
        r = subprocess.run(["sysctl", "-w", f"net.ktftpd.root={root}"],
                           capture_output=True, text=True)
        assert r.returncode != 0, (root, r.stdout)
    assert ctl_json("config", "show") == before


def test_config_set_is_all_or_nothing(server):
    before = ctl_json("config", "show")
    r = ctl("config", "set", "timeout=1234", "root=/nonexistent", check=False)
    assert r.returncode == 65 and "root does not name a directory" in r.stderr
    assert ctl_json("config", "show") == before
    r = ctl("config", "set", "timeout=1234", "retries=101", check=False)
    assert r.returncode == 65 and "retries" in r.stderr
    assert ctl("config", "set", "nope=1", check=False).returncode == 65
    assert ctl("config", "set", "timeout", check=False).returncode == 64
    assert ctl_json("config", "show") == before


# key, a value to set through netlink, a value to set through sysctl, how
# the sysctl shows the netlink one.
CONSISTENCY = [
    ("timeout", "1700", "1800", "1700"),
    ("retries", "3", "4", "3"),
    ("max_sessions", "500", "600", "500"),
    ("max_sessions_per_client", "9", "10", "9"),
    ("drain_timeout", "100", "200", "100"),
    ("blksize_max", "1468", "1024", "1468"),
    ("windowsize_max", "8", "16", "8"),
    ("allow_write", "true", "0", "1"),
    ("create", "true", "0", "1"),
    ("create_mode", "0600", "0640", "0600"),
    ("max_write_size", "1048576", "2097152", "1048576"),
    ("rate_limit", "50", "20", "50"),
    ("user", "1000", "1001", "1000"),
    ("group", "nogroup", "1001", "65534"),
    ("require_world_readable", "false", "1", "0"),
    ("timeout_max", "10", "20", "10"),
    ("handshake_timeout", "5000", "6000", "5000"),
    ("sockbuf_max", "1048576", "2097152", "1048576"),
    ("listen", "127.0.0.1,::1", "127.0.0.1", "127.0.0.1 ::1"),
]


def test_sysctl_and_netlink_are_one_state(server, tmp_path):
    for key, via_nl, via_sysctl, shown in CONSISTENCY:
        ctl("config", "set", f"{key}={via_nl}")
        assert sysctl_read(key) == shown, key
        sysctl_write(key, via_sysctl)
        got = ctl_json("config", "show")[key]
        if key in ("allow_write", "create"):
            assert got is (via_sysctl == "1"), key
        elif key == "create_mode":
            assert got == via_sysctl, key
        elif key == "listen":
            assert got == via_sysctl.split(), key
        else:
            assert got == int(via_sysctl), key
    other = tmp_path / "root2"
    other.mkdir()
    sysctl_write("root", str(other))
    assert ctl_json("config", "show")["root"] == str(other)
    ctl("config", "set", f"root={TFTP_ROOT}")
    assert sysctl_read("root") == str(TFTP_ROOT)
    sysctl_write("listen", "")
    assert ctl_json("config", "show")["listen"] == []


def test_listen_addresses(server, tmp_path):
    src = make_file(TFTP_ROOT / "ctl-listen.bin", 2000)
    # curl's TFTP ignores ICMP port unreachable and waits out -m: 5 s tells
    # "no listener there" from a transfer that takes its time.
    quick = ("-m", "5")
    ctl("config", "set", "listen=::1")
    assert curl_fetch(src.name, tmp_path / "a", host="::1").returncode == 0
    assert curl_fetch(src.name, tmp_path / "b", host="127.0.0.1", extra=quick).returncode != 0
    ctl("config", "set", "listen=127.0.0.1")
    assert curl_fetch(src.name, tmp_path / "c", host="127.0.0.1").returncode == 0
    assert curl_fetch(src.name, tmp_path / "d", host="::1", extra=quick).returncode != 0
    # An address this host does not have: refused, the old listener stays.
    r = ctl("config", "set", "listen=192.0.2.1", check=False)
    assert r.returncode == 1 and "cannot bind" in r.stderr, r.stderr
    assert sysctl_read("listen") == "127.0.0.1"
    assert curl_fetch(src.name, tmp_path / "e", host="127.0.0.1").returncode == 0
    with pytest.raises(OSError):
        sysctl_write("listen", "127.0.0.1 bogus")
    sysctl_write("listen", "")
    assert curl_fetch(src.name, tmp_path / "f", host="::1").returncode == 0


def test_permissions_and_exit_codes(loaded):
    # Reading the status reveals no client: anyone may.
    assert ctl("status", user="nobody").returncode == 0
    for args in (["start"], ["stop"], ["config", "set", "retries=3"], ["sessions"],
                 ["monitor"]):
        r = ctl(*args, user="nobody", check=False)
        assert r.returncode == 77, (args, r.stderr)
        assert "CAP_NET_ADMIN" in r.stderr
    assert ctl("frobnicate", check=False).returncode == 64
    assert ctl("stats", "--format", "xml", check=False).returncode == 64


def test_module_missing_is_69():
    if module_loaded():
        rmmod()
    for args in (["status"], ["stop"], ["sessions"], ["config", "show"]):
        r = ctl(*args, check=False)
        assert r.returncode == 69
        assert "ktftpd kernel module is not loaded (try: modprobe ktftpd)" in r.stderr
    # version still answers, for the tool.
    assert ctl_json("version")["module"] is None
    insmod()
    try:
        assert ctl_json("version")["module"] == open("VERSION").read().strip()
    finally:
        rmmod()


def test_cap_net_admin_alone_starts_on_a_privileged_port(loaded, tmp_path):
    """The systemd unit bounds ktftpctl to CAP_NET_ADMIN.  Binding port 69
    asks CAP_NET_BIND_SERVICE of the caller in inet_bind(); the module
    binds its listener as the kernel, so START needs nothing more."""
    (tmp_path / "cap.txt").write_text("bound without CAP_NET_BIND_SERVICE\n")
    os.chmod(tmp_path, 0o755)
    os.chmod(tmp_path / "cap.txt", 0o644)
    only_admin = ["setpriv", "--inh-caps=-all", "--bounding-set=-all,+net_admin", CTL]
    # The restriction is real: without CAP_NET_ADMIN it is refused.
    r = subprocess.run(["setpriv", "--inh-caps=-all", "--bounding-set=-all", CTL,
                        "start", "--root", str(tmp_path), "--port", "69"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 77, r.stderr
    r = subprocess.run([*only_admin, "start", "--root", str(tmp_path), "--port", "69"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    try:
        with Client("127.0.0.1", 69) as c:
            assert c.fetch("cap.txt") == b"bound without CAP_NET_BIND_SERVICE\n"
        # A rebind to another privileged port, by the same bounded caller.
        r = subprocess.run([*only_admin, "config", "set", "port=70"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        with Client("127.0.0.1", 70) as c:
            assert c.fetch("cap.txt") == b"bound without CAP_NET_BIND_SERVICE\n"
    finally:
        ctl("stop", "--drain", "0")
