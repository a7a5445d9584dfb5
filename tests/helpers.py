"""Shared test helpers: the example fleet, stack settings, lookups in built objects, what a CLI run gave,
and a Pulumi mocks harness."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from agentkube.components.program import main
from agentkube.core.build import build, object_key
from agentkube.core.secrets import without_secret_values
from agentkube.fleet import Fleet, load_fleet, read_documents, read_stack, resolve
from agentkube.ops.environment import pulumi_env
from agentkube.spec.problems import SpecError
from agentkube.spec.stack import StackSettings
from agentkube.state.record import STACK_CONFIG_ENV

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
AGENTS = ROOT / "agents"
SECRET_VALUE = "sk-test-4f1c9e0b7d2a"  # the plain value that must never appear anywhere
SECRET = "sk-live-never-in-plain-7d41a"  # the config secret of stacks the real engine runs
PROD_PASSPHRASE = "prod-passphrase-for-tests"
# the oldest Kubernetes agentkube supports (README): the preStop sleep action of the graceful drain is on from 1.30
KUBERNETES_FLOOR = (1, 30)
KUBERNETES_FLOOR_VERSION = ".".join(map(str, KUBERNETES_FLOOR)) + ".0"  # as kubernetes-validate names it
# what a copy of the example project needs to run its program: __main__.py imports the local components/
PROGRAM_FILES = ("Pulumi.yaml", "__main__.py", "components")


def example_documents() -> dict[str, Any]:
    return read_documents(Path("agents"))


def stack_fleet(stack: str, documents: dict[str, Any] | None = None, **settings: Any) -> Fleet:
    """The example fleet under a stack of the repo, with its config secrets present."""
    base, secrets = read_stack(ROOT, stack)
    merged = StackSettings.model_validate({**base.model_dump(by_alias=True, exclude_unset=True), **settings})
    return resolve(documents or example_documents(), merged, f"Pulumi.{stack}.yaml", secrets | {"searchApiKey"})


def fleet_of(*specs: dict[str, Any], **settings: Any) -> Fleet:
    """A fleet from inline specs (file names agents/<name>.yaml)."""
    docs = {f"agents/{s['name']}.yaml": s for s in specs}
    return resolve(docs, StackSettings.model_validate(settings), "Pulumi.test.yaml", frozenset({"searchApiKey"}))


def spec_problems(*specs: dict[str, Any], **settings: Any) -> list[str]:
    """What validation reports for a fleet of inline specs, one line per problem; the fleet must be invalid."""
    with pytest.raises(SpecError) as caught:
        fleet_of(*specs, **settings)
    return [str(p) for p in caught.value.problems]


def one_object(objs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    """The only object of `kind` (named `name`, if given); fails unless there is exactly one."""
    found = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def objects_by_name(objs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The objects of `kind`, keyed by their name."""
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


def objects_of_kind(objs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The objects of `kind`, in build order."""
    return [o for o in objs if o["kind"] == kind]


def kinds_in(objs: list[dict[str, Any]]) -> list[str]:
    """The kind of each object, in build order."""
    return [o["kind"] for o in objs]


HASH_SEEDS = ("0", "1", "4242")  # string hashes, so the order of sets, differ under each


def stdout_per_hash_seed(*argv: str) -> dict[str, str]:
    """What `argv` writes to stdout when run in a fresh interpreter under each of HASH_SEEDS (one process
    always hashes alike, so comparing two calls in it cannot catch output that follows set order)."""
    outputs = {}
    for seed in HASH_SEEDS:
        done = subprocess.run(
            argv, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{' '.join(argv)} under PYTHONHASHSEED={seed} failed:\n{done.stderr}"
        outputs[seed] = done.stdout
    return outputs


def python_stdout_per_hash_seed(code: str) -> dict[str, str]:
    """stdout_per_hash_seed of `python -c code`, run at the repo root (so `tests.helpers` imports)."""
    return stdout_per_hash_seed(sys.executable, "-c", code)


@dataclass(frozen=True)
class CliRun:
    """One run of the agentkube command: its exit code and what it wrote to stdout and to stderr, apart."""

    code: int
    out: str
    err: str


RunLine = Callable[[list[str]], CliRun]  # the `run_line` fixture: ["agentkube", *args] -> CliRun


@dataclass
class Registered:
    typ: str
    name: str
    inputs: dict[str, Any]
    parent: str | None


@dataclass
class Recorder(pulumi.runtime.Mocks):
    """Echoes inputs back with a fake id and remembers every resource."""

    resources: list[Registered] = field(default_factory=list)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        parent = getattr(args, "custom", None)
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs), parent))
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}

    def kubernetes(self) -> list[Registered]:
        return [r for r in self.resources if r.typ.startswith("kubernetes:") and not r.typ.startswith("pulumi:")]


def stack_config(stack: str, **extra: Any) -> tuple[dict[str, str], list[str]]:
    """The repo's Pulumi.<stack>.yaml as the runtime passes it: text values, secrets decrypted."""
    doc = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    config = {
        k: v if isinstance(v, str) else json.dumps(v)
        for k, v in doc.items()
        if not isinstance(v, dict) or "secure" not in v
    }
    config.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in extra.items()})
    config["agentkube:searchApiKey"] = SECRET_VALUE
    return config, ["agentkube:searchApiKey"]


