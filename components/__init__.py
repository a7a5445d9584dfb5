"""The example project's components: agentkube's own (`agentkube.components`), imported here so this
repository keeps the layout of a project that uses agentkube (`__main__.py` runs `components.main`).

Not part of the agentkube distribution: the wheel ships `agentkube` alone, and a project made by
`agentkube init` imports `agentkube.components` directly. A project's own ComponentResources would sit here.
"""

from agentkube.components import Agent, Fleet, Layer, main

__all__ = ["Agent", "Fleet", "Layer", "main"]
