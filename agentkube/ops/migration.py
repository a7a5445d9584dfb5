"""Moving a stack to a team backend with its whole history, so `history` and `rollback` keep every update.

`pulumi stack export | pulumi stack import` carries only the latest state. This copies the stack's blobs
(its history, its checkpoint) store to store, the checkpoint last, and checks the copy with pulumi itself.
The source is left as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..project import project_name
from . import engine
from .backend.keys import META, history_prefix, stack_key
from .backend.locks import ensure_unlocked
from .backend.store import Store, is_diy, project_store, store_of
from .environment import pulumi_env
from .errors import EngineError
from .history import stored_updates


def move(project_dir: Path, stack: str, to: str, say: Callable[[str], None]) -> str:
    """Copy stack `stack` to the backend `to`; EngineError, with nothing written, when it cannot."""
    source = project_store(project_dir, stack)
    if source is None:
        raise EngineError(f"stack {stack} is on Pulumi Cloud: move it with `pulumi stack export --file` / `import`")
    if not is_diy(to):
        raise EngineError(f"{to} is not a self-managed backend: pulumi login there and use `pulumi stack import`")
    env = {**pulumi_env(project_dir, stack), "PULUMI_BACKEND_URL": to}
    target = store_of(to, env)
    if target.url == source.url:
        raise EngineError(f"stack {stack} is already on {target.where}")
    ensure_unlocked(project_dir, stack)
    project = project_name(project_dir)
    checkpoint = stack_key(project, stack)
    if not source.list(checkpoint):
        raise EngineError(f"stack {stack} has no state on {source.where}: nothing to move")
    if target.list(checkpoint):
        raise EngineError(f"stack {stack} already exists on {target.where}; nothing was copied")
    metas = {store.url: bool(store.list(META)) for store in (source, target)}  # the layout version each keeps
    if metas[target.url]:
        _same_layout(source, target, metas[source.url])

    history = [b.key for b in source.list(history_prefix(project, stack))]
    before = stored_updates(source, project, stack)
    say(f"copying stack {stack}: {len(before)} update(s), {len(history)} blob(s) to {target.where}")
    meta = [META] if metas[source.url] and not metas[target.url] else []
    for key, data in source.read([*meta, *history]).items():
        target.write(key, data)
    target.write(checkpoint, source.read([checkpoint])[checkpoint])  # last: a stack appears whole or not at all

    after = stored_updates(target, project, stack)
    if [(u.number, u.message, u.agents) for u in after] != [(u.number, u.message, u.agents) for u in before]:
        raise EngineError(f"the copy on {target.where} does not read back as the original; the original is intact")
    listed = json.loads(
        engine.run_pulumi(["stack", "history", "--json", "--stack", stack], project_dir, stack, env) or "[]"
    )
    if len(listed) != len(before):
        raise EngineError(f"pulumi lists {len(listed)} update(s) on {target.where}, expected {len(before)}")
    return (
        f"stack {stack} is on {target.where} with its {len(after)} update(s); {source.where} is unchanged. "
        f"Point the team at it (PULUMI_BACKEND_URL, or backend.url in Pulumi.yaml) and, once it works, "
        f"`pulumi stack rm {stack}` on the old backend"
    )


def _same_layout(source: Store, target: Store, source_has_meta: bool) -> None:
    """Refuse a target whose layout version differs from the source's (pulumi would read it differently)."""
    theirs, ours = target.read([META])[META], source.read([META])[META] if source_has_meta else b""
    if theirs.strip() != ours.strip():
        raise EngineError(
            f"{target.where} keeps state in another layout ({theirs.decode().strip()!r}, here "
            f"{ours.decode().strip()!r}); run `pulumi state upgrade` on the older one first"
        )
