"""The 政府信息公开 pages: every department's section and the portal's unified platform."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Iterator, Sequence

from ..content import XXGK_PAGES
from ..disclosure import Entry, by_written, entries, to_csv, to_json
from ..model import Cluster, Department, Page
from ..urls import APPLY, BY_CATEGORY, BY_TOPIC, BY_WRITTEN, BY_YEAR, CATALOG, FORM, PORTAL, REPORTS, XXGK, xxgk_url
from ..views import (Catalog, CatalogPage, Facet, FilterChoices, Link, SectionHome, SectionPage, chrome, crumbs_for,
                     pager, ref)
from . import SITE, Job, listed, raw

LATEST = 10
VALIDITIES = ("有效", "失效", "废止")


def sections(cluster: Cluster, owner: str, current: str | None) -> tuple[Link, ...]:
    """The five parts of a department's section, named and ordered the same everywhere."""
    names = cluster.site.xxgk.sections
    parts = (("zn", names.zn), ("zd", names.zd), (CATALOG, names.fdzdgknr), (REPORTS, names.nb), (APPLY, names.ysqgk))
    return tuple(Link(title, xxgk_url(owner, slug), slug == current) for slug, title in parts)


def article_section(cluster: Cluster, page: Page) -> tuple[Link, ...]:
    """The section tabs shown above a guide, rules or annual report page."""
    slug = REPORTS if page.column.endswith(f"/{REPORTS}") else page.slug
    return sections(cluster, page.owner, slug if slug in (*XXGK_PAGES, REPORTS) else None)


def jobs(cluster: Cluster) -> Iterator[Job]:
    """Every 信息公开 output: per department, then the unified platform with its facets and exports."""
    rows = entries(cluster)
    # One grouping pass: each department's items, and every facet's items on the platform.
    mine: dict[str, list[Entry]] = defaultdict(list)
    facet: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for e in rows:
        mine[e.owner].append(e)
        for key in ((BY_CATEGORY, e.category), (BY_TOPIC, e.topic), (BY_YEAR, str(e.published.year))):
            facet[key].append(e)
    for dept in cluster.departments.values():
        yield from _department(cluster, dept, mine[dept.slug])
    yield from _platform(cluster, rows, mine, facet)


def _catalog_pages(cluster: Cluster, owner: str, parts: tuple[str, ...], heading: str, chosen: Sequence[Entry],
                   catalog: Catalog, origin: str, tabs: tuple[Link, ...]) -> Iterator[Job]:
    size = cluster.site.page_size
    count = max(1, math.ceil(len(chosen) / size))
    for n in range(1, count + 1):
        url = xxgk_url(owner, *parts, page=n)
        title = heading if n == 1 else f"{heading}（第{n}页）"
        frame = chrome(cluster, owner, url, title, f"{heading}，共{len(chosen)}条。",
                       crumbs_for(cluster, owner, *_trail(owner, parts, heading, url)), current="xxgk")
        view = CatalogPage(frame, _page_of(catalog, chosen[(n - 1) * size:n * size]), owner == PORTAL, tabs,
                           pager(lambda k: xxgk_url(owner, *parts, page=k), n, count))
        yield listed(url, "xxgk_catalog.html", view, origin, owner)


def _page_of(catalog: Catalog, rows: Sequence[Entry]) -> Catalog:
    return Catalog(catalog.heading, tuple(rows), catalog.total, catalog.facets, catalog.sorts, catalog.data,
                   catalog.csv, catalog.options, catalog.sort)


