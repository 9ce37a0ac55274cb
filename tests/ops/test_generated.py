"""The text derived from the settings and counters tables (kernel/params.h,
kernel/counters.h) is what scripts/gen-settings makes of them now: a
setting or counter added, changed or removed without `make gen` fails
here, naming the stale file."""
import shutil
import subprocess
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
GEN = TOP / "scripts" / "gen-settings"
# What the generator reads and writes, to run it on a copy.
INPUTS = ["scripts", "kernel", "include", "docs", "ctl/completion"]


def gen_check(top: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(top / "scripts" / "gen-settings"), "--check"],
                          capture_output=True, text=True)


def test_generated_text_is_current():
    r = gen_check(TOP)
    assert r.returncode == 0, r.stdout + r.stderr


def copy_of_tree(tmp_path: Path) -> Path:
    for rel in INPUTS:
        shutil.copytree(TOP / rel, tmp_path / rel,
                        ignore=shutil.ignore_patterns("*.o", "*.ko", ".*.cmd", "*.mod*"))
    return tmp_path


def test_a_changed_default_makes_the_man_page_stale(tmp_path):
    """The check above can fail: change one default in a copy."""
    top = copy_of_tree(tmp_path)
    params = top / "kernel" / "params.h"
    text = params.read_text()
    assert "1, 100, 5," not in text and "0, 100, 5," in text    # retries
    params.write_text(text.replace("0, 100, 5,", "0, 100, 6,"))
    r = gen_check(top)
    assert r.returncode == 1
    assert "docs/man/ktftpd.8: stale" in r.stdout
    assert "docs/operating.md: stale" in r.stdout


def test_a_new_counter_is_appended_to_the_uapi(tmp_path):
    """A counters.h row whose attribute the uapi lacks gets one, at the end."""
    top = copy_of_tree(tmp_path)
    counters = top / "kernel" / "counters.h"
    text = counters.read_text()
    row = ('\tX(OACKS_SENT, KTFTPD_STAT_OACKS_SENT, "oacks_sent",\t\\\n'
           '\t  "oacks_sent_total", "OACKs sent.")\t\t\t\t\\\n')
    counters.write_text(text.replace("#define KTFTPD_COUNTERS(X)\t\t\t\t\t\t\\\n",
                                     "#define KTFTPD_COUNTERS(X)\t\t\t\t\t\t\\\n" + row))
    assert gen_check(top).returncode == 1
    r = subprocess.run([str(top / "scripts" / "gen-settings")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    uapi = (top / "include/uapi/linux/ktftpd.h").read_text()
    stat_enum = uapi.split("enum ktftpd_stat {")[1].split("__KTFTPD_STAT_MAX")[0]
    last = stat_enum.strip().splitlines()[-1]
    assert last == "\tKTFTPD_STAT_OACKS_SENT,\t\t/* u64: OACKs sent */"
    assert gen_check(top).returncode == 0
    assert "`ktftpd_oacks_sent_total`" in (top / "docs/operating.md").read_text()
