"""Problems found in user input, collected and reported together, and pydantic errors as problems."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from .error_words import TYPE_ERRORS, alternatives, without_class_names, words
from .patterns import WORDS

Loc = tuple[str | int, ...]  # a place in a parsed document: ('secrets', 0, 'secretRef')


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input: where it is and what to do about it."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


class SpecError(Exception):
    """Invalid agent specs or stack settings; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix when a close match exists, else ''."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def dotted(loc: Sequence[str | int]) -> str:
    """('secrets', 0, 'secretRef') -> 'secrets[0].secretRef'."""
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker of an error in a mapping's key: the key is already named
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from(
    err: ValidationError,
    file: str,
    model: type[BaseModel],
    prefix: str = "",
    texts: Mapping[Loc, str] | None = None,
) -> list[Problem]:
    """Pydantic errors as `FILE: FIELD.PATH: message` problems, in words (`error_words`), with 'did you mean'
    for unknown fields; `texts` holds what the file wrote for YAML-typed scalars (`on`, `1.10`), by location."""
    problems = []
    errors: list[dict[str, Any]] = [dict(e) for e in err.errors(include_url=False)]
    places = [_place(e) for e in errors]
    union_members: dict[Loc, list[dict[str, Any]]] = {}
    for e, loc in zip(errors, places, strict=True):
        if len(loc) < len(e["loc"]) and e["type"] in TYPE_ERRORS:
            union_members.setdefault(loc, []).append(e)
    for e, loc in zip(errors, places, strict=True):
        key_error = bool(loc) and loc[-1] == "[key]"
        where = loc[:-1] if key_error else loc
        text = (texts or {}).get(where)
        msg = e["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        members = union_members.get(loc, [])
        if len(members) > 1:
            if e is not members[0]:
                continue  # one line for the union
            msg = alternatives(members, text)
        elif e["type"] == "extra_forbidden":
            key = str(loc[-1])
            known = _fields_at(model, list(loc[:-1]))
            hint = did_you_mean(key, known)
            msg = f"unknown field '{key}'{hint}"
            if known and not hint:
                msg += f", expected one of: {', '.join(sorted(known))}"
        elif e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "string_pattern_mismatch":
            pattern = (e.get("ctx") or {}).get("pattern", "")
            msg = f"'{e['input']}' is not valid, expected {WORDS.get(pattern, 'a different form')}"
        elif e["type"] == "string_too_long" and isinstance(e.get("input"), str):
            text, most = e["input"], (e.get("ctx") or {}).get("max_length")
            shown = text if _shown(text) else text[:40] + "..."
            msg = f"'{shown}' is not valid: it is {len(text)} characters, expected at most {most}"
        elif (said := words(e, text, partial(_fields_at, model, list(loc)))) is not None:
            msg = said
        elif "input" in e and e["type"] not in ("value_error", "assertion_error") and _shown(e["input"]):
            msg = f"'{e['input']}' is not valid: {msg[0].lower()}{msg[1:]}"
        msg = without_class_names(msg)
        problems.append(Problem(file, prefix + dotted(where), f"key {msg}" if key_error else msg))
    return problems


def _place(e: dict[str, Any]) -> Loc:
    """An error's location without pydantic's union member names; an unknown key keeps its own name, even `int`."""
    loc = tuple(e["loc"])
    kept = tuple(part for part in loc[:-1] if not _is_union_tag(part))
    if loc and (e["type"] == "extra_forbidden" or not _is_union_tag(loc[-1])):
        kept += loc[-1:]
    return kept


def _is_union_tag(part: str | int) -> bool:
    # pydantic adds union member names ('int', 'str', 'constrained-str') to locations
    return isinstance(part, str) and (
        part in ("int", "str", "float", "bool") or part.startswith(("constrained-", "function-"))
    )


def _shown(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and len(str(value)) < 80


def _fields_at(model: type[BaseModel], loc: list[str | int]) -> set[str]:
    """Field names (aliases) of the model found at `loc` inside `model`."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return set()
        found = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        if found is None:
            return set()
        current = model_in(found.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return {f.alias or n for n, f in current.model_fields.items()}
    return set()


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside a field annotation (`X | None`, `list[X]`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := model_in(arg)) is not None:
            return found
    return None
