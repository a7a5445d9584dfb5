"""Turn raw spec documents and stack settings into a validated fleet, collecting every problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..project import stack_of
from ..spec.addresses import Host, egress_destination
from ..spec.agent import AgentSpec
from ..spec.error_words import found
from ..spec.image import parse_image
from ..spec.injected import dependency_env, mcp_env
from ..spec.problems import Problem, SpecError, did_you_mean, problems_from
from ..spec.runtime import AGENTS_CONTEXT
from ..spec.stack import StackSettings
from .isolation_rules import isolation_problems, pool_size_problems, pool_sized
from .model import Fleet, find_cycle
from .mount_rules import mount_problems
from .name_rules import clash_problems, name_problems
from .overlay import given, layered, overlay_problems, unused_problems
from .port_rules import port_problems
from .scaling_rules import keda_problems, zero_warnings
from .settings import the_stack
from .storage_rules import storage_problems
from .yaml_files import source_texts


def resolve(
    documents: Mapping[str, Any],
    settings: StackSettings,
    stack_file: str = "stack",
    secret_config: frozenset[str] | None = None,
) -> Fleet:
    """Validate spec documents (file -> parsed YAML) under a stack's settings; raise SpecError with every problem.

    `secret_config` names the stack's config secrets; None skips checking that `secrets[].config` exist.
    """
    if not documents:
        raise SpecError([Problem("agents/", "", "no agent specs found, expected at least one *.yaml file")])
    agents: dict[str, AgentSpec] = {}
    sources: dict[str, str] = {}
    alone, problems = _validate_alone(documents)
    context = {AGENTS_CONTEXT: _names(documents)}
    mcp_servers = frozenset(spec.name for spec in alone.values() if spec.mcp)
    for file, spec in alone.items():
        override = settings.overrides.get(spec.name, {})
        problems += [Problem(file, path, msg) for path, msg in pool_size_problems(spec)]
        if settings.defaults or override:
            try:
                spec = layered(documents[file], settings.defaults, override, context)
            except ValidationError as err:  # the spec is valid alone: the stack's overlay broke it
                problems += overlay_problems(err, stack_file, spec.name, settings.defaults, documents[file])
                continue
            if given(override, "scaling.replicas"):
                where = f"config.agentkube:overrides.{spec.name}."
                problems += [Problem(stack_file, where + path, msg) for path, msg in pool_size_problems(spec)]
        problems += unused_problems(spec, documents[file], override, file, stack_file)
        spec = pool_sized(spec)
        if spec.name in agents:
            problems.append(
                Problem(
                    file,
                    "name",
                    f"'{spec.name}' is already the name of the agent in {sources[spec.name]}, expected a unique name",
                )
            )
            continue
        agents[spec.name] = _with_registry(spec, settings)
        sources[spec.name] = file
        problems += [
            Problem(file, path, msg)
            for rule in (port_problems, mount_problems, isolation_problems, name_problems, storage_problems)
            for path, msg in rule(spec)
        ]
        problems += [Problem(file, path, msg) for path, msg in _env_collisions(spec, mcp_servers)]
        problems += _stack_problems(agents[spec.name], settings, file, stack_file)
        problems += keda_problems(agents[spec.name], settings, file, stack_file)
        problems += _runtime_problems(agents[spec.name], settings, file, stack_file)
    names = set(agents) | {d["name"] for d in documents.values() if isinstance(d, Mapping) and _named(d)}
    problems += _fleet_problems(agents, sources, names)
    problems += clash_problems(agents, sources, settings)
    for unknown in sorted(set(settings.overrides) - names):
        problems.append(
            Problem(
                stack_file,
                f"config.agentkube:overrides.{unknown}",
                f"no agent named '{unknown}'{did_you_mean(unknown, agents)}",
            )
        )
    if settings.render_dir is None:  # rendered files never hold secret values, so none are needed
        problems += _config_secret_problems(agents, sources, secret_config, stack_file)
    problems += _renames(settings, stack_file)
    if problems:
        raise SpecError(problems)
    warnings = [
        Problem(
            sources[name],
            "security",
            f"warning: its namespace enforces Pod Security '{level}' instead of 'restricted' for these opt-outs",
        )
        for name, spec in sorted(agents.items())
        if (level := spec.security.pod_security_level()) != "restricted"
    ]
    warnings += _unenforced_hosts(agents, sources, settings)
    warnings += zero_warnings(agents, sources)
    return Fleet(tuple(agents[n] for n in sorted(agents)), settings, sources, tuple(warnings))


def _named(doc: Mapping[Any, Any]) -> bool:
    return isinstance(doc.get("name"), str)


def _renames(settings: StackSettings, stack_file: str) -> list[Problem]:
    """An overlay that sets `name` would rename an agent behind its spec file's back."""
    overlays = [("defaults", settings.defaults)] + [
        (f"overrides.{n}", o) for n, o in sorted(settings.overrides.items())
    ]
    return [
        Problem(
            stack_file, f"config.agentkube:{where}.name", "cannot rename agents, expected the name in the spec file"
        )
        for where, overlay in overlays
        if "name" in overlay
    ]


