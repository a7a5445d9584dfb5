"""Cron schedules and time zones as the CronJob controller parses them: every well-formed schedule is taken,
every value out of its field's range, malformed item or schedule that never runs is refused in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkube.spec.schedule import DESCRIPTORS, FIELDS, check_schedule, check_time_zone

# the day of month stays at or below 28 so that every month has it
BOUNDS = [(low, 28 if name == "day of month" else high) for name, low, high, _ in FIELDS]


@st.composite
def item(draw: st.DrawFn, low: int, high: int) -> str:
    kind = draw(st.sampled_from(["*", "n", "range", "step"]))
    if kind == "*":
        return "*"
    start = draw(st.integers(low, high))
    if kind == "n":
        return str(start)
    end = draw(st.integers(start, high))
    text = f"{start}-{end}"
    return text + (f"/{draw(st.integers(1, 30))}" if kind == "step" else "")


@st.composite
def schedules(draw: st.DrawFn) -> str:
    fields = [",".join(draw(st.lists(item(low, high), min_size=1, max_size=3))) for low, high in BOUNDS]
    return " ".join(fields)


@given(schedules())
def test_every_well_formed_schedule_is_taken(schedule: str) -> None:
    assert check_schedule(schedule) == schedule


@given(st.sampled_from(range(len(FIELDS))), st.integers(61, 999) | st.just(-1))
def test_a_value_out_of_its_fields_range_is_refused_naming_the_field(index: int, value: int) -> None:
    fields = ["*"] * 5
    fields[index] = str(value)
    with pytest.raises(ValueError, match=FIELDS[index][0] if value >= 0 else "is not a number"):
        check_schedule(" ".join(fields))


@pytest.mark.parametrize("descriptor", DESCRIPTORS)
def test_descriptors_are_taken(descriptor: str) -> None:
    assert check_schedule(descriptor) == descriptor


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("0 2 * *", "has 4 fields, expected 5"),
        ("0 0 2 * * *", "has 6 fields, expected 5"),  # no seconds field
        ("0 24 * * *", "24 is out of range for the hour, expected 0-23"),
        ("0 0 0 * *", "0 is out of range for the day of month, expected 1-31"),
        ("0 0 * 13 *", "13 is out of range for the month, expected 1-12"),
        ("0 0 * * 7", "expected 0-6 (0 is Sunday)"),
        ("*/0 * * * *", "the step after '/' must be a whole number above 0"),
        ("30-10 * * * *", "the range starts after it ends"),
        ("0 0 1,,2 * *", "'' is not a number for the day of month"),
        ("0 0 * * FUN", "'FUN' is not a number for the day of week"),
        ("0 0 30 feb *", "never runs"),
        ("@every 1h", "is not a cron descriptor"),
        ("CRON_TZ=UTC 0 2 * * *", "expected it in job.timeZone"),
        ("", "has 0 fields"),
    ],
)
def test_a_broken_schedule_says_what_is_wrong(schedule: str, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        check_schedule(schedule)


def test_names_and_day_or_week_schedules_are_taken() -> None:
    for schedule in ("0 9 * * MON-FRI", "0 0 1 jan,jul *", "0 0 31 2 1"):  # the last: Feb 31 or any Monday
        assert check_schedule(schedule) == schedule


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_time_zones_are_taken(zone: str) -> None:
    assert check_time_zone(zone) == zone


@pytest.mark.parametrize(
    ("zone", "words"),
    [
        ("Local", "the controller's own time zone"),
        ("Europe/Berln", "did you mean 'Europe/Berlin'"),
        ("../../etc/passwd", "is not an IANA time zone"),
        ("CEST", "is not an IANA time zone"),
    ],
)
def test_anything_else_is_refused_as_a_time_zone(zone: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        check_time_zone(zone)
