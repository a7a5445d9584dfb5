"""The words for each kind of pydantic error: what was found and how to write it instead, never a class name.

`problems.problems_from` is the one caller: every spec and stack-settings error passes through `words`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

# what a field of each kind holds, as an error names it
KINDS = {
    "string_type": "text",
    "dict_type": "a map of KEY: value",
    "model_type": "a map of fields",
    "model_attributes_type": "a map of fields",
    "list_type": "a list",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "literal_error": "one of the listed values",
}
TYPE_ERRORS = frozenset(KINDS) - {"literal_error", "int_from_float"}


def found(value: Any, text: str | None) -> str:
    """What YAML made of the input, in words, quoting what was written when known."""
    written = f"{text} " if text is not None else ""
    if value is None:
        return f"is empty ({text} means no value)" if text else "is empty"
    if isinstance(value, bool):
        if text is None:  # not from a file's own text (a stack overlay): name every word YAML reads so
            return f"is the boolean {str(value).lower()} (YAML reads unquoted yes, no, on, off, true, false so)"
        return f"{text} is read as the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        if text is not None and text != str(value):
            return f"{text} is read as the number {value}"
        return f"{value} is a number"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{written or str(value) + ' '}is read as a date"
    if isinstance(value, Mapping):
        return "is a map"
    if isinstance(value, list):
        return "is a list"
    if isinstance(value, str):
        return f"'{value}' is text" if len(value) < 60 else "is text"
    return "is not valid"


def _quote_it(value: Any, text: str | None) -> str:
    if text is None and isinstance(value, bool):
        return "quote the word written (e.g. 'on')"
    return f"quote it: '{text if text is not None else value}'"


def _text_wanted(e: dict[str, Any], text: str | None, fields: Callable[[], set[str]]) -> str:
    value = e["input"]
    if isinstance(value, (bool, int, float, datetime.date)):
        return f"{found(value, text)}, expected text: {_quote_it(value, text)}"
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return f"is a list, expected text: write '{value[0]}' without the brackets"
    return f"{found(value, text)}, expected text"


def _map_wanted(e: dict[str, Any], text: str | None, fields: Callable[[], set[str]]) -> str:
    value = e["input"]
    what = "a map of its fields" if e["type"] != "dict_type" else "a map"
    known = sorted(fields())
    listed = f" ({', '.join(known)})" if known else ""
    if isinstance(value, list) and value and all(isinstance(v, str) and "=" in v for v in value):
        key, _, val = value[0].partition("=")
        return f"is a list, expected {what}: write {key.strip()}: {val.strip()} (one KEY: value per line)"
    if isinstance(value, list):
        return f"is a list, expected {what}{listed}, one `field: value` per line"
    if isinstance(value, str) and ":" in value and "\n" not in value:
        return f"'{value}' is text, expected {what}: put a space after the ':' (field: value)"
    return f"{found(value, text)}, expected {what}{listed}" + (" of KEY: value" if e["type"] == "dict_type" else "")


def _list_wanted(e: dict[str, Any], text: str | None, fields: Callable[[], set[str]]) -> str:
    value = e["input"]
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return f"{found(value, text)}, expected a list: write [{text or value}] or one `- item` per line"
    return f"{found(value, text)}, expected a list: write [a, b] or one `- item` per line"


def _number_wanted(e: dict[str, Any], text: str | None, fields: Callable[[], set[str]]) -> str:
    value = e["input"]
    kind = KINDS[e["type"]]
    if e["type"] == "int_from_float":
        return f"{text or value} is not {kind}, expected {kind} (e.g. {int(value)})"
    if isinstance(value, str):
        return f"'{value}' is not {kind}, expected {kind} without quotes or units"
    return f"{found(value, text)}, expected {kind}"


def _bool_wanted(e: dict[str, Any], text: str | None, fields: Callable[[], set[str]]) -> str:
    return f"{found(e['input'], text)}, expected true or false (unquoted)"


def _literal_wanted(e: dict[str, Any], text: str | None, fields: Callable[[], set[str]]) -> str:
    expected = (e.get("ctx") or {}).get("expected", "a listed value")
    value = e["input"]
    what = f"'{value}' is not valid" if isinstance(value, str) else found(value, text)
    return f"{what}, expected {expected}"


Words = Callable[[dict[str, Any], "str | None", Callable[[], set[str]]], str]

# pydantic error type -> the words for it
TABLE: dict[str, Words] = {
    "string_type": _text_wanted,
    "dict_type": _map_wanted,
    "model_type": _map_wanted,
    "model_attributes_type": _map_wanted,
    "list_type": _list_wanted,
    "int_type": _number_wanted,
    "int_parsing": _number_wanted,
    "int_from_float": _number_wanted,
    "float_type": _number_wanted,
    "float_parsing": _number_wanted,
    "bool_type": _bool_wanted,
    "bool_parsing": _bool_wanted,
    "literal_error": _literal_wanted,
}


def words(e: dict[str, Any], text: str | None, fields: Callable[[], set[str]]) -> str | None:
    """The message for a pydantic error of a kind in the table, else None (its own message is kept)."""
    rule = TABLE.get(e["type"])
    return rule(e, text, fields) if rule and "input" in e else None


def alternatives(errors: list[dict[str, Any]], text: str | None) -> str:
    """One message for a union's members, each refusing the input for its own type."""
    kinds = list(dict.fromkeys(KINDS[e["type"]] for e in errors))
    return f"{found(errors[0]['input'], text)}, expected {' or '.join(kinds)}"


def without_class_names(message: str) -> str:
    """A pydantic message with internal class names dropped ('or instance of Mcp')."""
    head, sep, _ = message.partition(" or instance of ")
    return head if sep else message