def _department(cluster: Cluster, dept: Department, mine: list[Entry]) -> Iterator[Job]:
    base = cluster.site.base_url
    names = cluster.site.xxgk.sections
    categories = cluster.site.xxgk.all_categories()
    home = xxgk_url(dept.slug)
    json_url, csv_url = home + "catalog.json", home + "catalog.csv"
    yield raw(json_url, to_json(mine, base), dept.source, dept.slug)
    yield raw(csv_url, to_csv(mine, base), dept.source, dept.slug)
    by_category: dict[str, list[Entry]] = defaultdict(list)
    for e in mine:
        by_category[e.category].append(e)
    used = tuple(Facet(name, xxgk_url(dept.slug, CATALOG, slug), len(by_category[name]))
                 for slug, name in categories.items() if by_category.get(name))
    options = _options(cluster, mine, portal=False)
    reports = _reports(cluster, dept.slug)
    guide = cluster.pages.get(f"{dept.slug}/{XXGK}/zn")
    guide_ref = ref(guide) if guide else None

    frame = chrome(cluster, dept.slug, home, f"{dept.name}政府信息公开",
                   f"{dept.name}政府信息公开：指南、制度、法定主动公开内容、年报与依申请公开。",
                   crumbs_for(cluster, dept.slug, Link("信息公开", home, True)), current="xxgk")
    yield listed(home, "xxgk_home.html", SectionHome(
        frame, dept, sections(cluster, dept.slug, None), guide_ref, used, tuple(mine[:LATEST]), len(mine), reports,
        xxgk_url(dept.slug, CATALOG), json_url, csv_url), dept.source, dept.slug)

    tabs = sections(cluster, dept.slug, CATALOG)
    sorts = lambda current: (Link("按发布日期", xxgk_url(dept.slug, CATALOG), current == "published"),
                             Link("按成文日期", xxgk_url(dept.slug, CATALOG, BY_WRITTEN), current == "written"))
    group = (("按类别", used),)
    name = names.fdzdgknr
    catalog = Catalog(name, (), len(mine), group, sorts("published"), json_url, csv_url, options)
    yield from _catalog_pages(cluster, dept.slug, (CATALOG,), name, mine, catalog, dept.source, tabs)
    heading = f"{name}（按成文日期）"
    catalog = Catalog(heading, (), len(mine), group, sorts("written"), json_url, csv_url, options, "written-desc")
    yield from _catalog_pages(cluster, dept.slug, (CATALOG, BY_WRITTEN), heading, by_written(mine), catalog,
                              dept.source, tabs)
    for slug, title in categories.items():
        chosen = by_category.get(title)
        if chosen:
            marked = (("按类别", tuple(Facet(f.title, f.url, f.count, f.title == title) for f in used)),)
            catalog = Catalog(title, (), len(chosen), marked, (), json_url, csv_url, options)
            yield from _catalog_pages(cluster, dept.slug, (CATALOG, slug), title, chosen, catalog, dept.source, tabs)

    url = xxgk_url(dept.slug, REPORTS)
    frame = chrome(cluster, dept.slug, url, names.nb, f"{dept.name}{names.nb}，按年度列出。",
                   crumbs_for(cluster, dept.slug, Link("信息公开", home), Link(names.nb, url, True)), current="xxgk")
    yield listed(url, "xxgk_reports.html", SectionPage(frame, dept, sections(cluster, dept.slug, REPORTS), reports),
                 dept.source, dept.slug)

    form_url = xxgk_url(dept.slug, APPLY, FORM)
    for parts, template, title in (((APPLY,), "xxgk_apply.html", names.ysqgk),
                                   ((APPLY, FORM), "xxgk_form.html", "政府信息公开申请表")):
        url = xxgk_url(dept.slug, *parts)
        trail = (Link("信息公开", home),) + ((Link(names.ysqgk, xxgk_url(dept.slug, APPLY)),) if len(parts) > 1 else ())
        frame = chrome(cluster, dept.slug, url, title, f"向{dept.name}申请公开政府信息：方式、程序、时限与申请表。",
                       crumbs_for(cluster, dept.slug, *trail, Link(title, url, True)), current="xxgk")
        yield listed(url, template, SectionPage(frame, dept, sections(cluster, dept.slug, APPLY), guide=guide_ref,
                                                form_url=form_url, apply_url=xxgk_url(dept.slug, APPLY),
                                                catalog_url=xxgk_url(dept.slug, CATALOG)), dept.source, dept.slug)


