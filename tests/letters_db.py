"""Store fixtures for the letters tests: a SQLite file, and a database of its own on the test
run's PostgreSQL server (the ``pg_server`` fixture of conftest.py, tests/pg.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import new_database
from sitegen.letters.store import Store, open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store_address(request, tmp_path: Path) -> str:
    """The address of an empty letters store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "letters.sqlite")
    return new_database(request.getfixturevalue("pg_server"), "letters")


@pytest.fixture
def store(store_address: str):
    s = open_store(store_address)
    yield s
    s.close()


__all__ = ["Store", "store_address", "store"]
