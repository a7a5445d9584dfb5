"""The spec's shared vocabulary: the strict `Model` base and the annotated types several models use."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .image import check_image
from .patterns import CONFIGMAP_KEY, ENV_NAME, PORT_NAME


def _absolute(path: str) -> str:
    if not path.startswith("/") or path.rstrip("/") == "":
        raise ValueError(f"'{path}' must be an absolute path below / such as /etc/agent")
    return path.rstrip("/")


AbsPath = Annotated[str, AfterValidator(_absolute)]
Image = Annotated[str, AfterValidator(check_image)]


def _no_control_characters(text: str) -> str:
    bad = next((c for c in text if (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0), None)
    if bad is not None:
        raise ValueError(
            f"contains the control character U+{ord(bad):04X}, which YAML tools such as `kubectl apply -f` refuse; "
            "expected printable text"
        )
    return text


Text = Annotated[str, AfterValidator(_no_control_characters)]
EnvName = Annotated[str, Field(pattern=ENV_NAME)]
ConfigMapKey = Annotated[str, Field(pattern=CONFIGMAP_KEY, max_length=253)]
PortRef = int | Annotated[str, Field(pattern=PORT_NAME)]


class Model(BaseModel):
    """Strict base: unknown fields are errors, YAML uses camelCase, values are immutable."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)
