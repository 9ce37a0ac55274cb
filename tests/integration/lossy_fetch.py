"""Fetch a file over a lossy link with the raw client, checking that every
DATA packet that arrives (duplicates and stale ones included) carries the
right bytes for its block.  Run inside the client namespace:

    python3 lossy_fetch.py HOST PORT NAME LOCAL_COPY
Prints 'ok <packets checked>' and exits 0, or explains and exits 1.
"""
import sys
import time

from tftp import Client, ack, parse


def main():
    host, port, name, local = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    want = open(local, "rb").read()
    c = Client(host, port)
    got = bytearray()
    expected = 1
    checked = 0
    deadline = time.monotonic() + 240
    c.request(name)
    while time.monotonic() < deadline:
        r = c.recv(timeout=1.0)
        if r is None:
            # Our RRQ or ACK was lost and the server's resend too: ask again.
            if c.tid is None:
                c.request(name)
            else:
                c.send(ack(expected - 1), c.tid)
            continue
        (kind, num, body), addr = r
        if kind == "ERROR":
            print(f"ERROR {num} {body} after {len(got)} bytes")
            return 1
        if kind != "DATA":
            continue
        c.tid = c.tid or addr
        # Which 64-bit block does this 16-bit number mean?  The nearest one
        # at or before the one we expect (stale packets are earlier).
        back = (expected - num) & 0xFFFF
        block = expected - back if back < 0x8000 else expected
        start = (block - 1) * 512
        if body != want[start:start + 512]:
            print(f"WRONG BYTES in DATA {num} (block {block})")
            return 1
        checked += 1
        if block == expected:
            got += body
            expected += 1
        c.send(ack(num), addr)  # ACK every DATA, duplicates included
        if block == expected - 1 and len(body) < 512:
            print(f"ok {checked}" if bytes(got) == want else "MISMATCH")
            return 0 if bytes(got) == want else 1
    print("timed out")
    return 1


if __name__ == "__main__":
    sys.exit(main())
