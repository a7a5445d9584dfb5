"""Container image references, parsed by the grammar of the distribution reference (what registries and
the kubelet accept): `[registry[:port]/]path[:tag][@algorithm:digest]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import LABEL_VALUE, WORDS, label_value_problem

_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_REGISTRY = re.compile(rf"^(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$")
EXAMPLE = "e.g. ghcr.io/acme/agent:1.2.0, registry.local:5000/acme/agent:1.2.0 or acme/agent@sha256:<64 hex digits>"


@dataclass(frozen=True)
class ImageRef:
    registry: str | None
    path: str
    tag: str | None
    digest: str | None


def parse_image(text: str) -> ImageRef:
    """The parts of an image reference; ValueError saying in words what is wrong, with the value."""

    def wrong(why: str) -> ValueError:
        return ValueError(f"'{text}' is not an image reference: {why} ({EXAMPLE})")

    if not text or text != text.strip():
        raise wrong("it is empty or has spaces around it")
    rest, digest = text, None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
        if not _DIGEST.match(digest):
            raise wrong(f"digest '{digest}' should be sha256: and 64 lowercase hex digits")
    tag = None
    last_slash = rest.rfind("/")
    if ":" in rest[last_slash + 1 :]:
        rest, tag = rest.rsplit(":", 1)
        if not _TAG.match(tag):
            raise wrong(
                f"tag '{tag}' should be at most 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
            )
    parts = rest.split("/")
    registry = None
    if len(parts) > 1 and (
        "." in parts[0] or ":" in parts[0] or parts[0] == "localhost" or parts[0] != parts[0].lower()
    ):
        registry = parts.pop(0)
        if not _REGISTRY.match(registry):
            raise wrong(f"registry '{registry}' should be a host name with an optional :port")
    for part in parts:
        if not _PATH_COMPONENT.match(part):
            raise wrong(
                f"path component '{part}' should be lowercase letters and digits, "
                "separated by single '.', '_', '__' or dashes"
            )
    if len(rest) > 255:
        raise wrong("the name is longer than 255 characters")
    return ImageRef(registry, "/".join(parts), tag, digest)


def check_image(text: str) -> str:
    parse_image(text)
    return text


def version_problem(version: str) -> str | None:
    """Why `version` cannot be the `app.kubernetes.io/version` label value, or None."""
    if label_value_problem(version) is None:
        return None
    return f"'{version}' cannot be the app.kubernetes.io/version label: {WORDS[LABEL_VALUE]}"


def version_of(image: str, version: str | None) -> str:
    """The version an image runs as: the explicit one, else its tag, else its digest's first 12 digits."""
    if version:
        return version
    ref = parse_image(image)
    if ref.tag:
        return ref.tag
    return ref.digest.split(":", 1)[1][:12] if ref.digest else "unversioned"


def check_versioned(image: str, version: str | None) -> None:
    """ValueError when the version an image would run as is not a valid label value."""
    if version is None and (why := version_problem(version_of(image, None))):
        raise ValueError(f"the image tag {why}; set `version` explicitly")
