"""Stage 6: the `agentkube` command, one module per group of commands."""
