"""build(): load, assemble, plan, render, write, index — each stage timed, problems collected."""

from __future__ import annotations

import functools
import gc
import json
import os
import stat
import time
from datetime import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, ParamSpec

from . import check, config, ledger
from .assemble import Records, assemble, due
from .load import load
from .cache import PAGE_KINDS, Cache, digest
from .content import Stray
from .model import Cluster, china_now
from .errors import BuildFailed, OutputError, Problem, errors_in
from .files import stat_line
from .glance import Built, retouch
from .markup import Markup
from .output import (Preview, Release, ReleaseInfo, live, lock, manifest, note_inputs, releases, releases_dir,
                     switch)
from .plan import plan
from .render import Progress, render_all, renderer
from .search import index_cluster, search_dir, use_version
from .theme import BUILTIN_THEMES, environment, load_theme
from .urls import PORTAL
from .letters import ENV_STORE, store_address
from .letters.publish import EMPTY, Snapshot, snapshot
from .letters.store import StoreError

if TYPE_CHECKING:
    from .search.index import IndexReport

# Everything a build reads besides content/: a change to any of these can change any output.
INPUT_FOLDERS = ("departments", "content", "themes", "templates", "static")
PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BuildReport:
    out: Path
    pages: tuple[tuple[str, str, int], ...]    # (owner slug, name, page count), portal first
    files: int
    timings: tuple[tuple[str, float], ...]      # (stage, seconds)
    warnings: tuple[Problem, ...]
    search: IndexReport | None = None          # what the index stage did (None: it did not run)
    release: ReleaseInfo | None = None         # the release made live (None: nothing changed)
    rendered: int = 0                          # outputs rendered (the rest were unchanged)
    held: tuple[tuple[str, tuple[Problem, ...]], ...] = ()   # departments kept as they were, and why
    built: Built | None = field(default=None, repr=False, compare=False)   # for the preview's glance
    cpu: tuple[tuple[str, float, float], ...] = ()   # (stage, CPU seconds of this process, of its workers)

    @property
    def total_pages(self) -> int:
        return sum(n for _, _, n in self.pages)

    @property
    def seconds(self) -> float:
        return sum(t for _, t in self.timings)


