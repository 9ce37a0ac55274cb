"""Admission limits: max_sessions and the per-client cap."""
import pytest

from conftest import TFTP_ROOT, make_file
from tftp import Client


@pytest.fixture(scope="module")
def blob():
    return make_file(TFTP_ROOT / "limits.bin", 4096)


def hold(host="127.0.0.1"):
    """Open a transfer from @host (to @host) and keep it open (no ACK yet)."""
    c = Client(host=host, bind=host)
    c.request("limits.bin")
    _, _, tid = c.expect("DATA")
    c.tid = tid
    return c


def test_max_sessions_refuses_with_busy_and_keeps_no_state(server, blob):
    server.set(max_sessions=2, timeout=5000)
    held = [hold(), hold("127.0.0.2")]
    try:
        before = server.stats()
        assert before["active"] == 2
        with Client(host="127.0.0.3", bind="127.0.0.3") as c:
            c.request("limits.bin")
            assert "busy" in c.expect_error(0).lower()
        after = server.stats()
        assert after["active"] == 2
        assert after["refused_busy"] == before["refused_busy"] + 1
    finally:
        for c in held:
            c.cancel()
            c.close()
    server.wait_idle(5)
    with Client() as c:  # a slot is free again
        assert c.fetch("limits.bin") == blob.read_bytes()


def test_per_client_cap_stops_one_address_not_others(server, blob):
    server.set(max_sessions_per_client=2, timeout=5000)
    held = [hold(), hold()]
    try:
        with Client() as c:  # a third from 127.0.0.1
            c.request("limits.bin")
            assert "client" in c.expect_error(0)
        # Another address still gets served, over IPv4 and IPv6.
        with Client(host="127.0.0.2", bind="127.0.0.2") as c:
            assert c.fetch("limits.bin") == blob.read_bytes()
        with Client(host="::1") as c:
            assert c.fetch("limits.bin") == blob.read_bytes()
    finally:
        for c in held:
            c.cancel()
            c.close()
