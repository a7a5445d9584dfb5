"""Commands that keep a stack healthy: recover, doctor, move."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..ops.doctor import checks
from ..ops.migration import move
from ..ops.recovery import recover
from .command import Command, target_of
from .exits import Exit
from .reporter import Reporter


def recover_stack(args: argparse.Namespace, report: Reporter) -> Exit:
    report.note(recover(Path(args.project), args.stack, force=args.force))
    return Exit.OK


def _recover_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force",
        action="store_true",
        help="also release a lock taken on another machine (only when you know its update is gone)",
    )


def move_stack(args: argparse.Namespace, report: Reporter) -> Exit:
    report.note(move(Path(args.project), args.stack, args.to, report.note))
    return Exit.OK


def _move_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", required=True, metavar="URL", help="the backend to move to (postgres://, s3://, ...)")


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
        configure=_recover_args,
    ),
    Command(
        "move",
        "move a stack, with its whole history, to another self-managed backend (the old one is left as it was)",
        "agentkube move --stack dev --to 'postgres://deploy@db.internal:5432/pulumi'",
        move_stack,
        stack="required",
        configure=_move_args,
    ),
    Command(
        "doctor",
        "the tools, versions, backend and target of a reproducible run, with fixes",
        "agentkube doctor --stack dev",
        doctor,
        output_json=True,
    ),
]
