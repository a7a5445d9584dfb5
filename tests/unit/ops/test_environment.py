"""The environment pulumi runs in, and its `python -m agentkube.ops env STACK` entry for scripts."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from agentkube.ops.environment import DEV_PASSPHRASE, pulumi_env
from tests.helpers import ROOT


def test_a_copy_gets_its_own_local_backend_and_dev_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://someone-elses")
    env = pulumi_env(tmp_path, "dev", tools="/opt/tools", own_backend=True)
    assert env["PULUMI_BACKEND_URL"] == (tmp_path.resolve() / ".pulumi").as_uri()
    assert env["PULUMI_CONFIG_PASSPHRASE"] == DEV_PASSPHRASE
    assert env["PATH"].split(os.pathsep)[0] == "/opt/tools"
    assert "PULUMI_CONFIG_PASSPHRASE" not in pulumi_env(tmp_path, "prod", own_backend=True)
    assert pulumi_env(tmp_path, "dev")["PULUMI_BACKEND_URL"] == "s3://someone-elses"  # the user's choice stands


def test_the_scripts_entry_prints_what_changes_as_exports(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-m", "agentkube.ops", "env", "dev"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    exports = dict(line.removeprefix("export ").split("=", 1) for line in out.stdout.splitlines())
    assert {k: shlex.split(v)[0] for k, v in exports.items() if k.startswith("PULUMI_")} == {
        "PULUMI_BACKEND_URL": (tmp_path.resolve() / ".pulumi").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": DEV_PASSPHRASE,
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    wrong = subprocess.run([sys.executable, "-m", "agentkube.ops"], env=env, capture_output=True, text=True)
    assert (wrong.returncode, wrong.stderr) == (2, "usage: python -m agentkube.ops env [STACK]\n")
