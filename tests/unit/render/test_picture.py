"""The picture of the fleet: every agent and dependency drawn, nothing overlapping, the same bytes every time."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from agentkube.fleet.loader import load_fleet
from agentkube.fleet.model import Fleet
from agentkube.render.picture import graph_html, graph_svg
from agentkube.spec.agent import LAYERS, AgentSpec
from tests.helpers import HASH_SEEDS, ROOT, fleet_of, python_stdout_per_hash_seed

NS = {"svg": "http://www.w3.org/2000/svg"}
Rect = tuple[float, float, float, float]  # x, y, width, height


def example(stack: str) -> Fleet:
    return load_fleet(ROOT / "agents", stack, ROOT, check_secrets=False)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def agent_boxes(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id", "")[len("agent-") :]: g for g in root.iterfind(".//svg:g[@class='agent']", NS)}


def edges(root: ET.Element) -> set[tuple[str, str]]:
    return {(g.get("data-from", ""), g.get("data-to", "")) for g in root.iterfind(".//svg:g[@class='edge']", NS)}


def rect(g: ET.Element) -> Rect:
    r = g.find("svg:rect", NS)
    assert r is not None, g.get("id")
    return (float(r.get("x", 0)), float(r.get("y", 0)), float(r.get("width", 0)), float(r.get("height", 0)))


def texts(g: ET.Element) -> list[str]:
    return [t.text or "" for t in g.iterfind(".//svg:text", NS)]


def title(g: ET.Element) -> str:
    t = g.find("svg:title", NS)
    assert t is not None and t.text, f"{g.get('id')} has no <title>"
    return t.text


def overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def segments(d: str) -> list[tuple[float, float, float, float]]:
    """The straight segments of a path of M, H and V commands."""
    x = y = 0.0
    out = []
    for cmd, args in re.findall(r"([MHV])([-\d.,]+)", d):
        nx, ny = x, y
        if cmd == "M":
            nx, ny = map(float, args.split(","))
        elif cmd == "H":
            nx = float(args)
        else:
            ny = float(args)
        if cmd != "M":
            out.append((x, y, nx, ny))
        x, y = nx, ny
    return out


def crosses_inside(segment: tuple[float, float, float, float], box: Rect) -> bool:
    """Whether an axis-parallel segment passes through the inside of `box` (touching its edge is fine)."""
    x1, y1, x2, y2 = segment
    bx, by, bw, bh = box
    lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return lo_x < bx + bw and hi_x > bx and lo_y < by + bh and hi_y > by


def with_field(spec: AgentSpec, **update: Any) -> AgentSpec:
    """`spec` with fields set as is (no validation): `egress` works before and after the model has it."""
    return spec.model_copy(update=update)


def replace_agent(fleet: Fleet, spec: AgentSpec) -> Fleet:
    return dataclasses.replace(fleet, agents=tuple(spec if a.name == spec.name else a for a in fleet.agents))


def worker(name: str, layer: str = "agent-pool", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "layer": layer,
        "image": f"ghcr.io/acme/{name}:1.0.0",
        "ports": [{"name": "http", "port": 8080}],
    } | extra


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_agent_of_the_example_fleet_has_a_titled_box_in_its_layer(stack: str) -> None:
    fleet = example(stack)
    root = parse(graph_svg(fleet, stack))
    boxes = agent_boxes(root)
    assert sorted(boxes) == [a.name for a in fleet.agents]
    for agent in fleet.agents:
        band = root.find(f".//svg:g[@id='band-{agent.layer}']", NS)
        assert band is not None and band.find(f"svg:g[@id='agent-{agent.name}']", NS) is not None
        assert title(boxes[agent.name]).startswith(f"{agent.name} ({agent.layer}): ")
        assert texts(boxes[agent.name])[0] == agent.name


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_dependency_is_an_arrow_with_a_title(stack: str) -> None:
    fleet = example(stack)
    root = parse(graph_svg(fleet, stack))
    expected = {(a.name, dep) for a in fleet.agents for dep in a.depends_on}
    assert expected  # the example fleet has dependencies to draw
    assert edges(root) == expected
    for g in root.iterfind(".//svg:g[@class='edge']", NS):
        assert title(g) == f"{g.get('data-from')} depends on {g.get('data-to')}"
        path = g.find("svg:path", NS)
        assert path is not None and path.get("marker-end") == "url(#arrow)"


def test_layers_are_bands_top_to_bottom_even_when_empty() -> None:
    root = parse(graph_svg(fleet_of(worker("solo"))))
    bands = root.findall(".//svg:g[@class='band']", NS)
    assert [b.get("data-layer") for b in bands] == list(LAYERS)
    tops = [rect(b)[1] for b in bands]
    assert tops == sorted(tops)
    assert all(not overlap(rect(a), rect(b)) for a, b in itertools.pairwise(bands))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_boxes_do_not_overlap_and_sit_inside_their_band(stack: str) -> None:
    root = parse(graph_svg(example(stack), stack))
    boxes = agent_boxes(root)
    for a, b in itertools.combinations(boxes.values(), 2):
        assert not overlap(rect(a), rect(b)), (a.get("id"), b.get("id"))
    for band in root.iterfind(".//svg:g[@class='band']", NS):
        bx, by, bw, bh = rect(band)
        for g in band.iterfind("svg:g[@class='agent']", NS):
            x, y, w, h = rect(g)
            assert bx <= x and x + w <= bx + bw and by <= y and y + h <= by + bh, g.get("id")


def test_agents_run_left_to_right_by_name() -> None:
    fleet = fleet_of(worker("zeta"), worker("alpha"), worker("mid"))
    boxes = agent_boxes(parse(graph_svg(fleet)))
    assert sorted(boxes, key=lambda name: rect(boxes[name])[0]) == ["alpha", "mid", "zeta"]


def test_arrows_never_pass_through_a_box() -> None:
    specs = [
        worker("entry", "orchestration", dependsOn=["a", "b", "c", "db"]),
        worker("second", "orchestration", dependsOn=["c", "first"]),
        worker("first", "orchestration"),
        worker("a", dependsOn=["b", "db"]),
        worker("b", dependsOn=["c"]),
        worker("c", dependsOn=["cache"]),
        worker("db", "infrastructure"),
        worker("cache", "infrastructure", dependsOn=["db"]),
    ]
    root = parse(graph_svg(fleet_of(*specs)))
    boxes = {name: rect(g) for name, g in agent_boxes(root).items()}
    for g in root.iterfind(".//svg:g[@class='edge']", NS):
        path = g.find("svg:path", NS)
        assert path is not None
        parts = segments(path.get("d", ""))
        for name, box in boxes.items():
            inner = (box[0] + 1, box[1] + 1, box[2] - 2, box[3] - 2)
            assert not any(crosses_inside(s, inner) for s in parts), (g.get("id"), name)
        source, target = boxes[g.get("data-from", "")], boxes[g.get("data-to", "")]
        assert parts[0][0] == source[0] + source[2] and source[1] < parts[0][1] < source[1] + source[3]  # its right
        assert parts[-1][3] == target[1] and target[0] < parts[-1][2] < target[0] + target[2]  # ends on its top
    assert len(edges(root)) == 11


GRAPH_OF_PROD = """import json
from agentkube.fleet.loader import load_fleet
from agentkube.render.picture import graph_html, graph_svg
from tests.helpers import ROOT