def _platform(cluster: Cluster, rows: tuple[Entry, ...], mine: dict[str, list[Entry]],
              facet: dict[tuple[str, str], list[Entry]]) -> Iterator[Job]:
    """The unified platform: every department's items, with static facet pages so that it all works
    without JavaScript, and catalog.json for the instant filter."""
    xxgk = cluster.site.xxgk
    base = cluster.site.base_url
    categories = xxgk.all_categories()
    json_url, csv_url = xxgk_url(PORTAL) + "catalog.json", xxgk_url(PORTAL) + "catalog.csv"
    yield raw(json_url, to_json(rows, base), SITE)
    yield raw(csv_url, to_csv(rows, base), SITE)
    years = sorted({e.published.year for e in rows}, reverse=True)
    options = _options(cluster, rows, portal=True)

    def facets(current: tuple[str, str] | None = None) -> tuple[tuple[str, tuple[Facet, ...]], ...]:
        is_ = lambda kind, value: current == (kind, value)
        n = lambda kind, value: len(facet.get((kind, value), ()))
        return (
            ("发布机构", tuple(Facet(d.name, xxgk_url(d.slug, CATALOG), len(mine[d.slug]))
                           for d in cluster.departments.values())),
            ("信息类别", tuple(Facet(t, xxgk_url(PORTAL, BY_CATEGORY, s), n(BY_CATEGORY, t), is_(BY_CATEGORY, s))
                           for s, t in categories.items() if n(BY_CATEGORY, t))),
            ("主题分类", tuple(Facet(t, xxgk_url(PORTAL, BY_TOPIC, s), n(BY_TOPIC, t), is_(BY_TOPIC, s))
                           for s, t in xxgk.topics.items() if n(BY_TOPIC, t))),
            ("发布年份", tuple(Facet(f"{y}年", xxgk_url(PORTAL, BY_YEAR, str(y)), n(BY_YEAR, str(y)),
                                   is_(BY_YEAR, str(y))) for y in years if n(BY_YEAR, str(y)))),
        )

    heading = "政府信息公开"
    yield from _catalog_pages(cluster, PORTAL, (), heading, rows,
                              Catalog(heading, (), len(rows), facets(), (), json_url, csv_url, options), SITE, ())
    for kind, names in ((BY_CATEGORY, categories), (BY_TOPIC, xxgk.topics),
                        (BY_YEAR, {str(y): f"{y}年" for y in years})):
        for slug, title in names.items():
            chosen = facet.get((kind, slug if kind == BY_YEAR else title), [])
            if chosen:
                heading = f"{title} - 政府信息公开"
                catalog = Catalog(heading, (), len(chosen), facets((kind, slug)), (), json_url, csv_url, options)
                yield from _catalog_pages(cluster, PORTAL, (kind, slug), heading, chosen, catalog, SITE, ())


def _reports(cluster: Cluster, owner: str) -> tuple:
    """A department's annual reports, latest year first."""
    ids = cluster.listing.get(f"{owner}/{XXGK}/{REPORTS}", ())
    return tuple(ref(p) for p in sorted((cluster.pages[i] for i in ids), key=lambda p: p.slug, reverse=True))


def _options(cluster: Cluster, mine: Sequence[Entry], portal: bool) -> FilterChoices:
    used = {v for e in mine for v in (e.category, e.topic, e.genre)}
    present = lambda values: tuple(v for v in values if v in used)
    return FilterChoices(
        department=tuple((d.slug, d.name) for d in cluster.departments.values()) if portal else (),
        category=present(cluster.site.xxgk.all_categories().values()),
        topic=present(cluster.site.xxgk.topics.values()),
        genre=present(cluster.site.xxgk.genres),
        year=tuple(sorted({e.published.year for e in mine}, reverse=True)),
        validity=VALIDITIES,
    )


def _trail(owner: str, parts: tuple[str, ...], heading: str, url: str) -> tuple[Link, ...]:
    if owner == PORTAL:
        return (Link("信息公开", xxgk_url(PORTAL), not parts),) + ((Link(heading, url, True),) if parts else ())
    return (Link("信息公开", xxgk_url(owner)), Link(heading, url, True))
