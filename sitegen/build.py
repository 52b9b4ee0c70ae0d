"""build(): load, assemble, render, write — each stage timed, problems collected."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from . import config, content, ledger
from .assemble import Records, assemble
from .errors import BuildFailed, OutputError, Problem, errors_in
from .output import publish
from .render import Progress, render_site
from .theme import environment, load_theme
from .urls import PORTAL
from .search import index_cluster, search_dir

if TYPE_CHECKING:
    from .search.index import IndexReport


@dataclass(frozen=True)
class BuildReport:
    out: Path
    pages: tuple[tuple[str, str, int], ...]    # (owner slug, name, page count), portal first
    files: int
    timings: tuple[tuple[str, float], ...]      # (stage, seconds)
    warnings: tuple[Problem, ...]
    search: IndexReport | None = None          # what the index stage did (None: it did not run)

    @property
    def total_pages(self) -> int:
        return sum(n for _, _, n in self.pages)

    @property
    def seconds(self) -> float:
        return sum(t for _, t in self.timings)


@dataclass
class _Clock:
    timings: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings.append((name, time.perf_counter() - start))


def load(root: Path) -> tuple[Records | None, list[Problem]]:
    """Read and validate site.yaml, departments/*.yaml and content/**.md; collect every problem."""
    site, problems = config.load_site(root)
    departments, files, found = config.load_departments(root)
    problems += found
    paths, strays = content.discover(root)
    sources = []
    for path in paths:
        source, found = content.parse(root, path)
        problems += found
        if source is not None:
            sources.append(source)
    ledgers = {}
    for slug in departments:
        ledgers[slug], found = ledger.read(root, slug)
        problems += found
    if site is None:
        return None, problems
    return Records(root, site, departments, files, tuple(sources), tuple(strays), ledgers), problems


def build(root: Path, out: Path | None = None, progress: Progress | None = None) -> BuildReport:
    """Build the cluster at ``root`` into ``out`` (default build/site); raise BuildFailed on errors."""
    root = root.resolve()
    out = (out or root / "build" / "site").resolve()
    clock = _Clock()
    with clock.stage("load"):
        records, problems = load(root)
    if records is None:
        raise BuildFailed(problems)
    with clock.stage("assemble"):
        cluster, found = assemble(records)
        problems += found
    with clock.stage("theme"):
        theme, found = load_theme(root, cluster.site.theme)
        problems += found
    if errors_in(problems) or theme is None:
        raise BuildFailed(problems)
    env = environment(theme)
    with clock.stage("render"):
        rendered = render_site(cluster, theme, env, progress)
        problems += rendered.problems
    if errors_in(problems):
        raise BuildFailed(problems)
    with clock.stage("write"):
        count = publish(rendered, root, out)
    with clock.stage("index"):
        try:
            indexed = index_cluster(cluster, theme, env, search_dir(out))
        except OSError as e:
            raise OutputError(f"could not write the search index {search_dir(out)}: {e.strerror or e}") from e
    owners = [(PORTAL, cluster.site.name)] + [(d.slug, d.name) for d in cluster.departments.values()]
    counts = {slug: 0 for slug, _ in owners}
    for page in cluster.pages.values():
        counts[page.owner] += 1
    return BuildReport(out, tuple((slug, name, counts[slug]) for slug, name in owners), count,
                       tuple(clock.timings), tuple(problems), indexed)


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
    plan = ledger.plan(records.sources, records.ledgers, records.departments, records.site.xxgk, repair, published)
    ledger.apply(root, plan, records.sources, records.departments)
    return plan
