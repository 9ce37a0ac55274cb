"""Protocol rules, checked packet by packet with a raw client."""
import time

import pytest

from conftest import PORT, TFTP_ROOT, make_file
from tftp import Client, rrq


@pytest.fixture(scope="module")
def blob():
    return make_file(TFTP_ROOT / "proto.bin", 512 * 3 + 100)


def test_answers_from_a_new_tid(server, blob):
    with Client() as c:
        c.request("proto.bin")
        _, _, addr = c.expect("DATA")
        assert addr[0] == "127.0.0.1"
        assert addr[1] != PORT
        c.cancel(addr)


def test_each_transfer_has_its_own_tid(server, blob):
    with Client() as a, Client() as b:
        a.request("proto.bin")
        b.request("proto.bin")
        _, _, ta = a.expect("DATA")
        _, _, tb = b.expect("DATA")
        assert ta[1] != tb[1]
        a.cancel(ta)
        b.cancel(tb)


def test_reply_source_is_the_address_asked(server, blob):
    # lo answers all of 127/8: a request to 127.0.0.2 must be answered
    # from 127.0.0.2, or the client would drop it.
    with Client(host="127.0.0.2") as c:
        c.request("proto.bin")
        _, _, addr = c.expect("DATA")
        assert addr[0] == "127.0.0.2"
        c.cancel(addr)


def test_full_lock_step_download(server, blob):
    with Client() as c:
        assert c.fetch("proto.bin") == blob.read_bytes()


@pytest.mark.parametrize("mode", [b"octet", b"OCTET", b"OcTeT", b"oCTEt"])
def test_mode_is_case_insensitive(server, blob, mode):
    with Client() as c:
        assert c.fetch("proto.bin", mode=mode) == blob.read_bytes()


def test_exact_multiple_ends_with_empty_block(server):
    f = make_file(TFTP_ROOT / "exact1024", 1024)
    with Client() as c:
        c.request("exact1024")
        blocks = []
        while True:
            num, payload, addr = c.expect("DATA")
            c.tid = addr
            blocks.append((num, len(payload)))
            c.ack(num)
            if len(payload) < 512:
                break
        assert blocks == [(1, 512), (2, 512), (3, 0)]
    assert f.stat().st_size == 1024


def test_empty_file_is_one_empty_block(server):
    make_file(TFTP_ROOT / "zero", 0)
    with Client() as c:
        c.request("zero")
        num, payload, addr = c.expect("DATA")
        assert (num, payload) == (1, b"")
        c.tid = addr
        c.ack(1)


def test_foreign_tid_gets_error_5_and_transfer_continues(server, blob):
    with Client() as c, Client() as intruder:
        c.request("proto.bin")
        num, first, tid = c.expect("DATA")
        c.tid = tid
        # A packet from another port to the transfer's TID.
        intruder.send(b"\x00\x04\x00\x01", tid)
        code, msg, addr = intruder.expect("ERROR")
        assert code == 5 and addr == tid
        # The real client goes on to the end.
        data = c.finish(first)
        assert bytes(data) == blob.read_bytes()
    assert server.stats()["errors_sent"]["5"] >= 1


def test_duplicate_ack_never_triggers_duplicate_data(server, blob):
    server.set(timeout=3000)  # no timer resend inside the window we watch
    with Client() as c:
        c.request("proto.bin")
        _, _, tid = c.expect("DATA")
        c.tid = tid
        c.ack(1)
        c.ack(1)  # Sorcerer's Apprentice bait
        c.ack(1)
        num, _, _ = c.expect("DATA")
        assert num == 2
        # No second DATA 2 may follow the duplicate ACKs.
        r = c.recv(timeout=1.5)
        assert r is None, f"unexpected packet after duplicate ACKs: {r}"
        c.ack(2)
        num, _, _ = c.expect("DATA")
        assert num == 3
        c.cancel()


def test_no_ack_resends_then_gives_up(server, blob):
    server.set(timeout=200, retries=3)
    before = server.stats()
    with Client() as c:
        c.request("proto.bin")
        t0 = time.monotonic()
        seen = []
        while True:
            r = c.recv(timeout=10)
            assert r is not None, "the server neither resent nor gave up"
            (kind, num, body), _ = r
            seen.append((kind, num))
            if kind == "ERROR":
                break
        elapsed = time.monotonic() - t0
    # DATA 1 once, then resent `retries` times, then an ERROR: bounded.
    assert seen == [("DATA", 1)] * 4 + [("ERROR", 0)], seen
    # Backoff 200, 400, 800, 1600 ms: about 3 s, never unbounded.
    assert 2.0 < elapsed < 8.0, elapsed
    server.wait_idle()
    after = server.stats()
    assert after["retransmits"] - before["retransmits"] == 3
    assert after["timeouts"] - before["timeouts"] == 3, "each resend was the timer's"
    assert after["transfers_failed"] - before["transfers_failed"] == 1


