"""The letters store: one small interface over SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
KINDS = ("咨询", "建议", "投诉", "求助")
WAITING, REPLIED, CLOSED = "待办", "已回复", "办结"
EVERY = "*"          # a user's mailbox when they are an admin of every mailbox

# Versioned migrations, applied in order inside one transaction each; "{id}" is the dialect's
# auto-numbered key. Never edit a released step: add the next one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE letters (
            id {id}, number TEXT UNIQUE, code_hash TEXT NOT NULL UNIQUE, mailbox TEXT NOT NULL,
            kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, name TEXT NOT NULL,
            phone TEXT NOT NULL, email TEXT NOT NULL, consent INTEGER NOT NULL, status TEXT NOT NULL,
            received TEXT NOT NULL, replied TEXT, reply TEXT NOT NULL DEFAULT '',
            replied_by TEXT NOT NULL DEFAULT '', publish INTEGER NOT NULL DEFAULT 0, closed TEXT)""",
        "CREATE INDEX letters_mailbox ON letters (mailbox, status)",
        """CREATE TABLE users (name TEXT PRIMARY KEY, mailbox TEXT NOT NULL, password_hash TEXT NOT NULL,
            created TEXT NOT NULL)""",
        """CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, csrf TEXT NOT NULL,
            expires TEXT NOT NULL)""",
        """CREATE TABLE audit (id {id}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            letter INTEGER, detail TEXT NOT NULL DEFAULT '')""",
    ),
)
TABLES = ("meta", "letters", "users", "sessions", "audit")
# What an export row may name: column names go into SQL, so they come from this list only.
COLUMNS = {
    "letters": {"id", "number", "code_hash", "mailbox", "kind", "title", "body", "name", "phone", "email", "consent",
                "status", "received", "replied", "reply", "replied_by", "publish", "closed"},
    "users": {"name", "mailbox", "password_hash", "created"},
    "audit": {"id", "at", "actor", "action", "letter", "detail"},
}


@dataclass(frozen=True)
class Letter:
    id: int
    number: str          # the public number shown on published pages (the 查询码 stays secret)
    code_hash: str
    mailbox: str         # the owner slug whose mailbox holds it: "portal" is the 市长信箱
    kind: str
    title: str
    body: str
    name: str
    phone: str
    email: str
    consent: bool        # the citizen agreed to publication
    status: str
    received: datetime
    replied: datetime | None
    reply: str
    replied_by: str      # the mailbox that answered
    publish: bool        # staff chose to publish it (only ever with consent)
    closed: datetime | None


@dataclass(frozen=True)
class User:
    name: str
    mailbox: str         # EVERY for an admin
    password_hash: str

    @property
    def admin(self) -> bool:
        return self.mailbox == EVERY

    def may(self, letter: Letter) -> bool:
        """Staff read and answer only the letters in their own mailbox."""
        return self.admin or letter.mailbox == self.mailbox


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires: datetime


class StoreError(Exception):
    """The store cannot be opened or used (its address or schema is wrong)."""


def now() -> datetime:
    return datetime.now(CHINA).replace(microsecond=0)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# libpq's key=value connection strings ("host=db dbname=letters"), which only the URL form replaces here.
_KEYWORD_DSN = re.compile(r"(?:^|\s)(?:host|hostaddr|port|dbname|user|password|service|sslmode)\s*=")