svg = graph_svg(load_fleet(ROOT / "agents", "prod", ROOT, check_secrets=False), "prod")
print(json.dumps([svg, graph_html(svg, "prod")]))
"""


def test_output_is_byte_identical_across_runs() -> None:
    first = graph_svg(example("prod"), "prod")
    runs = {seed: json.loads(out) for seed, out in python_stdout_per_hash_seed(GRAPH_OF_PROD).items()}
    assert runs == {seed: [first, graph_html(first, "prod")] for seed in HASH_SEEDS}


def test_stack_overrides_give_each_stack_its_replica_bounds() -> None:
    dev, prod = (agent_boxes(parse(graph_svg(example(s), s))) for s in ("dev", "prod"))
    assert "replicas 1..2" in texts(dev["orchestrator"])
    assert "replicas 3..12" in texts(prod["orchestrator"])
    assert "replicas 2..20" in texts(prod["researcher"])
    assert "replicas 1" in texts(dev["tool-server"])  # a fixed count shows one number
    assert "replicas 2" in texts(prod["tool-server"])


def test_scale_to_zero_shows_zero_as_the_lower_bound() -> None:
    fleet = example("dev")
    researcher = fleet.agent("researcher")
    assert researcher.scaling.autoscale is not None
    scaling = researcher.scaling.model_copy(
        update={"autoscale": researcher.scaling.autoscale.model_copy(update={"min": 0})}
    )
    boxes = agent_boxes(parse(graph_svg(replace_agent(fleet, with_field(researcher, scaling=scaling)))))
    assert "replicas 0..10" in texts(boxes["researcher"])


def test_versions_and_the_canary_share_are_shown() -> None:
    boxes = agent_boxes(parse(graph_svg(example("prod"), "prod")))
    assert "version 1.4.2" in texts(boxes["researcher"])
    canary = boxes["researcher"].find("svg:text[@class='canary']", NS)
    assert canary is not None and canary.text == "canary 1.5.0 at 10%"
    assert "canary 1.5.0 at 10%" in title(boxes["researcher"])
    assert boxes["coder"].find("svg:text[@class='canary']", NS) is None


def test_a_canary_shows_its_own_weight_and_version() -> None:
    spec = worker("w", rollout={"strategy": "canary", "canary": {"image": "ghcr.io/acme/w:2.0.0-rc.1", "weight": 25}})
    canary = agent_boxes(parse(graph_svg(fleet_of(spec))))["w"].find("svg:text[@class='canary']", NS)
    assert canary is not None and canary.text == "canary 2.0.0-rc.1 at 25%"


def test_blue_green_shows_both_colours_and_the_active_one() -> None:
    boxes = agent_boxes(parse(graph_svg(example("dev"), "dev")))
    colours = boxes["tool-server"].find("svg:text[@class='colours']", NS)
    assert colours is not None and colours.text == "blue 3.1.0 active, green 3.2.0"


def test_an_exposed_agent_has_an_entry_marker_with_host_and_path() -> None:
    fleet = example("dev")
    root = parse(graph_svg(fleet, "dev"))
    entries = root.findall(".//svg:g[@class='entry']", NS)
    assert [e.get("id") for e in entries] == [f"entry-{a.name}" for a in fleet.agents if a.expose]
    entry = agent_boxes(root)["orchestrator"].find("svg:g[@id='entry-orchestrator']", NS)
    assert entry is not None and texts(entry) == ["agents.example.com/"]
    assert title(entry) == "entry point of orchestrator: agents.example.com/"


def test_egress_hosts_are_listed_under_the_box() -> None:
    fleet = example("dev")
    hosts = ["api.openai.com:443", "*.search.example.com:443"]
    fleet = replace_agent(fleet, with_field(fleet.agent("researcher"), egress=hosts))
    fleet = replace_agent(fleet, with_field(fleet.agent("coder"), egress=[]))
    fleet = replace_agent(fleet, with_field(fleet.agent("orchestrator"), egress=None))
    root = parse(graph_svg(fleet, "dev"))
    boxes = agent_boxes(root)
    egress = boxes["researcher"].find("svg:g[@id='egress-researcher']", NS)
    assert egress is not None and texts(egress) == ["egress: 2 hosts", *hosts]
    box = rect(boxes["researcher"])
    assert all(float(t.get("y", 0)) > box[1] + box[3] for t in egress.iterfind("svg:text", NS))
    nothing = boxes["coder"].find("svg:g[@id='egress-coder']", NS)
    assert nothing is not None and texts(nothing) == ["egress: none (no internet)"]
    anything = boxes["orchestrator"].find("svg:g[@id='egress-orchestrator']", NS)
    assert anything is not None and texts(anything) == ["egress: any public address"]  # unset: said, not hidden
    for a, b in itertools.combinations(boxes.values(), 2):  # the lists make room: boxes stay apart
        assert not overlap(rect(a), rect(b))


def test_the_runtime_line_shows_jobs_scale_to_zero_isolation_pools_and_mcp() -> None:
    boxes = agent_boxes(parse(graph_svg(example("dev"), "dev")))
    assert "job per task" in texts(boxes["evaluator"])
    assert "scales to zero" in texts(boxes["indexer"]) and "replicas 0..8" in texts(boxes["indexer"])
    assert "gvisor · pool 2, 1h · MCP" in texts(boxes["code-runner"])
    assert "MCP" in texts(boxes["tool-server"])
    assert not [t for t in texts(boxes["vector-store"]) if "MCP" in t or "pool" in t]


def test_text_is_escaped_and_long_text_is_cut_with_the_whole_in_the_title() -> None:
    fleet = example("dev")
    odd = ["a&b<c>.example.com", "x" * 80 + ".example.com:443"]
    root = parse(graph_svg(replace_agent(fleet, with_field(fleet.agent("coder"), egress=odd)), "dev"))
    egress = root.find(".//svg:g[@id='egress-coder']", NS)
    assert egress is not None
    shown = texts(egress)
    assert shown[1] == odd[0]
    assert shown[2].endswith("…") and len(shown[2]) < len(odd[1])
    assert odd[1] in title(egress)


def test_html_is_a_self_contained_page_around_the_same_svg() -> None:
    svg = graph_svg(example("dev"), "dev")
    html = graph_html(svg, "dev")
    assert html.startswith("<!DOCTYPE html>") and svg in html
    assert "<title>agentkube fleet: stack dev</title>" in html
    outside = re.findall(r"""(?:src|href)=|url\((?!#)|@import|https?://(?!www\.w3\.org/2000/svg")""", html)
    assert outside == []


def test_svg_names_itself_for_screen_readers() -> None:
    root = parse(graph_svg(example("dev"), "dev"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "fleet-title"
    heading = root.find("svg:title[@id='fleet-title']", NS)
    assert heading is not None and heading.text == "agentkube fleet: stack dev"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
