"""Fetch a file over a lossy link with the raw client, checking that every
DATA packet that arrives (duplicates and stale ones included) carries the
right bytes for its block.  Run inside the client namespace:

    python3 lossy_fetch.py HOST PORT NAME LOCAL_COPY [BLKSIZE WINDOWSIZE]
With a block and window size it negotiates them (RFC 7440) and ACKs as a
windowed client does: at the end of each window, and on a gap or a
timeout the last block it has in order.  A window resent from before its
last ACK means that ACK was lost: it ACKs again (at most every 0.2 s), as
the server's resends can come faster than its own 1 s timeout.
Prints 'ok <packets checked>' and exits 0, or explains and exits 1.
A server silent for SILENCE_S once the transfer began has given up, its
ERROR lost too: 'silent after <bytes> bytes', exit 1.
"""
import sys
import time

from tftp import Client, ack, opts

# Far beyond the server's give-up time in test_loss (12 resends, backed
# off to at most 8 timeouts of 50 ms, or 100 on the debug kernel: 9 s).
SILENCE_S = 30


def main():
    host, port, name, local = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    blksize = int(sys.argv[5]) if len(sys.argv) > 5 else 512
    window = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    options = opts(blksize=blksize, windowsize=window) if window else []
    want = open(local, "rb").read()
    c = Client(host, port)
    got = bytearray()
    expected = 1
    checked = 0
    in_window = 0
    last_reack = 0.0
    deadline = time.monotonic() + 240
    heard = None
    c.request(name, options=options)
    while time.monotonic() < deadline:
        r = c.recv(timeout=1.0)
        if r is None and heard and time.monotonic() - heard > SILENCE_S:
            print(f"silent after {len(got)} bytes")
            return 1
        if r is None:
            # Our RRQ or ACK was lost and the server's resend too: ask again.
            if c.tid is None:
                c.request(name, options=options)
            else:
                c.send(ack(expected - 1), c.tid)
                in_window = 0
            continue
        (kind, num, body), addr = r
        heard = time.monotonic()
        if kind == "ERROR":
            print(f"ERROR {num} {body} after {len(got)} bytes")
            return 1
        if kind == "OACK":
            if body != {"blksize": str(blksize), "windowsize": str(window)}:
                print(f"WRONG OACK {body}")
                return 1
            c.tid = c.tid or addr
            if expected == 1:
                c.send(ack(0), addr)  # the first, or a repeat: ACK 0 again
            continue
        if kind != "DATA":
            continue
        c.tid = c.tid or addr
        # Which 64-bit block does this 16-bit number mean?  The nearest one
        # to the block we expect: stale packets are earlier, and with a
        # window, blocks after a lost one are later.
        ahead = (num - expected) & 0xFFFF
        block = expected + ahead if ahead < 0x8000 else expected - (0x10000 - ahead)
        start = (block - 1) * blksize
        if body != want[start:start + blksize]:
            print(f"WRONG BYTES in DATA {num} (block {block})")
            return 1
        checked += 1
        if not window:
            if block == expected:
                got += body
                expected += 1
            c.send(ack(num), addr)  # ACK every DATA, duplicates included
        elif block == expected:
            got += body
            expected += 1
            in_window += 1
            if in_window == window or len(body) < blksize:
                c.send(ack(block), addr)
                in_window = 0
        elif block > expected:
            c.send(ack(expected - 1), addr)  # a gap: go on after ours
            in_window = 0
        elif time.monotonic() - last_reack > 0.2:
            # Stale: our last ACK was lost and the server resends its
            # window.  Staying silent would wait for our 1 s timer, which
            # the server's backed-off resends (at most 8 of its timeouts
            # apart: 0.4 or 0.8 s in test_loss) keep from ever firing,
            # until the server gives up.
            c.send(ack(expected - 1), addr)
            in_window = 0
            last_reack = time.monotonic()
        if block == expected - 1 and len(body) < blksize:
            print(f"ok {checked}" if bytes(got) == want else "MISMATCH")
            return 0 if bytes(got) == want else 1
    print("timed out")
    return 1


if __name__ == "__main__":
    sys.exit(main())
