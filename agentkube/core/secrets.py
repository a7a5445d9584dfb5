"""Config secrets: placeholders in the core, Secrets in the cluster, never values in files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..fleet import object_names
from ..fleet.model import Fleet
from ..project import config_key
from ..spec.agent import AgentSpec
from . import naming


@dataclass(frozen=True)
class ConfigSecret:
    """Placeholder for a Pulumi config secret's value: the core never sees secret values."""

    key: str

    def __str__(self) -> str:
        return f"<secret {config_key(self.key)}>"


def secret_name(spec: AgentSpec) -> str:
    return object_names.config_secret(spec.name)


def config_secret(spec: AgentSpec, fleet: Fleet) -> dict[str, Any] | None:
    """A Secret holding the agent's Pulumi config secrets; values are placeholders until deployed."""
    keys = sorted({item.config for item in spec.secrets if item.config})
    if not keys:
        return None
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": naming.metadata(spec, fleet.settings, secret_name(spec)),
        "stringData": {key: ConfigSecret(key) for key in keys},
    }


def holds_config_secrets(obj: dict[str, Any]) -> bool:
    return obj["kind"] == "Secret" and any(isinstance(v, ConfigSecret) for v in obj.get("stringData", {}).values())


def without_secret_values(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Objects fit for files: the Secrets of config secrets are left out, whole.

    A Secret written without its values would wipe them when re-applied with client-side
    `kubectl apply`; `secret_instructions` says how to create them instead.
    """
    return [obj for obj in objects if not holds_config_secrets(obj)]


def secret_instructions(objects: list[dict[str, Any]], stack: str) -> list[str]:
    """Shell commands that create the Secrets of config secrets, left out of files, from the stack's config."""
    lines = []
    for obj in objects:
        if holds_config_secrets(obj):
            meta = obj["metadata"]
            literals = " ".join(
                f'--from-literal={k}="$(pulumi config get {config_key(k)} --stack {stack})"' for k in obj["stringData"]
            )
            lines.append(
                f"kubectl -n {meta['namespace']} create secret generic {meta['name']} {literals} "
                "--dry-run=client -o yaml | kubectl apply -f -"
            )
    return lines
