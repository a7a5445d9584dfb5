"""Commands that keep a stack healthy: recover, doctor."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..ops.doctor import checks
from ..ops.recovery import recover
from .command import Command, target_of
from .exits import Exit
from .reporter import Reporter


def recover_stack(args: argparse.Namespace, report: Reporter) -> Exit:
    report.note(recover(Path(args.project), args.stack))
    return Exit.OK


def doctor(args: argparse.Namespace, report: Reporter) -> Exit:
    found = checks(Path(args.project), target_of(args) if args.stack else None)
    rows = [[c.name, c.value, report.ok("ok") if c.ok else report.bad("FAIL"), "" if c.ok else c.fix] for c in found]
    report.result([c.__dict__ for c in found], lambda: report.table(["CHECK", "VALUE", "STATUS", "FIX"], rows))
    return Exit.OK if all(c.ok for c in found) else Exit.FAILED


COMMANDS = [
    Command(
        "recover",
        "release the lock a killed `pulumi up` left (never a running one's)",
        "agentkube recover --stack dev && pulumi up --stack dev",
        recover_stack,
        stack="required",
    ),
    Command(
        "doctor",
        "the tools, versions, backend and target of a reproducible run, with fixes",
        "agentkube doctor --stack dev",
        doctor,
        output_json=True,
    ),
]
