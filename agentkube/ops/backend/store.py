"""A Pulumi DIY backend's blobs behind one interface: a `Directory` for file:// and a `Bucket` for every
other scheme pulumi accepts (s3, gs, azblob, postgres), driven through `agentkube-state`, which opens them
with the CLI's own gocloud.dev openers. Everything above this module sees keys and bytes, never a scheme."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..environment import pulumi_env
from ..errors import EngineError
from ..redaction import redact_url

DIY_SCHEMES = ("file", "s3", "gs", "azblob", "postgres")
TOOL = "agentkube-state"
TOOL_SOURCE = Path(__file__).with_name("statestore") / "main.go"
PULUMI_VERSION = "v3.274.1"  # the pulumi module agentkube-state is built against (scripts/install-statestore)


def is_diy(url: str) -> bool:
    """Whether `url` names a self-managed backend (blobs agentkube can read), not Pulumi Cloud."""
    return urlparse(url).scheme in DIY_SCHEMES


@dataclass(frozen=True)
class Blob:
    key: str
    size: int
    modified: datetime


class Store(ABC):
    """The blobs of one backend, by key (`.pulumi/history/...`), as gocloud's `blob.Bucket` gives them to
    pulumi."""

    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def where(self) -> str:
        """The backend, fit to print (no password)."""
        return redact_url(self.url)

    @abstractmethod
    def list(self, prefix: str) -> list[Blob]:
        """Every blob whose key starts with `prefix`, by key."""

    @abstractmethod
    def read(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The contents of `keys` (all must exist)."""

    @abstractmethod
    def write(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove `key`; an absent key is not an error."""

    def sidecar(self, key: str) -> str | None:
        """The key of the metadata gocloud keeps beside `key`, when the store shows it (a directory does)."""
        return None


class Directory(Store):
    """A file:// backend: its blobs are the files under the URL's directory."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.root = Path(unquote(urlparse(url).path))

    def list(self, prefix: str) -> list[Blob]:
        base = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not base.is_dir():
            return []
        found = []
        for path in base.rglob("*"):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and key.startswith(prefix) and not key.endswith(".attrs"):
                stat = path.stat()
                found.append(Blob(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
        return sorted(found, key=lambda b: b.key)

    def read(self, keys: Sequence[str]) -> dict[str, bytes]:
        return {key: (self.root / key).read_bytes() for key in keys}

    def write(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".agentkube-partial")
        partial.write_bytes(data)
        partial.replace(path)  # whole or not at all, as pulumi's own file writes

    def sidecar(self, key: str) -> str | None:
        return f"{key}.attrs" if (self.root / f"{key}.attrs").is_file() else None

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)
        (self.root / f"{key}.attrs").unlink(missing_ok=True)  # gocloud's fileblob keeps metadata beside it


class Bucket(Store):
    """Any other DIY backend, through `agentkube-state` with the caller's environment (its credentials)."""

    def __init__(self, url: str, env: Mapping[str, str]) -> None:
        super().__init__(url)
        self.env = dict(env)

    def _run(self, verb: str, *args: str, data: bytes | None = None) -> bytes:
        done = subprocess.run(
            [tool(self.env), verb, self.url, *args], input=data, env=self.env, capture_output=True, check=False
        )
        if done.returncode != 0:
            said = redact_url(done.stderr.decode(errors="replace").strip())
            raise EngineError(f"the state backend {self.where} did not answer a {verb}: {said}")
        return done.stdout

    def list(self, prefix: str) -> list[Blob]:
        found = json.loads(self._run("list", prefix))
        return [Blob(b["key"], b["size"], datetime.fromisoformat(b["modTime"].replace("Z", "+00:00"))) for b in found]

    def read(self, keys: Sequence[str]) -> dict[str, bytes]:
        if not keys:
            return {}
        return {b["key"]: base64.b64decode(b["data"] or "") for b in json.loads(self._run("read", *keys))}

    def write(self, key: str, data: bytes) -> None:
        self._run("write", key, data=data)

    def delete(self, key: str) -> None:
        self._run("delete", key)


def store_of(url: str, env: Mapping[str, str]) -> Store:
    """The store behind a DIY backend URL."""
    if not is_diy(url):
        raise EngineError(f"{redact_url(url)} is not a self-managed backend ({', '.join(DIY_SCHEMES)})")
    return Directory(url) if urlparse(url).scheme == "file" else Bucket(url, env)


def project_store(project_dir: Path, stack: str | None = None) -> Store | None:
    """The store of the project's backend (`environment.pulumi_env`), or None on Pulumi Cloud."""
    env = pulumi_env(project_dir, stack)
    url = env["PULUMI_BACKEND_URL"]
    return store_of(url, env) if is_diy(url) else None


def tool(env: Mapping[str, str]) -> str:
    """`agentkube-state`: on PATH, or the build of this source in the tools cache, built now from a clone if
    neither (about 10 s once the pulumi tools are built)."""
    found = shutil.which(TOOL, path=env.get("PATH"))
    if found:
        return found
    cached = _cache_dir() / TOOL
    if cached.is_file():
        return str(cached)
    installer = Path(__file__).resolve().parents[3] / "scripts" / "install-statestore"  # in a clone
    if installer.is_file():
        done = subprocess.run([str(installer)], capture_output=True, text=True, check=False)
        if done.returncode == 0 and cached.is_file():
            return str(cached)
        raise EngineError(f"building {TOOL} failed:\n{done.stderr.strip()[-2000:]}")
    raise EngineError(f"{TOOL} is not built: run scripts/install-statestore and put the directory it prints on PATH")


def _cache_dir() -> Path:
    digest = hashlib.sha256(TOOL_SOURCE.read_bytes()).hexdigest()[:12]
    default = Path.home() / ".cache" / "agentkube" / f"statestore-{digest}-pulumi-{PULUMI_VERSION}"
    return Path(os.environ.get("AGENTKUBE_STATESTORE_TOOLS") or default)
