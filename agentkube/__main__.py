"""`python -m agentkube`: the same as the `agentkube` command."""

from .cli.main import run

run()
