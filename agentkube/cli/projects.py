"""The command that starts a project of your own: init, like `helm create` or `pulumi new`."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from ..ops.scaffold import InitRefused, new_project
from .command import Command, UsageError
from .exits import Exit
from .reporter import Reporter


def init(args: argparse.Namespace, report: Reporter) -> Exit:
    try:
        made = new_project(Path(args.directory), args.name)
    except InitRefused as err:
        raise UsageError(str(err)) from None
    report.note(f"created project {made.name} in {args.directory}: {', '.join(made.files)}")
    report.note(
        f"next: cd {shlex.quote(args.directory)} && agentkube validate --stack dev && agentkube render --stack dev"
    )
    return Exit.OK


def _init_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("directory", metavar="DIR", help="where the project goes: a new or empty directory")
    p.add_argument(
        "--name",
        default=None,
        help="the project's name, its Pulumi project's and its namespaces' prefix: a DNS label of at most 40 "
        "characters (default: the name of DIR)",
    )


COMMANDS = [
    Command(
        "init",
        "start a new project that uses this agentkube: stacks, one example agent, its program, CI, a README",
        "agentkube init support-agents && cd support-agents && agentkube validate --stack dev",
        init,
        stack="none",
        configure=_init_args,
    ),
]
