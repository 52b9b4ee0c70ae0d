"""Cluster -> Jobs: one job per output, each a template and the frozen view it shows.

Every family of outputs is a module here with ``jobs(cluster, ctx) -> Iterable[Job]``; adding a
kind of page is a view, a template and a family, with no edit to the render or write stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from typing import Any

from ..errors import Problem
from ..model import Cluster
from ..theme import Theme
from ..urls import PORTAL, output_path

# A job's origin when the site configuration itself makes the output (home pages, feeds, sitemaps).
SITE = "site.yaml"


@dataclass(frozen=True)
class Job:
    """One output: ``template`` rendered with ``view``, or, without a template, ``view`` as bytes."""

    url: str
    template: str | None
    view: Any
    origin: str                  # the source file that makes it: named when two jobs claim one URL
    owner: str = PORTAL          # department slug or portal: sitemaps group by it
    lastmod: datetime | None = None
    listed: bool = False         # an HTML page that sitemap.xml lists

    @cached_property
    def path(self) -> str:
        # Kept: a build asks each job its path several times, and a build made from the last one
        # asks the jobs of the whole cluster, of which only one or two changed.
        return output_path(self.url)


@dataclass(frozen=True)
class Copy:
    """A file published as it is (an attachment), copied or linked by the writer."""

    url: str
    source: str                  # path relative to the site root

    @property
    def path(self) -> str:
        return output_path(self.url)


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    copies: tuple[Copy, ...]
    problems: tuple[Problem, ...]


@dataclass
class _Claims:
    """Which source claimed each output path: a second claim is a problem, not an overwrite."""

    origin: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def take(self, url: str, path: str, origin: str) -> bool:
        if path in self.origin:
            self.problems.append(Problem(origin, None, "(output)", f"the only source of {url}",
                                         f"{self.origin[path]} writes it too"))
            return False
        self.origin[path] = origin
        return True


def plan(cluster: Cluster, theme: Theme) -> Plan:
    """Every output of the cluster, in a stable order."""
    from . import disclosure, feeds, letters, services, site

    claims = _Claims()
    jobs: list[Job] = []
    for logical, asset in theme.assets.items():
        jobs.append(Job(asset.url, None, asset.data, f"themes/{theme.name}/static/{logical}"))
    for family in (site, disclosure, services, feeds, letters):
        jobs.extend(family.jobs(cluster))
    jobs.extend(site.sitemaps(cluster, [j for j in jobs if j.listed]))
    kept = tuple(j for j in jobs if claims.take(j.url, j.path, j.origin))
    copies = tuple(Copy(url, source) for url, source in cluster.files.items()
                   if claims.take(url, output_path(url), source))
    return Plan(kept, copies, tuple(claims.problems))


def owner_origin(cluster: Cluster, owner: str) -> str:
    """The file an owner's generated pages (home, lists, catalogs) come from."""
    return SITE if owner == PORTAL else cluster.departments[owner].source


def raw(url: str, data: str | bytes, origin: str, owner: str = PORTAL) -> Job:
    return Job(url, None, data.encode() if isinstance(data, str) else data, origin, owner)


def listed(url: str, template: str, view: Any, origin: str, owner: str, lastmod: datetime | None = None) -> Job:
    return Job(url, template, view, origin, owner, lastmod, True)
