"""The index on disk: versioned folders under build/search/, updated incrementally, swapped atomically.

    build/search/
      current -> v000012          a symbolic link, replaced in one rename
      v000012/index/              the whoosh index (with PostgreSQL: the documents are in the database)
      v000012/manifest.json       page id -> fingerprint of what was indexed
      v000012/lexicon.json        the vocabulary (document frequencies, pinyin)
      v000012/meta.json           names, filters, hot words, synonyms for the service
      v000012/shells/<scope>.html the themed results page of each scope, to be filled in
      v000012/templates/          the theme's results template

A new version starts as hard links to the files of the current one (whoosh never rewrites a
segment file; it writes new segments and a new table of contents), so an update costs what
the changed pages cost. The service reads ``current`` on every request, so it switches to the
new version at the next request, and the previous version stays until the build after next,
so that a request already running on it can finish.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..model import Cluster
from ..urls import PORTAL
from .analysis import CJK_RUN, fold, segmenter
from .letters import letter_entries
from .lexicon import Lexicon
from .schema import SCHEMA_VERSION, entry
from .workers import mapped

CURRENT = "current"
VERSION = re.compile(r"^v(\d{6})$")


@dataclass(frozen=True)
class IndexReport:
    path: Path              # the version folder that is now current
    full: bool              # everything was indexed (first build, or the analysis changed)
    added: int
    changed: int
    removed: int
    documents: int

    @property
    def touched(self) -> int:
        return self.added + self.changed + self.removed


def extra_words(cluster: Cluster) -> tuple[str, ...]:
    """Words the segmenter must keep whole: the admin's synonyms and hot words."""
    spec = cluster.site.search
    own = {w for d in cluster.departments.values() for w in d.hot_words or ()}
    return tuple(sorted({w for group in spec.synonyms for w in group} | set(spec.hot_words) | own))


def current_version(search_dir: Path) -> Path | None:
    """The version folder ``current`` points to, if there is a complete one."""
    link = search_dir / CURRENT
    try:
        target = search_dir / os.readlink(link)
    except OSError:
        return None
    return target if (target / "meta.json").is_file() else None


