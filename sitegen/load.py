"""The load stage: site.yaml, departments/*.yaml and content/**.md read and validated, unchanged pages from the cache."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from types import MappingProxyType
from typing import AbstractSet, Callable, Iterator, KeysView, Mapping, Sequence

from . import config, content, ledger
from .assemble import Links, Records, convert, markup_key
from .cache import Cache, digest
from .content import Source
from .errors import Problem
from .files import read_bounded, relative, stat_line, stat_mtime
from .markup import Markup
from .pool import fan_out
from .urls import page_url


def load(root: Path, cache: Cache | None = None, workers: int | None = None,
         stats: Mapping[str, str] | None = None) -> tuple[Records | None, list[Problem]]:
    """Read and validate site.yaml, departments/*.yaml and content/**.md; collect every problem.

    A page whose file is unchanged since the last build (same size, times and inode), or whose
    text is (a file written again), comes from ``cache`` instead of being parsed again; the others
    are parsed in a process pool when many. ``stats``: the build's files.stat_line of each input
    path, taken just before (a page not in it is looked at again).
    Given a ``cache``, the worker that parses a page converts its Markdown too, into the cache,
    where assemble() finds it: a cold build's pages cross between processes once, not twice.
    """
    site, problems = config.load_site(root)
    departments, files, found = config.load_departments(root)
    problems += found
    paths, strays = content.discover(root)
    sources = []
    keys = {}
    links = (lambda: _links(root, paths, strays)) if cache is not None else None
    for source, found, key in _parse_all(root, paths, cache or Cache(None), workers, links, stats):
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


def pages(root: Path, paths: Sequence[Path], cache: Cache, stats: Mapping[str, str]) -> list[Parsed]:
    """These pages parsed as load() parses them (from ``cache`` when unchanged), with their cache
    keys: for a build made from the last one, which reads only the files that changed."""
    return _parse_all(root, paths, cache, 1, None, stats)


def _links(root: Path, paths: Sequence[Path], strays: Sequence[content.Stray]) -> Links:
    """Where each relative link leads if every page found is published: what the workers convert
    with before assemble() knows which are (it converts again a page whose links then lead elsewhere)."""
    pages = {}
    base = root / "content"
    for path in paths:
        inside = relative(path, base)
        placed = content.place(f"content/{inside}")
        if not isinstance(placed, Problem):
            pages[inside] = page_url(*placed)
    return Links.of(pages, strays)


RACY = 2.0   # seconds: a file written this close to its last parse may have changed within one timestamp tick
PARALLEL_FROM = 200     # pages to parse; below this a process pool costs more than it saves
CHUNK = 64

Parsed = tuple["Source | None", list[Problem], "str | None"]     # a page, its problems, its cache key
ConvertWith = tuple[Markup, Links, KeysView[str]]


def _parse_all(root: Path, paths: Sequence[Path], cache: Cache, workers: int | None,
               links: Callable[[], Links] | None = None, stats: Mapping[str, str] | None = None) -> list[Parsed]:
    """content.parse of each path, in order, from the cache when the page's text was parsed before.

    Two kinds of entry: "source", a parse keyed by the page's path and text; "read", what a file
    whose size, times and inode are unchanged held when it was read (its "source" key). A file
    only touched (checked out again, copied) is read but not parsed. With ``links`` (the table,
    when needed) and enough pages to parse for a process pool, each page parsed has its Markdown
    converted into ``cache`` by the same worker.
    """
    done: list[Parsed | None] = []
    todo: list[tuple[int, Path, str | None]] = []      # (where in ``done``, path, key of its "read" entry)
    base = str(root)
    for path in paths:
        line = stats.get(os.fspath(path)) if stats is not None else None
        if line is None:
            try:
                line = stat_line(os.stat(path))
            except OSError:
                done.append(None)
                todo.append((len(done) - 1, path, None))
                continue
        key = digest(base, str(path), line)
        read = cache.get("read", key)
        if read is not None:
            source_key, text, parsed_at = read
            # Racy: written within a tick of when it was read, it may have changed with the same
            # times and size (as git's index does, such an entry is checked against the text).
            if parsed_at - stat_mtime(line) > RACY or _text_digest(path) == text:
                hit = cache.get("source", source_key)
                if hit is not None:
                    done.append((hit[0], hit[1], source_key))
                    continue
        done.append(None)
        todo.append((len(done) - 1, path, key))
    parsed = [path for _, path, _ in todo]
    convert_with = None
    if links is not None and len(parsed) >= PARALLEL_FROM:
        # The workers inherit the converter, the table and the stored keys through fork.
        convert_with = (Markup(), links(), cache.stored("markup"))
    results = _parse_many(root, parsed, workers, cache.stored("source"), convert_with)
    for (at, path, read_key), (source_key, data, text, parsed_at, converted) in zip(todo, results):
        entry = pickle.loads(data) if data is not None else cache.get("source", source_key or "")
        if entry is None:       # the worker found this text's parse stored, but the entry is corrupt
            source_key, data, text, parsed_at, _ = _parse(root, path, frozenset(), None)
            assert data is not None     # with nothing stored, the page is parsed
            entry = pickle.loads(data)
        if source_key is not None:
            if data is not None:
                cache.put("source", source_key, entry, data)
            if read_key is not None:
                cache.put("read", read_key, (source_key, text, parsed_at))
        source, found = entry
        if converted is not None:
            markup, html = converted
            cache.put("markup", markup, pickle.loads(html), html)
        done[at] = (source, found, source_key)
    return [d for d in done if d is not None]


Result = tuple["str | None", "bytes | None", "str | None", float, "tuple[str, bytes] | None"]


def _parse(root: Path, path: Path, stored: AbstractSet[str], convert_with: ConvertWith | None) -> Result:
    """The page's "source" key, and unless ``stored`` has it, its entry (source, problems) pickled;
    the digest of its text and when it was read; and its conversion as assemble.convert() makes it,
    with its cache key, given ``convert_with``: the converter, the links and the conversions already
    stored (a page whose text is unchanged, only touched, has one).

    The key and the parse come from the same bytes, read once. Pickled here, once, for the cache
    and for the way back from a worker process alike; the caller keeps what it unpickles, never
    the object pickled, since pickling a string of Chinese text leaves a UTF-8 copy of it inside
    the string for as long as the string lives.
    """
    read_at = time.time()
    rel = relative(path, root)
    raw, _ = read_bounded(path, rel, content.MAX_PAGE_BYTES)
    if raw is None:     # parse() says what is wrong with it, and nothing is kept
        return None, pickle.dumps(content.parse(root, path), protocol=5), None, read_at, None
    text = digest(raw)
    key = digest("page", rel, text)
    if key in stored:
        return key, None, text, read_at, None
    source, found = content.parse(root, path, raw)
    entry = pickle.dumps((source, found), protocol=5)
    if source is None or convert_with is None:
        return key, entry, text, read_at, None
    markup, links, conversions = convert_with
    html_key = markup_key(source)
    if html_key in conversions:
        return key, entry, text, read_at, None
    return key, entry, text, read_at, (html_key, convert(markup, links, source))


def _parse_many(root: Path, paths: Sequence[Path], workers: int | None, stored: AbstractSet[str],
                convert_with: ConvertWith | None) -> Iterator[Result]:
    return fan_out(lambda i: _parse(root, paths[i], stored, convert_with), len(paths), workers, PARALLEL_FROM, CHUNK)


def _text_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None
