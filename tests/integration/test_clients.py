"""Real TFTP clients fetch files of every interesting size, byte-exact."""
import subprocess

import pytest

from conftest import PORT, TFTP_ROOT, make_file, sha256

SIZES = {
    "empty": 0,
    "one": 1,
    "b511": 511,
    "b512": 512,    # exact multiple: ends with an empty DATA block
    "b513": 513,
    "mib1": 1 << 20,
    "mib40": 40 << 20,  # 81920 blocks: past the 65535 -> 0 wrap
}


def curl(name, out, host="127.0.0.1"):
    h = f"[{host}]" if ":" in host else host
    return ["curl", "-s", "--fail", "-o", out, f"tftp://{h}:{PORT}/{name}"]


def tftp_hpa(name, out, host="127.0.0.1"):
    return ["tftp", "-m", "octet", host, str(PORT), "-c", "get", name, out]


def atftp(name, out, host="127.0.0.1"):
    return ["atftp", "-g", "-r", name, "-l", out, host, str(PORT)]


def busybox(name, out, host="127.0.0.1"):
    return ["busybox", "tftp", "-g", "-r", name, "-l", out, host, str(PORT)]


CLIENTS = {"curl": curl, "tftp-hpa": tftp_hpa, "atftp": atftp, "busybox": busybox}


@pytest.fixture(scope="module")
def files():
    return {name: make_file(TFTP_ROOT / name, size) for name, size in SIZES.items()}


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("size", SIZES)
def test_real_client_fetches_byte_exact(server, files, client, size, tmp_path):
    out = tmp_path / "out"
    r = subprocess.run(CLIENTS[client](size, str(out)), capture_output=True,
                       text=True, timeout=600)
    assert out.exists(), f"{client}: no output ({r.returncode}: {r.stderr})"
    assert out.stat().st_size == SIZES[size]
    assert sha256(out) == sha256(files[size])
    before = server.stats()
    assert before["transfers_completed"] >= 1


@pytest.mark.parametrize("client", ["curl", "tftp-hpa", "atftp", "busybox"])
def test_real_client_over_ipv6(server, files, client, tmp_path):
    out = tmp_path / "out"
    subprocess.run(CLIENTS[client]("mib1", str(out), host="::1"),
                   capture_output=True, timeout=300)
    assert out.exists() and sha256(out) == sha256(files["mib1"])


# peak counts since the load: a module of its own.
@pytest.mark.fresh_module
def test_counters_follow_a_transfer(server, files, tmp_path):
    before = server.stats()
    subprocess.run(curl("b513", str(tmp_path / "o")), check=True, timeout=60)
    server.wait_idle()
    after = server.stats()
    assert after["transfers_completed"] == before["transfers_completed"] + 1
    assert after["bytes_sent"] == before["bytes_sent"] + 513
    assert after["packets_sent"] >= before["packets_sent"] + 2
    assert after["requests"] >= before["requests"] + 1
    assert after["peak"] >= 1


# Options from real clients (RFC 2348/7440): bigger blocks, windows.
OPTION_CLIENTS = {
    "atftp-window16-blksize1468": lambda n, o: [
        "atftp", "--option", "windowsize 16", "--option", "blksize 1468",
        "-g", "-r", n, "-l", o, "127.0.0.1", str(PORT)],
    "atftp-blksize8": lambda n, o: [
        "atftp", "--option", "blksize 8", "-g", "-r", n, "-l", o, "127.0.0.1", str(PORT)],
    "curl-blksize1468": lambda n, o: [
        "curl", "-s", "--fail", "--tftp-blksize", "1468", "-o", o,
        f"tftp://127.0.0.1:{PORT}/{n}"],
    "curl-blksize65464": lambda n, o: [
        "curl", "-s", "--fail", "--tftp-blksize", "65464", "-o", o,
        f"tftp://127.0.0.1:{PORT}/{n}"],
}


# blksize 8 stops at 513 bytes: 1 MiB at blksize 8 (two wraps) is the raw
# client's test in test_options.py, with windows that make it quick.
OPTION_CASES = [(c, s) for c in OPTION_CLIENTS for s in ("empty", "b513", "mib1", "mib40")
                if not (c == "atftp-blksize8" and s.startswith("mib"))]


@pytest.mark.parametrize("client,size", OPTION_CASES)
def test_real_client_with_options_byte_exact(server, files, client, size, tmp_path):
    before = server.stats()
    out = tmp_path / "out"
    r = subprocess.run(OPTION_CLIENTS[client](size, str(out)), capture_output=True,
                       text=True, timeout=600)
    assert out.exists(), f"{client}: no output ({r.returncode}: {r.stderr})"
    assert sha256(out) == sha256(files[size])
    after = server.stats()
    # Fewer packets than lock-step 512-byte blocks would need, when it can.
    if size == "mib40" and "1468" in client:
        assert after["packets_sent"] - before["packets_sent"] < (40 << 20) // 1468 + 100
