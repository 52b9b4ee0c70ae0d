"""The load stage: site.yaml, departments/*.yaml and content/**.md read and validated, unchanged pages from the cache."""

from __future__ import annotations

import pickle
import time
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Sequence

from . import config, content, ledger
from .assemble import Records
from .cache import Cache, digest
from .content import Source
from .errors import Problem
from .pool import fan_out


def load(root: Path, cache: Cache | None = None, workers: int | None = None) -> tuple[Records | None, list[Problem]]:
    """Read and validate site.yaml, departments/*.yaml and content/**.md; collect every problem.

    A page whose file is unchanged since the last build (same size, times and inode) comes from
    ``cache`` instead of being parsed again; the others are parsed in a process pool when many.
    """
    cache = cache or Cache(None)
    site, problems = config.load_site(root)
    departments, files, found = config.load_departments(root)
    problems += found
    paths, strays = content.discover(root)
    sources = []
    keys = {}
    for source, found, key in _parse_all(root, paths, cache, workers):
        problems += found
        if source is not None:
            sources.append(source)
            if key:
                keys[source.rel] = key
    ledgers = {}
    for slug in departments:
        ledgers[slug], found = ledger.read(root, slug)
        problems += found
    if site is None:
        return None, problems
    return Records(root, site, departments, files, tuple(sources), tuple(strays), ledgers,
                   MappingProxyType(keys)), problems


def pages(root: Path, paths: Sequence[Path], cache: Cache) -> list[Parsed]:
    """These pages parsed as load() parses them (from ``cache`` when unchanged), with their cache
    keys: for a build made from the last one, which reads only the files that changed."""
    return _parse_all(root, paths, cache, 1)


RACY = 2.0   # seconds: a file written this close to its last parse may have changed within one timestamp tick
PARALLEL_FROM = 200     # pages to parse; below this a process pool costs more than it saves
CHUNK = 64

Parsed = tuple["Source | None", list[Problem], "str | None"]     # a page, its problems, its cache key


def _parse_all(root: Path, paths: Sequence[Path], cache: Cache, workers: int | None) -> list[Parsed]:
    """content.parse of each path, in order, or its cached result when the file's size, times and
    inode are unchanged."""
    done: list[Parsed | None] = []
    todo: list[tuple[int, Path, str | None]] = []      # (where in ``done``, path, cache key)
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            done.append(None)
            todo.append((len(done) - 1, path, None))
            continue
        key = digest(str(root), str(path), str(st.st_size), str(st.st_mtime_ns), str(st.st_ctime_ns), str(st.st_ino))
        hit = cache.get("source", key)
        if hit is not None:
            source, found, text, parsed_at = hit
            # Racy: written within a tick of when it was parsed, it may have changed with the same
            # times and size (as git's index does, such an entry is checked against the text).
            if parsed_at - st.st_mtime > RACY or _text_digest(path) == text:
                done.append((source, found, key))
                continue
        done.append(None)
        todo.append((len(done) - 1, path, key))
    for (at, _, known), data in zip(todo, _parse_many(root, [path for _, path, _ in todo], workers)):
        entry = pickle.loads(data)
        if known is not None:
            cache.put("source", known, entry, data)
        done[at] = (entry[0], entry[1], known)
    return [d for d in done if d is not None]


def _parse(root: Path, path: Path) -> bytes:
    """A cache entry for the page: (source, problems, digest of the text, when), pickled.

    Pickled here, once, for the cache and for the way back from a worker process alike; the caller
    keeps what it unpickles, never the object pickled, since pickling a string of Chinese text
    leaves a UTF-8 copy of it inside the string for as long as the string lives.
    """
    source, found = content.parse(root, path)
    return pickle.dumps((source, found, _text_digest(path), time.time()), protocol=5)


def _parse_many(root: Path, paths: Sequence[Path], workers: int | None) -> Iterator[bytes]:
    return fan_out(lambda i: _parse(root, paths[i]), len(paths), workers, PARALLEL_FROM, CHUNK)


def _text_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None
