"""build/cache: content-keyed results that survive between builds (parsed pages, converted Markdown).

One SQLite file holds every entry as ``(kind, key) -> value``. A value is a pickle signed with a
secret kept beside it and the digest of sitegen's code, so a corrupt file, a cache copied from
another machine or one written by another version of sitegen is ignored (a miss), never trusted:
nothing unsigned is ever unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import sqlite3
from pathlib import Path
from typing import Any, Callable, KeysView

from .pool import Forked

FORMAT = "sitegen-cache-3"
MAC = 16                 # bytes of the signature (HMAC-SHA-256, cut) in front of each value
# Hex digits of a digest. SHA-256 rather than BLAKE2b: with the SHA extensions of today's x86 and
# ARM cores it hashes twice as fast, and a cold build hashes some 600 MB at 20,000 pages (cache
# entries signed, page texts and views digested).
DIGEST = 32
# What a whole build asks of every page (what a file held, its parse, its conversion): an entry of
# these kinds it did not ask for belongs to a page deleted or edited since.
PAGE_KINDS = ("read", "source", "markup")
APART_FROM = 5000       # new entries: fewer are stored in less time than forking takes


def code_version() -> str:
    """A digest of sitegen's own code: a value pickled by another version may not fit this one's
    classes (a field added to a page's front matter), so the signature covers the code too."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:DIGEST]


class Cache:
    """Entries are read once per kind, in bulk; new ones are kept in memory until ``save()``."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._secret = b""
        self._rows: dict[str, dict[str, bytes]] = {}     # kind -> key -> signed blob, as stored
        self._values: dict[tuple[str, str], Any] = {}     # what was read or put this session
        self._new: dict[tuple[str, str], bytes] = {}
        self._used: dict[str, set[str]] = {}
        self._storing: tuple[Callable[[], bool], dict[tuple[str, str], bytes]] | None = None
        self._code = code_version()
        if folder is not None:
            self._secret = _secret(folder)

    def get(self, kind: str, key: str) -> Any | None:
        self._used.setdefault(kind, set()).add(key)
        if (kind, key) in self._values:
            return self._values[(kind, key)]
        blob = self._kind(kind).get(key)
        if blob is None or not hmac.compare_digest(blob[:MAC], self._sign(kind, key, blob[MAC:])):
            return None
        try:
            value = pickle.loads(blob[MAC:])
        except Exception:        # a value of a class that changed shape: a miss, built again
            return None
        self._values[(kind, key)] = value
        return value

    def stored(self, kind: str) -> KeysView[str]:
        """The keys of ``kind`` stored by earlier builds (an entry may still prove corrupt on get)."""
        return self._kind(kind).keys()

    def put(self, kind: str, key: str, value: Any, data: bytes | None = None) -> None:
        """``data``: ``value`` already pickled (by the worker process that made it), stored as it is."""
        self._used.setdefault(kind, set()).add(key)
        self._values[(kind, key)] = value
        if self.folder is not None:
            data = pickle.dumps(value, protocol=5) if data is None else data
            self._new[(kind, key)] = self._sign(kind, key, data) + data

    def store(self) -> None:
        """Begin storing what is new in a forked process, at the lowest priority, so that the
        caller's own work goes on meanwhile (a build's assemble leaves a core idle); ``save()``
        waits for it and stores what was put since. Until then, later calls do nothing."""
        if self.folder is None or len(self._new) < APART_FROM or self._storing is not None:
            return
        rows, self._new = self._new, {}
        for kind in self._stored_kinds() | {kind for kind, _ in rows}:
            self._kind(kind)    # read now: a read while the other process writes would wait for its commit
        self._storing = (Forked(lambda: self._write(rows, []), idle=True), rows)

    def save(self, prune: tuple[str, ...] = PAGE_KINDS) -> None:
        """Store what is new and forget entries of the ``prune`` kinds this build did not use
        (deleted or edited pages); a failed build prunes nothing."""
        if self.folder is None:
            return
        if self._storing is not None:
            stored, rows = self._storing
            self._storing = None
            try:
                done = stored()
            except RuntimeError:        # the process died: as if SQLite had refused
                done = False
            if done:
                self._remember(rows)
            else:       # stored nowhere: try again with the rest
                self._new = {**rows, **self._new}
        # Read before writing: a kind not read yet (only put this session) would be read through a
        # second connection, which waits out the timeout on the writer's lock, and nothing is saved.
        stale = [(kind, k) for kind in prune for k in self._kind(kind) if k not in self._used.get(kind, set())]
        if not self._write(self._new, stale):
            return      # a cache that cannot be written costs speed, never a build
        self._remember(self._new)
        for kind in prune:
            used = self._used.get(kind, set())
            kept = self._rows.get(kind, {})
            for key in [k for k in kept if k not in used]:
                del kept[key]
                self._values.pop((kind, key), None)
        self._new.clear()
        self._used.clear()

    def _write(self, rows: dict[tuple[str, str], bytes], stale: list[tuple[str, str]]) -> bool:
        try:
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                               [(kind, key, blob) for (kind, key), blob in rows.items()])
                db.executemany("DELETE FROM entries WHERE kind = ? AND key = ?", stale)
            db.close()
            return True
        except sqlite3.Error as e:
            self._damaged(e)
            return False

    def _remember(self, rows: dict[tuple[str, str], bytes]) -> None:
        for (kind, key), blob in rows.items():
            self._rows.setdefault(kind, {})[key] = blob

    def _stored_kinds(self) -> set[str]:
        """Every kind of entry the file holds."""
        try:
            db = self._connect()
            kinds = {kind for kind, in db.execute("SELECT DISTINCT kind FROM entries")}
            db.close()
            return kinds
        except sqlite3.Error as e:
            self._damaged(e)
            return set()

    def _kind(self, kind: str) -> dict[str, bytes]:
        if kind not in self._rows:
            rows: dict[str, bytes] = {}
            if self.folder is not None:
                try:
                    db = self._connect()
                    rows = dict(db.execute("SELECT key, value FROM entries WHERE kind = ?", (kind,)))
                    db.close()
                except sqlite3.Error as e:
                    self._damaged(e)
                    rows = {}
            self._rows[kind] = rows
        return self._rows[kind]

    def _sign(self, kind: str, key: str, data: bytes) -> bytes:
        mac = hmac.new(self._secret, f"{FORMAT}\0{self._code}\0{kind}\0{key}\0".encode(), "sha256")
        mac.update(data)
        return mac.digest()[:MAC]

    def _damaged(self, error: sqlite3.Error) -> None:
        """Remove a cache file SQLite finds malformed (torn by a crash, overwritten): left in place,
        every later build would read nothing from it and store nothing in it, as slow as the first.
        A busy, locked, read-only or full one (an OperationalError) is left alone."""
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError):
            assert self.folder is not None
            for name in ("cache.sqlite", "cache.sqlite-journal"):
                (self.folder / name).unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        assert self.folder is not None
        path = self.folder / "cache.sqlite"
        try:
            return _open(path)
        except sqlite3.DatabaseError as e:
            self._damaged(e)        # not a database (a truncated or foreign file): start again
            return _open(path)


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30)
    # Not synced: a cache torn by a crash is a miss (every value is signed), never wrong, while
    # waiting for 200 MB of a cold build's entries to reach the disk was the end of every build.
    db.execute("PRAGMA synchronous = OFF")
    db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, value BLOB, PRIMARY KEY (kind, key))")
    return db


def _secret(folder: Path) -> bytes:
    """This cache's signing key: made once, readable by its owner only."""
    path = folder / "secret"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except OSError:
        pass
    data = os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError:
        pass
    return data


def digest(*parts: str | bytes) -> str:
    """The parts' digest, each part ended by a NUL: SHA-256, cut to 128 bits (32 hex digits)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:DIGEST]
