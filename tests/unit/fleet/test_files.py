"""Files a team really writes: specs in subdirectories, YAML merge keys, and the common YAML slips, each
refused with the field and the fix in words; no YAML document makes validation raise anything but problems."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentkube.fleet.loader import load_fleet, read_documents, read_stack_file
from agentkube.spec.agent import AgentSpec
from agentkube.spec.problems import SpecError
from agentkube.state.record import capture, materialize

SPEC = "name: worker\nimage: ghcr.io/acme/worker:1.0.0\nports: [{name: http, port: 8080}]\n"


def problems(tmp_path: Path, text: str, name: str = "worker.yaml") -> list[str]:
    """What validating an agents directory holding one file of `text` reports."""
    agents = tmp_path / "agents"
    agents.mkdir(exist_ok=True)
    (agents / name).write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_fleet(agents)
    return [str(p) for p in caught.value.problems]


def written(tmp_path: Path, files: dict[str, str]) -> Path:
    agents = tmp_path / "agents"
    for name, text in files.items():
        (agents / name).parent.mkdir(parents=True, exist_ok=True)
        (agents / name).write_text(text, encoding="utf-8")
    return agents


def test_specs_in_subdirectories_are_read_in_path_order(tmp_path: Path) -> None:
    agents = written(
        tmp_path,
        {
            "worker.yaml": SPEC,
            "team/b/search.yml": SPEC.replace("worker", "search"),
            "team/a.yaml": SPEC.replace("worker", "alpha"),
            ".hidden/stale.yaml": SPEC.replace("worker", "stale"),
            "team/.editor-copy.yaml": SPEC.replace("worker", "copy"),
        },
    )
    fleet = load_fleet(agents)
    assert [a.name for a in fleet.agents] == ["alpha", "search", "worker"]
    files = [Path(f).resolve().relative_to(agents.resolve()).as_posix() for f in read_documents(agents)]
    assert files == ["team/a.yaml", "team/b/search.yml", "worker.yaml"]
    assert fleet.sources["search"].endswith("agents/team/b/search.yml")


def test_a_name_used_in_two_subdirectories_is_refused_naming_both_files(tmp_path: Path) -> None:
    agents = written(tmp_path, {"a/worker.yaml": SPEC, "b/worker.yaml": SPEC})
    with pytest.raises(SpecError) as caught:
        load_fleet(agents)
    (problem,) = caught.value.problems
    assert problem.file.endswith("agents/b/worker.yaml") and problem.path == "name"
    assert "already the name of the agent in" in problem.message and "agents/a/worker.yaml" in problem.message


def test_the_record_of_an_update_keeps_subdirectory_specs_and_rollback_restores_them(tmp_path: Path) -> None:
    agents = written(tmp_path, {"worker.yaml": SPEC, "team/search.yaml": SPEC.replace("worker", "search")})
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text("config: {}\n")
    record = capture(agents, stack)
    assert set(record["agents"]) == {"worker.yaml", "team/search.yaml"}
    restored, _ = materialize(record, tmp_path / "restored", "dev")
    assert [a.name for a in load_fleet(restored).agents] == [a.name for a in load_fleet(agents).agents]
    assert (restored / "team" / "search.yaml").read_text() == (agents / "team" / "search.yaml").read_text()


def test_a_record_never_writes_outside_its_agents_directory(tmp_path: Path) -> None:
    record = {"agents": {"../../escape.yaml": SPEC, "/abs/x.yaml": SPEC}, "stackConfig": ""}
    restored, _ = materialize(record, tmp_path / "r", "dev")
    assert sorted(p.relative_to(restored).as_posix() for p in restored.rglob("*.yaml")) == ["abs/x.yaml", "escape.yaml"]
    assert not (tmp_path / "escape.yaml").exists()


def test_merge_keys_merge_and_the_mappings_own_keys_win(tmp_path: Path) -> None:
    agents = written(
        tmp_path,
        {
            "worker.yaml": SPEC
            + "resources:\n"
            + "  requests: &base {cpu: 250m, memory: 512Mi}\n"
            + "  limits:\n    <<: *base\n    cpu: '1'\n"
            + "health:\n  readiness: &probe {http: {path: /ready, port: http}}\n"
            + "  liveness:\n    <<: [*probe, {periodSeconds: 30}]\n"
        },
    )
    (spec,) = load_fleet(agents).agents
    assert spec.resources.limits.cpu == "1" and spec.resources.limits.memory == "512Mi"
    assert spec.health.liveness is not None and spec.health.liveness.period_seconds == 30


def test_a_key_given_twice_is_still_refused_beside_a_merge_key(tmp_path: Path) -> None:
    said = problems(tmp_path, SPEC + "resources:\n  requests: &r {cpu: 1m}\n  limits: {<<: *r, cpu: 2m, cpu: 3m}\n")
    assert len(said) == 1 and "key 'cpu' is given twice, expected each key once" in said[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SPEC + "env: {DEBUG: on}\n", "env.DEBUG: on is read as the boolean true, expected text: quote it: 'on'"),
        (
            SPEC + "env: {VERBOSE: yes}\n",
            "env.VERBOSE: yes is read as the boolean true, expected text: quote it: 'yes'",
        ),
        (SPEC + "version: 1.10\n", "version: 1.10 is read as the number 1.1, expected text: quote it: '1.10'"),
        (SPEC + "version: 2\n", "version: 2 is a number, expected text: quote it: '2'"),
        (
            SPEC + "env: {DAY: 2024-01-31}\n",
            "env.DAY: 2024-01-31 is read as a date, expected text: quote it: '2024-01-31'",
        ),
        (
            SPEC + "env: [LOG_LEVEL=info]\n",
            "env: is a list, expected a map: write LOG_LEVEL: info (one KEY: value per line)",
        ),
        (
            SPEC + "mcp: true\n",
            "mcp: true is read as the boolean true, expected a map of its fields (path, port, transport)",
        ),
        (
            SPEC + "egress: api.openai.com\n",
            "egress: 'api.openai.com' is text, expected a list: write [api.openai.com] or one `- item` per line",
        ),
        (
            SPEC + "shutdown: {gracePeriodSeconds: thirty}\n",
            "shutdown.gracePeriodSeconds: 'thirty' is not a whole number, "
            "expected a whole number without quotes or units",
        ),
        (
            SPEC + "second: doc\n---\nname: x\n",
            "line 5, column 1: a second YAML document starts here, "
            "expected one document per file (one agent per spec file)",
        ),
        ("", "is empty, expected one agent's spec: a map of fields, at least `name: ...` and `image: ...`"),
        (
            "# only a comment\n",
            "is empty, expected one agent's spec: a map of fields, at least `name: ...` and `image: ...`",
        ),
    ],
)
def test_each_common_yaml_slip_names_the_field_and_the_fix(tmp_path: Path, text: str, expected: str) -> None:
    said = problems(tmp_path, text)
    assert len(said) == 1, said
    assert said[0].endswith(f"agents/worker.yaml: {expected}"), said


def test_no_message_names_an_internal_class(tmp_path: Path) -> None:
    fields = [f.alias or n for n, f in AgentSpec.model_fields.items() if f.alias or n not in ("name", "image")]
    for value in ("true", "1", "[a]", "x"):
        said = problems(
            tmp_path, SPEC + "".join(f"{f}: {value}\n" for f in fields if f not in ("name", "image", "ports"))
        )
        for line in said:
            assert "instance of" not in line and "Input should" not in line, line
            assert not any(word in line for word in ("dict_type", "model_type", "Mcp", "Rollout(", "pydantic")), line


def test_a_stack_file_that_is_not_a_map_of_settings(tmp_path: Path) -> None:
    for text, expected in [
        ("- a\n", "Pulumi.dev.yaml: expected a map with a `config:` map of settings"),
        (
            "config: [a, b]\n",
            "Pulumi.dev.yaml: config: expected a map of settings, one `agentkube:<setting>: value` per line",
        ),
        ("config:\n  1: x\n", "Pulumi.dev.yaml: config.1: a key needs its namespace"),
    ]:
        path = tmp_path / "Pulumi.dev.yaml"
        path.write_text(text)
        with pytest.raises(SpecError) as caught:
            read_stack_file(path, "Pulumi.dev.yaml")
        assert str(caught.value).startswith(expected), str(caught.value)


# YAML values: scalars YAML types for itself, text that looks like it, and structures of spec field names
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["on", "yes", "1.10", "2024-01-31", "LOG_LEVEL=info", "x:1", "*", "0o17", "~", "http:", "8080"]),
)
FIELDS = sorted({f.alias or n for n, f in AgentSpec.model_fields.items()})
KEYS = st.one_of(
    st.sampled_from([*FIELDS, "port", "path", "canary", "autoscale", "min", "max", "int", "str", "constrained-str"]),
    st.text(max_size=6),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12
)
DOCUMENTS = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=8).map(lambda d: {"name": "worker", "image": "ghcr.io/a/w:1", **d}),
    VALUES,
)


def _validate_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        agents = Path(tmp, "agents")
        agents.mkdir()
        (agents / "fuzz.yaml").write_text(text, encoding="utf-8")
        try:
            load_fleet(agents)
        except SpecError as err:
            assert err.problems and all(p.message for p in err.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_no_yaml_structure_makes_validate_raise(doc: Any) -> None:
    _validate_text(yaml.safe_dump(doc, allow_unicode=True))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n[]{}&*<!|>'\"#%@`,?.01~")), max_size=60))
def test_no_yaml_text_makes_validate_raise(text: str) -> None:
    _validate_text(text)
    _validate_text("name: worker\nimage: ghcr.io/a/w:1\n" + text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.one_of(KEYS, KEYS.map(lambda k: f"agentkube:{k}")), VALUES, max_size=5))
def test_no_stack_config_makes_the_stack_reader_raise(config: dict[Any, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "Pulumi.dev.yaml")
        path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
        try:
            read_stack_file(path)
        except SpecError as err:
            assert err.problems


def test_keys_are_the_text_written_never_booleans_or_numbers(tmp_path: Path) -> None:
    agents = written(
        tmp_path, {"worker.yaml": SPEC + "env: {on: 'yes', 'off': 'no'}\nscheduling: {nodeSelector: {yes: '1'}}\n"}
    )
    (spec,) = load_fleet(agents).agents
    assert spec.env == {"on": "yes", "off": "no"} and spec.scheduling.node_selector == {"yes": "1"}
    said = problems(tmp_path, SPEC + "env: {1: a, 2.50: b}\n")
    assert len(said) == 2 and all(
        ": env.1: key '1' is not valid" in s or ": env.2.50: key '2.50' is not valid" in s for s in said
    ), said
    said = problems(tmp_path, SPEC + 'env: {"on": a, on: b}\n')
    assert len(said) == 1 and "key 'on' is given twice, expected each key once" in said[0]
