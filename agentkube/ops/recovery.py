"""Recovering a stack whose `pulumi up` was killed: stale locks and interrupted operations."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

from ..project import project_name
from . import engine
from .engine import EngineError
from .history import local_backend


def stale_locks(project_dir: Path, stack: str) -> tuple[list[Path], list[str]]:
    """(locks whose process is gone, descriptions of locks held by live processes) on the local backend."""
    backend = local_backend(project_dir)
    if backend is None:
        return [], []
    stale, live = [], []
    for lock in sorted((backend / ".pulumi" / "locks").glob(f"**/{project_name(project_dir)}/{stack}/*.json")):
        try:
            owner = json.loads(lock.read_text())
        except (OSError, ValueError):
            stale.append(lock)
            continue
        pid, host = owner.get("pid"), owner.get("hostname")
        if host == socket.gethostname() and isinstance(pid, int) and _alive(pid):
            live.append(f"pid {pid} on {host}")
        elif host in (None, socket.gethostname()):
            stale.append(lock)
        else:
            live.append(f"pid {pid} on {host} (another machine: check it yourself)")
    return stale, live


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _valid_json(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return True


def repair_checkpoint(project_dir: Path, stack: str) -> list[str]:
    """Put back a checkpoint that a kill left half-written (local backend); broken files are kept aside."""
    backend = local_backend(project_dir)
    if backend is None:
        return []
    checkpoint = backend / ".pulumi" / "stacks" / project_name(project_dir) / f"{stack}.json"
    stamp = time.strftime("%Y%m%dT%H%M%S")
    done = []
    attrs = checkpoint.with_name(checkpoint.name + ".attrs")
    if attrs.exists() and not _valid_json(attrs):  # the blob store's metadata, written after the data
        attrs.rename(attrs.with_name(f"{attrs.name}.broken-{stamp}"))
        done.append(f"set aside the half-written {attrs.name}")
    backup = checkpoint.with_name(checkpoint.name + ".bak")
    if checkpoint.exists() and not _valid_json(checkpoint) and _valid_json(backup):
        checkpoint.rename(checkpoint.with_name(f"{checkpoint.name}.broken-{stamp}"))
        shutil.copy2(backup, checkpoint)
        done.append(f"restored {checkpoint.name} from its backup (the broken one is kept beside it)")
    return done


def recover(project_dir: Path, stack: str) -> str:
    """Release the lock of a killed update and mend its checkpoint, so the next `pulumi up` finishes the
    work; never touches a running update."""
    stale, live = stale_locks(project_dir, stack)
    if live:
        raise EngineError(f"stack {stack} is locked by a running update ({'; '.join(live)}); wait for it to end")
    repaired = repair_checkpoint(project_dir, stack)
    if local_backend(project_dir) is not None and not stale and not repaired:
        return f"stack {stack} is not locked; nothing to recover"
    engine.cancel(project_dir, stack)
    exported = engine.stack(project_dir, stack).export_stack().deployment or {}
    pending = len(exported.get("pending_operations") or [])
    notes = [*repaired, f"{pending} interrupted operation(s) will be redone by the next up"] if pending else repaired
    extra = "".join(f"; {n}" for n in notes)
    return f"released the lock of the killed update on stack {stack}{extra}; now run: pulumi up --stack {stack}"
