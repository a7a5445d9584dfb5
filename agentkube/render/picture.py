"""A picture of the fleet: layers as bands, agents as boxes, `dependsOn` as arrows, as deterministic SVG.

The layout is a grid: bands top to bottom in layer order, agents left to right by name. An arrow leaves
its agent's right side, runs down or up the gutter right of that column, along a lane above the boxes of
the band it goes to, and into the top of the agent it depends on: it never crosses a box, and every
segment has a lane of its own, so no two arrows share a line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from ..fleet.model import Fleet
from ..spec.agent import LAYERS, AgentSpec, Layer
from ..spec.image import version_of

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"

MARGIN = 24  # around the picture
HEADING_H = 56  # the picture's title and legend
BAND_GAP = 12  # between bands
LABEL_H = 30  # a band's label, above its lanes
BOX_W = 260
BOX_PAD = 12
NAME_H = 24  # the agent's name line
LINE_H = 18  # every other line of a box, and of the egress list under it
LANE = 8  # between parallel arrows
MIN_GUTTER = 40
CHARS = 33  # characters that fit a box's width at 12px; longer text is cut, whole in the <title>
EGRESS_CHARS = 40  # the same at 11px

BAND_COLOURS: Mapping[Layer, tuple[str, str]] = {  # (fill, stroke)
    "orchestration": ("#eef2ff", "#4f46e5"),
    "agent-pool": ("#ecfdf5", "#059669"),
    "infrastructure": ("#fff7ed", "#d97706"),
}
INK = "#1e293b"
MUTED = "#475569"
CANARY = "#be185d"
ENTRY = "#0369a1"
ARROW = "#334155"

STYLE = f"""text {{ font-family: {FONT}; font-size: 12px; fill: {INK}; }}
.band-label {{ font-size: 14px; font-weight: bold; }}
.heading {{ font-size: 16px; font-weight: bold; }}
.name {{ font-size: 14px; font-weight: bold; }}
.canary {{ fill: {CANARY}; font-weight: bold; }}
.entry text {{ fill: {ENTRY}; }}
.egress text {{ fill: {MUTED}; font-size: 11px; }}
.edge path, .legend-arrow {{ fill: none; stroke: {ARROW}; stroke-width: 1.5; }}
.legend text {{ fill: {MUTED}; }}"""


@dataclass(frozen=True)
class Box:
    """Where an agent's box sits."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Edge:
    """`source` depends on `target`: an arrow from source to target."""

    source: str
    target: str


def replicas_text(spec: AgentSpec) -> str:
    """`replicas 2..6` for an autoscaled agent, `replicas 3` for a fixed count."""
    low, high = spec.scaling.min, spec.scaling.max
    return f"replicas {low}" if low == high else f"replicas {low}..{high}"


def rollout_text(spec: AgentSpec) -> str | None:
    """The release in flight: the canary's version and weight, or the colours of a blue-green agent."""
    rollout = spec.rollout
    if rollout.canary is not None:
        return f"canary {version_of(rollout.canary.image, rollout.canary.version)} at {rollout.canary.weight}%"
    if rollout.blue_green is not None:
        bg = rollout.blue_green
        colours = [
            f"{colour} {version_of(candidate.image, candidate.version)}" + (" active" if colour == bg.active else "")
            for colour in ("blue", "green")
            if (candidate := getattr(bg, colour)) is not None
        ]
        return ", ".join(colours)
    return None


def entry_text(spec: AgentSpec) -> str | None:
    """The exposed entry point, host and path."""
    return f"{spec.expose.host}{spec.expose.path}" if spec.expose else None


def egress_hosts(spec: AgentSpec) -> list[str] | None:
    """The hosts the agent may reach; None: any public address (no `egress`, and not isolated)."""
    return spec.internet


def box_lines(spec: AgentSpec) -> list[tuple[str, str]]:
    """(class, text) of each line under the agent's name."""
    lines = [("replicas", replicas_text(spec)), ("version", f"version {spec.resolved_version}")]
    if (release := rollout_text(spec)) is not None:
        lines.append(("canary" if spec.rollout.canary else "colours", release))
    if runtime := runtime_text(spec):
        lines.append(("runtime", runtime))
    return lines


