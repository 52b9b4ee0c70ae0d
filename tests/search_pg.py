"""A real PostgreSQL server for the search tests: the one .ci/run started (SITEGEN_TEST_PG_DSN),
or a private one started here in a temporary folder (as the `postgres` user when run as root,
which PostgreSQL refuses to run as). One new database per cluster under test.

Without a server the tests that need one skip, unless SITEGEN_REQUIRE_PG=1 (set by .ci/run),
which makes them fail: CI must never pass with the PostgreSQL backend untested.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unavailable(reason: str):
    if os.environ.get("SITEGEN_REQUIRE_PG") == "1":
        pytest.fail(f"PostgreSQL is required (SITEGEN_REQUIRE_PG=1) but {reason}")
    pytest.skip(f"no PostgreSQL server: {reason}")


@contextmanager
def server():
    """The DSN of a server's maintenance database, for as long as the context lasts."""
    given = os.environ.get("SITEGEN_TEST_PG_DSN")
    if given:
        yield given
        return
    pg = _bin()
    if pg is None:
        unavailable("the PostgreSQL server programs are not installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="sitegen-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    port = _free_port()
    data = folder / "data"
    try:
        subprocess.run([*as_user, str(pg / "initdb"), "-D", str(data), "-U", "sitegen", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8"], check=True, capture_output=True, timeout=120)
        subprocess.run([*as_user, str(pg / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60",
                        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off", "start"],
                       check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"could not start one: {e}")
    try:
        yield f"postgresql://sitegen@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(maintenance_dsn: str) -> str:
    """A new empty database on the server; its DSN."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = "sitegen_" + uuid.uuid4().hex[:12]
    with psycopg.connect(maintenance_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return make_conninfo(**{**conninfo_to_dict(maintenance_dsn), "dbname": name})


BACKENDS = ("whoosh", "postgres")


@pytest.fixture(scope="session")
def pg_server():
    with server() as dsn:
        yield dsn


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
