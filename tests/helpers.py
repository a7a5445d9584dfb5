"""Shared test helpers: the example fleet, stack settings and a Pulumi mocks harness."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

from agentkube.fleet import Fleet, read_documents, read_stack, resolve
from agentkube.spec.stack import StackSettings
from components.program import main

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
AGENTS = ROOT / "agents"
SECRET_VALUE = "sk-test-4f1c9e0b7d2a"  # the plain value that must never appear anywhere


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


def run_program(stack: str, **extra: Any) -> Recorder:
    """Run the real Pulumi program (`__main__` -> components.program.main) under mocks."""

    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project="agentkube", stack=stack, preview=False)
    config, secret_keys = stack_config(stack, **extra)
    pulumi.runtime.set_all_config(config, secret_keys)

    @pulumi.runtime.test
    def program() -> None:
        main()

    program()
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


# A worker agent in each release strategy.
HTTP = [{"name": "http", "port": 8080}]
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