def runtime_text(spec: AgentSpec) -> str:
    """How the agent runs, beyond a plain Deployment: job (per task or on a schedule) or scale to zero, its
    volume, isolation, sandbox pool, MCP."""
    if spec.scheduled and spec.job is not None:
        parts = [f"cron {spec.job.schedule}"]
    else:
        parts = ["job per task"] if spec.kind == "job" else ["scales to zero"] if spec.scaling.min == 0 else []
    if spec.storage:
        parts.append(f"volume {spec.storage.size}")
    if spec.isolation:
        parts.append(spec.isolation.runtime_class)
    if spec.sandbox:
        lifetime = spec.sandbox.max_lifetime
        parts.append(f"pool {spec.sandbox.size}" + (f", {lifetime}" if lifetime else ""))
    if spec.mcp:
        parts.append("MCP")
    return " · ".join(parts)


def egress_lines(spec: AgentSpec) -> list[str]:
    """The text under an agent's box: `egress` and its hosts, or that it has no internet."""
    hosts = egress_hosts(spec)
    if hosts is None:
        return ["egress: any public address"]
    return [
        "egress: " + ("none (no internet)" if not hosts else f"{len(hosts)} host" + ("s" if len(hosts) > 1 else "")),
        *hosts,
    ]


def edges_of(fleet: Fleet) -> list[Edge]:
    """Every dependsOn of the fleet, sorted."""
    return sorted({Edge(a.name, dep) for a in fleet.agents for dep in a.depends_on}, key=lambda e: (e.source, e.target))


@dataclass(frozen=True)
class Layout:
    """Where every band, box and arrow lane of a fleet's picture sits."""

    width: int
    height: int
    bands: Mapping[Layer, Box]
    boxes: Mapping[str, Box]
    paths: Mapping[Edge, str]  # SVG path data of each arrow


