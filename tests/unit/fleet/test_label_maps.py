"""Every map of labels the spec and the stack take (a node selector, an external metric's selector, the labels of
every object) follows the API server's label grammar through one rule, refused at the key with the grammar in
words, and reaches the objects as written."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentkube.core.build import build
from agentkube.fleet.settings import settings_from_config
from agentkube.spec.problems import SpecError
from tests.helpers import SERVING, fleet_of, one_object

# the API server's IsQualifiedName (a label key) and IsValidLabelValue, written out here rather than read from
# the code under test
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")


def server_accepts_key(key: str) -> bool:
    parts = key.split("/")
    if len(parts) > 2 or (len(parts) == 2 and not (0 < len(parts[0]) <= 253 and SUBDOMAIN.fullmatch(parts[0]))):
        return False
    return len(parts[-1]) <= 63 and NAME.fullmatch(parts[-1]) is not None


def server_accepts_value(value: str) -> bool:
    return value == "" or (len(value) <= 63 and NAME.fullmatch(value) is not None)


def with_selector(labels: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    metric = {"external": {"name": "queue_depth", "selector": labels, "averageValue": "10"}}
    return {**SERVING, "scaling": {"autoscale": {"min": 1, "max": 3, "metrics": [metric]}}}, {}


def with_node_selector(labels: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    return {**SERVING, "scheduling": {"nodeSelector": labels}}, {}


def with_stack_labels(labels: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    return SERVING, {"labels": labels}


def hpa_selector(objects: list[dict[str, Any]]) -> dict[str, str]:
    metric = one_object(objects, "HorizontalPodAutoscaler")["spec"]["metrics"][-1]
    return dict(metric["external"]["metric"].get("selector", {}).get("matchLabels", {}))


def node_selector(objects: list[dict[str, Any]]) -> dict[str, str]:
    return dict(one_object(objects, "Deployment")["spec"]["template"]["spec"].get("nodeSelector", {}))


def every_objects_labels(objects: list[dict[str, Any]]) -> dict[str, str]:
    """The labels every object has alike."""
    common = set(objects[0]["metadata"]["labels"].items())
    for obj in objects[1:]:
        common &= set(obj["metadata"]["labels"].items())
    return dict(common)


Place = tuple[str, Callable[[dict[str, str]], tuple[dict[str, Any], dict[str, Any]]], Callable[..., dict[str, str]]]
PLACES: list[Place] = [
    ("agents/worker.yaml: scaling.autoscale.metrics[0].external.selector", with_selector, hpa_selector),
    ("agents/worker.yaml: scheduling.nodeSelector", with_node_selector, node_selector),
    ("Pulumi.test.yaml: config.agentkube:labels", with_stack_labels, every_objects_labels),
]


def problems(place: Place, labels: dict[str, str]) -> list[str]:
    """What validating the labels in that place reports: the stack's through its config, as a stack file."""
    spec, stack = place[1](labels)
    try:
        if stack:
            settings_from_config({"agentkube:labels": json.dumps(stack["labels"])}, "Pulumi.test.yaml")
        fleet_of(spec, **stack)
    except SpecError as err:
        return [str(p) for p in err.problems]
    return []


@pytest.mark.parametrize("place", PLACES, ids=["metric-selector", "node-selector", "stack-labels"])
@pytest.mark.parametrize(
    ("labels", "says"),
    [
        ({"queue name": "tasks"}, ".queue name: key 'queue name' is not a label key, expected an optional DNS"),
        ({"Acme.io/queue": "tasks"}, ".Acme.io/queue: key 'Acme.io/queue' has an invalid prefix 'Acme.io'"),
        ({"queue": "high priority"}, ".queue: 'high priority' is not a label value, expected at most 63 letters"),
        ({"queue": "-tasks"}, ".queue: '-tasks' is not a label value"),
        ({"queue": "t" * 64}, ".queue: '" + "t" * 64 + "' is not a label value"),
    ],
)
def test_a_label_outside_the_grammar_is_refused_at_its_key(place: Place, labels: dict[str, str], says: str) -> None:
    assert [p for p in problems(place, labels) if p.startswith(place[0] + says)], problems(place, labels)


KEY = st.text(st.sampled_from("aZ09-_./ é"), min_size=0, max_size=12) | st.sampled_from(
    ["acme.io/tier", "k" * 63, "k" * 64, "a" * 254 + "/x", "/x", "acme.io/", "a/b/c", "app.kubernetes.io/part"]
)
VALUE = st.text(st.sampled_from("aZ09-_. é"), min_size=0, max_size=10) | st.sampled_from(["", "v" * 63, "v" * 64])


@pytest.mark.parametrize("place", PLACES, ids=["metric-selector", "node-selector", "stack-labels"])
@given(key=KEY, value=VALUE)
def test_validate_accepts_exactly_the_labels_the_api_server_does_and_renders_them(
    place: Place, key: str, value: str
) -> None:
    found = problems(place, {key: value})
    assert (found == []) == (server_accepts_key(key) and server_accepts_value(value)), found
    if found:
        assert all(p.startswith(f"{place[0]}.") for p in found), found
        return
    spec, stack = place[1]({key: value})
    assert place[2](build(fleet_of(spec, **stack))).get(key) == value
