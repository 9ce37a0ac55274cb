"""Kernel memory as the memory tests and the soak read it: /proc/meminfo,
slab caches shrunk first, and the debug kernel's checker caches."""
import os
from pathlib import Path


def meminfo() -> dict:
    """/proc/meminfo, in KiB."""
    out = {}
    for line in open("/proc/meminfo"):
        k, v = line.split(":")
        out[k] = int(v.split()[0])
    return out


def kernel_kib(m: dict | None = None) -> int:
    """Slab objects (sockets, transfers, files, buffers) and kernel stacks,
    in KiB: of @m, or of /proc/meminfo now."""
    m = m if m is not None else meminfo()
    return m["Slab"] + m["KernelStack"]


def shrink_slab_caches() -> None:
    """Have every slab cache give back what it only keeps cached (empty and
    per-CPU partial slabs) before a test reads Slab from /proc/meminfo.  On
    a KASAN kernel this also empties the quarantine, where KASAN keeps
    freed objects to catch a later use (kmem_cache_shrink calls
    kasan_cache_shrink): without it the debug kernel counted 3 MiB of
    freed memory as kept after test_unload_returns_the_memory, while
    kmemleak and the module's own unload counts found nothing."""
    for cache in Path("/sys/kernel/slab").iterdir():
        if cache.is_symlink():    # another name of a merged cache
            continue
        try:
            (cache / "shrink").write_text("1")
        except FileNotFoundError:    # destroyed meanwhile (a module unloaded)
            pass


# The checkers' own bookkeeping on the debug kernel: kmemleak keeps an
# object per tracked allocation (freed after RCU and its scans), and
# debug objects keeps a pool of tracking objects that grows under load
# and shrinks slowly.  Probed per cache after the soak there (2026-12-02):
# kmemleak_object -2584 KiB and debug_objects_cache +1060 KiB of a -1584
# KiB total, everything else within 200 KiB; the run before kept +1992 of
# its 2048 KiB bound.  Neither cache exists on Debian's kernels.  A leak
# of ours is still caught there: by kmemleak's scan, by the module's
# unload counts, and by every other cache.
CHECKER_SLAB_CACHES = ("kmemleak_object", "debug_objects_cache")


def checker_slab_kib() -> int:
    """KiB of slab pages that CHECKER_SLAB_CACHES hold now (0 where the
    kernel has no such cache)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for name in CHECKER_SLAB_CACHES:
        cache = Path("/sys/kernel/slab") / name
        if not cache.is_dir() or cache.is_symlink():    # absent, or merged
            continue
        slabs = int((cache / "slabs").read_text().split()[0])
        order = int((cache / "order").read_text())
        total += slabs * (page << order) // 1024
    return total
