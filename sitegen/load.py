"""The load stage: site.yaml, departments/*.yaml and content/**.md read and validated, unchanged pages from the cache."""

from __future__ import annotations

import time
from pathlib import Path
from types import MappingProxyType

from . import config, content, ledger
from .assemble import Records
from .cache import Cache, digest
from .content import Source
from .errors import Problem


def load(root: Path, cache: Cache | None = None) -> tuple[Records | None, list[Problem]]:
    """Read and validate site.yaml, departments/*.yaml and content/**.md; collect every problem.

    A page whose file is unchanged since the last build (same size, times and inode) comes from
    ``cache`` instead of being parsed again.
    """
    cache = cache or Cache(None)
    site, problems = config.load_site(root)
    departments, files, found = config.load_departments(root)
    problems += found
    paths, strays = content.discover(root)
    sources = []
    keys = {}
    for path in paths:
        source, found, key = _parsed(root, path, cache)
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


RACY = 2.0   # seconds: a file written this close to its last parse may have changed within one timestamp tick


def _parsed(root: Path, path: Path, cache: Cache) -> tuple[Source | None, list[Problem], str | None]:
    """content.parse, or its cached result when the file's size, times and inode are unchanged."""
    try:
        st = path.stat()
    except OSError:
        st = None
    if st is None:
        source, found = content.parse(root, path)
        return source, found, None
    key = digest(str(root), str(path), str(st.st_size), str(st.st_mtime_ns), str(st.st_ctime_ns), str(st.st_ino))
    hit = cache.get("source", key)
    if hit is not None:
        source, found, text, parsed_at = hit
        # Racy: written within a tick of when it was parsed, it may have changed with the same
        # times and size (as git's index does, such an entry is checked against the text).
        if parsed_at - st.st_mtime > RACY or _text_digest(path) == text:
            return source, found, key
    source, found = content.parse(root, path)
    cache.put("source", key, (source, found, _text_digest(path), time.time()))
    return source, found, key


def _text_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


