"""Stack settings from the `agentkube:` entries of a Pulumi stack's config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..project import CONFIG_NAMESPACE, is_secret_entry
from ..spec.problems import Problem, SpecError, did_you_mean, problems_from
from ..spec.stack import StackSettings


def settings_from_config(
    config: Mapping[str, Any], source: str, secrets: frozenset[str] = frozenset()
) -> StackSettings:
    """Build settings from stack config entries (`agentkube:key` -> value or JSON text).

    Secret entries (named in `secrets`, or encrypted in the file) are values for spec
    `secrets[].config`, not settings. Unknown keys are errors.
    """
    fields = {f.alias or n for n, f in StackSettings.model_fields.items()}
    values: dict[str, Any] = {}
    problems = []
    for full_key, raw in sorted(config.items()):
        namespace, _, key = full_key.partition(":")
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


def _decode(raw: Any) -> Any:
    """Config from the Pulumi runtime arrives as text; objects and booleans as JSON."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw
