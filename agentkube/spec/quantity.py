"""Kubernetes resource quantities, parsed with the API server's rules."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

_SUFFIX = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")


def parse_quantity(text: str) -> Decimal:
    """'250m' -> 0.25, '1Gi' -> 1073741824; ValueError for anything Kubernetes would reject."""
    match = _QUANTITY.match(text)
    if not match:
        hint = _hint(text)
        raise ValueError(
            f"'{text}' is not a Kubernetes quantity, expected a number with an optional "
            f"suffix such as 250m, 1, 512Mi or 2Gi{hint}"
        )
    number, suffix = match.group(1), match.group(2) or ""
    if suffix[:1] in ("e", "E"):
        return Decimal(number) * Decimal(10) ** int(suffix[1:])
    return Decimal(number) * _SUFFIX[suffix]


def _hint(text: str) -> str:
    lowered = re.match(r"^([0-9.]+)\s*([a-zA-Z]+)$", text.strip())
    if not lowered:
        return ""
    unit = lowered.group(2).lower().rstrip("b")
    fix = {"k": "Ki", "ki": "Ki", "m": "Mi", "mi": "Mi", "g": "Gi", "gi": "Gi", "t": "Ti", "ti": "Ti"}.get(unit)
    return f" (did you mean '{lowered.group(1)}{fix}'?)" if fix else ""


def _check(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"'{value}' is not a Kubernetes quantity, expected a string such as 250m or 512Mi")
    text = str(value)
    parse_quantity(text)
    return text


def _check_memory(value: object) -> str:
    text = _check(value)
    if text.endswith("m"):
        raise ValueError(
            f"'{text}' is {text[:-1]} thousandths of a byte, expected a memory size (did you mean '{text[:-1]}Mi'?)"
        )
    return text


Quantity = Annotated[str, BeforeValidator(_check)]
"""A CPU (or any) quantity as the user wrote it, checked to parse."""

MemoryQuantity = Annotated[str, BeforeValidator(_check_memory)]
"""A memory quantity; milli-bytes ('500m') are refused as a likely typo for Mi."""


def format_cpu(cores: Decimal) -> str:
    """Cores as the shortest exact quantity: 0.25 -> '250m', 2 -> '2'."""
    millis = (cores * 1000).to_integral_value()
    return str(int(millis // 1000)) if millis % 1000 == 0 else f"{int(millis)}m"


def format_memory(size: Decimal) -> str:
    """Bytes as the largest exact binary unit: 1073741824 -> '1Gi'."""
    value = int(size.to_integral_value())
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = int(_SUFFIX[suffix])
        if value and value % unit == 0:
            return f"{value // unit}{suffix}"
    return str(value)