def test_lost_ack_is_recovered_by_resend(server, blob):
    server.set(timeout=200)
    with Client() as c:
        c.request("proto.bin")
        _, first, tid = c.expect("DATA")
        c.tid = tid
        # Pretend our ACK 1 was lost: say nothing; DATA 1 comes again.
        num, again, _ = c.expect("DATA", timeout=3)
        assert num == 1 and again == first
        data = c.finish(first)
        assert bytes(data) == blob.read_bytes()


def test_client_error_ends_transfer_quietly(server, blob):
    with Client() as c:
        c.request("proto.bin")
        _, _, tid = c.expect("DATA")
        c.send(b"\x00\x05\x00\x00cancelled\x00", tid)
        # Nothing more: no ERROR answers an ERROR, no DATA after it.
        assert c.recv(timeout=1.5) is None
    server.wait_idle(5)


def test_illegal_packet_from_peer_gets_error_4(server, blob):
    with Client() as c:
        c.request("proto.bin")
        _, _, tid = c.expect("DATA")
        c.send(b"\x00\x03\x00\x01data", tid)  # DATA to a reading server
        c.tid = tid
        assert "Illegal" in c.expect_error(4)
    server.wait_idle(5)


def test_block_numbers_wrap_to_zero(server):
    # 65536 full blocks + a short one: block 65536 goes out as 0.
    f = make_file(TFTP_ROOT / "wrap.bin", 512 * 65536 + 10)
    with Client() as c:
        c.request("wrap.bin")
        seen_zero = False
        total = 0
        expected = 1
        while True:
            num, payload, addr = c.expect("DATA")
            c.tid = addr
            if num != expected & 0xFFFF:
                continue
            seen_zero |= num == 0 and expected == 65536
            total += len(payload)
            c.ack(num)
            if len(payload) < 512:
                break
            expected += 1
        assert seen_zero
        assert total == f.stat().st_size


def test_file_past_4gib_opens_and_serves_from_the_start(server):
    # A sparse 5 GiB file: the open must not fail with EOVERFLOW (that is
    # what O_LARGEFILE is for), and DATA comes. The whole transfer at
    # blksize 512 would take hours under emulation; the 64-bit offsets
    # are covered by the unit tests and by the large-blksize test of the
    # options issue.
    big = TFTP_ROOT / "big.sparse"
    with open(big, "wb") as f:
        f.truncate(5 << 30)
    big.chmod(0o644)
    with Client() as c:
        c.request("big.sparse")
        num, payload, tid = c.expect("DATA")
        assert (num, payload) == (1, b"\0" * 512)
        c.send(b"\x00\x05\x00\x00stop\x00", tid)
    big.unlink()


def test_wrq_is_refused_with_error_2(server):
    with Client() as c:
        c.send(rrq("upload.bin", opcode=2))
        assert "disabled" in c.expect_error(2)
    assert not (TFTP_ROOT / "upload.bin").exists()


@pytest.mark.parametrize("mode", [b"mail", b"binary", b"", b"octet2", b"netascii2"])
def test_unsupported_modes_get_error_4(server, blob, mode):
    with Client() as c:
        c.request("proto.bin", mode=mode)
        c.expect_error(4)


def test_error_packets_to_the_port_are_never_answered(server):
    with Client() as c:
        c.send(b"\x00\x05\x00\x01oops\x00")
        assert c.recv(timeout=1) is None


def test_unknown_file_gets_error_1(server):
    with Client() as c:
        c.request("no-such-file")
        c.expect_error(1)


def test_retransmitted_request_does_not_open_a_second_transfer(server, blob):
    with Client() as c:
        c.request("proto.bin")
        c.request("proto.bin")  # the client thought its RRQ was lost
        c.request("proto.bin")
        _, _, tid = c.expect("DATA")
        # Only one transfer answers: no DATA from another TID follows.
        r = c.recv(timeout=0.5)
        assert r is None or r[1] == tid, r
        assert server.stats()["active"] == 1
        c.cancel(tid)
    server.wait_idle(5)
    with Client() as c:  # a new port is a new request, as ever
        assert c.fetch("proto.bin") == blob.read_bytes()
