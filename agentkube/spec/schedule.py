"""Cron schedules and time zones, checked as the Kubernetes CronJob controller parses them (standard 5-field
cron, or a descriptor such as @daily), so that a schedule that validates is one the API server takes."""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import Annotated

from pydantic import AfterValidator

from .problems import did_you_mean

DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, start=1)}
DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# (name, lowest, highest, names): minute, hour, day of month, month, day of week (0 is Sunday)
FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 6, DAYS),
)
EXAMPLE = "e.g. '0 2 * * *' (02:00 every day) or @daily"
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*")


def _value(text: str, field: tuple[str, int, int, dict[str, int]]) -> int:
    name, low, high, names = field
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a number for the {name} ({low}-{high})")
    value = int(text)
    if not low <= value <= high:
        hint = " (0 is Sunday)" if name == "day of week" and value == 7 else ""
        raise ValueError(f"{value} is out of range for the {name}, expected {low}-{high}{hint}")
    return value


def _expand(part: str, field: tuple[str, int, int, dict[str, int]]) -> set[int]:
    """One comma-separated item: `*`, `N`, `N-M`, each with an optional `/STEP`."""
    name, low, high, _ = field
    span, slash, step_text = part.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) == 0:
            raise ValueError(f"'{part}': the step after '/' must be a whole number above 0 in the {name}")
        step = int(step_text)
    if span in ("*", "?"):
        start, end = low, high
    else:
        first, dash, last = span.partition("-")
        start = _value(first, field)
        end = _value(last, field) if dash else (high if slash else start)
        if start > end:
            raise ValueError(f"'{part}': the range starts after it ends in the {name}")
    return set(range(start, end + 1, step))


def check_schedule(text: str) -> str:
    """The schedule unchanged; ValueError saying what is wrong, in words."""
    if "TZ=" in text:
        raise ValueError(f"'{text}' sets its time zone in the schedule, expected it in job.timeZone")
    if text.startswith("@"):
        if text not in DESCRIPTORS:
            raise ValueError(f"'{text}' is not a cron descriptor, expected one of {', '.join(DESCRIPTORS)}")
        return text
    parts = text.split()
    if len(parts) != len(FIELDS):
        raise ValueError(
            f"'{text}' has {len(parts)} fields, expected 5 (minute hour day-of-month month day-of-week), {EXAMPLE}"
        )
    values = [set().union(*(_expand(p, f) for p in part.split(","))) for part, f in zip(parts, FIELDS, strict=True)]
    days, months = values[2], values[3]
    if parts[4] in ("*", "?") and not any(day <= DAYS_IN_MONTH[m - 1] for m in months for day in days):
        raise ValueError(f"'{text}' never runs: none of its months has any of its days of the month")
    return text


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(name: str) -> str:
    """An IANA time zone name as the API server takes it (never `Local`, the controller's own zone)."""
    if name.lower() == "local":
        raise ValueError("'Local' is the controller's own time zone, expected an IANA name such as Europe/Berlin")
    known = _known_zones()
    if not _ZONE.fullmatch(name) or (known and name not in known):  # no zone database here: the form alone
        raise ValueError(
            f"'{name}' is not an IANA time zone{did_you_mean(name, known)}, expected a name such as "
            "Europe/Berlin, America/New_York or UTC"
        )
    return name


Schedule = Annotated[str, AfterValidator(check_schedule)]
TimeZone = Annotated[str, AfterValidator(check_time_zone)]
