"""A FUSE file system that stops answering, as a hung NFS or FUSE server
does: one directory holding one file, served straight from /dev/fuse (no
libfuse), so a test can hold a kernel thread in a file operation for as
long as it likes and let it go with an error when it is done.

    with HungFs(TFTP_ROOT / "hung", hang="open") as fs:
        ...request "hung/file.bin"...
        fs.wait_for_hold(timeout)   # a thread is now waiting in FUSE_OPEN
        ...
    # leaving answers every held request with EIO and unmounts

hang="open" never answers FUSE_OPEN; hang="read" answers the open (with
FOPEN_DIRECT_IO: no page cache, every read asks the file system) and the
reads of the first HANG_AT bytes, then never answers a read again: a
transfer stalls in its middle.  hang="lookup" never answers the lookup of
any name but the file's: a walk through hung/dir waits.
"""
import ctypes
import errno
import os
import select
import struct
import threading
from pathlib import Path

from conftest import run

# include/uapi/linux/fuse.h
FUSE_LOOKUP, FUSE_FORGET, FUSE_GETATTR, FUSE_OPEN, FUSE_READ = 1, 2, 3, 14, 15
FUSE_RELEASE, FUSE_FLUSH = 18, 25
FUSE_INIT, FUSE_INTERRUPT, FUSE_BATCH_FORGET = 26, 36, 42
FOPEN_DIRECT_IO = 1 << 0
NO_REPLY = (FUSE_FORGET, FUSE_BATCH_FORGET, FUSE_INTERRUPT)
IN_HEADER = struct.Struct("<IIQQIIIHH")     # len opcode unique nodeid uid gid pid ...
OUT_HEADER = struct.Struct("<IiQ")          # len error unique
ATTR = struct.Struct("<QQQQQQIIIIIIIIII")   # struct fuse_attr (88 bytes)
ROOT_ID, FILE_ID = 1, 2
FILE_NAME = "file.bin"
FILE_SIZE = 16384
HANG_AT = 4096                              # hang="read": the first byte not given
FOREVER = 1 << 40                           # seconds a reply stays valid


def content(offset, size):
    """The file's bytes at @offset (what a test compares DATA with)."""
    return bytes((i * 7 + 3) & 0xFF for i in range(offset, min(offset + size, FILE_SIZE)))


def _attr(nodeid):
    if nodeid == ROOT_ID:
        return ATTR.pack(ROOT_ID, 0, 0, 0, 0, 0, 0, 0, 0, 0o040755, 2, 0, 0, 0, 4096, 0)
    return ATTR.pack(FILE_ID, FILE_SIZE, 8, 0, 0, 0, 0, 0, 0, 0o100644, 1, 0, 0, 0, 4096, 0)


class HungFs:
    def __init__(self, mountpoint: Path, hang="open"):
        assert hang in ("open", "read", "lookup"), hang
        self.hang = hang
        self.mountpoint = Path(mountpoint)
        self.fd = -1
        self.held = []                  # unique ids of the requests not answered
        self.released = False
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.stopping = False
        self.thread = None

    def __enter__(self):
        run("modprobe", "fuse", check=False)   # built in on some kernels
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        self.fd = os.open("/dev/fuse", os.O_RDWR)
        libc = ctypes.CDLL(None, use_errno=True)
        opts = (f"fd={self.fd},rootmode=40000,user_id=0,group_id=0,"
                "allow_other,default_permissions").encode()
        if libc.mount(b"hungfs", str(self.mountpoint).encode(), b"fuse", 0, opts):
            e = ctypes.get_errno()
            os.close(self.fd)
            raise OSError(e, f"mount fuse on {self.mountpoint}: {os.strerror(e)}")
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self

    def wait_for_hold(self, timeout):
        assert self.holding.wait(timeout), f"no {self.hang} of the hung file reached the file system"

    def release(self):
        """Answer every request held so far with EIO, and any that would be
        held from now on (a walk that waited behind a held one comes on)."""
        with self.lock:
            self.released = True
            held, self.held = self.held, []
        for unique in held:
            self._reply(unique, -errno.EIO)

    def n_held(self):
        with self.lock:
            return len(self.held)

    def release_one(self):
        """Answer the oldest request held with EIO: a slow file system."""
        with self.lock:
            unique = self.held.pop(0) if self.held else None
        if unique is not None:
            self._reply(unique, -errno.EIO)
        return unique is not None

    def __exit__(self, *exc):
        self.stopping = True
        self.release()
        self.thread.join(timeout=10)
        run("umount", "-l", str(self.mountpoint), check=False)
        os.close(self.fd)   # the last reference: aborts anything left
        return False

    def _hold(self, unique):
        """The hang: no answer until release()."""
        with self.lock:
            if not self.released:
                self.held.append(unique)
                self.holding.set()
                return
        self._reply(unique, -errno.EIO)

    def _reply(self, unique, error=0, body=b""):
        try:
            os.write(self.fd, OUT_HEADER.pack(OUT_HEADER.size + len(body), error, unique) + body)
        except OSError as e:
            if e.errno != errno.ENOENT:     # the request was interrupted
                raise

    def _serve(self):
        while not self.stopping:
            if not select.select([self.fd], [], [], 0.1)[0]:
                continue
            try:
                req = os.read(self.fd, 1 << 18)
            except OSError as e:
                if e.errno in (errno.ENODEV, errno.EBADF):   # unmounted
                    return
                if e.errno in (errno.EINTR, errno.EAGAIN, errno.ENOENT):
                    continue
                raise
            self._handle(req)

    def _handle(self, req):
        _, opcode, unique, nodeid, *_ = IN_HEADER.unpack_from(req)
        arg = req[IN_HEADER.size:]
        if opcode in NO_REPLY:
            return
        if opcode == FUSE_INIT:
            major, minor, readahead, _flags = struct.unpack_from("<IIII", arg)
            out = struct.pack("<IIIIHHIIHHI28x", 7, min(minor, 31), readahead, 0,
                              16, 12, 4096, 1, 1, 0, 0)
            self._reply(unique, body=out)
        elif opcode == FUSE_LOOKUP:
            name = arg.split(b"\0", 1)[0].decode()
            if self.hang == "lookup" and name != FILE_NAME:
                self._hold(unique)
            elif nodeid != ROOT_ID or name != FILE_NAME:
                self._reply(unique, -errno.ENOENT)
            else:
                entry = struct.pack("<QQQQII", FILE_ID, 1, FOREVER, FOREVER, 0, 0)
                self._reply(unique, body=entry + _attr(FILE_ID))
        elif opcode == FUSE_GETATTR:
            self._reply(unique, body=struct.pack("<QII", FOREVER, 0, 0) + _attr(nodeid))
        elif opcode == FUSE_OPEN and self.hang == "read":
            self._reply(unique, body=struct.pack("<QII", 1, FOPEN_DIRECT_IO, 0))
        elif opcode == FUSE_READ and self.hang == "read":
            _fh, offset, size = struct.unpack_from("<QQI", arg)
            if offset + size <= HANG_AT or offset >= FILE_SIZE:
                self._reply(unique, body=content(offset, size))
            else:
                self._hold(unique)
        elif opcode in (FUSE_OPEN, FUSE_READ):
            self._hold(unique)
        elif opcode in (FUSE_RELEASE, FUSE_FLUSH):
            self._reply(unique)
        else:
            self._reply(unique, -errno.ENOSYS)