class Store:
    """Letters, staff, sessions and the audit log. Thread-safe: one connection per thread."""

    def __init__(self, address: str, *, read_only: bool = False):
        self.address = address
        self.postgres = address.startswith(("postgresql://", "postgres://"))
        if not self.postgres and _KEYWORD_DSN.search(address):
            # Taken for a file name, it would keep the letters in a SQLite file of that name
            # wherever the service happened to start, while staff look for them in PostgreSQL.
            shown = re.sub(r"(password\s*=\s*)\S+", r"\1***", address)
            raise StoreError(f"{shown!r} reads as a PostgreSQL connection string of key=value pairs: give it "
                             "as a URL, postgresql://user:password@host:port/dbname (or a SQLite file's path)")
        self.read_only = read_only
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        if not self.postgres and not read_only:
            Path(address).parent.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------ connections
    def _connect(self):
        if self.postgres:
            import psycopg
            try:
                conn = psycopg.connect(self.address, autocommit=False)
            except psycopg.Error as e:
                raise StoreError(f"cannot connect to {self.safe_address()}: {e}") from e
            if self.read_only:
                conn.read_only = True
            return conn
        uri = f"file:{Path(self.address).as_posix()}{'?mode=ro' if self.read_only else ''}"
        try:
            lite = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
            lite.execute("PRAGMA busy_timeout = 30000")
            if not self.read_only:
                # WAL lets the build read while staff write; FULL makes each commit survive power loss,
                # which is what "received" promises a citizen.
                lite.execute("PRAGMA journal_mode = WAL")
                lite.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as e:
            raise StoreError(f"cannot open {self.address}: {e}") from e
        return lite

    def safe_address(self) -> str:
        # Never show a DSN's password in a message.
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", self.address)

    def errors(self) -> tuple[type[Exception], ...]:
        """The driver's exceptions: what a broken or unreachable database raises."""
        if self.postgres:
            import psycopg
            return (psycopg.Error, StoreError)
        return (sqlite3.Error, StoreError)

    @property
    def conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except Exception:       # closing from another thread: best effort, the process is ending
                    pass
            self._all.clear()
        self._local = threading.local()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        conn = self.conn
        try:
            cur = conn.cursor()
            cur.execute(self._sql(sql), args)
            rows = cur.fetchall()
            if self.postgres:
                conn.commit()      # end the read transaction: the next read sees new commits
        except Exception:
            self._recover(conn)
            raise
        return rows

    def _recover(self, conn) -> None:
        """After a failed statement: roll back, and forget a connection that is broken, so that this
        thread's next call connects again (a PostgreSQL restart costs one failed request, not all)."""
        try:
            conn.rollback() if self.postgres else conn.execute("ROLLBACK") if conn.in_transaction else None
        except Exception:
            pass
        if self.postgres and (conn.closed or conn.broken):
            self._local.conn = None

    class _Tx:
        def __init__(self, store: Store):
            self.store = store

        def __enter__(self):
            conn = self.store.conn
            if not self.store.postgres:
                conn.execute("BEGIN IMMEDIATE")
            return conn.cursor()

        def __exit__(self, kind, exc, tb):
            conn = self.store.conn
            if kind is None:
                try:
                    conn.commit() if self.store.postgres else conn.execute("COMMIT")
                except Exception:
                    self.store._recover(conn)
                    raise
            else:
                self.store._recover(conn)
            return False

    def _tx(self) -> Store._Tx:
        if self.read_only:
            raise StoreError("the store is open read-only")
        return Store._Tx(self)

    def _run(self, cur, sql: str, args: tuple = ()):
        cur.execute(self._sql(sql), args)
        return cur

    # ------------------------------------------------------------ schema
    def version(self) -> int:
        """The schema version (0: an empty database); a broken one raises the driver's error."""
        exists = self._rows("SELECT to_regclass('meta') IS NOT NULL") if self.postgres else \
            self._rows("SELECT COUNT(*) FROM sqlite_master WHERE name = 'meta'")
        if not exists[0][0]:
            return 0
        rows = self._rows("SELECT value FROM meta WHERE key = 'schema'")
        return int(rows[0][0]) if rows else 0

    def migrate(self) -> int:
        """Bring the schema up to date; return the version. Safe to run from several processes."""
        identity = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with self._tx() as cur:
            if self.postgres:
                cur.execute("SELECT pg_advisory_xact_lock(20261313)")
                cur.execute("SELECT to_regclass('meta')")
                exists = cur.fetchone()[0] is not None
            else:
                exists = bool(cur.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone())
            current = 0
            if exists:
                row = self._run(cur, "SELECT value FROM meta WHERE key = 'schema'").fetchone()
                current = int(row[0]) if row else 0
            if current > len(MIGRATIONS):
                raise StoreError(f"the store's schema is version {current}, newer than this sitegen "
                                 f"({len(MIGRATIONS)}): upgrade sitegen")
            for step in range(current, len(MIGRATIONS)):
                for statement in MIGRATIONS[step]:
                    cur.execute(statement.replace("{id}", identity))
                if step == 0:
                    self._run(cur, "INSERT INTO meta (key, value) VALUES ('secret', ?)", (secrets.token_hex(32),))
                    self._run(cur, "INSERT INTO meta (key, value) VALUES ('schema', '0')")
                self._run(cur, "UPDATE meta SET value = ? WHERE key = 'schema'", (str(step + 1),))
        return len(MIGRATIONS)

    def secret(self) -> bytes:
        """The key that signs CSRF tokens: made once per store, shared by every process using it."""
        return bytes.fromhex(self._rows("SELECT value FROM meta WHERE key = 'secret'")[0][0])

    # ------------------------------------------------------------ letters
    _LETTER = ("id, number, code_hash, mailbox, kind, title, body, name, phone, email, consent, status, "
               "received, replied, reply, replied_by, publish, closed")

    @staticmethod
    def _letter(row: tuple) -> Letter:
        (id_, number, code_hash, mailbox, kind, title, body, name, phone, email, consent, status, received,
         replied, reply, replied_by, publish, closed) = row
        received_at = _time(received)
        assert received_at is not None     # NOT NULL in the schema
        return Letter(id_, number, code_hash, mailbox, kind, title, body, name, phone, email, bool(consent),
                      status, received_at, _time(replied), reply, replied_by, bool(publish), _time(closed))

    def submit(self, *, code_hash: str, mailbox: str, kind: str, title: str, body: str, name: str, phone: str,
               email: str, consent: bool, received: datetime | None = None) -> Letter:
        """Store a new letter durably; return it once committed."""
        received = received or now()
        with self._tx() as cur:
            self._run(cur, "INSERT INTO letters (code_hash, mailbox, kind, title, body, name, phone, email, consent, "
                           "status, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      (code_hash, mailbox, kind, title, body, name, phone, email, int(consent), WAITING,
                       received.isoformat()))
            id_ = cur.fetchone()[0]
            self._run(cur, "UPDATE letters SET number = ? WHERE id = ?", (f"{received.year}{id_:06d}", id_))
            self._audit(cur, "citizen", "submit", id_, mailbox)
        found = self.letter(id_)
        assert found is not None
        return found

    def letter(self, id_: int) -> Letter | None:
        rows = self._rows(f"SELECT {self._LETTER} FROM letters WHERE id = ?", (id_,))
        return self._letter(rows[0]) if rows else None

    def by_code(self, code_hash: str) -> Letter | None:
        rows = self._rows(f"SELECT {self._LETTER} FROM letters WHERE code_hash = ?", (code_hash,))
        return self._letter(rows[0]) if rows else None

    def letters(self, mailbox: str = EVERY) -> list[Letter]:
        """Every letter of a mailbox (or of all), oldest first."""
        if mailbox == EVERY:
            rows = self._rows(f"SELECT {self._LETTER} FROM letters ORDER BY id")
        else:
            rows = self._rows(f"SELECT {self._LETTER} FROM letters WHERE mailbox = ? ORDER BY id", (mailbox,))
        return [self._letter(r) for r in rows]

    def reply(self, letter: Letter, actor: str, text: str, by: str, at: datetime | None = None) -> None:
        at = at or now()
        with self._tx() as cur:
            self._run(cur, "UPDATE letters SET reply = ?, replied = ?, replied_by = ?, status = ? WHERE id = ?",
                      (text, at.isoformat(), by, REPLIED if letter.status != CLOSED else CLOSED, letter.id))
            self._audit(cur, actor, "reply", letter.id, f"{len(text)} characters")

    def transfer(self, letter: Letter, actor: str, to: str) -> None:
        with self._tx() as cur:
            self._run(cur, "UPDATE letters SET mailbox = ? WHERE id = ?", (to, letter.id))
            self._audit(cur, actor, "transfer", letter.id, f"{letter.mailbox} -> {to}")

    def close_letter(self, letter: Letter, actor: str, at: datetime | None = None) -> None:
        with self._tx() as cur:
            self._run(cur, "UPDATE letters SET status = ?, closed = ? WHERE id = ?",
                      (CLOSED, (at or now()).isoformat(), letter.id))
            self._audit(cur, actor, "close", letter.id)

    def set_publish(self, letter: Letter, actor: str, publish: bool) -> None:
        if publish and not letter.consent:
            raise StoreError("a letter is published only with its writer's consent")
        with self._tx() as cur:
            self._run(cur, "UPDATE letters SET publish = ? WHERE id = ?", (int(publish), letter.id))
            self._audit(cur, actor, "publish" if publish else "unpublish", letter.id)

    # ------------------------------------------------------------ staff and sessions
    def add_user(self, name: str, mailbox: str, password_hash: str) -> None:
        with self._tx() as cur:
            exists = self._run(cur, "SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
            if exists:
                self._run(cur, "UPDATE users SET mailbox = ?, password_hash = ? WHERE name = ?",
                          (mailbox, password_hash, name))
            else:
                self._run(cur, "INSERT INTO users (name, mailbox, password_hash, created) VALUES (?, ?, ?, ?)",
                          (name, mailbox, password_hash, now().isoformat()))
            self._audit(cur, "admin", "user-set" if exists else "user-add", None, f"{name} ({mailbox})")

    def user(self, name: str) -> User | None:
        rows = self._rows("SELECT name, mailbox, password_hash FROM users WHERE name = ?", (name,))
        return User(*rows[0]) if rows else None

    def users(self) -> list[User]:
        return [User(*r) for r in self._rows("SELECT name, mailbox, password_hash FROM users ORDER BY name")]

    def remove_user(self, name: str) -> bool:
        with self._tx() as cur:
            gone = self._run(cur, "DELETE FROM users WHERE name = ?", (name,)).rowcount
            self._run(cur, "DELETE FROM sessions WHERE user_name = ?", (name,))
            self._audit(cur, "admin", "user-remove", None, name)
        return bool(gone)

    def rehash(self, name: str, password_hash: str) -> None:
        with self._tx() as cur:
            self._run(cur, "UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))

    def open_session(self, token_hash: str, user: User, csrf: str, expires: datetime) -> None:
        with self._tx() as cur:
            self._run(cur, "DELETE FROM sessions WHERE expires < ?", (now().isoformat(),))
            self._run(cur, "INSERT INTO sessions (token_hash, user_name, csrf, expires) VALUES (?, ?, ?, ?)",
                      (token_hash, user.name, csrf, expires.isoformat()))
            self._audit(cur, user.name, "sign-in", None)

    def session(self, token_hash: str) -> Session | None:
        rows = self._rows("SELECT u.name, u.mailbox, u.password_hash, s.csrf, s.expires FROM sessions s "
                          "JOIN users u ON u.name = s.user_name WHERE s.token_hash = ?", (token_hash,))
        if not rows:
            return None
        name, mailbox, password_hash, csrf, expires = rows[0]
        expires = datetime.fromisoformat(expires)
        return Session(User(name, mailbox, password_hash), csrf, expires) if expires > now() else None

    def end_session(self, token_hash: str, actor: str) -> None:
        with self._tx() as cur:
            self._run(cur, "DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
            self._audit(cur, actor, "sign-out", None)

    # ------------------------------------------------------------ audit
    def _audit(self, cur, actor: str, action: str, letter: int | None, detail: str = "") -> None:
        self._run(cur, "INSERT INTO audit (at, actor, action, letter, detail) VALUES (?, ?, ?, ?, ?)",
                  (now().isoformat(), actor, action, letter, detail))

    def note(self, actor: str, action: str, letter: int | None = None, detail: str = "") -> None:
        """Record something in the audit log that changes no other table (a refused attempt)."""
        with self._tx() as cur:
            self._audit(cur, actor, action, letter, detail)

    def audit_log(self) -> list[tuple[str, str, str, int | None, str]]:
        return [tuple(r) for r in self._rows("SELECT at, actor, action, letter, detail FROM audit ORDER BY id")]

    # ------------------------------------------------------------ backup
    def export(self) -> Iterator[dict]:
        """Every row of every table, one dict each, tagged with its table (sessions are not kept)."""
        yield {"table": "meta", "key": "format", "value": "sitegen-letters 1"}
        for table in TABLES:
            if table == "sessions":
                continue
            cur = self.conn.cursor()
            cur.execute(f"SELECT * FROM {table} ORDER BY 1")
            names = [d[0] for d in cur.description]
            for row in cur.fetchall():
                yield {"table": table, **dict(zip(names, row))}
        if self.postgres:
            self.conn.commit()

    def import_rows(self, rows: Iterator[dict]) -> int:
        """Restore an export into an empty store (a fresh migration); return the rows restored."""
        count = 0
        with self._tx() as cur:
            if self._run(cur, "SELECT COUNT(*) FROM letters").fetchone()[0] or \
                    self._run(cur, "SELECT COUNT(*) FROM users").fetchone()[0]:
                raise StoreError("the store already has letters or staff: import only into an empty store")
            self._run(cur, "DELETE FROM audit")
            for row in rows:
                table = row.pop("table", None)
                if table == "meta":
                    if row.get("key") in ("secret",):
                        self._run(cur, "UPDATE meta SET value = ? WHERE key = ?", (row["value"], row["key"]))
                    continue
                if table not in ("letters", "users", "audit"):
                    raise StoreError(f"an export row names table {table!r}")
                unknown = set(row) - COLUMNS[table]
                if unknown:
                    raise StoreError(f"an export row of {table} has unknown columns {sorted(unknown)}")
                names = list(row)
                self._run(cur, f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                          tuple(row[n] for n in names))
                count += 1
            if self.postgres:
                for table in ("letters", "audit"):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
        return count


def open_store(address: str) -> Store:
    """Open (creating and migrating) the store for the run-time service and the commands."""
    store = Store(address)
    store.migrate()
    return store
