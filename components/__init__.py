"""The Pulumi ComponentResources over the agentkube core, and the program `__main__.py` runs."""
