"""Moving a stack from the local `.pulumi/` to a team backend (PostgreSQL, a real server on loopback) keeps
every update: history, rollback and `pulumi stack history` read the same there, and the source is intact."""

from __future__ import annotations

import json
from pathlib import Path

from tests.backends import team_backend
from tests.helpers import Project


def test_a_moved_stack_keeps_its_history_and_rolls_back_on_the_team_backend(tmp_path: Path, tools: str) -> None:
    project = Project(tmp_path / "project", tools)
    project.init("dev")
    project.up()
    first = project.rendered_digest()
    project.edit("researcher", "1.4.2", "1.5.0")
    project.up()
    local = project.agentkube("history", "--stack", "dev", "--output", "json")
    local_env = dict(project.env)
    with team_backend("postgres") as backend:
        moved = project.agentkube("move", "--stack", "dev", "--to", backend.url)
        assert moved.returncode == 0, moved.stderr
        assert "with its 2 update(s)" in moved.stderr and backend.secrets[0] not in moved.stderr

        again = project.agentkube("move", "--stack", "dev", "--to", backend.url)
        assert again.returncode == 1 and "already exists" in again.stderr and "nothing was copied" in again.stderr

        project.env.update(backend.env)
        there = project.agentkube("history", "--stack", "dev", "--output", "json")
        assert json.loads(there.stdout) == json.loads(local.stdout)
        assert len(json.loads(project.run("stack", "history", "--json").stdout)) == 2
        done = project.agentkube("rollback", "--stack", "dev", "--to", "1", "--yes")
        assert done.returncode == 0, done.stderr
        assert project.rendered_digest() == first
        assert project.agentkube("rollback", "--stack", "dev", "--to", "2", "--yes").returncode == 0
        assert len(json.loads(project.agentkube("history", "--stack", "dev", "--output", "json").stdout)) == 4
        project.run("preview", "--expect-no-changes")  # forward again: the sources in the checkout

        project.env = local_env  # the source was left as it was
        assert project.agentkube("history", "--stack", "dev", "--output", "json").stdout == local.stdout
