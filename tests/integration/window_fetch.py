"""Fetch a file with a large window and block size and check it whole.
Run where the client should be (e.g. inside a network namespace):

    python3 window_fetch.py HOST PORT NAME LOCAL_COPY BLKSIZE WINDOWSIZE [TIMEOUT]
Prints 'ok <bytes>' and exits 0, or explains and exits 1.
"""
import socket
import sys

from tftp import Client


def main():
    host, port, name, local = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    blksize, window = int(sys.argv[5]), int(sys.argv[6])
    timeout = float(sys.argv[7]) if len(sys.argv) > 7 else 30
    want = open(local, "rb").read()
    with Client(host, port) as c:
        # The whole window must fit in our buffer, or we drop our own data.
        c.sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33),
                          min(window * (blksize + 512), 1 << 30))
        got = c.fetch_window(name, blksize=blksize, windowsize=window, timeout=timeout)
    if got != want:
        print(f"MISMATCH: {len(got)} bytes, want {len(want)}")
        return 1
    print(f"ok {len(got)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
