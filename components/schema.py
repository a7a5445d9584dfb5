"""The JSON Schema of the agent spec, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from .spec import AgentSpec

SCHEMA_FILE = "agent.schema.json"


def agent_schema() -> dict[str, Any]:
    schema = AgentSpec.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "agentkube agent spec", **schema}


def schema_text() -> str:
    return json.dumps(agent_schema(), indent=2, sort_keys=True) + "\n"