def run_program(stack: str, stack_text: str | None = None, **extra: Any) -> Recorder:
    """Run the real Pulumi program (`__main__` -> agentkube.components.program.main) under mocks.

    The program reads its settings from the stack file pulumi runs with, as `pulumi up --config-file` names
    it: the repo's `Pulumi.<stack>.yaml` with `extra` config set in it, or `stack_text` as the file.
    """
    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project="agentkube", stack=stack, preview=False)
    config, secret_keys = stack_config(stack, **extra)
    pulumi.runtime.set_all_config(config, secret_keys)
    if stack_text is None:
        doc = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
        # what `pulumi config set --secret` writes: the runtime decrypts it to SECRET_VALUE (stack_config)
        doc["config"].setdefault("agentkube:searchApiKey", {"secure": "v1:placeholder"})
        doc["config"].update(extra)
        stack_text = yaml.safe_dump(doc)

    @pulumi.runtime.test
    def program() -> None:
        main()

    with tempfile.TemporaryDirectory(prefix="agentkube-program-") as tmp:
        config_file = Path(tmp, f"Pulumi.{stack}.yaml")
        config_file.write_text(stack_text, encoding="utf-8")
        before = os.environ.get(STACK_CONFIG_ENV)
        os.environ[STACK_CONFIG_ENV] = str(config_file)
        try:
            program()
        finally:
            if before is None:
                del os.environ[STACK_CONFIG_ENV]
            else:
                os.environ[STACK_CONFIG_ENV] = before
    return recorder


def unsecret(value: Any) -> Any:
    """Inputs as plain data: Pulumi's secret wrappers replaced by their values."""
    if isinstance(value, dict):
        if pulumi.runtime.rpc._special_sig_key in value:
            return unsecret(value["value"])
        return {k: unsecret(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unsecret(v) for v in value]
    return value


# The smallest valid spec, and a job agent that a queue trigger runs (KEDA).
GOOD = {"name": "worker", "image": "ghcr.io/acme/worker:1.0.0"}
TASKS = {"prometheus": {"query": "sum(tasks)", "threshold": "5"}}


def job(**autoscale: Any) -> dict[str, Any]:
    return {**GOOD, "kind": "job", "scaling": {"autoscale": {"min": 0, "max": 3, "triggers": [TASKS], **autoscale}}}


# A worker agent in each release strategy.
HTTP = [{"name": "http", "port": 8080}]
SERVING = {**GOOD, "ports": HTTP}  # the smallest valid spec with a port
BASE = {
    "name": "worker",
    "image": "ghcr.io/acme/worker:1.0.0",
    "ports": HTTP,
    "config": {"data": {"agent.yaml": "model: a\n"}},
}


def canary(weight: int, traffic: str = "replicas", **extra: Any) -> dict[str, Any]:
    return {
        **BASE,
        "rollout": {
            "strategy": "canary",
            "canary": {"image": "ghcr.io/acme/worker:1.1.0", "weight": weight, "traffic": traffic, **extra},
        },
    }


def blue_green(active: str = "blue", **green: Any) -> dict[str, Any]:
    return {
        **BASE,
        "rollout": {
            "strategy": "blue-green",
            "blueGreen": {
                "active": active,
                "blue": {"image": "ghcr.io/acme/worker:1.0.0"},
                "green": {"image": "ghcr.io/acme/worker:1.1.0", **green},
            },
        },
    }


class Project:
    """A copy of the repo's project with its own backend, driven through the real CLI."""

    def __init__(self, root: Path, tools: str) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for name in (*PROGRAM_FILES, "agents", "Pulumi.dev.yaml", "Pulumi.prod.yaml"):
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
        (root / ".venv").symlink_to(ROOT / ".venv")
        (root / ".pulumi").mkdir()
        self.env = pulumi_env(root, tools=tools, own_backend=True)
        self.log: list[str] = []

    def passphrase(self, stack: str) -> str:
        return "agentkube-dev" if stack == "dev" else PROD_PASSPHRASE

    def run(self, *args: str, stack: str = "dev", check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "PULUMI_CONFIG_PASSPHRASE": self.passphrase(stack)}
        done = subprocess.run(
            ["pulumi", *args, "--stack", stack], cwd=self.root, env=env, text=True, capture_output=True, check=False
        )
        self.log.append(done.stdout + done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def agentkube(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**self.env, "PULUMI_CONFIG_PASSPHRASE": PROD_PASSPHRASE if "prod" in args else "agentkube-dev"}
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "agentkube"), *args],
            cwd=self.root,
            env=env,
            text=True,
            capture_output=True,
            check=False,
        )
        self.log.append(done.stdout + done.stderr)
        return done

    def init(self, stack: str, target: str = "render") -> None:
        """Create the stack aimed at `target`: "render" (rendered/STACK/) or "local" (the local cluster)."""
        self.run("stack", "init", "--secrets-provider", "passphrase", stack=stack)
        for key in ("agentkube:renderDir", "agentkube:localCluster"):
            self.run("config", "rm", key, stack=stack)
        if target == "render":
            self.run("config", "set", "agentkube:renderDir", f"rendered/{stack}", stack=stack)
        else:
            self.run("config", "set", "agentkube:localCluster", "true", stack=stack)
        self.run("config", "set", "--secret", "agentkube:searchApiKey", SECRET, stack=stack)

    def up(self, stack: str = "dev", *extra: str) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra, stack=stack)

    def rendered(self, stack: str = "dev") -> dict[str, dict[str, Any]]:
        files = sorted((self.root / "rendered" / stack).rglob("*.yaml"))
        return {object_key(doc): doc for doc in (yaml.safe_load(p.read_text()) for p in files)}

    def rendered_digest(self, stack: str = "dev") -> str:
        digest = hashlib.sha256()
        for path in sorted((self.root / "rendered" / stack).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(self.root)).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def core(self, stack: str) -> dict[str, dict[str, Any]]:
        fleet = load_fleet(self.root / "agents", stack, self.root, check_secrets=False)
        objects = json.loads(json.dumps(without_secret_values(build(fleet))))
        return {object_key(o): o for o in objects}

    def state(self, stack: str = "dev") -> Any:
        return json.loads(self.run("stack", "export", stack=stack).stdout)["deployment"].get("resources")

    def edit(self, agent: str, old: str, new: str) -> None:
        path = self.root / "agents" / f"{agent}.yaml"
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))


