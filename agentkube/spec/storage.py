"""Persistent storage of a stateful agent: a volume per pod that survives rollouts and restarts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from .base import AbsPath, Model
from .patterns import DNS_SUBDOMAIN
from .quantity import MemoryQuantity, parse_quantity


def _positive_size(size: str) -> str:
    if parse_quantity(size) < 2**20:  # a claim of bytes is a unit left out, not a volume
        raise ValueError(f"'{size}' is below 1Mi, expected a volume size with its unit such as 1Gi or 10Gi")
    return size


VolumeSize = Annotated[MemoryQuantity, AfterValidator(_positive_size)]


class Storage(Model):
    """A PersistentVolumeClaim per pod (a StatefulSet's volumeClaimTemplates), mounted writable at `mountPath`;
    the root filesystem stays read-only. Claims outlive pods, rollouts and the agent's removal."""

    size: VolumeSize = Field(description="Size of each pod's volume, a Kubernetes quantity (e.g. 10Gi).")
    mount_path: AbsPath = Field(
        description="Directory the volume is mounted at, e.g. /qdrant/storage; a directory no other mount uses."
    )
    storage_class: str | None = Field(
        None,
        pattern=DNS_SUBDOMAIN,
        max_length=253,
        description="StorageClass of the claims; the cluster's default class when unset.",
    )
    access_mode: Literal["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"] = Field(
        "ReadWriteOnce",
        description="How the volume may be attached. Each pod has a claim of its own, so ReadWriteOnce serves "
        "any replica count; ReadWriteMany only for storage classes that offer nothing else.",
    )
