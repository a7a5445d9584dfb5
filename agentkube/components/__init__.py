"""The Pulumi shell over the agentkube core: the ComponentResources (`Fleet`, `Layer`, `Agent`), each Kubernetes
object as one typed pulumi_kubernetes resource, and the program a project's `__main__.py` runs (`main`).

The only part of agentkube that imports Pulumi's SDK; the CLI and ops reach Pulumi through the `pulumi` CLI.
"""

from .fleet import Agent, Fleet, Layer
from .program import main

__all__ = ["Agent", "Fleet", "Layer", "main"]
