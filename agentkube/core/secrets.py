"""Config secrets: placeholders in the core, Secrets in the cluster, never values in files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..fleet.model import Fleet
from ..project import config_key
from ..spec.agent import AgentSpec
from . import naming

SECRET_KEYS = "agentkube.io/secret-keys-from-config"


@dataclass(frozen=True)
class ConfigSecret:
    """Placeholder for a Pulumi config secret's value: the core never sees secret values."""

    key: str

    def __str__(self) -> str:
        return f"<secret {config_key(self.key)}>"


def secret_name(spec: AgentSpec) -> str:
    return f"{spec.name}-secrets"


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


def without_secret_values(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Objects fit for files: config-secret values are dropped, their keys named in an annotation."""
    out = []
    for obj in objects:
        values = obj.get("stringData", {})
        if obj["kind"] == "Secret" and any(isinstance(v, ConfigSecret) for v in values.values()):
            meta = {
                **obj["metadata"],
                "annotations": {
                    **obj["metadata"].get("annotations", {}),
                    SECRET_KEYS: ",".join(k for k, v in values.items() if isinstance(v, ConfigSecret)),
                },
            }
            obj = {k: v for k, v in obj.items() if k != "stringData"} | {"metadata": meta}
        out.append(obj)
    return out


def secret_instructions(objects: list[dict[str, Any]]) -> list[str]:
    """Shell commands that put the values of config secrets, left out of files, into the cluster."""
    lines = []
    for obj in objects:
        keys = obj["metadata"].get("annotations", {}).get(SECRET_KEYS)
        if obj["kind"] == "Secret" and keys:
            meta = obj["metadata"]
            literals = " ".join(f'--from-literal={k}="$(pulumi config get {config_key(k)})"' for k in keys.split(","))
            lines.append(
                f"kubectl -n {meta['namespace']} create secret generic {meta['name']} {literals} "
                "--dry-run=client -o yaml | kubectl apply -f -"
            )
    return lines
