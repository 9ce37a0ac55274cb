"""A raw TFTP client for tests: every packet built and checked by hand.

It speaks the protocol one packet at a time, so tests can do what real
clients never do: drop ACKs, repeat them, talk from a foreign port, send
garbage.
"""
import socket
import struct
import time

RRQ, WRQ, DATA, ACK, ERROR, OACK = 1, 2, 3, 4, 5, 6


def rrq(name, mode=b"octet", opcode=RRQ, options=()):
    if isinstance(name, str):
        name = name.encode()
    pkt = struct.pack("!H", opcode) + name + b"\0" + mode + b"\0"
    for k, v in options:
        pkt += k + b"\0" + v + b"\0"
    return pkt


def wrq(name, mode=b"octet", options=()):
    return rrq(name, mode, WRQ, options)


def ack(block):
    return struct.pack("!HH", ACK, block & 0xFFFF)


def data(block, payload):
    return struct.pack("!HH", DATA, block & 0xFFFF) + payload


def parse_oack(pkt):
    """The OACK's options as {name: value} (str), checking its framing."""
    assert pkt[:2] == b"\x00\x06" and pkt.endswith(b"\0"), f"bad OACK {pkt!r}"
    parts = pkt[2:-1].split(b"\0")
    assert len(parts) % 2 == 0, f"odd OACK {pkt!r}"
    return {parts[i].decode(): parts[i + 1].decode() for i in range(0, len(parts), 2)}


def parse(pkt):
    """('DATA', block, payload) | ('ACK', block, b'') | ('ERROR', code, msg)
    | ('OACK', None, {options}) | ('OTHER', op, pkt)."""
    if len(pkt) >= 2 and pkt[:2] == b"\x00\x06":
        return ("OACK", None, parse_oack(pkt))
    if len(pkt) < 4:
        return ("RUNT", None, pkt)
    op, num = struct.unpack("!HH", pkt[:4])
    if op == DATA:
        return ("DATA", num, pkt[4:])
    if op == ACK:
        return ("ACK", num, b"")
    if op == ERROR:
        return ("ERROR", num, pkt[4:].split(b"\0")[0].decode(errors="replace"))
    return ("OTHER", op, pkt)


def opts(**kw):
    """Options for a request, as (name, value) byte pairs, in order."""
    return [(k.encode(), str(v).encode()) for k, v in kw.items()]


