"""Baseline Pulumi program for bench/engine.py: the same objects, precomputed in objects.json,
declared one by one with pulumi_kubernetes, each agent's objects after those of the agents it
depends on (the ordering agentkube gives), with no components and no validation."""

import json
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from agentkube.components.resources import register

data = json.loads(Path("objects.json").read_text())
provider = k8s.Provider("render", render_yaml_to_directory="rendered")
declared: dict[str, list[pulumi.Resource]] = {}
for group in data["groups"]:  # layers first, then agents in dependency order
    after = [r for dep in group["dependsOn"] for r in declared[dep]]
    opts = pulumi.ResourceOptions(provider=provider, depends_on=after)
    declared[group["name"]] = [register(obj, opts, pulumi.Output.secret) for obj in group["objects"]]
