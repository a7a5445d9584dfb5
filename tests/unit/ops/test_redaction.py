"""Credentials never printed: one `redact` over everything the CLI writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentkube.ops.redaction import redact, secret_values
from tests.helpers import RunLine

PASSWORD = "s3cr3t-Pa55word"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
URL = f"postgres://deploy:{PASSWORD}@db.internal:5432/pulumi?sslmode=disable"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (URL, "postgres://deploy:****@db.internal:5432/pulumi?sslmode=disable"),
        ("dial postgres://u:p%40ss@10.0.0.1:5432/x failed", "dial postgres://u:****@10.0.0.1:5432/x failed"),
        ("s3://b?endpoint=h&password=hunter22&region=x", "s3://b?endpoint=h&password=****&region=x"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Authorization: Bearer ****"),
        ("    token: abcdef0123456789abcdef", "    token: ****"),
        ("s3://pulumi-state?endpoint=127.0.0.1:9000", "s3://pulumi-state?endpoint=127.0.0.1:9000"),  # nothing secret
    ],
)
def test_urls_parameters_and_tokens_are_masked(text: str, shown: str) -> None:
    assert redact(text, []) == shown


def test_secret_environment_values_are_masked_and_ordinary_ones_are_not(tmp_path: Path) -> None:
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery\n")
    env = {
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "PULUMI_BACKEND_URL": URL,
        "PULUMI_CONFIG_PASSPHRASE_FILE": str(passphrase),
        "PULUMI_CONFIG_PASSPHRASE": "agentkube-dev",  # documented for dev: not a secret
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE123",  # an identifier, not a secret
        "HOME": "/root",
    }
    found = secret_values(env)
    assert set(found) == {SECRET_KEY, PASSWORD, "correct horse battery"}
    assert redact(f"key {SECRET_KEY} for AKIAEXAMPLE123 in /root", found) == "key **** for AKIAEXAMPLE123 in /root"


@pytest.mark.parametrize("output", ["text", "json"])
def test_doctor_never_prints_the_backend_password_or_the_s3_secret(
    run_line: RunLine, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.setenv("PULUMI_BACKEND_URL", URL.replace("db.internal", "127.0.0.1").replace("5432", "9"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    done = run_line(["agentkube", "doctor", "--stack", "dev", "--output", output])
    printed = done.out + done.err
    assert "postgres://deploy:****@127.0.0.1:9/pulumi" in printed  # named, and its failure shown
    assert PASSWORD not in printed and SECRET_KEY not in printed
    if output == "json":
        row = next(c for c in json.loads(done.out) if c["name"] == "backend")
        assert not row["ok"] and "127.0.0.1:9" in row["fix"]
