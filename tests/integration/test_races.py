"""A peer ERROR racing a transfer's start.  The listener once went on using
a transfer after publishing it to its socket's callbacks, and a peer
ERROR in that window let the worker free it (a use after free KASAN sees).
Here every request is followed at once by ERRORs from the same client
socket to every port a transfer's socket can have (the ephemeral range
narrowed to 64 ports), while requests flood in; on the debug kernel for
60 s, on Debian's for 10."""
import socket
import time

from conftest import DEBUG_KERNEL, PORT, TFTP_ROOT, active_transfers, make_file
from tftp import Client, rrq, wait_for

RANGE = (61000, 61063)
SECONDS = 60 if DEBUG_KERNEL else 10
CLIENTS = 32
ERROR = b"\x00\x05\x00\x00go away\x00"


def test_error_spray_while_requests_flood(server):
    f = make_file(TFTP_ROOT / "spray.bin", 3000)
    server.set(max_sessions_per_client=1024, timeout=200, retries=1)
    path = "/proc/sys/net/ipv4/ip_local_port_range"
    saved = open(path).read()
    open(path, "w").write(f"{RANGE[0]} {RANGE[1]}")
    socks = []
    try:
        for i in range(CLIENTS):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 40000 + i))     # outside the narrowed range
            s.setblocking(False)
            socks.append(s)
        ports = range(RANGE[0], RANGE[1] + 1)
        requests = 0
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            for s in socks:
                s.sendto(rrq("spray.bin"), ("127.0.0.1", PORT))
                requests += 1
                for p in ports:
                    try:
                        s.sendto(ERROR, ("127.0.0.1", p))
                    except (ConnectionRefusedError, BlockingIOError):
                        pass
                try:
                    while s.recv(2048):
                        pass
                except (BlockingIOError, ConnectionRefusedError):
                    pass
        print(f"\n  {requests} requests in {SECONDS} s, each chased by "
              f"{len(ports)} ERRORs")
        assert requests > 100
    finally:
        for s in socks:
            s.close()
        open(path, "w").write(saved)
    wait_for(lambda: active_transfers() == 0, timeout=30, what="the sprayed sessions to end")
    # The server is whole: a clean client gets the file byte-exact.
    with Client() as c:
        assert c.fetch("spray.bin") == f.read_bytes()
