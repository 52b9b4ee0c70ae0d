"""The 办事服务 pages: each guide, each department's service list, the portal's directory and the exports."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Callable, Iterator, Sequence

from ..guides import guides, json_ld, to_csv, to_json
from ..model import Cluster, Department, Page
from ..urls import PORTAL, absolute, bsfw_url
from ..views import (Facet, GuidePage, Link, minute, ServiceDirectory, ServiceLine, ServiceList, chrome, column_meta,
                     crumbs_for, pager, service_line)
from . import SITE, Job, listed, raw

BY_THEME, BY_EVENT = "zt", "sj"     # /bsfw/zt/<theme>/, /bsfw/sj/<life event>/
HOME_LINES = 6                       # guides on a home page's 办事服务 entry when the admin picked none
SECTION_TITLE = "办事服务"


def jobs(cluster: Cluster) -> Iterator[Job]:
    everything = guides(cluster)
    for dept in cluster.departments.values():
        yield from _department(cluster, dept, [p for p in everything if p.owner == dept.slug])
    yield from _portal(cluster, everything)


def home_lines(cluster: Cluster, owner: str) -> tuple[ServiceLine, ...]:
    """A home page's 办事服务 entry: the guides the admin picked (site.yaml, the department's YAML)."""
    if owner == PORTAL:
        picked = [f"{o}/bsfw/{s}" for o, _, s in (r.partition("/") for r in cluster.site.services.featured)]
    else:
        picked = [f"{owner}/bsfw/{s}" for s in cluster.departments[owner].featured_services]
    chosen = [cluster.pages[i] for i in picked if i in cluster.pages]
    if not chosen and not picked:
        chosen = list(guides(cluster, None if owner == PORTAL else owner)[:HOME_LINES])
    return tuple(service_line(cluster, p) for p in chosen)


def _themes(page: Page) -> tuple[str, ...]:
    return page.guide.themes if page.guide else ()


def _events(page: Page) -> tuple[str, ...]:
    return page.guide.events if page.guide else ()


def _department(cluster: Cluster, dept: Department, mine: list[Page]) -> Iterator[Job]:
    base = cluster.site.base_url
    home = bsfw_url(dept.slug)
    json_url, csv_url = home + "catalog.json", home + "catalog.csv"
    yield raw(json_url, to_json(mine, base), dept.source, dept.slug)
    yield raw(csv_url, to_csv(mine, base), dept.source, dept.slug)
    lines = [service_line(cluster, p) for p in mine]
    themes = _facets(cluster, mine, _themes, _theme_slugs(cluster), BY_THEME)
    groups = (("按主题（全市）", themes),) if themes else ()
    yield from _pages(cluster, dept.slug, (), f"{dept.name}{SECTION_TITLE}", lines, groups, json_url, csv_url,
                      dept.source, (Link(SECTION_TITLE, home, True),))
    for page in mine:
        yield listed(page.url, "guide.html", guide_page(cluster, dept, page), page.source, dept.slug, page.date)


def guide_page(cluster: Cluster, dept: Department, page: Page) -> GuidePage:
    g = page.guide
    assert g is not None
    meta = column_meta(cluster.columns[page.column]) + (("ArticleTitle", g.name),
            ("PubDate", minute(page.date)), ("ContentSource", dept.name),
            ("Keywords", ",".join(page.keywords or g.themes)), ("Description", page.summary),
            ("Url", absolute(cluster.site.base_url, page.url)))
    frame = chrome(cluster, dept.slug, page.url, g.name, f"{g.name}办事指南：{g.agency}。{page.summary}",
                   crumbs_for(cluster, dept.slug, Link(SECTION_TITLE, bsfw_url(dept.slug)),
                              Link(g.name, page.url, True)), meta)
    return GuidePage(frame, dept, g, page.body, page.attachments, page.date,
                     json_ld(page, dept, cluster.site.base_url))


def _portal(cluster: Cluster, everything: Sequence[Page]) -> Iterator[Job]:
    base = cluster.site.base_url
    home = bsfw_url(PORTAL)
    json_url, csv_url = home + "catalog.json", home + "catalog.csv"
    yield raw(json_url, to_json(everything, base), SITE)
    yield raw(csv_url, to_csv(everything, base), SITE)
    spec = cluster.site.services
    mine: dict[str, list[Page]] = defaultdict(list)
    for p in everything:
        mine[p.owner].append(p)
    departments = tuple(Facet(d.name, bsfw_url(d.slug), len(mine[d.slug]))
                        for d in cluster.departments.values() if mine[d.slug])
    slugs = _theme_slugs(cluster)
    personal = _facets(cluster, everything, _themes, slugs, BY_THEME, spec.personal.values())
    corporate = _facets(cluster, everything, _themes, slugs, BY_THEME, spec.corporate.values())
    events = _facets(cluster, everything, _events, {v: k for k, v in spec.events.items()}, BY_EVENT)
    groups = tuple((title, facets) for title, facets in (("按部门", departments), ("个人办事", personal),
                                                         ("法人办事", corporate), ("按人生事件", events)) if facets)
    frame = chrome(cluster, PORTAL, home, SECTION_TITLE,
                   f"{cluster.site.name}{SECTION_TITLE}：按部门、主题和人生事件查找办事指南，共{len(everything)}项。",
                   crumbs_for(cluster, PORTAL, Link(SECTION_TITLE, home, True)))
    yield listed(home, "bsfw_directory.html", ServiceDirectory(
        frame, home_lines(cluster, PORTAL), groups, len(everything), json_url, csv_url), SITE, PORTAL)
    for kind, names, group_titles, pick in (
            (BY_THEME, slugs, ("个人办事", "法人办事"), _themes),
            (BY_EVENT, {v: k for k, v in spec.events.items()}, ("按人生事件",), _events)):
        for name, slug in names.items():
            chosen = [service_line(cluster, p) for p in everything if name in pick(p)]
            if not chosen:
                continue
            marked = tuple((title, tuple(Facet(f.title, f.url, f.count, f.title == name) for f in facets))
                           for title, facets in groups if title in group_titles)
            yield from _pages(cluster, PORTAL, (kind, slug), name, chosen, marked, json_url, csv_url, SITE,
                              (Link(SECTION_TITLE, home), Link(name, bsfw_url(PORTAL, kind, slug), True)))


def _theme_slugs(cluster: Cluster) -> dict[str, str]:
    spec = cluster.site.services
    return {v: k for k, v in (*spec.personal.items(), *spec.corporate.items())}


def _facets(cluster: Cluster, pages: Sequence[Page], pick: Callable[[Page], tuple[str, ...]], slugs: dict[str, str],
            kind: str, order=None) -> tuple[Facet, ...]:
    """Links to the portal's theme or life-event pages, with how many of ``pages`` each holds (only used ones)."""
    count: dict[str, int] = defaultdict(int)
    for p in pages:
        for name in pick(p):
            count[name] += 1
    names = [n for n in (order if order is not None else slugs) if count[n]]
    return tuple(Facet(n, bsfw_url(PORTAL, kind, slugs[n]), count[n]) for n in names if n in slugs)


def _pages(cluster: Cluster, owner: str, parts: tuple[str, ...], heading: str, lines: Sequence[ServiceLine],
           groups: tuple, json_url: str, csv_url: str, origin: str, trail: tuple[Link, ...]) -> Iterator[Job]:
    size = cluster.site.page_size
    count = max(1, math.ceil(len(lines) / size))
    where = cluster.owner_name(owner)
    for n in range(1, count + 1):
        url = bsfw_url(owner, *parts, page=n)
        title = heading if n == 1 else f"{heading}（第{n}页）"
        frame = chrome(cluster, owner, url, title, f"{where}{heading}办事指南，共{len(lines)}项。",
                       crumbs_for(cluster, owner, *trail))
        view = ServiceList(frame, heading, tuple(lines[(n - 1) * size:n * size]), len(lines),
                           pager(lambda k: bsfw_url(owner, *parts, page=k), n, count), groups, json_url, csv_url,
                           owner == PORTAL)
        yield listed(url, "bsfw_list.html", view, origin, owner)
