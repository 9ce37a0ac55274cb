"""How long a client waited for one file, read from a capture of its link.

QEMU's filter-dump writes every frame of the client's NIC to a classic
pcap file, timestamped on the host: the same clock and the same vantage
point whichever server answers, so the benchmark needs nothing from the
servers themselves (tftpd-hpa and dnsmasq have no event stream).

A fetch is every transfer of the file the client asked for: OVMF first
probes its size (an RRQ with tsize, ended by its own ERROR 8), then
fetches it.  Its time runs from the first RRQ for the file to the last
frame of the last such transfer; its bytes are the distinct DATA blocks
of the transfer that carried it, which must add up to the file (block
numbers must not wrap: under 65536 blocks).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

RRQ, DATA, ACK, ERROR, OACK = 1, 3, 4, 5, 6


@dataclass(frozen=True)
class Datagram:
    t: float
    src: str
    sport: int
    dst: str
    dport: int
    payload: bytes


def datagrams(path: Path):
    """The UDP over IPv4 datagrams of a pcap file (Ethernet frames)."""
    data = path.read_bytes()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        end, scale = "<", 1e-6
    elif magic == b"\xa1\xb2\xc3\xd4":
        end, scale = ">", 1e-6
    elif magic == b"\x4d\x3c\xb2\xa1":
        end, scale = "<", 1e-9
    else:
        raise ValueError(f"{path}: not a pcap file")
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack_from(end + "IIII", data, off)
        off += 16
        frame = data[off:off + caplen]
        off += caplen
        if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17 or len(ip) < ihl + 8:
            continue
        total = struct.unpack_from("!H", ip, 2)[0]
        udp = ip[ihl:total]
        sport, dport, ulen = struct.unpack_from("!HHH", udp)
        yield Datagram(sec + frac * scale, ".".join(map(str, ip[12:16])), sport,
                       ".".join(map(str, ip[16:20])), dport, bytes(udp[8:ulen]))


def rrq_file(payload: bytes) -> str | None:
    if len(payload) < 4 or struct.unpack_from("!H", payload)[0] != RRQ:
        return None
    return payload[2:].split(b"\0", 1)[0].decode(errors="replace")


@dataclass
class Fetch:
    seconds: float
    bytes: int
    transfers: int
    retransmits: int     # DATA frames that repeated a block already seen


def fetch(packets: list[Datagram], client: str, name: str, port: int = 69) -> Fetch:
    """The client's fetch of @name from the server's @port (see above)."""
    start = None
    tids: dict[int, int | None] = {}      # client port -> server port
    for d in packets:
        if d.src == client and d.dport == port and rrq_file(d.payload) == name:
            start = d.t if start is None else start
            tids[d.sport] = None
    if start is None:
        raise ValueError(f"{client} never asked for {name}")
    end, retransmits = start, 0
    blocks: dict[int, set[int]] = {cp: set() for cp in tids}
    sizes: dict[int, int] = {}
    for d in packets:
        if d.t < start:
            continue
        cp = d.dport if d.dst == client else d.sport if d.src == client else None
        sp = d.sport if d.dst == client else d.dport
        if cp not in tids or sp == port:
            continue
        if tids[cp] is None and d.dst == client:
            tids[cp] = sp          # the server's TID: its first answer
        if tids[cp] != sp:
            continue
        end = max(end, d.t)
        op = struct.unpack_from("!H", d.payload)[0] if len(d.payload) >= 2 else 0
        if op == DATA and d.dst == client and len(d.payload) >= 4:
            block = struct.unpack_from("!H", d.payload, 2)[0]
            if block in blocks[cp]:
                retransmits += 1
            else:
                blocks[cp].add(block)
                sizes[cp] = sizes.get(cp, 0) + len(d.payload) - 4
    # The probe carries no data: the fetch is the transfer that did.
    return Fetch(end - start, max(sizes.values(), default=0), len(tids), retransmits)
