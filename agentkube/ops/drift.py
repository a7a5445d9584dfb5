"""`agentkube drift`: what changed in the cluster behind Pulumi's back since the last `pulumi up`.

The last deployed state is rebuilt from the record the last update keeps in the stack's state (its
exact spec and stack files) by the same pure core that `render` and the program use, so it is
exactly what agentkube declared, whatever a refresh has since written into the state. Only declared
fields are compared with the live objects: fields the server or a controller owns (status, defaults,
the replicas of an autoscaled Deployment, which agentkube never declares) are never drift.
Secret values are neither read nor shown.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.build import build, object_key
from ..core.secrets import without_secret_values
from ..fleet.loader import load_fleet
from ..spec.quantity import parse_quantity
from ..state.record import materialize
from . import engine
from .errors import EngineError
from .history import record_of
from .kube import Cluster, cluster_of
from .rollback import unkept

GONE = "<deleted>"
ABSENT = "<absent>"


@dataclass(frozen=True)
class Drift:
    """One declared field whose live value differs, or (field "") a declared object that is gone."""

    kind: str
    namespace: str
    name: str
    field: str
    declared: Any
    live: Any

    @property
    def object(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "object": self.object}


@dataclass(frozen=True)
class Found:
    """What `drift` found: the changes behind Pulumi's back, and when the last update was a rollback whose sources
    the checkout does not hold, the update it rolled back to and what the next `pulumi up` would undo."""

    changes: list[Drift]
    rolled_back_to: str | None = None
    unkept: str | None = None  # `rollback.unkept`: the files that differ, and how to keep the rollback


def drift(project_dir: Path, stack: str) -> Found:
    """Every difference between what the stack's last update declared and its cluster; after a rollback, also
    whether the checkout's sources differ from those it deployed (`pulumi up --refresh` would undo it)."""
    record = record_of(engine.stack(project_dir, stack).export_stack().deployment or {})
    if record is None:
        raise EngineError(f"stack {stack} has no deployed update to compare with: pulumi up --stack {stack}")
    with tempfile.TemporaryDirectory(prefix="agentkube-drift-") as tmp:
        agents, _ = materialize(record, Path(tmp), stack)
        fleet = load_fleet(agents, stack, Path(tmp), check_secrets=False)
    cluster = cluster_of(project_dir, fleet.settings, stack)
    declared = without_secret_values(build(fleet))
    live = live_objects(cluster, declared)
    changes = [d for obj in declared for d in compare(obj, live.get(object_key(obj)))]
    to = record.get("rollbackOf")
    undo = unkept(record, project_dir, stack, str(to)) if to else None
    return Found(changes, str(to) if undo else None, undo)


def live_objects(cluster: Cluster, declared: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The live objects of every kind declared (in the declared API version), by `object_key`, in one
    `kubectl get` over all namespaces."""
    resources = sorted({_resource(o["apiVersion"], o["kind"]) for o in declared})
    return {object_key(o): o for o in cluster.items(",".join(resources), "--all-namespaces")}


def _resource(api_version: str, kind: str) -> str:
    """kubectl's fully qualified name of a kind: `deployment.v1.apps`, `configmap`."""
    group, _, version = api_version.rpartition("/")
    return f"{kind.lower()}.{version}.{group}" if group else kind.lower()


def compare(declared: dict[str, Any], live: dict[str, Any] | None) -> list[Drift]:
    """The declared fields the live object does not hold (pure)."""
    kind, meta = declared["kind"], declared["metadata"]
    namespace, name = meta.get("namespace", ""), meta["name"]
    if live is None:
        return [Drift(kind, namespace, name, "", "present", GONE)]
    body = {k: v for k, v in declared.items() if k not in ("apiVersion", "kind")}
    return [Drift(kind, namespace, name, path, want, got) for path, want, got in _differences(body, live, "")]


def _differences(want: Any, got: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [(path, want, ABSENT if got is None else got)]
        out: list[tuple[str, Any, Any]] = []
        for field, value in want.items():
            sub = f"{path}.{field}" if path else field
            out += _differences(value, got[field], sub) if field in got else [(sub, value, ABSENT)]
        return out
    if isinstance(want, list):
        if not isinstance(got, list):
            return [(path, want, ABSENT if got is None else got)]
        if _named(want) and _named(got):  # containers, ports, volumes, env: matched by name
            by_name = {item["name"]: item for item in got}
            out = []
            for item in want:
                sub = f"{path}[{item['name']}]"
                found = by_name.get(item["name"])
                out += _differences(item, found, sub) if found is not None else [(sub, "present", ABSENT)]
            return out
        if len(want) != len(got) or not all(isinstance(w, (dict, list)) for w in want):
            return [] if _same_list(want, got) else [(path, want, got)]
        return [d for i, (w, g) in enumerate(zip(want, got, strict=True)) for d in _differences(w, g, f"{path}[{i}]")]
    return [] if _same(want, got) else [(path, want, got)]


def _same_list(want: list[Any], got: list[Any]) -> bool:
    return len(want) == len(got) and all(not _differences(w, g, "") for w, g in zip(want, got, strict=True))


def _same(want: Any, got: Any) -> bool:
    """Equal, also where the server writes a value in its canonical form (`1000m` as `1`, `8080` as "8080")."""
    if want == got or str(want) == str(got):
        return True
    return _quantity(want) is not None and _quantity(want) == _quantity(got)


def _quantity(value: Any) -> Decimal | None:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    try:
        return parse_quantity(str(value))
    except ValueError:
        return None


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items)
