"""Shared fixtures for every test tier."""

from __future__ import annotations

from pathlib import Path

import pytest

import pg
from clusters import make_cluster


@pytest.fixture(scope="session")
def pg_server():
    """The DSN of the test run's PostgreSQL server (tests/pg.py): one per test process."""
    with pg.server() as dsn:
        yield dsn


@pytest.fixture
def cluster_root(tmp_path: Path):
    """A function that writes a fixture cluster into a fresh folder and returns its root."""
    def make(files: dict[str, str | bytes | None] | None = None, **kw) -> Path:
        return make_cluster(tmp_path / "site", files or {}, **kw)
    return make
