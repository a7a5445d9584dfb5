"""The YAML writer: whatever document it is given, YAML reads back the same document (hypothesis)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agentkube.render.yaml_writer import to_yaml

SCALARS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.integers(),
    st.booleans(),
    st.none(),
    st.sampled_from(
        [
            "yes",
            "No",
            "null",
            "1.0",
            "0x1F",
            "1_000",
            "12:30",
            "~",
            "- a",
            "#x",
            "a: b",
            "",
            " lead",
            "trail ",
            "*ref",
            "&a",
            "!tag",
            "@",
            "`",
            "%",
        ]
    ),
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), DOCS, max_size=5))
def test_yaml_writer_round_trips_any_document(doc: dict[str, Any]) -> None:
    assert yaml.safe_load(to_yaml(doc) or "{}") == doc
