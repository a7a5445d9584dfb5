"""Secrets by reference and the agent's non-secret configuration."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, model_validator

from .base import AbsPath, DataKey, DnsSubdomain, Model, Text
from .patterns import CONFIG_KEY, ENV_NAME


class SecretKeyRef(Model):
    name: DnsSubdomain = Field(description="Name of an existing Kubernetes Secret (a DNS subdomain).")
    key: DataKey = Field(
        description="Key inside that Secret: letters, digits, '-', '_' and '.', no '/' (at most 253 characters)."
    )


class SecretItem(Model):
    """A secret the agent gets at runtime: as an env var or a file, from a Secret or stack config."""

    env: str | None = Field(None, pattern=ENV_NAME, description="Environment variable to set.")
    path: AbsPath | None = Field(
        None,
        description="File to mount (its directory is mounted read-only, so rotation needs no restart); one file per "
        "secret, and nothing else mounted at or inside its directory.",
    )
    secret_ref: SecretKeyRef | None = Field(None, description="Key of an existing Kubernetes Secret.")
    config: str | None = Field(
        None,
        pattern=CONFIG_KEY,
        description="Name of a Pulumi config secret of the stack (`agentkube:<name>`).",
    )

    @model_validator(mode="after")
    def _one_target_one_source(self) -> Self:
        if (self.env is None) == (self.path is None):
            raise ValueError("a secret needs exactly one of env or path")
        if (self.secret_ref is None) == (self.config is None):
            raise ValueError("a secret needs exactly one of secretRef or config")
        return self


class Config(Model):
    """Non-secret configuration, from a ConfigMap of the agent."""

    reload: Literal["hot", "restart"] = Field(
        "hot",
        description="hot: files under `mountPath` change in running pods (no restart); "
        "restart: keys are also env vars and a content hash rolls the pods.",
    )
    mount_path: AbsPath = Field(
        "/etc/agent",
        description="Directory where every key is a file, mounted read-only: nothing else at or inside it.",
    )
    data: dict[DataKey, Text] = Field(default_factory=dict, description="File name or env name -> content.")

    def env_keys(self) -> list[str]:
        """The keys that also become env vars: with `reload: restart`, those that are valid env names."""
        if self.reload != "restart":
            return []
        return [k for k in sorted(self.data) if re.fullmatch(ENV_NAME, k)]
