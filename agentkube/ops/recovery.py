"""Recovering a stack whose `pulumi up` was killed: its stale lock and a half-written checkpoint, on every
self-managed backend."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..project import project_name
from . import engine
from .backend.keys import stack_key
from .backend.locks import locks
from .backend.store import Store, project_store
from .errors import EngineError


def _valid_json(data: bytes | None) -> bool:
    try:
        json.loads(data or b"")
    except ValueError:
        return False
    return True


def repair_checkpoint(store: Store, project: str, stack: str) -> list[str]:
    """Put back a checkpoint that a kill left half-written, from its `.bak`; the broken one is kept aside."""
    key = stack_key(project, stack)
    present = {b.key for b in store.list(key)}  # the checkpoint, its .bak and earlier .broken-* copies
    if key not in present:
        return []
    sidecar = store.sidecar(key)
    blobs = store.read([k for k in (key, f"{key}.bak") if k in present] + ([sidecar] if sidecar else []))
    stamp = time.strftime("%Y%m%dT%H%M%S")
    done = []
    name = key.rsplit("/", 1)[-1]
    if sidecar and not _valid_json(blobs[sidecar]):  # fileblob's metadata, written after the data
        store.write(f"{sidecar}.broken-{stamp}", blobs[sidecar])
        store.delete(sidecar)
        done.append(f"set aside the half-written {name}.attrs")
    if not _valid_json(blobs[key]) and _valid_json(blobs.get(f"{key}.bak")):
        store.write(f"{key}.broken-{stamp}", blobs[key])
        store.write(key, blobs[f"{key}.bak"])
        done.append(f"restored {name} from its backup (the broken one is kept beside it as {name}.broken-{stamp})")
    return done


def recover(project_dir: Path, stack: str, force: bool = False) -> str:
    """Release the lock of a killed update and mend its checkpoint, so the next `pulumi up` finishes the
    work. Never touches a running update; a lock from another machine only with `force`."""
    store = project_store(project_dir, stack)
    if store is None:  # Pulumi Cloud: it knows its own updates; cancel says what it found
        engine.cancel(project_dir, stack)
        return f"asked Pulumi Cloud to cancel the update of stack {stack}; now run: pulumi up --stack {stack}"
    project = project_name(project_dir)
    held = locks(store, project, stack)
    if running := [lock for lock in held if lock.state == "running"]:
        raise EngineError(
            f"stack {stack} is locked by {'; '.join(lock.describe() for lock in running)}; wait for it to end"
        )
    elsewhere = [lock for lock in held if lock.state == "elsewhere"]
    if elsewhere and not force:
        raise EngineError(
            f"stack {stack} is locked by {'; '.join(lock.describe() for lock in elsewhere)}. Ask its owner; "
            f"if that update is gone, release it with: agentkube recover --stack {stack} --force"
        )
    for lock in held:
        store.delete(lock.key)
    repaired = repair_checkpoint(store, project, stack)
    if not held and not repaired:
        return f"stack {stack} is not locked; nothing to recover"
    notes = [f"released the lock of {lock.holder()}" for lock in held] + repaired
    exported = engine.stack(project_dir, stack).export_stack().deployment or {}
    if pending := len(exported.get("pending_operations") or []):
        notes.append(f"{pending} interrupted operation(s) will be redone by the next up")
    return f"stack {stack} on {store.where}: {'; '.join(notes)}; now run: pulumi up --stack {stack}"