def layout(fleet: Fleet) -> Layout:
    """The grid: bands top to bottom, boxes left to right by name, each arrow in lanes of its own."""
    bands = _bands(fleet)
    column = {a.name: i for agents in bands.values() for i, a in enumerate(agents)}
    layer_of = {a.name: a.layer for a in fleet.agents}
    edges = edges_of(fleet)
    by_gutter = _group(edges, lambda e: column[e.source])  # the gutter right of the source's column
    by_band = _group(edges, lambda e: layer_of[e.target])  # the lanes above the target's boxes
    gutter = max(MIN_GUTTER, LANE * (1 + max((len(v) for v in by_gutter.values()), default=0)))
    width = 2 * MARGIN + max(1, *(len(agents) for agents in bands.values())) * (BOX_W + gutter)

    boxes: dict[str, Box] = {}
    band_rects: dict[Layer, Box] = {}
    lanes_top: dict[Layer, int] = {}
    y = MARGIN + HEADING_H
    for layer, agents in bands.items():
        lanes_top[layer] = y + LABEL_H
        box_y = lanes_top[layer] + LANE * (len(by_band.get(layer, [])) + 1)
        box_h = NAME_H + BOX_PAD + LINE_H * max((len(box_lines(a)) + (1 if a.expose else 0) for a in agents), default=0)
        under = LINE_H * max((len(egress_lines(a)) for a in agents), default=0)
        for a in agents:
            boxes[a.name] = Box(MARGIN + column[a.name] * (BOX_W + gutter), box_y, BOX_W, box_h)
        bottom = box_y + (box_h + under + BOX_PAD if agents else LINE_H)
        band_rects[layer] = Box(MARGIN // 2, y, width - MARGIN, bottom - y)
        y = bottom + BAND_GAP

    gutter_lane, band_lane = _lanes(by_gutter), _lanes(by_band)
    outgoing, incoming = _group(edges, lambda e: e.source), _group(edges, lambda e: e.target)
    paths: dict[Edge, str] = {}
    for edge in edges:
        src, dst = boxes[edge.source], boxes[edge.target]
        leaving, arriving = outgoing[edge.source], incoming[edge.target]
        exit_y = src.y + NAME_H + (src.h - NAME_H) * (leaving.index(edge) + 1) // (len(leaving) + 1)
        entry_x = dst.x + dst.w * (arriving.index(edge) + 1) // (len(arriving) + 1)
        lane_x = src.x + src.w + LANE * (gutter_lane[edge] + 1)
        lane_y = lanes_top[layer_of[edge.target]] + LANE * (band_lane[edge] + 1)
        paths[edge] = f"M{src.x + src.w},{exit_y} H{lane_x} V{lane_y} H{entry_x} V{dst.y}"
    return Layout(width, y - BAND_GAP + MARGIN, band_rects, boxes, paths)


def graph_svg(fleet: Fleet, stack: str | None = None) -> str:
    """The fleet as SVG text: byte-identical for the same fleet."""
    grid = layout(fleet)
    title = "agentkube fleet" + (f": stack {stack}" if stack else "")
    body: list[str] = [
        f'<title id="fleet-title">{_text(title)}</title>',
        f"<style>\n{STYLE}\n</style>",
        "<defs>",
        '  <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{ARROW}"/></marker>',
        "</defs>",
        _tag("rect", {"width": grid.width, "height": grid.height, "fill": "#ffffff"}),
        _tag("text", {"class": "heading", "x": MARGIN, "y": MARGIN + 16}, title),
        *_legend(MARGIN, MARGIN + 38),
    ]
    for layer, agents in _bands(fleet).items():
        body += _band(layer, agents, grid.bands[layer], grid.boxes)
    for edge, d in grid.paths.items():
        body += _group_lines(
            {
                "id": f"edge-{edge.source}.{edge.target}",
                "class": "edge",
                "data-from": edge.source,
                "data-to": edge.target,
            },
            [
                f"<title>{_text(f'{edge.source} depends on {edge.target}')}</title>",
                _tag("path", {"d": d, "marker-end": "url(#arrow)"}),
            ],
        )
    head = _open(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": grid.width,
            "height": grid.height,
            "viewBox": f"0 0 {grid.width} {grid.height}",
            "role": "img",
            "aria-labelledby": "fleet-title",
        },
    )
    return "\n".join([head, *("  " + line for line in body), "</svg>"]) + "\n"


def graph_html(svg: str, stack: str | None = None) -> str:
    """A self-contained HTML page showing `svg`."""
    title = "agentkube fleet" + (f": stack {stack}" if stack else "")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_text(title)}</title>\n"
        "<style>html, body { margin: 0; padding: 0; background: #ffffff; } svg { display: block; }</style>\n"
        f"</head>\n<body>\n{svg}</body>\n</html>\n"
    )


def _legend(x: int, y: int) -> list[str]:
    """What the arrows and markers mean, on one line under the title."""
    return _group_lines(
        {"id": "legend", "class": "legend"},
        [
            "<title>legend</title>",
            _tag("path", {"class": "legend-arrow", "d": f"M{x},{y - 4} H{x + 28}", "marker-end": "url(#arrow)"}),
            _tag("text", {"x": x + 36, "y": y}, "depends on"),
            _tag("path", {"d": f"M{x + 124},{y - 9} l8,4.5 l-8,4.5 z", "fill": ENTRY}),
            _tag("text", {"x": x + 138, "y": y}, "entry point"),
            _tag("text", {"x": x + 236, "y": y}, "egress hosts under the box"),
        ],
    )


def _band(layer: Layer, agents: Sequence[AgentSpec], rect: Box, boxes: Mapping[str, Box]) -> list[str]:
    fill, stroke = BAND_COLOURS[layer]
    count = f"{len(agents)} agent" + ("" if len(agents) == 1 else "s")
    lines = [
        f"<title>{_text(f'{layer} layer: {count}')}</title>",
        _tag(
            "rect",
            {"x": rect.x, "y": rect.y, "width": rect.w, "height": rect.h, "rx": 8, "fill": fill, "stroke": stroke},
        ),
        _tag("text", {"class": "band-label", "x": MARGIN, "y": rect.y + 20, "style": f"fill: {stroke}"}, layer),
    ]
    for agent in agents:
        lines += _agent(agent, boxes[agent.name], stroke)
    return _group_lines({"id": f"band-{layer}", "class": "band", "data-layer": layer}, lines)


