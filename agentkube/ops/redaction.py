"""Credentials never printed: passwords in URLs, secret-looking environment values, bearer tokens.

`redact` is applied to everything the CLI writes (`cli.main` wraps stdout and stderr), so every message,
log line and `--output json` of every command passes through this one function.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

MASK = "****"
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSPHRASE|TOKEN|CREDENTIALS|(^|_)KEY$|_SAS$")
NOT_SECRET = {"agentkube-dev"}  # the dev stack's documented passphrase
WHERE = ("_FILE", "_PATH", "_DIR")  # names of where a secret is, not secrets
SHORTEST = 6  # shorter values ("true", "1") would mask ordinary words
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^/@\s:'\"]*):(?P<pw>[^/@\s'\"]+)@", re.I)
_PARAM = re.compile(r"(?P<key>(?:password|passwd|pwd|secret|token|sig|x-amz-signature)=)[^&\s'\"]+", re.I)
_BEARER = re.compile(r"(?P<key>\bBearer\s+|\btoken:\s*)[A-Za-z0-9._~+/=-]{8,}", re.I)


def secret_values(env: Mapping[str, str]) -> list[str]:
    """The values in `env` that must never be printed, longest first."""
    found = {v for k, v in env.items() if SECRET_NAME.search(k.upper()) and not k.upper().endswith(WHERE)}
    passphrase_file = env.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if passphrase_file:
        with suppress(OSError):
            found.add(Path(passphrase_file).read_text().strip())
    for value in env.values():
        for match in _USERINFO.finditer(value):
            found.add(match["pw"])
    return sorted((v for v in found - NOT_SECRET if len(v) >= SHORTEST), key=len, reverse=True)


def redact(text: str, secrets: list[str] | None = None) -> str:
    """`text` with URL passwords, secret parameters, bearer tokens and the environment's secrets masked."""
    for value in secrets if secrets is not None else secret_values(os.environ):
        text = text.replace(value, MASK)
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _PARAM.sub(lambda m: f"{m['key']}{MASK}", text)
    return _BEARER.sub(lambda m: f"{m['key']}{MASK}", text)


def redact_url(url: str) -> str:
    """A backend URL fit to print."""
    return redact(url, [])


class _Redacting(io.TextIOBase):
    def __init__(self, inner: TextIO, secrets: list[str]) -> None:
        self.inner, self.secrets = inner, secrets

    def write(self, text: str) -> int:
        self.inner.write(redact(text, self.secrets))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()


@contextmanager
def redacted_output() -> Iterator[None]:
    """Inside the block, whatever Python writes to stdout and stderr is redacted."""
    import sys

    secrets = secret_values(os.environ)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Redacting(saved[0], secrets), _Redacting(saved[1], secrets)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