@contextmanager
def _locked(search_dir: Path) -> Iterator[None]:
    # Two builds at once (a preview rebuild and a manual one) take turns instead of racing.
    with open(search_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update_index(cluster: Cluster, search_dir: Path, shells: Mapping[str, str],
                 templates: Mapping[str, str], meta: Mapping, dsn: str | None = None,
                 keep: frozenset[str] = frozenset()) -> IndexReport:
    """Bring the index up to date with ``cluster`` and make the result current. ``dsn``: the
    PostgreSQL backend's database, when not the one SITEGEN_SEARCH_DSN names."""
    search_dir.mkdir(parents=True, exist_ok=True)
    with _locked(search_dir):
        return _update(cluster, search_dir, shells, templates, meta, dsn, keep)


def _update(cluster: Cluster, search_dir: Path, shells: Mapping[str, str],
            templates: Mapping[str, str], meta: Mapping, dsn: str | None, keep: frozenset[str]) -> IndexReport:
    backend = cluster.site.search.backend
    seg = segmenter(extra_words(cluster))
    analysis = f"{SCHEMA_VERSION}/{seg.fingerprint}/{backend}"
    previous = current_version(search_dir)
    old_meta = _read_json(previous / "meta.json") if previous else None
    full = old_meta is None or old_meta.get("analysis") != analysis

    name = f"v{_next_number(search_dir):06d}"
    staging = search_dir / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    writer = None
    try:
        staging.mkdir(parents=True)
        # Not full implies a previous version (without one there is no old meta.json); the
        # `previous is None` tests below only say so to the type checker.
        writer = open_writer(backend, staging / "index", None if full or previous is None else previous / "index",
                             full, name, dsn)
        if (not full and previous is not None and backend == "postgres"
                and writer.version_in_database() != previous.name):
            # The database holds another version than this folder (another build, or a kill
            # between the database's commit and the folder's rename): start again from nothing.
            writer.cancel()
            full, writer = True, open_writer(backend, staging / "index", None, True, name, dsn)
        old = {} if full or previous is None else _read_json(previous / "manifest.json")
        entries = {pid: entry(cluster, page) for pid, page in cluster.pages.items()}
        entries.update((e.id, e) for e in letter_entries(cluster))
        manifest = {pid: e.fingerprint for pid, e in entries.items()}
        added = [pid for pid in manifest if pid not in old]
        changed = [pid for pid in manifest if pid in old and old[pid] != manifest[pid]]
        removed = [pid for pid in old if pid not in manifest]

        old_lexicon = {} if full or previous is None else Lexicon.entries(previous / "lexicon.json")
        counts = Counter({w: e[0] for w, e in old_lexicon.items()})
        counts.subtract(writer.words_of(changed + removed))
        writer.delete(changed + removed)
        # Oldest first: whoosh's document numbers then follow dates, so a month is one stretch
        # of each segment and a query can read the newest months without walking the whole index.
        counts.update(writer.add_all([entries[p] for p in sorted(added + changed, key=lambda p: (entries[p].date, p))],
                                     extra_words(cluster)))

        pinned = {fold(w) for w in extra_words(cluster)} | {
            fold(k) for e in entries.values() for k in e.keywords if CJK_RUN.fullmatch(fold(k))}
        Lexicon.save_entries(staging / "lexicon.json", Lexicon.entries_of(+counts, old_lexicon, pinned, mapped))
        _write_json(staging / "manifest.json", manifest)
        for folder, files in (("shells", shells), ("templates", templates)):
            (staging / folder).mkdir()
            for file, text in files.items():
                (staging / folder / file).write_text(text, encoding="utf-8")
        # meta.json last: a version folder without it is never taken for a complete one.
        _write_json(staging / "meta.json", {**meta, "analysis": analysis, "documents": len(manifest),
                                            "backend": backend})
        done, writer = writer, None
        done.commit()
        os.rename(staging, search_dir / name)
    except BaseException:
        if writer is not None:
            writer.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current(search_dir, name)
    # The previous version stays for requests still running on it; those of kept releases for rollback.
    _prune(search_dir, keep={name, previous.name if previous else name, *keep})
    return IndexReport(search_dir / name, full, len(added), len(changed), len(removed), len(manifest))


def open_writer(backend: str, folder: Path, previous: Path | None, full: bool, version: str,
                dsn: str | None = None):
    """The index writer of a backend: add_all, delete, words_of, commit, cancel (see whoosh_store)."""
    if backend == "postgres":
        from .pg_store import PgWriter
        return PgWriter(full, version, dsn)
    from .whoosh_store import WhooshWriter
    return WhooshWriter(folder, previous)


def _next_number(search_dir: Path) -> int:
    numbers = [int(m.group(1)) for p in search_dir.iterdir() if (m := VERSION.match(p.name))]
    return max(numbers, default=0) + 1


def _point_current(search_dir: Path, name: str) -> None:
    # A new link under a temporary name, renamed over the old one: readers see one or the other.
    temporary = search_dir / f".{CURRENT}.tmp-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(name, temporary)
    os.replace(temporary, search_dir / CURRENT)


def _prune(search_dir: Path, keep: set[str]) -> None:
    for path in search_dir.iterdir():
        if path.is_dir() and (VERSION.match(path.name) and path.name not in keep or ".tmp-" in path.name):
            if ".tmp-" in path.name and _alive(path.name.rsplit("-", 1)[-1]):
                continue    # another build is writing it right now
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def department_names(cluster: Cluster) -> list[list[str]]:
    """[slug, name] of every scope, the portal first."""
    return [[PORTAL, cluster.site.name]] + [[d.slug, d.name] for d in cluster.departments.values()]
