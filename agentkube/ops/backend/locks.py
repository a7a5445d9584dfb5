"""The locks a `pulumi` process holds on a stack in a DIY backend: who, since when, and whether it still runs."""

from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ...project import project_name
from ..errors import EngineError
from .keys import locks_prefix
from .store import Store, project_store

State = Literal["running", "stale", "elsewhere"]
_STAMP = re.compile(r"(?P<head>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(?P<frac>\d+))?(?P<zone>Z|[+-]\d\d:\d\d)?")


@dataclass(frozen=True)
class Lock:
    key: str
    state: State  # running: its process lives here; stale: its process is gone; elsewhere: another machine's
    pid: int | None
    user: str
    host: str
    since: datetime | None

    def holder(self) -> str:
        """`alice@build-7 (pid 8991) since 2026-12-02 12:26:05 UTC`"""
        since = f" since {self.since:%Y-%m-%d %H:%M:%S} UTC" if self.since else ""
        pid = f" (pid {self.pid})" if self.pid is not None else ""
        return f"{self.user or '?'}@{self.host or '?'}{pid}{since}"

    def describe(self) -> str:
        how = {
            "running": "a running update on this machine",
            "stale": "its process is gone",
            "elsewhere": "on another machine: agentkube cannot see whether it still runs",
        }[self.state]
        return f"{self.holder()} ({how})"


def locks(store: Store, project: str, stack: str) -> list[Lock]:
    """Every lock of the stack, oldest first; an unreadable lock blob counts as stale."""
    blobs = [b for b in store.list(locks_prefix(project, stack)) if b.key.endswith(".json")]
    contents = store.read([b.key for b in blobs])
    found = []
    for blob in blobs:
        try:
            owner = json.loads(contents[blob.key])
        except ValueError:
            found.append(Lock(blob.key, "stale", None, "", "", blob.modified))
            continue
        pid, host = owner.get("pid"), str(owner.get("hostname") or "")
        found.append(Lock(blob.key, _state(pid, host), pid, str(owner.get("username") or ""), host, _since(owner)))
    return sorted(found, key=lambda lock: lock.since or datetime.min.replace(tzinfo=UTC))


def stack_locks(project_dir: Path, stack: str) -> list[Lock]:
    """The stack's locks on its backend (none known on Pulumi Cloud, which keeps its own)."""
    store = project_store(project_dir, stack)
    return locks(store, project_name(project_dir), stack) if store else []


def ensure_unlocked(project_dir: Path, stack: str) -> None:
    """EngineError naming who holds the stack and since when, before an update that would be refused."""
    held = stack_locks(project_dir, stack)
    if not held:
        return
    fix = (
        f"agentkube recover --stack {stack} releases it"
        if all(lock.state == "stale" for lock in held)
        else "wait for that update to end"
    )
    raise EngineError(f"stack {stack} is locked by {'; '.join(lock.describe() for lock in held)}: {fix}")


def _state(pid: object, host: str) -> State:
    if host and host != socket.gethostname():
        return "elsewhere"
    return "running" if isinstance(pid, int) and _alive(pid) else "stale"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _since(owner: dict[str, object]) -> datetime | None:
    """The lock's RFC 3339 timestamp (nanoseconds cut to what Python keeps)."""
    match = _STAMP.fullmatch(str(owner.get("timestamp") or ""))
    if not match:
        return None
    frac = f".{match['frac'][:6]}" if match["frac"] else ""
    zone = "+00:00" if match["zone"] in (None, "Z") else match["zone"]
    try:
        return datetime.fromisoformat(match["head"] + frac + zone).astimezone(UTC)
    except ValueError:
        return None
