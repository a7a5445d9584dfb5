"""Bad input: every case gets a `FILE: FIELD.PATH: message` problem and nothing is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentkube.fleet import resolve
from agentkube.fleet.loader import load_fleet, read_documents
from agentkube.fleet.settings import settings_from_config
from agentkube.spec.problems import SpecError
from agentkube.spec.stack import StackSettings
from tests.helpers import GOOD, TASKS, fleet_of, job, spec_problems


def test_probe_port_must_be_declared() -> None:
    spec = {
        **GOOD,
        "ports": [{"name": "http", "port": 8080}],
        "health": {"readiness": {"http": {"path": "/ready", "port": "htp"}}},
    }
    assert spec_problems(spec) == [
        "agents/worker.yaml: health.readiness.http.port: 'htp' is not a declared port, expected one of: http "
        "(did you mean 'http'?)"
    ]


def test_duplicate_names() -> None:
    docs = {"agents/a.yaml": GOOD, "agents/b.yaml": GOOD}
    with pytest.raises(SpecError) as caught:
        resolve(docs, StackSettings())
    assert [str(p) for p in caught.value.problems] == [
        "agents/b.yaml: name: 'worker' is already the name of the agent in agents/a.yaml, expected a unique name"
    ]


def test_depends_on_unknown_agent() -> None:
    assert spec_problems(
        {**GOOD, "dependsOn": ["tool-srever"]},
    ) == ["agents/worker.yaml: dependsOn[0]: no agent named 'tool-srever'"]
    tool = {"name": "tool-server", "image": "t:1", "ports": [{"name": "http", "port": 80}]}
    assert spec_problems({**GOOD, "dependsOn": ["tool-srever"]}, tool) == [
        "agents/worker.yaml: dependsOn[0]: no agent named 'tool-srever' (did you mean 'tool-server'?)"
    ]


def test_dependency_cycle() -> None:
    port = [{"name": "http", "port": 80}]
    assert spec_problems(
        {"name": "a", "image": "a:1", "ports": port, "dependsOn": ["b"]},
        {"name": "b", "image": "b:1", "ports": port, "dependsOn": ["c"]},
        {"name": "c", "image": "c:1", "ports": port, "dependsOn": ["a"]},
    ) == [
        "agents/a.yaml: dependsOn: dependency cycle: a -> b -> c -> a, expected agents that depend on each other "
        "in one direction only"
    ]


def test_dependency_without_ports_cannot_be_called() -> None:
    assert spec_problems({**GOOD, "dependsOn": ["cache"]}, {"name": "cache", "image": "c:1"}) == [
        "agents/worker.yaml: dependsOn[0]: 'cache' declares no ports, so it cannot be called; add ports to "
        "agents/cache.yaml"
    ]


@pytest.mark.parametrize("image", ["ghcr.io/acme/worker:latest", "ghcr.io/acme/worker"])
def test_unpinned_image_is_refused_in_prod(image: str) -> None:
    assert spec_problems({**GOOD, "image": image}, environment="prod", production=True) == [
        f"agents/worker.yaml: image: '{image}' is not pinned, expected a version tag or @sha256 digest in the "
        f"production stack test (':latest' moves)"
    ]
    assert fleet_of({**GOOD, "image": image}, environment="dev").agents[0].image == image


def test_digest_is_pinned_in_prod() -> None:
    image = "ghcr.io/acme/worker@sha256:" + "a" * 64
    assert (
        fleet_of({**GOOD, "image": image, "scaling": {"replicas": 2}}, environment="prod", minReplicas=2)
        .agents[0]
        .resolved_version
        == "a" * 12
    )


def test_replicas_below_stack_minimum() -> None:
    assert spec_problems(GOOD, minReplicas=2) == [
        "agents/worker.yaml: scaling.replicas: 1 is below the minReplicas of the test stack (2), expected at least 2"
    ]


def test_override_for_unknown_agent() -> None:
    assert spec_problems(GOOD, overrides={"wroker": {"scaling": {"replicas": 2}}}) == [
        "Pulumi.test.yaml: config.agentkube:overrides.wroker: no agent named 'wroker' (did you mean 'worker'?)"
    ]


def test_env_set_twice() -> None:
    spec = {**GOOD, "env": {"TOKEN": "x"}, "secrets": [{"env": "TOKEN", "secretRef": {"name": "s", "key": "k"}}]}
    assert spec_problems(spec) == [
        "agents/worker.yaml: secrets[0].env: sets TOKEN, which env.TOKEN sets too, expected each variable once"
    ]


def test_missing_config_secret_for_a_cluster_stack() -> None:
    spec = {**GOOD, "secrets": [{"env": "KEY", "config": "apiKey"}]}
    with pytest.raises(SpecError) as caught:
        resolve({"agents/w.yaml": spec}, StackSettings(), "Pulumi.prod.yaml", frozenset())
    assert [str(p) for p in caught.value.problems] == [
        "agents/w.yaml: secrets[0].config: 'apiKey' is not a secret in Pulumi.prod.yaml, expected it set with "
        "`pulumi config set --secret agentkube:apiKey VALUE`"
    ]
    rendered = StackSettings(renderDir="rendered/x")
    assert resolve({"agents/w.yaml": spec}, rendered, "Pulumi.dev.yaml", frozenset()).agents[0].name == "worker"


def test_every_problem_is_reported_not_just_the_first() -> None:
    found = spec_problems(
        {**GOOD, "layer": "pool", "resources": {"requests": {"cpu": "lots"}}}, {"name": "Other", "image": "o:1"}
    )
    assert len(found) == 3
    assert found[0].startswith("agents/Other.yaml: name:")
    assert found[1].startswith("agents/worker.yaml: layer: 'pool' is not valid")


def test_unknown_stack_setting(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        settings_from_config({"agentkube:environmnet": "prod"}, "Pulumi.x.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "Pulumi.x.yaml: config.agentkube:environmnet: unknown setting 'environmnet' (did you mean 'environment'?); "
        "settings are: agentsDir, awaitIngress, awaitSeconds, context, defaults, environment, foldLayers, gateway, "
        "gatewayChannel, ingressClass, ingressNamespace, keda, kubeconfig, kubectlImage, labels, localCluster, "
        "minReplicas, monitoringNamespace, namespace, networkPolicy, otelEndpoint, overrides, production, "
        "prometheusAddress, prometheusOperator, registry, renderDir, runtimeClasses "
        "(secrets must be set with --secret)"
    ]


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: x\nimage: [unclosed\nports: 1\n")
    with pytest.raises(SpecError) as caught:
        read_documents(tmp_path)
    (problem,) = caught.value.problems
    assert problem.file.endswith("bad.yaml")
    assert problem.path.startswith("line 3")
    assert "malformed YAML" in problem.message


def test_empty_agents_directory(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_fleet(tmp_path)
    assert "no agent specs found" in str(caught.value)


def test_spec_that_is_not_a_mapping() -> None:
    with pytest.raises(SpecError) as caught:
        resolve({"agents/x.yaml": ["name", "image"]}, StackSettings())
    assert str(caught.value) == (
        "agents/x.yaml: is a list, expected one agent's spec: a map of fields, at least `name: ...` and `image: ...` "
        "(one agent per file, without a leading '- ')"
    )


def test_registry_prefixes_images_without_one() -> None:
    fleet = fleet_of(
        {**GOOD, "image": "worker:1.0.0"},
        {"name": "b", "image": "ghcr.io/x/b:1"},
        registry="registry.acme.internal/team",
    )
    assert [a.image for a in fleet.agents] == ["ghcr.io/x/b:1", "registry.acme.internal/team/worker:1.0.0"]


def test_defaults_merge_under_and_overrides_over_the_spec() -> None:
    fleet = fleet_of(
        {**GOOD, "env": {"A": "spec"}},
        defaults={"env": {"A": "default", "B": "default"}},
        overrides={"worker": {"env": {"B": "override"}}},
    )
    assert fleet.agents[0].env == {"A": "spec", "B": "override"}


def test_dependency_listed_twice() -> None:
    tool = {"name": "tool", "image": "t:1", "ports": [{"name": "http", "port": 80}]}
    assert spec_problems({**GOOD, "dependsOn": ["tool", "tool"]}, tool) == [
        "agents/worker.yaml: dependsOn[1]: 'tool' is listed twice, expected each agent once"
    ]


# --- KEDA: scale to zero, triggers, job agents ---------------------------------------------------

QUEUE = {"external": {"name": "agent_queue_depth", "selector": {"queue": "research"}, "averageValue": "30"}}
NO_KEDA = (
    "which the test stack does not declare; set `agentkube:keda: true` in Pulumi.test.yaml "
    "once KEDA runs in its cluster"
)


def test_min_zero_needs_keda_in_the_stack() -> None:
    assert spec_problems({**GOOD, "scaling": {"autoscale": {"min": 0, "max": 3, "metrics": [QUEUE]}}}) == [
        f"agents/worker.yaml: scaling.autoscale.min: 0 needs KEDA (an HPA cannot scale to zero), {NO_KEDA}, or min: 1"
    ]


def test_triggers_need_keda_in_the_stack() -> None:
    assert spec_problems({**GOOD, "scaling": {"autoscale": {"min": 1, "max": 3, "triggers": [TASKS]}}}) == [
        f"agents/worker.yaml: scaling.autoscale.triggers: are read by KEDA, {NO_KEDA}"
    ]


def test_a_job_agent_needs_keda_in_the_stack_once() -> None:
    assert spec_problems(job()) == [
        f"agents/worker.yaml: kind: 'job' runs as a KEDA ScaledJob and needs KEDA, {NO_KEDA}"
    ]


def test_a_stack_override_to_min_zero_needs_keda_too() -> None:
    overrides = {"worker": {"scaling": {"autoscale": {"min": 0, "max": 3, "metrics": [QUEUE]}}}}
    assert spec_problems(GOOD, overrides=overrides) == [
        f"agents/worker.yaml: scaling.autoscale.min: 0 needs KEDA (an HPA cannot scale to zero), {NO_KEDA}, or min: 1"
    ]


def test_keda_settings_validate() -> None:
    assert fleet_of(job(), keda=True).agents[0].kind == "job"
    assert fleet_of({**GOOD, "scaling": {"autoscale": {"min": 0, "max": 3, "metrics": [QUEUE]}}}, keda=True)


def test_min_zero_on_cpu_alone_names_the_fix() -> None:
    assert spec_problems({**GOOD, "scaling": {"autoscale": {"min": 0, "max": 3, "cpu": 50}}}, keda=True) == [
        "agents/worker.yaml: scaling.autoscale.min: 0 is never left on cpu, memory or per-pod metrics alone (with "
        "no pod there is nothing to measure, so KEDA refuses it); add a trigger from outside the pods, e.g. an "
        "external queue-depth metric or triggers: [{prometheus: {query: 'sum(agent_queue_depth)', threshold: '10'}}], "
        "or set min: 1"
    ]


def test_a_job_agent_needs_triggers() -> None:
    assert spec_problems({**GOOD, "kind": "job"}, keda=True) == [
        "agents/worker.yaml: scaling: a job agent starts a Job per task and needs scaling.autoscale with triggers, "
        "e.g. autoscale: {min: 0, max: 10, triggers: [{prometheus: {query: 'sum(agent_queue_depth)', "
        "threshold: '10'}}]}"
    ]
    assert spec_problems({**GOOD, "kind": "job", "scaling": {"autoscale": {"min": 0, "max": 3}}}, keda=True) == [
        "agents/worker.yaml: scaling.autoscale.triggers: a job agent starts a Job per task and needs a queue or "
        "query to count them, e.g. triggers: [{prometheus: {query: 'sum(agent_queue_depth)', threshold: '10'}}]"
    ]


def test_a_job_agent_serves_no_ports_and_scales_by_tasks_only() -> None:
    spec = {
        **job(cpu=50, scaleDown={"stabilizationSeconds": 5}, cooldownSeconds=5),
        "ports": [{"name": "http", "port": 8080}],
    }
    spec["scaling"]["autoscale"]["metrics"] = [{"pods": {"name": "busy", "averageValue": "1"}}]
    assert spec_problems(spec, keda=True) == [
        "agents/worker.yaml: ports: a job agent takes its tasks from a queue or a schedule and serves no traffic, "
        "expected no ports (kind: service for an agent that others call)",
        "agents/worker.yaml: scaling.autoscale.cooldownSeconds: a job agent has no cooldown: each Job ends with its "
        "task",
        "agents/worker.yaml: scaling.autoscale.cpu: a job agent is scaled by its tasks, not by utilization, expected "
        "no cpu or memory target",
        "agents/worker.yaml: scaling.autoscale.metrics[0].pods: a job agent is scaled by its tasks, not by per-pod "
        "metrics, expected an external metric or a trigger",
        "agents/worker.yaml: scaling.autoscale.scaleDown: a job agent runs each Job to completion and is never "
        "scaled down, expected no stabilization (job.pollingInterval sets how often KEDA looks at the queue)",
    ]


@pytest.mark.parametrize("strategy", ["canary", "blue-green"])
def test_a_job_agent_refuses_canary_and_blue_green(strategy: str) -> None:
    candidate = {"image": "ghcr.io/acme/worker:1.1.0"}
    rollout = (
        {"strategy": "canary", "canary": candidate}
        if strategy == "canary"
        else {"strategy": "blue-green", "blueGreen": {"blue": candidate}}
    )
    assert spec_problems({**job(), "rollout": rollout}, keda=True) == [
        f"agents/worker.yaml: rollout.strategy: '{strategy}' does not apply to a job agent: each task runs to "
        "completion on the version current when it started, and an update starts new Jobs on the new version while "
        "running Jobs finish (KEDA's gradual rollout); expected rolling"
    ]


def test_a_job_block_needs_kind_job() -> None:
    assert spec_problems({**GOOD, "job": {"retries": 1}}) == [
        "agents/worker.yaml: job: is set but kind is service, expected kind: job (or no job block)"
    ]


def test_min_replicas_of_the_stack_bind_serving_agents_not_queue_work() -> None:
    """The HA floor is for agents that answer calls: a job agent, or a worker at zero, takes its work from a queue."""
    assert fleet_of(job(), keda=True, minReplicas=2).agents[0].scaling.min == 0
    worker = {**GOOD, "scaling": {"autoscale": {"min": 0, "max": 3, "metrics": [QUEUE]}}}
    assert fleet_of(worker, keda=True, minReplicas=2).agents[0].scaling.min == 0
    assert spec_problems(
        {**GOOD, "scaling": {"autoscale": {"min": 1, "max": 3, "metrics": [QUEUE]}}}, keda=True, minReplicas=2
    ) == [
        "agents/worker.yaml: scaling.autoscale.min: 1 is below the minReplicas of the test stack (2), "
        "expected at least 2"
    ]


def test_an_agent_at_zero_that_others_call_gets_a_warning() -> None:
    tool = {**GOOD, "ports": [{"name": "http", "port": 8080}], "expose": {"host": "tools.example.com"}}
    tool["scaling"] = {"autoscale": {"min": 0, "max": 3, "metrics": [QUEUE]}}
    caller = {"name": "caller", "image": "ghcr.io/acme/caller:1.0.0", "dependsOn": ["worker"]}
    fleet = fleet_of(tool, caller, keda=True)
    assert [str(w) for w in fleet.warnings] == [
        "agents/worker.yaml: scaling.autoscale.min: warning: at 0 pods, calls from caller, the Ingress for "
        "tools.example.com fail until a trigger starts a pod (triggers count queued work, not requests); min: 1 "
        "keeps one pod to answer"
    ]
    assert fleet_of({**GOOD, "scaling": tool["scaling"]}, keda=True).warnings == ()


def test_a_job_agent_says_how_many_jobs_wait() -> None:
    spec = job()
    del spec["scaling"]["autoscale"]["min"]
    assert spec_problems(spec, keda=True) == [
        "agents/worker.yaml: scaling.autoscale.min: is not set, and a job agent needs it: min: 0 starts Jobs only "
        "for waiting tasks, min: N keeps N Jobs waiting for one"
    ]
    assert fleet_of({**job(), "scaling": {"autoscale": {**job()["scaling"]["autoscale"], "min": 1}}}, keda=True)


CANARY = {**GOOD, "ports": [{"name": "http", "port": 8080}]}
CANARY["rollout"] = {"strategy": "canary", "canary": {"image": "ghcr.io/acme/worker:1.1.0", "weight": 10}}


def test_what_the_core_assumes_of_a_gateway_canary_is_refused_here() -> None:
    """The core builds an HTTPRoute without checking for a Gateway: only validation says it is missing."""
    gateway = {**CANARY, "rollout": {**CANARY["rollout"], "canary": {**CANARY["rollout"]["canary"]}}}
    gateway["rollout"]["canary"]["traffic"] = "gateway"
    message = (
        "rollout.canary.traffic: 'gateway' needs a Gateway in the test stack, expected agentkube:gateway: "
        "{name: ..., namespace: ...}"
    )
    assert spec_problems(gateway) == [f"agents/worker.yaml: {message}"]
    by_overlay = {"worker": {"rollout": {"canary": {"traffic": "gateway"}}}}
    assert spec_problems(CANARY, overrides=by_overlay) == [f"agents/worker.yaml: {message}"]
    assert fleet_of(gateway, gateway={"name": "public", "namespace": "gateways"}).agents


def test_what_the_core_assumes_of_an_argo_canary_is_refused_here() -> None:
    """The core builds the AnalysisTemplate without checking for an analysis: only the model refuses none."""
    argo = {**CANARY, "rollout": {**CANARY["rollout"], "canary": {**CANARY["rollout"]["canary"], "traffic": "argo"}}}
    message = (
        "traffic: argo needs analysis.metrics or analysis.errorRate, e.g. {metrics: [{builtin: errorRate, "
        "maxRatioToStable: 1.5}]}"
    )
    assert spec_problems(argo) == [f"agents/worker.yaml: rollout.canary: {message}"]
    overlay = {"worker": {"rollout": {"canary": {"traffic": "argo"}}}}
    assert spec_problems(CANARY, overrides=overlay) == [
        f"Pulumi.test.yaml: config.agentkube:overrides.worker.rollout.canary: {message}"
    ]
