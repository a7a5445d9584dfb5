"""Where a DIY backend keeps a stack's blobs: the same keys in a directory, a bucket or a table."""

from __future__ import annotations

import gzip
import json
from typing import Any

BOOKKEEPING = ".pulumi"
META = f"{BOOKKEEPING}/meta.yaml"
HISTORY_SUFFIX = ".history.json"
CHECKPOINT_SUFFIX = ".checkpoint.json"


def history_prefix(project: str, stack: str) -> str:
    """Each update's `<stack>-<unix nanos>.history.json` and `.checkpoint.json`, named by when it finished."""
    return f"{BOOKKEEPING}/history/{project}/{stack}/"


def locks_prefix(project: str, stack: str) -> str:
    """One `<uuid>.json` per `pulumi` process holding the stack (`organization` is DIY's only one)."""
    return f"{BOOKKEEPING}/locks/organization/{project}/{stack}/"


def stack_key(project: str, stack: str) -> str:
    """The stack's current checkpoint (`.bak` beside it)."""
    return f"{BOOKKEEPING}/stacks/{project}/{stack}.json"


def backups_prefix(project: str, stack: str) -> str:
    return f"{BOOKKEEPING}/backups/{project}/{stack}/"


def verdict_key(project: str, stack: str, agent: str) -> str:
    """agentkube's own: the last `analyze` verdict of an agent, which every teammate's `promote` reads."""
    return f".agentkube/analysis/{project}/{stack}/{agent}.json"


def plain(key: str) -> str:
    """The key without the `.gz` pulumi adds under PULUMI_DIY_BACKEND_GZIP."""
    return key.removesuffix(".gz")


def finished_ns(key: str) -> int:
    """The nanosecond an update finished, from its history key: the only stable order on DIY backends."""
    return int(plain(key).rsplit("/", 1)[-1].rsplit("-", 1)[-1].split(".", 1)[0])


def decode(key: str, data: bytes) -> Any:
    """A JSON blob, gunzipped first when pulumi compressed it."""
    return json.loads(gzip.decompress(data) if key.endswith(".gz") else data)
