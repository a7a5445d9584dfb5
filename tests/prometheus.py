"""A real Prometheus for the tests, fed by backfilling OpenMetrics samples with promtool."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import ROOT

STEP = 15  # seconds between samples
SPAN = 15 * 60  # the samples cover the last 15 minutes, up to a few seconds ago


def install() -> Path:
    """The directory of prometheus and promtool (`scripts/install-prometheus` builds them once)."""
    out = subprocess.run([str(ROOT / "scripts" / "install-prometheus")], check=True, capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def counter(name: str, labels: dict[str, str], per_second: float, now: float) -> str:
    """One counter series growing at `per_second`, as OpenMetrics lines."""
    selector = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    start = int(now) - SPAN
    return "".join(f"{name}{{{selector}}} {per_second * (t - start):.3f} {t}\n" for t in range(start, int(now), STEP))


def gauge(name: str, labels: dict[str, str], value: float, now: float) -> str:
    selector = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    start = int(now) - SPAN
    return "".join(f"{name}{{{selector}}} {value} {t}\n" for t in range(start, int(now), STEP))


def traffic(track: str, errors: float, tokens: float, rps: float = 10.0) -> dict[str, str]:
    """A track's request, error and token counters: `errors` the share of 5xx, `tokens` per request."""
    now = time.time()
    labels = {"namespace": "agentkube-agent-pool", "agent": "worker", "track": track}
    return {
        "http_requests_total": counter("http_requests_total", {**labels, "code": "200"}, rps * (1 - errors), now)
        + counter("http_requests_total", {**labels, "code": "500"}, rps * errors, now),
        "agent_requests_total": counter("agent_requests_total", labels, rps, now),
        "agent_llm_tokens_total": counter("agent_llm_tokens_total", labels, rps * tokens, now),
    }


def merged(*tracks: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for track in tracks:
        for name, lines in track.items():
            out[name] = out.get(name, "") + lines
    return out


@contextmanager
def serving(tools: Path, work: Path, families: dict[str, str]) -> Iterator[str]:
    """Prometheus on a free local port over blocks backfilled from `families` (metric name -> its
    OpenMetrics sample lines), stopped after the block; yields its URL."""
    data, source = work / "data", work / "samples.om"
    source.write_text("".join(f"# TYPE {name} unknown\n{lines}" for name, lines in families.items()) + "# EOF\n")
    subprocess.run(
        [str(tools / "promtool"), "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        check=True,
        capture_output=True,
    )
    config = work / "prometheus.yml"
    config.write_text("global: {scrape_interval: 15s}\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = (work / "prometheus.log").open("w")
    server = subprocess.Popen(
        [
            str(tools / "prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"prometheus did not start; see {work / 'prometheus.log'}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
