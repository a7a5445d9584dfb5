"""The benchmarks still run (smallest sizes, one repetition); the numbers come from bench/run."""

from __future__ import annotations

import pytest

from bench import program, render


def test_render_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert render.main(["--sizes", "2", "4", "--repeat", "1", "--no-helm"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("summary: render at 4 agents")


def test_program_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert program.main(["--sizes", "2", "4", "--repeat", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("summary: program at 4 agents")
