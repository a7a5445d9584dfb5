"""Instant queries against a Prometheus HTTP API."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .errors import EngineError


@dataclass(frozen=True)
class Prometheus:
    address: str  # http://host:port
    timeout: float = 10.0

    def value(self, query: str) -> float | None:
        """The query's one number now; None when it returns no series (no data)."""
        url = f"{self.address.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as reply:
                body = json.loads(reply.read())
        except urllib.error.HTTPError as err:  # a bad query: Prometheus says why
            raise EngineError(f"Prometheus refused the query {query!r}: {_error(err)}") from None
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            raise EngineError(
                f"Prometheus at {self.address} is unreachable ({reason}); set agentkube:prometheusAddress "
                "in the stack or pass --prometheus URL"
            ) from None
        data = body.get("data", {})
        result = data.get("result")
        if data.get("resultType") == "scalar":
            return _number(result[1])
        if not result:
            return None
        if len(result) > 1:
            raise EngineError(
                f"the query {query!r} returns {len(result)} series; a check needs one number (wrap it in sum(...))"
            )
        return _number(result[0]["value"][1])


def _number(text: str) -> float:
    return float(text)  # "NaN" (0/0: no requests in the window) stays NaN, judged as no data


def _error(err: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(err.read()).get("error", err))
    except ValueError:
        return str(err)