def _agent(spec: AgentSpec, box: Box, stroke: str) -> list[str]:
    rows = box_lines(spec)
    summary = [text for _, text in rows]
    entry = entry_text(spec)
    if entry is not None:
        summary.append(f"entry {entry}")
    hosts = egress_hosts(spec)
    if hosts is not None:
        summary.append("egress " + (", ".join(hosts) or "none"))
    left = box.x + BOX_PAD
    lines = [
        f"<title>{_text(f'{spec.name} ({spec.layer}): ' + ', '.join(summary))}</title>",
        _tag(
            "rect",
            {
                "x": box.x,
                "y": box.y,
                "width": box.w,
                "height": box.h,
                "rx": 6,
                "fill": "#ffffff",
                "stroke": stroke,
                "stroke-width": 2,
            },
        ),
        _tag("text", {"class": "name", "x": left, "y": box.y + 20}, spec.name),
    ]
    y = box.y + NAME_H
    for cls, text in rows:
        y += LINE_H
        lines.append(_tag("text", {"class": cls, "x": left, "y": y - 4}, _fit(text)))
    if entry is not None:
        y += LINE_H
        lines += _group_lines(
            {"id": f"entry-{spec.name}", "class": "entry"},
            [
                f"<title>{_text(f'entry point of {spec.name}: {entry}')}</title>",
                _tag("path", {"d": f"M{left},{y - 13} l8,4.5 l-8,4.5 z", "fill": ENTRY}),
                _tag("text", {"x": left + 14, "y": y - 4}, _fit(entry, CHARS - 2)),
            ],
        )
    under = egress_lines(spec)
    if under:
        texts = [f"<title>{_text(f'egress of {spec.name}: ' + (', '.join(hosts or []) or 'none'))}</title>"]
        for i, text in enumerate(under):
            y = box.y + box.h + LINE_H * (i + 1) - 4
            texts.append(_tag("text", {"x": box.x + 4, "y": y}, _fit(text, EGRESS_CHARS)))
        lines += _group_lines({"id": f"egress-{spec.name}", "class": "egress"}, texts)
    return _group_lines({"id": f"agent-{spec.name}", "class": "agent", "data-layer": spec.layer}, lines)


def _bands(fleet: Fleet) -> dict[Layer, list[AgentSpec]]:
    """Every layer, in order, with its agents by name."""
    return {layer: sorted((a for a in fleet.agents if a.layer == layer), key=lambda a: a.name) for layer in LAYERS}


def _lanes(groups: Mapping[object, Sequence[Edge]]) -> dict[Edge, int]:
    """Each edge's index in its group: its lane."""
    return {e: i for group in groups.values() for i, e in enumerate(group)}


def _group(edges: Iterable[Edge], key: Callable[[Edge], object]) -> dict[object, list[Edge]]:
    out: dict[object, list[Edge]] = {}
    for e in edges:
        out.setdefault(key(e), []).append(e)
    return out


def _fit(text: str, chars: int = CHARS) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _text(text: str) -> str:
    return escape(text, quote=False)


def _open(name: str, attrs: Mapping[str, str | int]) -> str:
    return f"<{name}" + "".join(f' {k}="{escape(str(v), quote=True)}"' for k, v in attrs.items()) + ">"


def _tag(name: str, attrs: Mapping[str, str | int], text: str | None = None) -> str:
    opened = _open(name, attrs)
    return opened[:-1] + "/>" if text is None else f"{opened}{_text(text)}</{name}>"


def _group_lines(attrs: Mapping[str, str | int], children: Sequence[str]) -> list[str]:
    return [_open("g", attrs), *("  " + c for c in children), "</g>"]
