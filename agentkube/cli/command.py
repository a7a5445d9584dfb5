"""How a group of commands declares itself: name, help, example, arguments and the function to run."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..fleet.loader import stack_agents_dir
from ..ops.stack_target import StackTarget
from .exits import Exit, exit_codes
from .reporter import Reporter

Run = Callable[[argparse.Namespace, Reporter], Exit]
Configure = Callable[[argparse.ArgumentParser], None]


class UsageError(Exception):
    """Wrong arguments: exit 2."""


def agents_of(args: argparse.Namespace) -> Path:
    """`--agents`, or else the stack's `agentkube:agentsDir` within `--project`: what `pulumi up` reads."""
    if args.agents is not None:
        return Path(args.agents)
    return stack_agents_dir(Path(args.project), args.stack)


def target_of(args: argparse.Namespace) -> StackTarget:
    """The stack named by `--project`, `--agents` and `--stack` (a command with `stack="required"`)."""
    return StackTarget(Path(args.project), agents_of(args), args.stack)


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    example: str
    run: Run
    stack: Literal["optional", "required", "none"] = "optional"
    output_json: bool = False
    configure: Configure | None = None
    exits: Mapping[Exit, str] | None = None  # every code the command returns, when it adds to 0/1/2 or means more

    def add_to(self, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        p = sub.add_parser(
            self.name,
            help=self.help,
            description=self.help,
            epilog=f"example:\n  {self.example}" + (f"\n\n{exit_codes(self.exits)}" if self.exits else ""),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(cmd=self)
        if self.stack != "none":
            p.add_argument(
                "--agents",
                default=None,
                metavar="DIR",
                help="directory of agent specs (default: the stack's agentkube:agentsDir, `agents` in --project)",
            )
            p.add_argument(
                "--project", default=".", metavar="DIR", help="directory of Pulumi.<stack>.yaml (default: .)"
            )
            required = self.stack == "required"
            p.add_argument(
                "--stack",
                "-s",
                required=required,
                default=None,
                help="stack whose settings apply" + (" (required)" if required else ""),
            )
        if self.output_json:
            p.add_argument("--output", choices=["text", "json"], default="text", help="output format (default: text)")
        if self.configure is not None:
            self.configure(p)
