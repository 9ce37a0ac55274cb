"""The firmware benchmark's clock (tests/bench/tftp_pcap.py): a fetch's
time, bytes and resent blocks, read from a pcap file written here frame
by frame, as QEMU's filter-dump writes them."""
import struct
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import tftp_pcap  # noqa: E402

CLIENT, SERVER = "198.18.0.12", "198.18.0.1"


def frame(src, sport, dst, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    return b"\x52\x54\x00\x00\x00\x01" * 2 + b"\x08\x00" + ip + udp


def write_pcap(path, frames):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for t, f in frames:
        out.append(struct.pack("<IIII", int(t), round((t % 1) * 1e6), len(f), len(f)) + f)
    # A record cut short, as a capture still being written ends.
    path.write_bytes(b"".join(out) + b"\x01\x02")


def rrq(name, *opts):
    return struct.pack("!H", 1) + b"\0".join([name.encode(), b"octet", *opts]) + b"\0"


def data(block, n):
    return struct.pack("!HH", 3, block) + b"x" * n


def ack(block):
    return struct.pack("!HH", 4, block)


def ovmf_like(tmp_path):
    """A tsize probe (OACK, the client's ERROR 8), then the fetch in
    windows of two blocks with block 2 sent twice; DHCP before, and
    another client's fetch of the same file interleaved."""
    f = [(99.0, frame("0.0.0.0", 68, "255.255.255.255", 67, b"dhcp")),
         (100.0, frame(CLIENT, 1001, SERVER, 69, rrq("big", b"tsize", b"0"))),
         (100.1, frame(SERVER, 40001, CLIENT, 1001, struct.pack("!H", 6) + b"tsize\0005000\0")),
         (100.2, frame(CLIENT, 1001, SERVER, 40001, struct.pack("!HH", 5, 8) + b"\0")),
         (100.5, frame(CLIENT, 1002, SERVER, 69, rrq("big"))),
         (100.6, frame(SERVER, 40002, CLIENT, 1002, data(1, 1468))),
         (100.6, frame("198.18.0.13", 1002, SERVER, 69, rrq("big"))),
         (100.7, frame(SERVER, 40002, CLIENT, 1002, data(2, 1468))),
         (100.8, frame(SERVER, 40003, "198.18.0.13", 1002, data(1, 1468))),
         (101.0, frame(SERVER, 40002, CLIENT, 1002, data(2, 1468))),
         (101.1, frame(CLIENT, 1002, SERVER, 40002, ack(2))),
         (101.2, frame(SERVER, 40002, CLIENT, 1002, data(3, 600))),
         (101.5, frame(CLIENT, 1002, SERVER, 40002, ack(3))),
         (109.0, frame(CLIENT, 1003, SERVER, 69, rrq("vmlinuz"))),
         (109.1, frame(SERVER, 40004, CLIENT, 1003, data(1, 10)))]
    path = tmp_path / "link.pcap"
    write_pcap(path, f)
    return path


def test_a_fetch_runs_from_the_first_rrq_to_the_last_ack(tmp_path):
    packets = list(tftp_pcap.datagrams(ovmf_like(tmp_path)))
    got = tftp_pcap.fetch(packets, CLIENT, "big")
    assert got.seconds == pytest.approx(1.5, abs=1e-5)
    assert got.bytes == 1468 * 2 + 600
    assert got.transfers == 2
    assert got.retransmits == 1


def test_a_file_never_asked_for_is_an_error(tmp_path):
    packets = list(tftp_pcap.datagrams(ovmf_like(tmp_path)))
    with pytest.raises(ValueError, match="never asked"):
        tftp_pcap.fetch(packets, CLIENT, "initrd.img")


def test_not_a_pcap_file(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"\0" * 40)
    with pytest.raises(ValueError, match="not a pcap"):
        list(tftp_pcap.datagrams(path))
