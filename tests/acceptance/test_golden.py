"""Golden renders of the example fleet: a diff of tests/golden/ shows a reviewer what a change does
to the objects. Regenerate with `scripts/golden` after a deliberate change."""

from __future__ import annotations

import pytest

from agentkube.cli.main import main
from tests.helpers import ROOT


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_render_equals_the_golden_file(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--stack", stack, "-o", "-"]) == 0
    golden = (ROOT / "tests" / "golden" / f"{stack}.yaml").read_text(encoding="utf-8")
    assert capsys.readouterr().out == golden, f"render of {stack} changed: run scripts/golden and review the diff"
