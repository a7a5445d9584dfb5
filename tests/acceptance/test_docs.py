"""The documents: every generated one is what regenerating gives, every relative link resolves, and
every page under docs/ can be reached from README.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentkube.cli.reference import GENERATED
from tests.helpers import ROOT

# the hand-written entry points and every page under docs/
ENTRY_POINTS = ("README.md", "CONTRIBUTING.md", "CHANGELOG.md", "bench/README.md")
PAGES = sorted({*(ROOT / name for name in ENTRY_POINTS), *ROOT.glob("docs/**/*.md")})
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]*`")


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_document_is_current(name: str) -> None:
    path = ROOT / name
    assert path.is_file(), f"{name} is missing: run scripts/refresh-docs"
    assert path.read_text() == GENERATED[name](), f"{name} is not what its generator writes: run scripts/refresh-docs"


def prose(page: Path) -> str:
    """The page without code: a link-like text in a code block or span is not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", page.read_text()))


def relative_links(page: Path) -> list[str]:
    return [t for t in LINK.findall(prose(page)) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens."""
    out = set()
    for line in FENCE.sub("", page.read_text()).splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


def target(page: Path, link: str) -> tuple[Path, str]:
    file, _, fragment = link.partition("#")
    return (page.parent / file).resolve() if file else page, fragment


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for link in relative_links(page):
        path, fragment = target(page, link)
        if not path.exists():
            broken.append(f"{link}: no such file")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            broken.append(f"{link}: no heading #{fragment} in {path.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_every_page_is_reachable_from_the_readme() -> None:
    seen, todo = set(), [ROOT / "README.md"]
    while todo:
        page = todo.pop()
        if page in seen or not page.is_file():
            continue
        seen.add(page)
        todo += [p for p, _ in (target(page, link) for link in relative_links(page)) if p.suffix == ".md"]
    unreachable = [str(p.relative_to(ROOT)) for p in PAGES if p not in seen]
    assert not unreachable, f"no chain of links from README.md reaches: {', '.join(unreachable)}"


def test_the_link_checks_see_a_broken_link(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [gone](missing.md) [no heading](page.md#nope)\n`[code](x.md)`\n")
    links = relative_links(page)
    assert links == ["#title", "missing.md", "page.md#nope"]
    assert not target(page, "missing.md")[0].exists()
    assert "nope" not in anchors(page) and "title" in anchors(page)
