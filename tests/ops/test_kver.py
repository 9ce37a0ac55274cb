"""scripts/kver: which kernels make check builds for and boots."""
import subprocess
from pathlib import Path

KVER = Path(__file__).resolve().parents[2] / "scripts" / "kver"


def kver(*args: str) -> list[str]:
    return subprocess.run([KVER, *args], check=True, capture_output=True,
                          text=True).stdout.split()


def series(v: str) -> str:
    return ".".join(v.split(".")[:2])


def test_list_is_the_newest_kernel_of_each_series():
    every, listed = kver("all"), kver("list")
    assert listed, "no kernel with headers installed"
    newest = {series(v): v for v in every}   # every is oldest first
    assert listed == sorted(newest.values(), key=every.index)


def test_a_prefix_resolves_to_the_newest_of_its_series_a_full_version_to_itself():
    every = kver("all")
    for v in kver("list"):
        assert kver("resolve", series(v)) == [v]
    for v in every:
        assert kver("resolve", v) == [v]
