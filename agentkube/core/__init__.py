"""Stage 3, the pure core: a `Fleet` becomes Kubernetes objects. No Pulumi, no I/O."""

from .build import build

__all__ = ["build"]
