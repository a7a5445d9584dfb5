"""How a new version is released: rolling updates, canaries with analysis, blue-green colours."""

from __future__ import annotations

import math
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from .base import Image, Model
from .configuration import Config
from .image import check_versioned
from .patterns import DNS_LABEL, DURATION, PERCENT, POSITIVE_DURATION, VERSION
from .placeholders import CHECK, refusing


class RollingUpdate(Model):
    max_surge: int | Annotated[str, Field(pattern=PERCENT)] = Field("25%", description="Extra pods during a rollout.")
    max_unavailable: int | Annotated[str, Field(pattern=PERCENT)] = Field(
        0, description="Pods that may be missing during a rollout."
    )


CheckQuery = Annotated[str, AfterValidator(refusing(CHECK))]


class ErrorRate(Model):
    max: float = Field(ge=0, le=1, allow_inf_nan=False, description="Highest acceptable error ratio, e.g. 0.05.")
    query: CheckQuery = Field(
        min_length=1,
        description="Prometheus query returning the error ratio; $agent, $namespace, $track (the canary's) and "
        "$window are filled in.",
    )


Builtin = Literal["errorRate", "latencyP95", "toolErrorRate", "tokensPerRequest", "costPerRequest", "evalScore"]
# the values a builtin can take (evalScore: whatever the evaluator sets); a bound outside never passes
RANGES: dict[str, tuple[float, float, str]] = {
    "errorRate": (0, 1, "a ratio"),
    "toolErrorRate": (0, 1, "a ratio"),
    "latencyP95": (0, math.inf, "seconds"),
    "tokensPerRequest": (0, math.inf, "a count"),
    "costPerRequest": (0, math.inf, "dollars"),
}


class Check(Model):
    """One canary check: a PromQL query, run once per track, and a bound on the candidate's value."""

    name: str | None = Field(
        None,
        pattern=DNS_LABEL,
        max_length=63,
        description="Name in reports; defaults to the builtin's (e.g. errorRate).",
    )
    builtin: Builtin | None = Field(
        None,
        description="A built-in query (see docs/guides/releases-and-analysis.md): errorRate and latencyP95 from the "
        "usual HTTP metrics, toolErrorRate, tokensPerRequest, costPerRequest and evalScore from the agent's own.",
    )
    query: CheckQuery | None = Field(
        None,
        min_length=1,
        description="PromQL returning one number; $agent, $namespace, $track and $window are filled in per track "
        "($$ before a name for a literal $; every other character is sent as written).",
    )
    max: float | None = Field(
        None, allow_inf_nan=False, description="Fail when the candidate's value is above this (equal passes)."
    )
    min: float | None = Field(
        None, allow_inf_nan=False, description="Fail when the candidate's value is below this (equal passes)."
    )
    max_ratio_to_stable: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Fail when the candidate's value is above this many times stable's.",
    )
    min_ratio_to_stable: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Fail when the candidate's value is below this many times stable's.",
    )

    @model_validator(mode="after")
    def _one_source_and_a_bound(self) -> Self:
        if (self.builtin is None) == (self.query is None):
            raise ValueError("give either builtin (e.g. builtin: errorRate) or query, not both and not neither")
        if self.query is not None and self.name is None:
            raise ValueError("a check with its own query needs a name")
        if all(b is None for b in (self.max, self.min, self.max_ratio_to_stable, self.min_ratio_to_stable)):
            raise ValueError("a check needs a bound: max, min, maxRatioToStable or minRatioToStable")
        return self

    @model_validator(mode="after")
    def _bounds_can_pass(self) -> Self:
        for low, high, low_name, high_name in (
            (self.min, self.max, "min", "max"),
            (self.min_ratio_to_stable, self.max_ratio_to_stable, "minRatioToStable", "maxRatioToStable"),
        ):
            if low is not None and high is not None and low > high:
                raise ValueError(
                    f"{low_name} ({low:g}) is above {high_name} ({high:g}): no value can pass, "
                    f"expected {low_name} <= {high_name}"
                )
        if self.builtin in RANGES:
            lowest, highest, unit = RANGES[self.builtin]
            if self.max is not None and self.max < lowest:
                raise ValueError(
                    f"max ({self.max:g}) is below {lowest:g}, the least {self.builtin} can be ({unit}): "
                    f"no canary can pass, expected max >= {lowest:g}"
                )
            if self.min is not None and self.min > highest:
                raise ValueError(
                    f"min ({self.min:g}) is above {highest:g}, the most {self.builtin} can be ({unit}): "
                    f"no canary can pass, expected min <= {highest:g}"
                )
        return self

    @property
    def title(self) -> str:
        return self.name or str(self.builtin)


class Analysis(Model):
    """Canary analysis: the checks `agentkube analyze` and `agentkube release` run against Prometheus
    (and Argo Rollouts with `traffic: argo`)."""

    metrics: list[Check] = Field(default_factory=list, description="Checks of the candidate against its bounds.")
    window: str = Field("5m", pattern=POSITIVE_DURATION, description="Range of the queries' rates ($window).")
    error_rate: ErrorRate | None = Field(None, description="Abort when the error ratio exceeds `max`.")
    interval: str = Field("1m", pattern=POSITIVE_DURATION, description="Time between measurements.")
    failure_limit: int = Field(3, ge=0, description="Failed measurements that abort the rollout.")
    count: int = Field(
        5, ge=1, description="Measurements before the analysis passes and Argo promotes (without one it never ends)."
    )

    @model_validator(mode="after")
    def _limit_below_count(self) -> Self:
        if self.failure_limit >= self.count:
            raise ValueError(
                f"failureLimit ({self.failure_limit}) must be below count ({self.count}), or no analysis could fail"
            )
        names = [c.title for c in self.metrics]
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            raise ValueError(f"two checks are named {twice}; give one a `name`")
        return self


