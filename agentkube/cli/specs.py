"""Commands that need neither Pulumi nor a cluster: validate, render, schema, plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.build import build
from ..core.capacity import HEADERS, plan
from ..core.mcp import tool_servers, tools_text
from ..core.secrets import secret_instructions, without_secret_values
from ..fleet.loader import display, load_fleet, read_documents
from ..fleet.model import Fleet
from ..fleet.override_notes import override_notes
from ..project import stack_file
from ..render.files import write_render_dir
from ..render.schema import reference_markdown, schema_text
from ..render.yaml_writer import to_stream
from .command import Command, UsageError, agents_of
from .exits import Exit
from .reporter import Reporter


def fleet_of(args: argparse.Namespace, check_secrets: bool = False) -> Fleet:
    """The specs of `--agents` under `--stack`; only `validate` checks that config secrets are set."""
    return load_fleet(agents_of(args), args.stack, Path(args.project), check_secrets=check_secrets)


def overridden(args: argparse.Namespace, fleet: Fleet, report: Reporter) -> None:
    """A one-line note per agent whose stack override replaced its spec file's image or removed its canary."""
    if args.stack is None or not fleet.settings.overrides:
        return
    stack_source = display(stack_file(Path(args.project), args.stack))
    for line in override_notes(fleet, read_documents(agents_of(args)), stack_source):
        report.note(line)


def validate(args: argparse.Namespace, report: Reporter) -> Exit:
    fleet = fleet_of(args, check_secrets=True)
    overridden(args, fleet, report)

    def text() -> str:
        where = f" for stack {args.stack}" if args.stack else ""
        layers = sorted({a.layer for a in fleet.agents})
        names = ", ".join(a.name for a in fleet.agents)
        return f"{report.ok('valid')}: {len(fleet.agents)} agents in {len(layers)} layers{where} ({names})"

    for warning in fleet.warnings:
        report.note(str(warning))
    data = {"valid": True, "stack": args.stack, "agents": [a.name for a in fleet.agents]}
    if fleet.warnings:
        data["warnings"] = [w.__dict__ for w in fleet.warnings]
    report.result(data, text, indent=None)
    return Exit.OK


def render(args: argparse.Namespace, report: Reporter) -> Exit:
    built = build(fleet_of(args))
    objects = without_secret_values(built)
    if args.out == "-":
        sys.stdout.write(to_stream(objects))
    else:
        target = Path(args.out or f"rendered/{args.stack}")
        try:
            written = write_render_dir(objects, target)
        except FileExistsError as err:
            raise UsageError(str(err)) from None
        report.note(f"rendered {len(written)} objects to {target}/")
    for line in secret_instructions(built, args.stack):
        report.note(f"note: Secrets of config secrets are not rendered; create them in the cluster with:\n  {line}")
    return Exit.OK


def schema(args: argparse.Namespace, report: Reporter) -> Exit:
    text = reference_markdown() if args.reference else schema_text()
    if args.out and args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
        report.note(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return Exit.OK


def capacity(args: argparse.Namespace, report: Reporter) -> Exit:
    fleet = fleet_of(args)
    overridden(args, fleet, report)
    rows, layers, fleet_total = plan(fleet)
    tools = tool_servers(fleet)
    data = {
        "stack": args.stack,
        "agents": [r.as_json() for r in rows],
        "layers": [r.as_json() for r in layers],
        "total": fleet_total.as_json(),
        "toolServers": [t.as_json() for t in tools],
    }

    def text() -> str:
        table = report.table(HEADERS, [r.cells() for r in [*rows, *layers, fleet_total]])
        return "\n".join(filter(None, [f"stack {args.stack}: requests at min..max scale", table, tools_text(tools)]))

    report.result(data, text)
    return Exit.OK


def _render_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--out", metavar="DIR|-", help="directory (default: rendered/STACK) or - for stdout")


def _schema_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--out", metavar="FILE|-", help="write to FILE (default: stdout)")
    p.add_argument("--reference", action="store_true", help="the field reference as Markdown instead")


COMMANDS = [
    Command(
        "validate",
        "check the agent specs (with a stack's overlay when given)",
        "agentkube validate --stack prod",
        validate,
        output_json=True,
    ),
    Command(
        "render",
        "write the stack's Kubernetes objects as YAML",
        "agentkube render --stack dev -o rendered/dev   # or -o - for one YAML stream",
        render,
        stack="required",
        configure=_render_args,
    ),
    Command(
        "schema",
        "print the JSON Schema of the agent spec",
        "agentkube schema -o agent.schema.json",
        schema,
        stack="none",
        configure=_schema_args,
    ),
    Command(
        "plan",
        "replicas and requests per agent and layer, at min and max scale",
        "agentkube plan --stack prod --output json",
        capacity,
        stack="required",
        output_json=True,
    ),
]