def spec_problems(documents: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with each spec file on its own, before any stack overlay."""
    return _validate_alone(documents)[1]


def _validate_alone(documents: Mapping[str, Any]) -> tuple[dict[str, AgentSpec], list[Problem]]:
    """Each spec file validated on its own (a stack overlay must not hide a broken spec), by file name."""
    specs: dict[str, AgentSpec] = {}
    problems = []
    context = {AGENTS_CONTEXT: _names(documents)}
    texts = source_texts(documents)
    for file, doc in sorted(documents.items()):
        if not isinstance(doc, Mapping):
            problems.append(Problem(file, "", _not_a_spec(doc)))
            continue
        try:
            specs[file] = AgentSpec.model_validate(doc, context=context)
        except ValidationError as err:
            problems += problems_from(err, file, AgentSpec, texts=texts.get(file))
    return specs, problems


def _names(documents: Mapping[str, Any]) -> frozenset[str]:
    """The agent names the documents give, for messages that name an agent (see `runtime.AGENTS_CONTEXT`)."""
    return frozenset(n for d in documents.values() if isinstance(d, Mapping) and isinstance(n := d.get("name"), str))


def _not_a_spec(doc: Any) -> str:
    """What a spec file holds when it is not a map of fields, and what it should hold."""
    expected = "expected one agent's spec: a map of fields, at least `name: ...` and `image: ...`"
    if doc is None:
        return f"is empty, {expected}"
    if isinstance(doc, list):
        return f"is a list, {expected} (one agent per file, without a leading '- ')"
    return f"{found(doc, None)}, {expected}"


def _with_registry(spec: AgentSpec, settings: StackSettings) -> AgentSpec:
    if settings.registry and parse_image(spec.image).registry is None:
        return spec.model_copy(update={"image": f"{settings.registry.rstrip('/')}/{spec.image}"})
    return spec


def _stack_problems(spec: AgentSpec, settings: StackSettings, file: str, stack_file: str) -> list[Problem]:
    problems = []
    the = the_stack(stack_file)
    if settings.production:
        problems += [
            Problem(
                file,
                where,
                f"'{image}' is not pinned, expected a version tag or @sha256 digest in the production "
                f"stack {stack_of(stack_file) or stack_file} (':latest' moves)",
            )
            for where, image in track_images(spec)
            if parse_image(image).tag in (None, "latest") and parse_image(image).digest is None
        ]
    canary = spec.rollout.canary
    if canary and canary.traffic == "gateway" and settings.gateway is None:
        problems.append(
            Problem(
                file,
                "rollout.canary.traffic",
                f"'gateway' needs a Gateway in {the}, expected agentkube:gateway: {{name: ..., namespace: ...}}",
            )
        )
    if 0 < spec.scaling.min < settings.min_replicas and spec.kind == "service":  # tasks wait in a queue at 0
        where = "scaling.autoscale.min" if spec.scaling.autoscale else "scaling.replicas"
        problems.append(
            Problem(
                file,
                where,
                f"{spec.scaling.min} is below the minReplicas of {the} ({settings.min_replicas}), expected at "
                f"least {settings.min_replicas}",
            )
        )
    return problems


def _runtime_problems(spec: AgentSpec, settings: StackSettings, file: str, stack_file: str) -> list[Problem]:
    """What the agent asks of the cluster that the stack does not say it has."""
    problems = []
    the = the_stack(stack_file)
    if spec.isolation and spec.isolation.runtime_class not in settings.runtime_classes:
        name, known = spec.isolation.runtime_class, settings.runtime_classes
        listed = f"it lists {', '.join(known)}{did_you_mean(name, known)}" if known else "it lists none"
        problems.append(
            Problem(
                file,
                "isolation.runtimeClass",
                f"'{name}' is not a RuntimeClass of {the} ({listed}); install it in the cluster and add "
                f"it to agentkube:runtimeClasses",
            )
        )
    if spec.sandbox and spec.sandbox.max_lifetime and not settings.kubectl_image:
        problems.append(
            Problem(
                file,
                "sandbox.maxLifetime",
                f"recycling the pool needs an image with kubectl: set agentkube:kubectlImage in {the} "
                "(e.g. bitnami/kubectl:1.34)",
            )
        )
    canary = spec.rollout.canary
    if canary and canary.sticky and settings.gateway_channel != "experimental":
        problems.append(
            Problem(
                file,
                "rollout.canary.sticky",
                "session persistence is in the Gateway API experimental channel (HTTPRoute "
                f"rules[].sessionPersistence, v1.1 or later), and agentkube:gatewayChannel of {the} is "
                "standard; install the experimental CRDs and set agentkube:gatewayChannel: experimental",
            )
        )
    return problems


def _unenforced_hosts(
    agents: Mapping[str, AgentSpec], sources: Mapping[str, str], settings: StackSettings
) -> list[Problem]:
    """Plain NetworkPolicies cannot match host names: say so wherever egress names hosts (IPs they enforce)."""
    if settings.network_policy != "kubernetes":
        return []
    return [
        Problem(
            sources[name],
            "egress",
            f"warning: {', '.join(hosts)}: NetworkPolicies cannot match host names, so only the ports are "
            "enforced (any public address on them); agentkube:networkPolicy: cilium enforces the names",
        )
        for name, spec in sorted(agents.items())
        if (hosts := [e for e in spec.internet or [] if isinstance(egress_destination(e), Host)])
    ]


def track_images(spec: AgentSpec) -> list[tuple[str, str]]:
    """(field path, image) of every version the agent may run: its own and each release track's."""
    out = [("image", spec.image)]
    if spec.rollout.canary is not None:
        out.append(("rollout.canary.image", spec.rollout.canary.image))
    if spec.rollout.blue_green is not None:
        bg = spec.rollout.blue_green
        out += [(f"rollout.blueGreen.{c}.image", cand.image) for c in ("blue", "green") if (cand := getattr(bg, c))]
    return out


def _fleet_problems(agents: Mapping[str, AgentSpec], sources: Mapping[str, str], named: set[Any]) -> list[Problem]:
    """Cross-agent problems; agents whose own spec is invalid (`named` only) are not reported again."""
    problems = []
    for name, spec in sorted(agents.items()):
        for i, dep in enumerate(spec.depends_on):
            where = f"dependsOn[{i}]"
            if dep in spec.depends_on[:i]:
                problems.append(Problem(sources[name], where, f"'{dep}' is listed twice, expected each agent once"))
            elif dep == name:
                problems.append(Problem(sources[name], where, f"'{dep}' is the agent itself"))
            elif dep in named and dep not in agents:
                continue
            elif dep not in agents:
                problems.append(Problem(sources[name], where, f"no agent named '{dep}'{did_you_mean(dep, agents)}"))
            elif not agents[dep].ports:
                problems.append(
                    Problem(
                        sources[name],
                        where,
                        f"'{dep}' declares no ports, so it cannot be called; add ports to {sources[dep]}",
                    )
                )
    cycle = find_cycle({n: [d for d in s.depends_on if d in agents and d != n] for n, s in agents.items()})
    if cycle:
        first = cycle[0]
        problems.append(
            Problem(
                sources[first],
                "dependsOn",
                "dependency cycle: "
                + " -> ".join([*cycle, first])
                + ", expected agents that depend on each other in one direction only",
            )
        )
    return problems


def _env_collisions(spec: AgentSpec, mcp_servers: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Env names set twice: by `env`, by a secret, as a dependency URL or as a `reload: restart` config key."""
    seen = {name: f"env.{name}" for name in spec.env}
    problems = []
    injected = [(f"secrets[{i}].env", s.env) for i, s in enumerate(spec.secrets) if s.env]
    injected += [
        (f"dependsOn[{i}]", dependency_env(d)) for i, d in enumerate(spec.depends_on) if d not in spec.depends_on[:i]
    ]  # a repeat is reported once, as such
    injected += [
        (f"dependsOn[{i}]", mcp_env(d))
        for i, d in enumerate(spec.depends_on)
        if d not in spec.depends_on[:i] and d in mcp_servers
    ]
    injected += [(f"config.data.{key}", key) for key in spec.config.env_keys()]
    for where, name in injected:
        if name in seen:
            problems.append((where, f"sets {name}, which {seen[name]} sets too, expected each variable once"))
        seen[name] = where
    return problems


def _config_secret_problems(
    agents: Mapping[str, AgentSpec], sources: Mapping[str, str], secret_config: frozenset[str] | None, stack_file: str
) -> list[Problem]:
    if secret_config is None:
        return []
    problems = []
    for name, spec in sorted(agents.items()):
        for i, item in enumerate(spec.secrets):
            if item.config and item.config not in secret_config:
                problems.append(
                    Problem(
                        sources[name],
                        f"secrets[{i}].config",
                        f"'{item.config}' is not a secret in {stack_file}, expected it set with "
                        f"`pulumi config set --secret agentkube:{item.config} VALUE`",
                    )
                )
    return problems
