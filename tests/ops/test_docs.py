"""The documents a newcomer reads first: every relative link in README.md,
docs/ and tests/README.md resolves (the file, and the heading when the
link names one), and README.md stays a front door of about 8 KB."""
import re
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
DOCS = sorted([TOP / "README.md", TOP / "CONTRIBUTING.md", TOP / "tests" / "README.md",
               *(TOP / "docs").glob("*.md")])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
README_MAX = 9000


def links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text())      # code blocks hold no links
    return [t for t in LINK.findall(text)
            if not re.match(r"[a-z][a-z0-9+.-]*:", t)]  # http:, mailto: ...


def slug(heading: str) -> str:
    """A heading's anchor, as GitHub makes it."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(m) for m in re.findall(r"^#+\s+(.*)$", text, re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(TOP)))
def test_every_relative_link_resolves(doc):
    assert doc.exists(), doc
    bad = []
    for target in links(doc):
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists():
            bad.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            bad.append(f"{target}: no heading #{anchor} in {dest.relative_to(TOP)}")
    assert not bad, f"{doc.relative_to(TOP)}: " + "; ".join(bad)


def test_the_checker_finds_a_broken_link(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("# Title\n[ok](#title) [gone](missing.md) [anchor](#nowhere)\n"
                   "```\n[in code](not-checked.md)\n```\n")
    assert links(doc) == ["#title", "missing.md", "#nowhere"]
    assert anchors(doc) == {"title"}


def test_the_readme_is_a_front_door():
    size = len((TOP / "README.md").read_bytes())
    assert size <= README_MAX, f"README.md is {size} bytes: move details to docs/"
