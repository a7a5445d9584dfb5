"""The state store's two drivers keep one contract: `Directory` in Python, and `Bucket` through
agentkube-state (built from the pulumi module) on the same file:// root, so what agentkube reads from a
bucket or a table is what it reads from disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentkube.ops.backend.store import Bucket, Directory, Store
from agentkube.ops.errors import EngineError


@pytest.fixture(params=["directory", "bucket"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    url = tmp_path.as_uri()
    return Directory(url) if request.param == "directory" else Bucket(url, dict(os.environ))


def test_both_drivers_list_read_write_and_delete_the_same_way(store: Store, tmp_path: Path) -> None:
    history = ".pulumi/history/p/dev/"
    assert store.list(history) == []
    store.write(f"{history}dev-2.history.json", b'{"n": 2}')
    store.write(f"{history}dev-10.history.json", b'{"n": 10}')
    store.write(".pulumi/history/p/devx/devx-1.history.json", b"{}")  # a neighbour's prefix is not ours
    listed = store.list(history)
    assert [b.key for b in listed] == [f"{history}dev-10.history.json", f"{history}dev-2.history.json"]
    assert [b.size for b in listed] == [9, 8]
    assert store.read([b.key for b in listed]) == {
        f"{history}dev-10.history.json": b'{"n": 10}',
        f"{history}dev-2.history.json": b'{"n": 2}',
    }
    assert (tmp_path / history / "dev-2.history.json").read_bytes() == b'{"n": 2}'  # the file pulumi reads
    store.delete(f"{history}dev-2.history.json")
    store.delete(f"{history}dev-2.history.json")  # absent: not an error
    assert [b.key for b in store.list(history)] == [f"{history}dev-10.history.json"]


def test_a_backend_that_does_not_answer_is_named_without_its_password() -> None:
    store = Bucket("postgres://deploy:hunter2-secret@127.0.0.1:9/pulumi?sslmode=disable", dict(os.environ))
    with pytest.raises(EngineError) as err:
        store.list(".pulumi/")
    said = str(err.value)
    assert "postgres://deploy:****@127.0.0.1:9/pulumi" in said and "connection refused" in said
    assert "hunter2-secret" not in said
