"""`agentkube graph`: a picture of the fleet, as SVG or as an HTML page holding it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..render.picture import edges_of, graph_html, graph_svg
from .command import Command, UsageError
from .exits import Exit
from .reporter import Reporter
from .specs import fleet_of

FORMATS = (".svg", ".html")


def graph(args: argparse.Namespace, report: Reporter) -> Exit:
    """The picture on stdout or in FILE; the format is checked before the specs are read."""
    target = None if args.out in (None, "-") else Path(args.out)
    if target is not None and target.suffix.lower() not in FORMATS:
        raise UsageError(f"-o {args.out}: expected a file ending in .svg or .html (or no -o for SVG on stdout)")
    fleet = fleet_of(args)
    svg = graph_svg(fleet, args.stack)
    if target is None:
        sys.stdout.write(svg)
        return Exit.OK
    text = svg if target.suffix.lower() == ".svg" else graph_html(svg, args.stack)
    staging = target.with_name(f".{target.name}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, target)  # a reader never sees half a picture
    report.note(f"wrote {target}: {len(fleet.agents)} agents, {len(edges_of(fleet))} dependencies")
    return Exit.OK


def _graph_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--out", metavar="FILE", help="FILE.svg or FILE.html (default: SVG on stdout)")


COMMANDS = [
    Command(
        "graph",
        "draw the fleet as SVG or HTML: layers, agents, dependencies, entry points, egress",
        "agentkube graph --stack prod -o fleet.html   # or -o fleet.svg, or no -o for SVG on stdout",
        graph,
        stack="required",
        configure=_graph_args,
    ),
]
