"""The one placeholder language of every PromQL query agentkube fills: canary checks (`analyze` and Argo's
AnalysisTemplate), `analysis.errorRate.query` and KEDA trigger queries.

A placeholder is `$name` or `${name}`, for a name of `PLACEHOLDERS`. `$$name` writes a literal `$name`
(a named group in a `label_replace` replacement). Every other character passes through as written: a `$`
before anything but a letter, `_`, `{` or `$name` (a regex anchor such as `=~"5..$"`, `$1` in
`label_replace`), braces, quotes and backslashes are PromQL's, not ours.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping

PLACEHOLDERS: dict[str, str] = {
    "agent": "the agent's name",
    "namespace": "the agent's namespace",
    "track": "the track measured: stable or canary (Argo's pod-template hash with traffic: argo)",
    "window": "the analysis window, e.g. 5m (canary checks only)",
}
CHECK = tuple(PLACEHOLDERS)  # a canary check, run once per track
TRIGGER = ("agent", "namespace", "track")  # a KEDA trigger query: no analysis window to fill

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# one scan, left to right: an escaped `$$name`, then `${name}` or `$name`
_TOKEN = re.compile(rf"\$\$(?={_NAME}|\{{)|\$\{{({_NAME})\}}|\$({_NAME})")
_FOREIGN = (  # placeholders of other template languages, never filled by agentkube
    (re.compile(r"\{\{.*?\}\}|\{\{", re.S), "Go/Helm/Argo template"),
    (re.compile(r"\$\{(?!" + _NAME + r"\})[^}]*\}?"), "shell/Terraform template"),
    (re.compile(r"\[\[" + _NAME + r"\]\]"), "Grafana variable"),
    (re.compile(r"(?<![{$])\{(" + "|".join(PLACEHOLDERS) + r")\}"), "Python format"),
)


def written(allowed: Collection[str]) -> str:
    """The placeholders of `allowed` as a user writes them: `$agent, $namespace, $track`."""
    return ", ".join(f"${p}" for p in allowed)


def problem(query: str, allowed: Collection[str] = CHECK) -> str | None:
    """Why `query` cannot be filled with `allowed`, in words; None when it can."""
    for pattern, language in _FOREIGN:
        if found := pattern.search(query):
            return (
                f"'{found.group(0)}' is {language} syntax, which agentkube does not fill; "
                f"a query may use {written(allowed)} (or $$ for a literal $ before a name)"
            )
    for match in _TOKEN.finditer(query):
        name = match.group(1) or match.group(2)
        if name is not None and name not in allowed:
            what = f"${name} has no value in this query" if name in PLACEHOLDERS else f"unknown placeholder ${name}"
            if name == "window":
                what += " (write the range itself, e.g. [5m])"
            return (
                f"{what}{_close(name, allowed)}; a query may use {written(allowed)} "
                "(or $$ for a literal $ before a name)"
            )
    return None


def refusing(allowed: Collection[str]) -> Callable[[str], str]:
    """A field validator: the query as written, or a ValueError saying which placeholders it may use."""

    def check(query: str) -> str:
        if why := problem(query, allowed):
            raise ValueError(why)
        return query

    return check


def uses(query: str, name: str) -> bool:
    """Whether `query` has the placeholder `name`."""
    return any(name in (m.group(1), m.group(2)) for m in _TOKEN.finditer(query))


def fill(query: str, values: Mapping[str, str]) -> str:
    """`query` with each placeholder replaced by its value and `$$name` by `$name`, every other character
    as written. A placeholder without a value is a ValueError (validation refuses it first)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name is None:
            return "$"
        if name not in values:
            raise ValueError(f"no value for the placeholder ${name} in {query!r}")
        return values[name]

    return _TOKEN.sub(value, query)


def _close(name: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(name, [p for p in allowed if p != name], n=1, cutoff=0.6)
    return f" (did you mean ${close[0]}?)" if close else ""
