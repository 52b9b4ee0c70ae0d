"""One real PostgreSQL server for the whole test run, and a new database on it per test that asks.

The server is the one .ci/run started ($SITEGEN_TEST_PG_DSN), or a private one started here in a
temporary folder with initdb/pg_ctl (Debian: /usr/lib/postgresql/*/bin), as the `postgres` user
when the tests run as root, which PostgreSQL refuses to run as. conftest.py holds the fixture, so
every test module shares one server per test process (a fixture imported into each module would
start one per module).

Without a server the tests that need one skip, unless SITEGEN_REQUIRE_PG=1 or CI is set (.ci/run
sets both): CI must never pass with the PostgreSQL backends untested.
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
from typing import Iterator

import pytest

ENV_DSN = "SITEGEN_TEST_PG_DSN"


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


def _unavailable(reason: str):
    if os.environ.get("SITEGEN_REQUIRE_PG") == "1" or os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required here (CI or SITEGEN_REQUIRE_PG=1) but {reason}")
    pytest.skip(f"no PostgreSQL server: {reason}")


@contextmanager
def server() -> Iterator[str]:
    """The DSN of a server's maintenance database, for as long as the context lasts."""
    given = os.environ.get(ENV_DSN)
    if given:
        yield given
        return
    pg = _bin()
    if pg is None:
        _unavailable("the PostgreSQL server programs are not installed (apt-get install postgresql)")
    assert pg is not None
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
        _unavailable(f"could not start one: {e}")
    try:
        yield f"postgresql://sitegen@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def new_database(maintenance_dsn: str, prefix: str = "sitegen") -> str:
    """A new empty database on the server; its DSN, a URL like the server's (postgresql://…/name)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(maintenance_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{maintenance_dsn.rsplit('/', 1)[0]}/{name}"
