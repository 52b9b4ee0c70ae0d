"""A fixture cluster's search on each backend: whoosh, and PostgreSQL on the test run's server
(the ``pg_server`` fixture of conftest.py), with a new database per cluster under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import new_database

BACKENDS = ("whoosh", "postgres")


class Built:
    """A fixture cluster's search on one backend: ``build()`` runs the real build (again after
    a change), ``app`` is the service over what it wrote."""

    def __init__(self, root: Path, backend: str, request: pytest.FixtureRequest):
        from sitegen.search.service import SearchService

        self.root, self.backend, self.dsn = root, backend, None
        if backend == "postgres":
            self.dsn = new_database(request.getfixturevalue("pg_server"))
            site = root / "site.yaml"
            text = site.read_text(encoding="utf-8")
            text = text.replace("\nsearch:\n", "\nsearch:\n  backend: postgres\n") if "\nsearch:\n" in text \
                else text + "search:\n  backend: postgres\n"
            site.write_text(text, encoding="utf-8")
        self.app = SearchService(root / "build" / "search", dsn=self.dsn)

    def build(self):
        from sitegen.build import build
        from sitegen.search.pg_store import DSN_ENV

        with pytest.MonkeyPatch.context() as patch:
            if self.dsn:
                patch.setenv(DSN_ENV, self.dsn)
            return build(self.root, self.root / "build" / "site")
