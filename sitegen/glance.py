"""The preview's glance: a saved page re-rendered at once in the context of the last build, before the whole build catches up."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Iterable

from . import content
from .assemble import Records, reassemble
from .errors import errors_in
from .markup import Markup
from .model import Cluster
from .plan.site import article_job
from .render import Renderer

# Columns whose pages are planned elsewhere than as one article: a 办事指南 (plan/services.py)
# and an annual report (its counts come from the whole catalog). Their edits wait for the build.
ELSEWHERE = ("service", "report")


@dataclass(frozen=True)
class Built:
    """What the last successful build worked from: enough to render one page again without it."""

    records: Records
    cluster: Cluster
    renderer: Renderer
    held: frozenset[str]       # departments kept as an earlier build had them


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
            if old is None or old.owner in built.held or not path.is_file():
                continue
            if built.cluster.columns[old.column].kind in ELSEWHERE:
                continue
            source, problems = content.parse(root, path)
            if source is None or errors_in(problems):
                continue
            self.markup = self.markup or Markup()
            page, problems = reassemble(built.records, built.cluster, source, self.markup)
            if page is None or page.id != old.id or page.date != old.date or errors_in(problems):
                continue        # moved, re-dated (its place in the lists changes) or invalid: the build tells
            page = replace(page, featured=old.featured)     # the portal's acceptance, as the build decided it
            cluster = replace(built.cluster, pages=MappingProxyType({**built.cluster.pages, page.id: page}),
                              shared={})
            job = article_job(cluster, page.id)
            shown.append((job.path, built.renderer.render(job)))
        return shown
