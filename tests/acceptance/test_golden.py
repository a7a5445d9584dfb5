"""Golden renders of the example fleet: a diff of tests/golden/ shows a reviewer what a change does
to the objects. After a deliberate change, `pytest --update-golden` (or scripts/golden) rewrites them."""

from __future__ import annotations

import difflib

import pytest

from tests.helpers import ROOT, RunLine

GOLDEN = ROOT / "tests" / "golden"
DIFF_LINES = 40  # of the unified diff a mismatch shows; `git diff` after --update-golden shows it all


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_render_equals_the_golden_file(stack: str, run_line: RunLine, update_golden: bool) -> None:
    done = run_line(["agentkube", "render", "--stack", stack, "-o", "-"])
    assert done.code == 0, done.err
    path = GOLDEN / f"{stack}.yaml"
    if update_golden:
        path.write_text(done.out, encoding="utf-8")
        return
    golden = path.read_text(encoding="utf-8")
    if done.out != golden:
        diff = list(
            difflib.unified_diff(
                golden.splitlines(), done.out.splitlines(), f"tests/golden/{stack}.yaml", "render", lineterm=""
            )
        )
        shown = "\n".join(diff[:DIFF_LINES]) + (
            f"\n... {len(diff) - DIFF_LINES} more lines" if len(diff) > DIFF_LINES else ""
        )
        pytest.fail(
            f"render of {stack} changed:\n{shown}\nif the change is deliberate, run `pytest --update-golden` "
            "and review the diff of tests/golden/",
            pytrace=False,
        )
