"""Fetch a file lock-step as a storm's client does, with a patience of
its own: it repeats its last ACK every second without a new block, and
gives up PATIENCE_S after its last new block.  Run in the client's
namespace:

    python3 patient_fetch.py HOST PORT NAME LOCAL_COPY PATIENCE_S

After block 1 it prints "got 1" and waits for a line on stdin before
ACKing it, so that a test can darken the link first.  Then prints
"ok <seconds the longest wait took>" and exits 0 if the file arrived
byte-exact, or "gave up after block N" and exits 1.
"""
import sys
import time

from tftp import Client, ack


def main():
    host, port, name, local = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    patience = float(sys.argv[5])
    want = open(local, "rb").read()
    got = bytearray()
    c = Client(host, port)
    c.request(name)
    expected, longest = 1, 0.0
    waiting_since = time.monotonic()
    while True:
        r = c.recv(timeout=1.0)
        now = time.monotonic()
        if r is None or r[0][0] != "DATA" or r[0][1] != expected & 0xFFFF:
            if now - waiting_since > patience:
                print(f"gave up after block {expected - 1}")
                return 1
            if r is None and c.tid is not None:
                c.send(ack(expected - 1), c.tid)
            continue
        (_, num, body), addr = r
        c.tid = addr
        longest = max(longest, now - waiting_since)
        got += body
        if expected == 1:
            print("got 1", flush=True)
            sys.stdin.readline()
        expected += 1
        c.send(ack(num), addr)
        waiting_since = time.monotonic()
        if len(body) < 512:
            print(f"ok {longest:.1f}" if bytes(got) == want else "MISMATCH")
            return 0 if bytes(got) == want else 1


if __name__ == "__main__":
    sys.exit(main())