class Candidate(Model):
    """A version of the agent: its image, and config when it differs from the spec's."""

    image: Image = Field(description="Image of this version.")
    version: str | None = Field(None, pattern=VERSION, max_length=63, description="Version label; defaults to the tag.")
    config: Config | None = Field(None, description="Config of this version; defaults to the spec's `config`.")

    @model_validator(mode="after")
    def _version_is_a_label(self) -> Self:
        check_versioned(self.image, self.version)
        return self


HEADER_NAME = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"


class Sticky(Model):
    """Gateway API session persistence on the canary's HTTPRoute: exactly one of `header` or `cookie`."""

    header: str | None = Field(
        None, pattern=HEADER_NAME, max_length=128, description="Request header naming the session, e.g. X-Session-Id."
    )
    cookie: str | None = Field(
        None, pattern=HEADER_NAME, max_length=128, description="Cookie the gateway sets to pin the session."
    )
    absolute_timeout: str | None = Field(
        None, pattern=DURATION, description="Longest a session stays pinned, e.g. 1h (the gateway's default otherwise)."
    )
    idle_timeout: str | None = Field(None, pattern=DURATION, description="Unpin a session idle for this long.")

    @model_validator(mode="after")
    def _one_key(self) -> Self:
        if (self.header is None) == (self.cookie is None):
            raise ValueError("give exactly one of header or cookie, e.g. {header: X-Session-Id}")
        return self


class Canary(Candidate):
    """A candidate version that takes a share of the traffic."""

    weight: int = Field(10, ge=0, le=100, description="Percent of traffic (and replicas) for the candidate.")
    traffic: Literal["replicas", "gateway", "argo"] = Field(
        "replicas",
        description="replicas: split by pod count (any cluster); gateway: Gateway API HTTPRoute weights; "
        "argo: an Argo Rollouts Rollout with automated analysis.",
    )
    analysis: Analysis | None = Field(None, description="Automated analysis (with `traffic: argo`).")
    sticky: Sticky | None = Field(
        None, description="Keep each conversation on one version (with `traffic: gateway`): session persistence."
    )

    @model_validator(mode="after")
    def _sticky_needs_a_route(self) -> Self:
        if self.sticky is not None and self.traffic != "gateway":
            raise ValueError(
                f"sticky needs traffic: gateway (an HTTPRoute's session persistence), found traffic: {self.traffic}"
            )
        return self

    @model_validator(mode="after")
    def _argo_needs_a_query(self) -> Self:
        if self.traffic == "argo" and (
            self.analysis is None or (self.analysis.error_rate is None and not self.analysis.metrics)
        ):
            raise ValueError(
                "traffic: argo needs analysis.metrics or analysis.errorRate, "
                "e.g. {metrics: [{builtin: errorRate, maxRatioToStable: 1.5}]}"
            )
        return self


class BlueGreen(Model):
    """Two full colours; the main Service selects `active`, switching back needs no new pods."""

    active: Literal["blue", "green"] = Field("blue", description="Colour the main Service selects.")
    blue: Candidate | None = Field(None, description="The blue version.")
    green: Candidate | None = Field(None, description="The green version.")
    preview: bool = Field(True, description="A `<name>-preview` Service selecting the inactive colour.")

    @model_validator(mode="after")
    def _active_has_an_image(self) -> Self:
        if getattr(self, self.active) is None:
            raise ValueError(f"active colour '{self.active}' has no image, expected {self.active}: {{image: ...}}")
        return self


class Rollout(Model):
    """How a new version is released."""

    strategy: Literal["rolling", "canary", "blue-green"] = Field(
        "rolling", description="rolling (default), canary or blue-green."
    )
    rolling: RollingUpdate = Field(default_factory=RollingUpdate, description="Rolling update pace.")
    canary: Canary | None = Field(None, description="The candidate, with `strategy: canary`.")
    blue_green: BlueGreen | None = Field(None, description="The colours, with `strategy: blue-green`.")

    @model_validator(mode="after")
    def _blocks_match_strategy(self) -> Self:
        if self.canary is not None and self.blue_green is not None:
            raise ValueError("canary and blueGreen are set at once, expected one strategy")
        if self.strategy == "canary" and self.canary is None:
            raise ValueError("strategy canary needs a candidate: canary: {image: ...}")
        if self.strategy == "blue-green" and self.blue_green is None:
            raise ValueError("strategy blue-green needs blueGreen: {active: blue, blue: {image: ...}}")
        if self.strategy == "rolling" and (self.canary or self.blue_green):
            raise ValueError(
                f"strategy is rolling but {'canary' if self.canary else 'blueGreen'} is set; "
                f"set strategy: {'canary' if self.canary else 'blue-green'}"
            )
        return self
