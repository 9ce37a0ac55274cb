"""Fetch a file lock-step as a storm's client does, with a patience of
its own: it repeats its last ACK every second without a new block, and
gives up PATIENCE_S after its last new block.  Run in the client's
namespace:

    python3 patient_fetch.py HOST PORT NAME LOCAL_COPY PATIENCE_S

After block 1 it prints "got 1" and waits for a line on stdin before
ACKing it, so that a test can darken the link first.  Then prints
"ok <seconds the longest wait took>" and exits 0 if the file arrived
byte-exact, or "gave up after block N (heard: ...)" and exits 1, naming
each packet it heard and set aside.

After the last block it dallies DALLY_S, as RFC 1350 asks of the host
that sends the final ACK: a copy of the last block means our ACK was
lost, and it is sent again.  Without that, one lost datagram left the
server resending to a closed port until it gave up (about 31 s with
the test's 1 s timeout and 5 retries), which a test waiting 30 s for
the server to go idle took for a stuck transfer.
"""
import sys
import time

from tftp import Client, ack

# Past the server's first two resends of the last block (1 s, then 2 s).
DALLY_S = 4.0


def dally(c, last):
    """Answer each copy of the last block until DALLY_S pass quietly."""
    end = time.monotonic() + DALLY_S
    while time.monotonic() < end:
        r = c.recv(timeout=max(0.01, end - time.monotonic()))
        if r and r[0][0] == "DATA" and r[0][1] == last:
            c.send(ack(last), c.tid)


def main():
    host, port, name, local = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    patience = float(sys.argv[5])
    want = open(local, "rb").read()
    got = bytearray()
    c = Client(host, port)
    c.request(name)
    expected, longest = 1, 0.0
    waiting_since = time.monotonic()
    heard = []      # what arrived and was not the block awaited
    while True:
        r = c.recv(timeout=1.0)
        now = time.monotonic()
        stray = r is not None and (r[0][0] != "DATA" or r[0][1] != expected & 0xFFFF)
        if stray:
            heard.append(f"{r[0][0]} {r[0][1]} at {now - waiting_since:.1f}s")
        if r is None or stray:
            if now - waiting_since > patience:
                print(f"gave up after block {expected - 1} (heard: {heard[-8:]})")
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
            dally(c, num)
            print(f"ok {longest:.1f}" if bytes(got) == want else "MISMATCH")
            return 0 if bytes(got) == want else 1


if __name__ == "__main__":
    sys.exit(main())
