"""The container's volume mounts: each directory mounted once (secrets in one directory share a mount)."""

from __future__ import annotations

import posixpath

from ..spec.agent import AgentSpec


def mounts(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, directory) of every volume mount of the container, in the order they are made."""
    out = [("(the writable /tmp)", "/tmp")]
    if spec.config.data:
        out.append(("config.mountPath", spec.config.mount_path))
    for i, item in enumerate(spec.secrets):
        if item.path:
            out.append((f"secrets[{i}].path", posixpath.dirname(item.path) or "/"))
    if spec.storage:
        out.append(("storage.mountPath", spec.storage.mount_path))
    return out


def mount_problems(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, message) for mounts at / or at a directory something else mounts."""
    problems = []
    first: dict[str, str] = {}
    for where, directory in mounts(spec):
        other = first.setdefault(directory, where)
        # secrets in one directory share one mount; anything else needs a directory of its own
        if directory == "/":
            problems.append((where, "mounts / itself, expected a file in a directory below /, e.g. /etc/agent/key"))
        elif other != where and not (where.startswith("secrets") and other.startswith("secrets")):
            problems.append((where, f"mounts {directory}, which {other} mounts too, expected a directory of its own"))
    return problems
