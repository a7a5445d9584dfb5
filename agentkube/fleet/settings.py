"""Stack settings from the `agentkube:` entries of a Pulumi stack's config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..project import CONFIG_NAMESPACE, is_secret_entry, stack_of
from ..spec.problems import Problem, SpecError, did_you_mean, problems_from
from ..spec.stack import StackSettings


def settings_from_config(
    config: Mapping[str, Any], source: str, secrets: frozenset[str] = frozenset()
) -> StackSettings:
    """Build settings from stack config entries (`agentkube:key` -> value or JSON text).

    Secret entries (named in `secrets`, or encrypted in the file) are values for spec
    `secrets[].config`, not settings. Unknown keys are errors, and so is a key without a namespace
    (`keda:`): Pulumi would read it as `agentkube:keda` only because the project is named agentkube.
    """
    fields = {f.alias or n for n, f in StackSettings.model_fields.items()}
    values: dict[str, Any] = {}
    problems = []
    for full_key, raw in sorted(config.items(), key=lambda item: str(item[0])):
        full_key = str(full_key)
        namespace, colon, key = full_key.partition(":")
        if not colon:  # Pulumi reads a bare key into the project's namespace; say so rather than guess
            problems.append(Problem(source, f"config.{full_key}", _bare_key(full_key, fields)))
            continue
        if namespace != CONFIG_NAMESPACE or key in secrets or is_secret_entry(raw):
            continue
        if key not in fields:
            problems.append(
                Problem(
                    source,
                    f"config.{full_key}",
                    f"unknown setting '{key}'{did_you_mean(key, fields)}; "
                    f"settings are: {', '.join(sorted(fields))} (secrets must be set with --secret)",
                )
            )
            continue
        values[key] = _decode(raw)
    if problems:
        raise SpecError(problems)
    try:
        return StackSettings.model_validate(values)
    except ValidationError as err:
        raise SpecError(problems_from(err, source, StackSettings, prefix=f"config.{CONFIG_NAMESPACE}:")) from None


def _bare_key(key: str, fields: set[str]) -> str:
    """A config key without a namespace: where it belongs, in words."""
    if key in fields:
        return f"write it as {CONFIG_NAMESPACE}:{key}"
    hint = did_you_mean(key, fields)
    if hint:
        return f"unknown setting '{key}'{hint}; write settings as {CONFIG_NAMESPACE}:<setting>"
    return (
        f"a key needs its namespace: {CONFIG_NAMESPACE}:{key} for a setting or a config secret, "
        "or the provider's (e.g. kubernetes:context)"
    )


def _decode(raw: Any) -> Any:
    """Config from the Pulumi runtime arrives as text; objects and booleans as JSON."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def the_stack(stack_file: str) -> str:
    """How a message names the stack whose settings were applied: by its name, never its `environment`."""
    stack = stack_of(stack_file)
    return f"the {stack} stack" if stack else "the built-in settings (no --stack given)"