def orphans(prefixes: tuple[str, ...] = ("pulumi-",)) -> set[int]:
    """Processes whose parent is gone (reparented to init) and whose name starts with one of `prefixes`."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        parent = int(text[text.rindex(")") + 2 :].split()[1])
        if parent == 1 and name.startswith(prefixes):
            found.add(int(stat.parent.name))
    return found


def reap(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def keda_agents() -> list[dict[str, Any]]:
    """A queue worker scaled to zero by KEDA on every kind of trigger, and a run-to-completion job agent:
    specs for stacks with `keda: true` (the example fleet's indexer and evaluator use one trigger each)."""
    queue = {"external": {"name": "agent_queue_depth", "selector": {"queue": "work"}, "averageValue": "20"}}
    worker = {
        "name": "queue-worker",
        "image": "ghcr.io/acme/queue-worker:1.0.0",
        "scaling": {
            "autoscale": {
                "min": 0,
                "max": 6,
                "metrics": [queue],
                "scaleDown": {"stabilizationSeconds": 120},
                "cooldownSeconds": 120,
                "triggers": [
                    {"redis": {"address": "redis.infra.svc:6379", "list": "tasks", "length": 10}},
                    {"rabbitmq": {"queue": "tasks", "hostFromSecret": {"name": "rabbitmq", "key": "url"}}},
                    {"kafka": {"bootstrapServers": ["kafka.infra.svc:9092"], "topic": "t", "consumerGroup": "w"}},
                ],
            }
        },
        "shutdown": {"drainSeconds": 5, "gracePeriodSeconds": 600},
        "health": {
            "readiness": {"exec": {"command": ["/bin/worker", "ready"]}},
            "liveness": {"exec": {"command": ["/bin/worker", "alive"]}},
        },
    }
    job = {
        "name": "batch",
        "image": "ghcr.io/acme/batch:2.0.0",
        "kind": "job",
        "job": {"activeDeadlineSeconds": 1800, "retries": 2, "successfulHistory": 5, "failedHistory": 5},
        "config": {"data": {"batch.yaml": "model: small\n"}},
        "scaling": {
            "autoscale": {
                "min": 0,
                "max": 10,
                "triggers": [{"prometheus": {"query": "sum(batch_tasks)", "threshold": "1"}}],
            }
        },
    }
    return [worker, job]
