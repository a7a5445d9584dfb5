"""One text/JSON reporter for every command: results on stdout, notes and problems on stderr."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

from ..render.table import table
from ..spec.problems import Problem

Format = Literal["text", "json"]
GREEN, RED = "32", "31"


def colored(text: str, code: str, stream: TextIO) -> str:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR") or not stream.isatty():
        return text
    return f"\033[{code}m{text}\033[0m"


@dataclass
class Reporter:
    """Where a command's output goes, in the format the user asked for."""

    format: Format = "text"
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @property
    def json(self) -> bool:
        return self.format == "json"

    def result(self, data: Any, text: Callable[[], str], indent: int | None = 2) -> None:
        """The command's result: `data` as JSON, or the text it reads as."""
        print(json.dumps(data, indent=indent) if self.json else text(), file=self.out)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
        return table(headers, rows)

    def ok(self, text: str) -> str:
        return colored(text, GREEN, self.out)

    def bad(self, text: str) -> str:
        return colored(text, RED, self.out)

    def note(self, text: str) -> None:
        print(text, file=self.err)

    def problems(self, problems: Sequence[Problem]) -> None:
        if self.json:
            print(json.dumps({"valid": False, "problems": [p.__dict__ for p in problems]}), file=self.out)
        for problem in problems:
            print(colored(str(problem), RED, self.err), file=self.err)
        print(f"{len(problems)} problem(s) found; nothing was rendered or deployed", file=self.err)

    def error(self, text: str) -> None:
        print(f"agentkube: {text}", file=self.err)
