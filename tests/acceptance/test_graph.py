"""`agentkube graph`: SVG and HTML files, a screenshot of the page in headless Chromium, the README's picture."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import struct
import subprocess
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from pathlib import Path

import pytest

from agentkube.fleet.loader import load_fleet
from agentkube.render.picture import BAND_COLOURS
from tests.helpers import ROOT, RunLine

DOCS_PICTURE = ROOT / "docs" / "fleet.svg"
REGENERATE = "agentkube graph --stack dev -o docs/fleet.svg"


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
    bpp = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), prev, bpp)
        rows.append(bytes(row) if bpp == 3 else b"".join(row[i : i + 3] for i in range(0, stride, 4)))
        prev = row
    return width, height, rows


def unfilter(kind: int, row: bytearray, prev: bytearray, bpp: int) -> bytearray:
    """Undo one scanline's PNG filter (None, Sub, Up, Average, Paeth) in place."""
    if kind == 1:
        for i in range(bpp, len(row)):
            row[i] = (row[i] + row[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(len(row)):
            row[i] = (row[i] + prev[i]) & 0xFF
    elif kind == 3:
        for i in range(len(row)):
            row[i] = (row[i] + ((row[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 0xFF
    elif kind == 4:
        for i in range(len(row)):
            left, up, corner = (row[i - bpp], prev[i], prev[i - bpp]) if i >= bpp else (0, prev[i], 0)
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
    else:
        assert kind == 0, f"unknown PNG filter {kind}"
    return row


def screenshot(page: Path, png: Path, width: int, height: int, profile: Path) -> None:
    """Headless Chromium's screenshot of `page`; its whole process group is gone when this returns."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not installed: run scripts/install-chromium (CI does)"
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",  # this machine's network is closed: no update or sync calls
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size={width},{height}",
        page.as_uri(),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=90)
    finally:  # the browser, its zygote and renderers share the group: none outlives the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == 0 and png.is_file(), f"chromium exited {proc.returncode}: {err.decode()[-2000:]}"


def processes_using(path: Path) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(path).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def test_graph_writes_svg_and_html_and_chromium_draws_the_page(tmp_path: Path, run_line: RunLine) -> None:
    svg_file, html_file, png = tmp_path / "fleet.svg", tmp_path / "fleet.html", tmp_path / "fleet.png"
    assert run_line(["agentkube", "graph", "--stack", "dev", "-o", str(svg_file)]).code == 0
    assert run_line(["agentkube", "graph", "--stack", "dev", "-o", str(html_file)]).code == 0
    svg = svg_file.read_text(encoding="utf-8")
    assert svg in html_file.read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    width, height = int(root.get("width", 0)), int(root.get("height", 0))
    assert width > 300 and height > 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fleet.html", "fleet.svg"]  # no staging file left

    profile = tmp_path / "chromium-profile"
    screenshot(html_file, png, width, height, profile)
    assert processes_using(profile) == []

    png_width, png_height, rows = decode_png(png.read_bytes())
    assert (png_width, png_height) == (width, height)
    pixels = Counter(bytes(row[i : i + 3]) for row in rows for i in range(0, len(row), 3))
    assert len(pixels) >= 20, f"only {len(pixels)} colours: a blank page?"
    (_, most), total = pixels.most_common(1)[0], width * height
    assert most < 0.8 * total, "one colour covers most of the page: nothing drawn?"
    for layer, (fill, _) in BAND_COLOURS.items():
        assert pixels[bytes(hex_rgb(fill))] > 1000, f"the {layer} band ({fill}) is not on the screenshot"


def test_graph_without_out_prints_the_svg(tmp_path: Path, run_line: RunLine) -> None:
    out = run_line(["agentkube", "graph", "--stack", "prod"])
    assert out.code == 0
    root = ET.fromstring(out.out)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert out.err == ""
    written = run_line(["agentkube", "graph", "--stack", "prod", "-o", str(tmp_path / "prod.svg")])
    assert written.code == 0
    assert (tmp_path / "prod.svg").read_text(encoding="utf-8") == out.out
    fleet = load_fleet(ROOT / "agents", "prod", ROOT, check_secrets=False)
    dependencies = sum(len(a.depends_on) for a in fleet.agents)
    assert written.err == f"wrote {tmp_path / 'prod.svg'}: {len(fleet.agents)} agents, {dependencies} dependencies\n"


@pytest.mark.parametrize("name", ["fleet.png", "fleet", "fleet.svg.txt"])
def test_graph_refuses_other_formats_as_a_usage_error(name: str, tmp_path: Path, run_line: RunLine) -> None:
    captured = run_line(["agentkube", "graph", "--stack", "dev", "-o", str(tmp_path / name)])
    assert captured.code == 2
    assert captured.out == ""
    assert "expected a file ending in .svg or .html" in captured.err
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []


def test_graph_needs_a_stack(run_line: RunLine) -> None:
    done = run_line(["agentkube", "graph"])
    assert done.code == 2
    assert "--stack" in done.err


def test_docs_picture_is_the_graph_of_the_example_fleet(run_line: RunLine) -> None:
    done = run_line(["agentkube", "graph", "--stack", "dev"])
    assert done.code == 0
    current = done.out
    assert DOCS_PICTURE.read_text(encoding="utf-8") == current, (
        f"docs/fleet.svg is not the graph of the example fleet any more; regenerate it with: {REGENERATE}"
    )
