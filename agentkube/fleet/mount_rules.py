"""The container's volume mounts, as one list the builder renders and validation checks as a tree.

Secrets in one directory share one projected mount. Every mount but the writable /tmp is read-only, so
nothing may be mounted inside it: the kubelet cannot make the mount point in a read-only volume, and the
pod never starts. Each directory is mounted once, and each secret file is written once.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..spec.agent import AgentSpec
from ..spec.configuration import SecretItem

SCRATCH = "/tmp"
STORAGE_VOLUME = "data"  # the volume (and claim template) of a stateful agent: claims are data-<agent>-<n>


@dataclass(frozen=True)
class Mount:
    """One volume mount of the container: its volume, directory, and the spec fields that ask for it."""

    volume: str
    path: str
    read_only: bool
    fields: tuple[str, ...]  # e.g. ('secrets[0].path', 'secrets[2].path') for a shared secrets directory

    @property
    def field(self) -> str:
        return self.fields[0]


def secret_dirs(spec: AgentSpec) -> dict[str, list[tuple[int, SecretItem]]]:
    """The secrets mounted as files, by directory (sorted), with their index in `secrets`."""
    dirs: dict[str, list[tuple[int, SecretItem]]] = {}
    for i, item in enumerate(spec.secrets):
        if item.path:
            dirs.setdefault(posixpath.dirname(item.path), []).append((i, item))
    return dict(sorted(dirs.items()))


def container_mounts(spec: AgentSpec) -> list[Mount]:
    """Every volume mount of the agent's container, in the order they are rendered."""
    out = [Mount("tmp", SCRATCH, False, ("(the writable /tmp)",))]
    if spec.config.data:
        out.append(Mount("config", spec.config.mount_path, True, ("config.mountPath",)))
    for n, (directory, items) in enumerate(secret_dirs(spec).items()):
        out.append(Mount(f"secrets-{n}", directory, True, tuple(f"secrets[{i}].path" for i, _ in items)))
    if spec.storage:  # the StatefulSet's claim: the one writable place besides /tmp
        out.append(Mount(STORAGE_VOLUME, spec.storage.mount_path, False, ("storage.mountPath",)))
    return out


def inside(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or below it, at a path boundary (/etc/app/keys is in /etc/app,
    /etc/application is not)."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def mount_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message) for mounts that overlap: at /, at one directory, or inside a read-only mount;
    and for two secrets written to one file."""
    problems = []
    mounts = container_mounts(spec)
    for m in mounts:
        if m.path == "/":
            problems += [
                (f, "mounts / itself, expected a file in a directory below /, e.g. /etc/agent/key") for f in m.fields
            ]
    for later_index, later in enumerate(mounts):
        for earlier in mounts[:later_index]:
            if "/" in (earlier.path, later.path):
                continue
            if earlier.path == later.path:
                problems.append(
                    (
                        later.field,
                        f"mounts {later.path}, which {earlier.field} mounts too, expected a directory of its own",
                    )
                )
            elif (outer := _containing(earlier, later)) is not None:
                inner = later if outer is earlier else earlier
                problems.append(
                    (
                        inner.field,
                        f"mounts {inner.path} inside {outer.path}, which {outer.field} mounts read-only, so the "
                        f"mount point cannot be made; expected a directory outside {outer.path} (e.g. a sibling "
                        f"such as {posixpath.dirname(outer.path).rstrip('/')}/{posixpath.basename(inner.path)})",
                    )
                )
    seen: dict[str, int] = {}
    for i, item in enumerate(spec.secrets):
        if item.path:
            if item.path in seen:
                problems.append(
                    (
                        f"secrets[{i}].path",
                        f"{item.path} is secrets[{seen[item.path]}].path too, expected one file each",
                    )
                )
            seen.setdefault(item.path, i)
    return problems


def _containing(a: Mount, b: Mount) -> Mount | None:
    """The read-only mount of the two that the other lies inside, if one does."""
    if a.read_only and inside(b.path, a.path):
        return a
    if b.read_only and inside(a.path, b.path):
        return b
    return None