class Client:
    """One UDP socket talking to the server at (host, port)."""

    def __init__(self, host="127.0.0.1", port=6969, bind=None):
        self.family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.server = (host, port)
        self.sock = socket.socket(self.family, socket.SOCK_DGRAM)
        if bind:
            self.sock.bind((bind, 0))
        self.tid = None

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, pkt, to=None):
        self.sock.sendto(pkt, to or self.server)

    def request(self, name, **kw):
        self.send(rrq(name, **kw))

    def recv(self, timeout=5.0):
        """The next datagram as (parsed, addr), or None on timeout."""
        self.sock.settimeout(timeout)
        try:
            pkt, addr = self.sock.recvfrom(70000)
        except socket.timeout:
            return None
        return parse(pkt), addr

    def expect(self, kind, timeout=5.0):
        r = self.recv(timeout)
        assert r is not None, f"no {kind} within {timeout}s"
        (k, num, body), addr = r
        assert k == kind, f"expected {kind}, got {k} {num} {body!r}"
        return num, body, addr

    def expect_error(self, code, timeout=5.0):
        num, msg, addr = self.expect("ERROR", timeout)
        assert num == code, f"expected ERROR {code}, got ERROR {num} ({msg})"
        return msg

    def cancel(self, tid=None):
        """End our transfer the way a client does: an ERROR to its TID."""
        self.send(b"\x00\x05\x00\x00cancelled\x00", tid or self.tid)

    def ack(self, block, to=None):
        self.send(ack(block), to or self.tid)

    def negotiate(self, name, options, mode=b"octet", timeout=5.0):
        """Send an RRQ with options; return the OACK's options (our TID is
        set from it).  The caller then ACKs block 0."""
        self.send(rrq(name, mode=mode, options=options))
        _, oack, addr = self.expect("OACK", timeout)
        self.tid = addr
        return oack

    def fetch_window(self, name, blksize=512, windowsize=1, timeout=5.0,
                     mode=b"octet", check=None, extra=()):
        """A whole windowed download (RFC 7440) as a careful client does
        it: ACK 0, then ACK the last block of each window, or on a gap or
        a timeout the last block received in order.  @check(block, payload)
        may verify each new block instead of keeping the data (for files
        too large to hold); returns the bytes (or their count)."""
        options = opts(blksize=blksize, windowsize=windowsize) + list(extra)
        oack = self.negotiate(name, options, mode=mode, timeout=timeout)
        assert oack.get("blksize") == str(blksize), oack
        assert oack.get("windowsize") == str(windowsize), oack
        self.ack(0)
        got = bytearray()
        count = 0
        block = 0          # last block received in order (64-bit)
        in_window = 0
        while True:
            r = self.recv(timeout)
            if r is None:
                self.ack(block)  # our ACK (or their burst) was lost
                in_window = 0
                continue
            (kind, num, payload), addr = r
            assert addr == self.tid, f"TID changed: {addr}"
            assert kind == "DATA", f"{kind} {num} {payload!r}"
            if num != (block + 1) & 0xFFFF:
                if num != block & 0xFFFF:   # a gap: restart after ours
                    self.ack(block)
                    in_window = 0
                continue
            block += 1
            in_window += 1
            if check:
                check(block, payload)
                count += len(payload)
            else:
                got += payload
            if len(payload) < blksize:
                self.ack(block)
                return count if check else bytes(got)
            if in_window == windowsize:
                self.ack(block)
                in_window = 0

    def finish(self, first, blksize=512, timeout=5.0):
        """Go on with a transfer whose DATA 1 (@first) has arrived: ACK it
        and each new block until the short one; return every byte.  A
        resent block (the server's timer fired first) is ACKed again and
        not counted twice, as a real client does."""
        data = bytearray(first)
        block = 1
        last = first
        while len(last) == blksize:
            self.ack(block)
            num, payload, _ = self.expect("DATA", timeout)
            if num != (block + 1) & 0xFFFF:
                continue  # a resend of a block we have
            block += 1
            last = payload
            data += payload
        self.ack(block)
        return bytes(data)

    def fetch(self, name, blksize=512, timeout=5.0, **kw):
        """A whole lock-step download; checks the TID never changes."""
        self.request(name, **kw)
        data = bytearray()
        expected = 1
        while True:
            num, payload, addr = self.expect("DATA", timeout)
            if self.tid is None:
                self.tid = addr
                assert addr[1] != self.server[1], "reply came from the well-known port"
            assert addr == self.tid, f"TID changed: {addr} != {self.tid}"
            if num != expected & 0xFFFF:
                continue  # a duplicate of an earlier block
            data += payload
            self.ack(num)
            if len(payload) < blksize:
                return bytes(data)
            expected += 1


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class Swarm:
    """Many concurrent raw downloads driven by one selector loop.

    Every client sends its RRQ first, so all transfers are in flight at
    once; then each DATA is ACKed as it comes.  Results per client: the
    bytes received, and how it ended ('done', 'error N', 'timeout').
    """

    def __init__(self, n, name, host="127.0.0.1", port=6969, ack_delay=0.0,
                 hold=False):
        import selectors
        self.sel = selectors.DefaultSelector()
        self.clients = []
        self.ack_delay = ack_delay
        for i in range(n):
            c = Client(host, port)
            c.sock.setblocking(False)
            c.data = bytearray()
            c.expected = 1
            c.result = None
            c.first_data = False
            self.clients.append(c)
            self.sel.register(c.sock, selectors.EVENT_READ, c)
        self.name = name
        self.stop_at = None  # set a time: run() ends then, having drained
        # hold: ACK nothing until every client has its first DATA, so all
        # n transfers are provably in flight at the same moment.
        self.hold = hold

    def start(self):
        for c in self.clients:
            c.request(self.name)

    def in_flight(self):
        return sum(1 for c in self.clients if c.first_data and c.result is None)

    def run(self, timeout=120.0):
        deadline = time.monotonic() + timeout
        while any(c.result is None for c in self.clients):
            now = time.monotonic()
            if now > deadline or (self.stop_at and now > self.stop_at):
                break
            for key, _ in self.sel.select(timeout=0.2):
                c = key.data
                try:
                    pkt, addr = c.sock.recvfrom(70000)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                if c.result is not None:
                    continue
                kind, num, body = parse(pkt)
                if kind == "ERROR":
                    c.result = f"error {num}"
                    continue
                if kind != "DATA":
                    continue
                if self.hold and num == 1 and not c.first_data:
                    c.first_data = True
                    c.tid = addr
                    c.data += body
                    c.expected = 2
                    if len(body) < 512:
                        c.result = "done"
                    if all(x.first_data for x in self.clients):
                        self.hold = False
                        for x in self.clients:  # release everyone at once
                            x.sock.sendto(ack(1), x.tid)
                    continue
                if self.hold:
                    continue  # a resend of DATA 1 while we hold
                c.first_data = True
                c.tid = c.tid or addr
                if num == c.expected & 0xFFFF:
                    c.data += body
                    c.expected += 1
                    if len(body) < 512:
                        c.result = "done"
                if self.ack_delay:
                    time.sleep(self.ack_delay)
                c.sock.sendto(ack(num), addr)
        for c in self.clients:
            if c.result is None:
                c.result = "timeout"

    def close(self):
        for c in self.clients:
            self.sel.unregister(c.sock)
            c.close()
        self.sel.close()
