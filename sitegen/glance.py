"""The glance: saved pages rendered at once in the context of the last build (the preview's, and a release's retouch)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Iterable, Mapping

from . import content, load
from .assemble import Records, reassemble
from .cache import Cache
from .errors import errors_in
from .markup import Markup
from .model import Cluster, Page
from .plan.site import article_job
from .render import Renderer

if TYPE_CHECKING:
    from .content import Source
    from .errors import Problem
    from .plan import Plan
    from .theme import Theme

# Columns whose pages are planned elsewhere than as one article: a 办事指南 (plan/services.py)
# and an annual report (its counts come from the whole catalog). Their edits wait for the build.
ELSEWHERE = ("service", "report")


@dataclass(frozen=True)
class Built:
    """What the last successful build worked from: enough to render one page again without it,
    and, kept by a long-lived caller, to make the next release from it when only pages' texts changed."""

    records: Records
    cluster: Cluster
    renderer: Renderer
    held: frozenset[str]       # departments kept as an earlier build had them
    theme: Theme | None = None
    plan: Plan | None = None
    keys: Mapping[str, str] = field(default_factory=dict)      # output path -> key
    stats: Mapping[str, str] = field(default_factory=dict)     # input path -> its kind, size, times and inode
    later: tuple[Source, ...] = ()                             # pages left out until their time
    reasons: tuple[tuple[str, tuple[Problem, ...]], ...] = ()  # each held department's problems
    warnings: tuple[Problem, ...] = ()                         # what load, assemble and plan found


class Glance:
    """Renders edited pages against the last build; used by one thread (it keeps one converter)."""

    def __init__(self) -> None:
        self.markup: Markup | None = None

    def pages(self, built: Built, paths: Iterable[Path]) -> list[tuple[str, bytes]]:
        """(output path, bytes) of each edited page that can be shown before the build: an existing
        page of an article column, still valid, linking only to what the cluster already publishes.

        Its own output then shows the edit exactly; what else the edit changes (its column's
        lists, its neighbours, the home page, feeds, search) comes with the build that follows.
        """
        root = built.records.root
        by_source = {page.source: page for page in built.cluster.pages.values()}
        shown = []
        for path in paths:
            try:
                rel = path.resolve().relative_to(root).as_posix()
            except ValueError:
                continue
            old = by_source.get(rel)
            if old is None or not path.is_file():
                continue
            source, problems = content.parse(root, path)
            if source is None or errors_in(problems):
                continue
            self.markup = self.markup or Markup()
            page, problems = _again(built, old, source, self.markup)
            if page is None or errors_in(problems):
                continue
            cluster = replace(built.cluster, pages=MappingProxyType({**built.cluster.pages, page.id: page}),
                              shared={})
            job = article_job(cluster, page.id)
            shown.append((job.path, built.renderer.render(job)))
        return shown


def _again(built: Built, old: Page, source: Source, markup: Markup) -> tuple[Page | None, list[Problem]]:
    """``source``, the edited file of the page ``old``, assembled among the last build's pages, and
    what it found; None when only a whole build can tell: its department held back, a page planned
    elsewhere than as an article, moved or re-dated (its place in the lists changes), or a link to
    a file the cluster does not publish yet."""
    if old.owner in built.held or built.cluster.columns[old.column].kind in ELSEWHERE:
        return None, []
    page, problems = reassemble(built.records, built.cluster, source, markup)
    if page is None or page.id != old.id or page.date != old.date:
        return None, problems
    return replace(page, featured=old.featured), problems    # the portal's acceptance, as the build decided it


# A page's fields that only its own output shows (every other output, a list or a feed, reads
# its title, date, summary, attachments and the rest, never these).
OWN = ("body", "text", "toc")


def retouch(built: Built, stats: Mapping[str, str], letters: str, now: datetime, cache: Cache,
            markup: Markup) -> Built | None:
    """The next build, from ``built``, when the only inputs changed since are existing pages whose
    front matter is the same, and whose edit changes nothing of them but their own output's text;
    None when anything else changed, and a whole build must decide.

    What it changes is what a whole build would change (the random-edit test compares them): the
    page's own output, and its key. Search and the checks then run on the new cluster as ever.
    """
    due = min((s.meta.date for s in built.later), default=None)
    if built.plan is None or built.theme is None or letters != built.cluster.letters.digest or (due and now >= due):
        return None
    root = built.records.root
    prefix = f"{root}/"
    sources = {s.rel: s for s in built.records.sources}
    edited = []
    for path in stats.keys() | built.stats.keys():
        old_line, new_line = built.stats.get(path), stats.get(path)
        if old_line == new_line or (old_line and new_line and old_line[0] == new_line[0] == "d"):
            continue        # unchanged, or a folder's times: a file saved by renaming over it
        rel = path.removeprefix(prefix)
        if rel not in sources or not (old_line and new_line):
            return None     # not a page, or a page added or removed: its lists change
        edited.append(rel)
    if not edited:
        return replace(built, stats=stats)      # only folders' times: nothing to build
    by_source = {page.source: page for page in built.cluster.pages.values()}
    pages = dict(built.cluster.pages)
    keys = dict(built.records.source_keys)
    for (source, problems, key), rel in zip(load.pages(root, [root / rel for rel in edited], cache, stats), edited):
        old = by_source.get(rel)
        if old is None or source is None or source.head != sources[rel].head or problems:
            return None     # its front matter changed, or it has problems: the whole build tells
        page, problems = _again(built, old, source, markup)
        if page is None or problems:
            return None
        if replace(page, **{name: getattr(old, name) for name in OWN}) != old:
            return None     # its summary (taken from the text) or another field others show changed
        if any((url in page.body) != (url in old.body) for url in built.cluster.files):
            return None     # a document it linked may now be linked by nothing, and go unpublished
        sources[rel], pages[page.id] = source, page
        if key:
            keys[rel] = key
    records = replace(built.records, sources=tuple(sources.values()), source_keys=MappingProxyType(keys))
    cluster = replace(built.cluster, pages=MappingProxyType(pages), shared={})
    jobs = list(built.plan.jobs)
    where = {job.path: n for n, job in enumerate(jobs)}
    outputs = dict(built.keys)
    for rel in edited:
        job = article_job(cluster, by_source[rel].id)
        jobs[where[job.path]] = job
        outputs[job.path] = built.renderer.key(job)
    warnings = tuple(p for p in built.warnings if p.file not in edited)
    return replace(built, records=records, cluster=cluster, plan=replace(built.plan, jobs=tuple(jobs)), keys=outputs,
                   stats=stats, warnings=warnings)