@dataclass
class _Clock:
    timings: list[tuple[str, float]] = field(default_factory=list)
    cpu: list[tuple[str, float, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        # A stage's pools are joined before it ends, so their workers' CPU is counted in it.
        start, before = time.perf_counter(), os.times()
        try:
            yield
        finally:
            after = os.times()
            self.timings.append((name, time.perf_counter() - start))
            # Differences first: a sum of two large totals would leave float noise where nothing ran.
            self.cpu.append((name, (after.user - before.user) + (after.system - before.system),
                             (after.children_user - before.children_user)
                             + (after.children_system - before.children_system)))


@dataclass(frozen=True)
class Good:
    """One department's records as the last good build used them: what --keep-going falls back on.
    Its pages are cache entries (kind "source"), named by key, kept alive by every build that asks."""

    spec: config.DepartmentSpec
    file: str
    source_keys: tuple[str, ...]
    strays: tuple[Stray, ...]
    ledger: ledger.Ledger


def input_stats(root: Path) -> dict[str, str]:
    """Every file and folder a build reads, and sitegen's own: path -> kind, size, times and inode.
    Folders are marked "d": a file saved by renaming over it changes its folder's times too."""
    stats: dict[str, str] = {}
    for base in (root / "site.yaml",) + tuple(root / f for f in INPUT_FOLDERS) + (BUILTIN_THEMES, PACKAGE):
        try:
            st = os.lstat(base)
        except OSError:
            continue
        stats[os.fspath(base)] = stat_line(st)
        if stat.S_ISDIR(st.st_mode):
            _stat_tree(os.fspath(base), stats)
    return stats


def restat(stats: Mapping[str, str], paths: Iterable[str]) -> dict[str, str]:
    """``stats`` with each of ``paths``, and each folder above it that ``stats`` holds, looked at
    again (a path gone is dropped): input_stats() as it would be if only ``paths`` had changed."""
    new = dict(stats)
    seen: set[str] = set()
    for path in paths:
        while path not in seen:
            seen.add(path)
            try:
                new[path] = stat_line(os.lstat(path))
            except OSError:
                new.pop(path, None)
            path = os.path.dirname(path)
            if path not in stats:       # above the folders a build reads
                break
    return new


def _stats_digest(stats: Mapping[str, str]) -> str:
    return digest("".join(f"{path}\0{line}\n" for path, line in sorted(stats.items())))


def _stat_tree(folder: str, into: dict[str, str]) -> None:
    """An entry per file and folder under ``folder`` (links not followed); os.scandir, as this runs in every build."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        into[entry.path] = stat_line(st)
        if stat.S_ISDIR(st.st_mode):
            _stat_tree(entry.path, into)


P = ParamSpec("P")


def _without_collector(build: Callable[P, BuildReport]) -> Callable[P, BuildReport]:
    """Run ``build`` with the cyclic garbage collector paused (the search index stage excepted).

    A build makes millions of long-lived objects that hold no cycles, and each full collection
    walked them all again: a fifth of the parent's time in a cold 20k build. Forked workers inherit
    the pause, so they no longer copy the parent's pages by touching them either.
    """
    @functools.wraps(build)
    def paused(*args: P.args, **kwargs: P.kwargs) -> BuildReport:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return paused


@contextmanager
def _collecting() -> Iterator[None]:
    """The collector back on for a while: the search index stage makes garbage with cycles (Whoosh)."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()


@_without_collector
def build(root: Path, out: Path | None = None, progress: Progress | None = None, *, keep_going: bool = False,
          cache: Cache | None = None, workers: int | None = None, index: bool = True, inspect: bool = True,
          writer: type[Release] | type[Preview] = Release,
          published: Callable[[ReleaseInfo], None] | None = None, now: datetime | None = None,
          after: Built | None = None, resident: bool = False, changed: Iterable[str] | None = None) -> BuildReport:
    """Build the cluster at ``root`` into ``out`` (default build/site); raise BuildFailed on errors.

    ``keep_going``: a department with errors is kept as the last release had it, and the rest of
    the cluster is published. ``cache`` lets a long-lived caller (the preview server) keep parsed
    pages in memory between builds; by default they live in ROOT/build/cache. ``writer`` is Release
    (a new release, switched atomically) or Preview (the folder updated in place). ``published``
    is told as soon as the new pages are live, before the search index is brought up to date.
    ``inspect`` runs `sitegen check`'s rules on the new release and adds what they find as
    warnings. ``now`` (China time; default the clock) decides which pages are due: a page dated
    later waits, left out of the build until its time.

    A long-lived caller (the preview, `sitegen build --watch`) passes the last build's
    ``report.built`` as ``after``: when the only inputs changed since are pages' texts, the next
    build is made from it, reading and rendering those pages alone, with the bytes a whole build
    would write (glance.retouch). ``resident``: such a caller's first build, which reads everything
    even when nothing changed, so as to have a ``report.built`` to go on from. ``changed``: with
    ``after``, what a caller watching the files saw change since that build (paths as the watcher
    names them); a build made from the last one then looks at those files again, not at every file
    (a whole build still does).
    """
    root = root.resolve()
    out = (out or root / "build" / "site").absolute()
    cache = cache or Cache(root / "build" / "cache")
    now = now or china_now()
    clock = _Clock()
    with clock.stage("load"):
        # Published letters change without any file changing: their digest is an input too.
        letters, letter_problems = _letters(root)
        # Statting every file took about a third of the time from a saved page to its release at 20,000 pages.
        stats = restat(after.stats, changed) if after is not None and changed is not None else input_stats(root)
        inputs = digest(_stats_digest(stats), letters.digest)
        # A long-lived caller knows what changed from what it kept (and reads no manifest to learn it).
        unchanged = None if resident or after else _unchanged(out, inputs, index, now)
        if unchanged is not None:
            return unchanged
        fast = None
        if after is not None and not letter_problems and (keep_going or not after.held):
            fast = retouch(after, stats, letters.digest, now, cache, Markup())
        if fast is None:
            if after is not None and changed is not None:
                # A whole build decides what is on disk: it looks at every file.
                stats = input_stats(root)
                inputs = digest(_stats_digest(stats), letters.digest)
            read, problems = load(root, cache, workers, stats)
            # What load made (20,000 pages' parses and conversions on a first build) is stored
            # meanwhile, by a forked process, on the core that assemble leaves idle.
            cache.store()
    begun = None
    if fast is not None:
        built = fast
        records, cluster, later, problems, held = built.records, built.cluster, built.later, list(built.warnings), built.reasons
        jobs, r, theme, env = built.plan, built.renderer, built.theme, built.renderer.env
        assert jobs is not None and theme is not None       # retouch() starts only from a whole build's
        keys, held_slugs, old = dict(built.keys), set(built.held), writer.previous_keys(out)
        keyed = False
    else:
        if read is None:
            raise BuildFailed(problems)
        records, later = due(read, now)
        with clock.stage("assemble"):
            loaded = problems
            cluster, found = assemble(records, cache, workers)
            problems = loaded + found
            held = ()
            if keep_going and errors_in(problems):
                records, cluster, problems, held = _keep_going(records, cluster, loaded, problems, cache, workers)
            cluster = replace(cluster, letters=letters)
            problems += letter_problems
        with clock.stage("theme"):
            theme, found = load_theme(root, cluster.site.theme)
            problems += found
        if errors_in(problems) or theme is None:
            cache.save(prune=())
            raise BuildFailed(problems)
        env = environment(theme, cluster.site, root / "build" / "cache" / "jinja")
        # The rules that need no output run while the build plans and renders (forked when large).
        begun = check.begin(cluster, now, root=root, scheduled=later) if inspect else None
        with clock.stage("plan"):
            jobs = plan(cluster, theme)
            problems += jobs.problems
        if errors_in(problems):
            if begun is not None:
                begun.stop()
            cache.save(prune=())
            raise BuildFailed(problems)
        with clock.stage("keys"):
            r = renderer(env, theme, digest(cluster.site.model_dump_json()))
            old = writer.previous_keys(out)
            # Nothing published to compare with (a first build): every output is rendered, and its
            # key is worked out where it is rendered, not in a pass of its own.
            keyed = not old
            keys = {} if keyed else dict(zip((job.path for job in jobs.jobs), r.keys(jobs.jobs, workers)))
            held_slugs = {slug for slug, _ in held}
            for c in jobs.copies:
                owner = c.source.split("/")[1]
                # A held-back department's files stay as they were published, whatever is on disk now.
                keys[c.path] = old.get(c.path, "") if owner in held_slugs else _copy_key(root, c.source)
        built = Built(records, cluster, r, frozenset(held_slugs), theme, jobs, keys, stats, later, held,
                      tuple(problems))
    if not keyed and keys == old and (not index or _search_current(out)):
        if begun is not None:
            begun.stop()
        if writer is Release:
            note_inputs(out, inputs)
        cache.save(prune=() if fast else PAGE_KINDS)
        return _report(out, cluster, len(keys), clock, problems, None, None, 0, held, built)
    rendered = 0
    try:
        with writer(out, cluster.site.releases) as release:
            with clock.stage("render"):
                todo = jobs.jobs if keyed else [job for job in jobs.jobs
                                                if not release.unchanged(job.path, keys[job.path])]
                # The check's facts of each page come from the render workers, not from reading it again.
                for job, key, facts in render_all(r, todo, release.put, progress, workers,
                                                  check.facts if inspect else None, keyed):
                    if key is not None:
                        keys[job.path] = key        # ``built`` holds this dict: complete once rendered
                    release.wrote(job.path, keys[job.path])
                    if facts is not None:
                        cache.put("built", keys[job.path], facts)
                rendered = len(todo)
            with clock.stage("write"):
                for c in jobs.copies:
                    if not release.unchanged(c.path, keys[c.path]):
                        release.copy(c.path, keys[c.path], root / c.source)
                info = release.commit(_owners(cluster), tuple(sorted(held_slugs)), inputs,
                                      min((s.meta.date for s in later), default=None))
    except OSError as e:
        raise OutputError(f"could not write {out}: {e.strerror or e}") from e
    if published:
        published(info)
    indexed = None
    if index:
        with clock.stage("index"), _collecting():
            try:
                kept = frozenset(r.search for r in releases(out) if r.search)
                indexed = index_cluster(cluster, theme, env, search_dir(out), keep=kept)
            except OSError as e:
                raise OutputError(f"could not write the search index {search_dir(out)}: {e.strerror or e}") from e
            release.set_search(indexed.path.name)
    if inspect:
        cache.store()      # while the rules run, if load's entries were too few to store apart
        with clock.stage("check"):
            problems += check.as_problems(check.run(cluster, out, now, root=root, scheduled=later, keys=keys,
                                                    cache=cache, begun=begun))
    remember_good(records, cache, held_slugs)
    # A retouch read only the pages it changed: what it did not ask for is not stale.
    cache.save(prune=() if fast else PAGE_KINDS + ("built",) if inspect else PAGE_KINDS)
    return _report(out, cluster, len(keys), clock, problems, indexed, info, rendered, held, built)


def _letters(root: Path) -> tuple[Snapshot, list[Problem]]:
    address = store_address(root)
    try:
        return snapshot(address), []
    except StoreError as e:
        # Named as the person set it: the variable, or the default file (a DSN's password never shows).
        where = ENV_STORE if os.environ.get(ENV_STORE) else "build/letters.sqlite"
        return EMPTY, [Problem(where, None, "letters store", "a letters store the build can read", str(e))]


def _owners(cluster: Cluster) -> tuple[tuple[str, str, int], ...]:
    """(slug, name, page count) of the portal and every department."""
    owners = [(PORTAL, cluster.site.name)] + [(d.slug, d.name) for d in cluster.departments.values()]
    counts = {slug: 0 for slug, _ in owners}
    for page in cluster.pages.values():
        counts[page.owner] += 1
    return tuple((slug, name, counts[slug]) for slug, name in owners)


def _report(out: Path, cluster: Cluster, files: int, clock: _Clock, problems: list[Problem],
            indexed: IndexReport | None, info: ReleaseInfo | None, rendered: int,
            held: tuple[tuple[str, tuple[Problem, ...]], ...], built: Built | None = None) -> BuildReport:
    return BuildReport(out, _owners(cluster), files, tuple(clock.timings), tuple(problems), indexed, info, rendered,
                       held, built, tuple(clock.cpu))


def _unchanged(out: Path, inputs: str, index: bool, now: datetime) -> BuildReport | None:
    """The live release's report when nothing a build reads has changed since it was made, and no
    page it left out for later has come due."""
    release = live(out)
    data = manifest(release) if release else None
    if not data or data.get("inputs") != inputs or data.get("held") or (index and not _search_current(out)):
        return None
    if data.get("due") and now >= datetime.fromisoformat(data["due"]):
        return None
    owners = tuple((o[0], o[1], o[2]) for o in data.get("owners", ()))
    return BuildReport(out, owners, len(data["files"]), (), (), None, None, 0)


def _search_current(out: Path) -> bool:
    from .search.index import current_version
    return current_version(search_dir(out)) is not None


def _copy_key(root: Path, source: str) -> str:
    st = (root / source).lstat()
    return digest("copy", source, str(st.st_size), str(st.st_mtime_ns), str(st.st_ctime_ns), str(st.st_ino))


def _owner(p: Problem) -> str | None:
    """The department a problem belongs to; None when it is the whole cluster's (site.yaml, the theme, the portal)."""
    parts = p.file.split("/")
    if parts[0] == "content" and len(parts) > 1 and parts[1] != PORTAL:
        return parts[1]
    if parts[0] == "departments" and len(parts) == 2:
        return parts[1].rsplit(".", 1)[0]
    return None


def _departments_in(problems: list[Problem]) -> set[str]:
    """The departments these problems belong to (the cluster-wide ones belong to none)."""
    return {slug for p in problems if (slug := _owner(p)) is not None}


def _keep_going(records: Records, cluster: Cluster, loaded: list[Problem], problems: list[Problem], cache: Cache,
                workers: int | None) -> tuple[Records, Cluster, list[Problem], tuple[tuple[str, tuple[Problem, ...]], ...]]:
    """Hold back departments with errors until the rest assembles cleanly.

    Departments whose own files are broken go first: another department's link to one of their
    pages is broken only because that page failed to load, and resolves once the department is
    held back with its last good pages. Whoever still has errors then is held back too. Nothing
    is held back when the cluster-wide files (site.yaml, the portal, the theme) have errors.
    """
    errors = errors_in(problems)
    if any(_owner(p) is None for p in errors):
        return records, cluster, problems, ()
    owners = _departments_in(errors_in(loaded)) or _departments_in(errors)
    held: set[str] = set()
    current: Records | None = records
    while owners - held:
        held |= owners
        current = _hold_back(records, held, cache)
        if current is None:
            return records, cluster, problems, ()    # one of them has nothing to fall back on
        cluster, found = assemble(current, cache, workers)
        remaining = [p for p in loaded if _owner(p) not in held] + found
        if not errors_in(remaining):
            reasons = tuple((slug, tuple(p for p in errors if _owner(p) == slug)) for slug in sorted(held))
            return current, cluster, remaining, reasons
        if any(_owner(p) is None for p in errors_in(remaining)):
            break
        owners = _departments_in(errors_in(remaining))
    return records, cluster, problems, ()


def _hold_back(records: Records, held: set[str], cache: Cache) -> Records | None:
    """``records`` with each ``held`` department's records as its last clean build had them."""
    departments, files, ledgers = dict(records.departments), dict(records.department_files), dict(records.ledgers)
    sources = [s for s in records.sources if s.owner not in held]
    strays = [s for s in records.strays if s.rel.split("/")[1] not in held]
    for slug in sorted(held):
        good = cache.get("good", slug)
        entries = [cache.get("source", key) for key in good.source_keys] if good else []
        if not good or any(e is None or e[0] is None for e in entries):
            return None     # never built cleanly, or its pages are no longer cached
        departments[slug], files[slug], ledgers[slug] = good.spec, good.file, good.ledger
        sources += [e[0] for e in entries if e is not None]
        strays += good.strays
    return replace(records, departments=departments, department_files=files, sources=tuple(sources),
                   strays=tuple(strays), ledgers=ledgers)


def remember_good(records: Records, cache: Cache, held: set[str]) -> None:
    """Keep each published department's records, for --keep-going to fall back on."""
    keys: dict[str, list[str]] = {slug: [] for slug in records.departments}
    strays: dict[str, list[Stray]] = {slug: [] for slug in records.departments}
    for source in records.sources:
        if source.owner in keys:
            keys[source.owner].append(records.source_keys.get(source.rel, ""))
    for stray in records.strays:
        if (owner := stray.rel.split("/")[1]) in strays:
            strays[owner].append(stray)
    for slug, spec in records.departments.items():
        if slug in held:
            cache.get("good", slug)     # still the one to fall back on: keep it
            continue
        cache.put("good", slug, Good(spec, records.department_files[slug], tuple(keys[slug]), tuple(strays[slug]),
                                     records.ledgers[slug]))


def assign(root: Path, repair: bool = False, out: Path | None = None) -> ledger.Plan:
    """Give every disclosure item without a 索引号 its number (``repair``: also resolve conflicts).

    Raises BuildFailed when the site cannot be read; numbers already published never change.
    ``out`` is the web root whose catalog.json tells which page a contested number was published for.
    """
    root = root.resolve()
    records, problems = load(root)
    if records is None or errors_in(problems):
        raise BuildFailed(problems)
    published = {}
    catalog = (out or root / "build" / "site") / "xxgk" / "catalog.json"
    try:
        base = len(records.site.base_url)
        published = {row["index_no"]: row["url"][base:] for row in json.loads(catalog.read_text(encoding="utf-8"))}
    except (OSError, ValueError, KeyError, TypeError):
        pass    # no earlier build here: the ledger and the dates decide
    plan_ = ledger.plan(records.sources, records.ledgers, records.departments, records.site.xxgk, repair, published)
    ledger.apply(root, plan_, records.sources, records.departments)
    return plan_


def rollback(out: Path, release: str | None = None) -> tuple[ReleaseInfo, bool]:
    """Make an earlier release live again (default: the one before the live one), with the search
    index it was built with. Returns the release and whether its index came back too."""
    out = out.absolute()
    kept = releases(out)
    current = next((r for r in kept if r.current), None)
    target: ReleaseInfo | None
    if release is None:
        earlier = [r for r in kept if current is None or r.id < current.id]
        if not earlier:
            raise OutputError("there is no earlier release to roll back to (`sitegen releases` lists them)")
        target = earlier[-1]
    else:
        target = next((r for r in kept if r.id == release), None)
        if target is None:
            ids = ", ".join(r.id for r in kept) or "none"
            raise OutputError(f"no release {release!r} (kept: {ids})")
    try:
        held = lock(out)
        try:
            switch(out, releases_dir(out) / target.id)
        finally:
            os.close(held)
    except OSError as e:
        raise OutputError(f"could not switch {out} to {target.id}: {e.strerror or e}") from e
    index_back = use_version(search_dir(out), target.search) if target.search else False
    return replace(target, current=True), index_back
