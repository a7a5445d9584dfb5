"""The exit codes of `agentkube`: one table, which every command returns from and `--help` prints."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from ..core.analysis import Verdict


class Exit(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    INCONCLUSIVE = 3
    ERROR = 4
    STEP_FAILED = 5
    INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


MEANING: Mapping[Exit, str] = {
    Exit.OK: "success",
    Exit.FAILED: "invalid input, a failed pulumi step or check, a rollback not confirmed",
    Exit.USAGE: "usage error",
    Exit.INCONCLUSIVE: "analyze, release: no data to judge the canary",
    Exit.ERROR: "analyze, release: could not start or analyze (invalid input, pulumi missing, Prometheus error)",
    Exit.STEP_FAILED: "release, promote, abort: a pulumi up failed; its change to the stack file was undone",
    Exit.INTERRUPTED: "release: interrupted (Ctrl-C); the stack stays at its last finished step",
}

OF_VERDICT: Mapping[Verdict, Exit] = {"pass": Exit.OK, "fail": Exit.FAILED, "inconclusive": Exit.INCONCLUSIVE}


def exit_codes(meanings: Mapping[Exit, str] = MEANING) -> str:
    """The `exit codes:` paragraph of a `--help` epilog."""
    return "exit codes:\n" + "\n".join(f"  {int(code):<3}  {meanings[code]}" for code in sorted(meanings))
