"""The shape of the tree: small modules, each name used once, so a path alone says what a module holds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.helpers import ROOT

MAX_LINES = 400
PACKAGES = ("agentkube", "components")
SHARED_NAMES = {"__init__.py", "__main__.py"}


def modules() -> list[Path]:
    found = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    assert len(found) > 50  # the whole tree was read, not an empty glob
    return found


def test_no_module_is_over_the_limit() -> None:
    long = {str(p.relative_to(ROOT)): n for p in modules() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split by concern: modules over {MAX_LINES} lines"


def test_each_module_name_is_used_once() -> None:
    names = Counter(p.name for p in modules() if p.name not in SHARED_NAMES)
    assert {name: n for name, n in names.items() if n > 1} == {}
