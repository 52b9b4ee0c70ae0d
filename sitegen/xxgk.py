"""The 政府信息公开 pages: every department's section and the portal's unified platform, rendered."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

import jinja2

from .content import REPORTS, XXGK_PAGES
from .disclosure import Entry, by_written, to_csv, to_json
from .model import Cluster, Page
from .urls import PORTAL, xxgk_url
from .views import Link, chrome, crumbs_for, pager

CATALOG = "fdzdgknr"     # 法定主动公开内容
BY_WRITTEN = "cwrq"      # the same catalog ordered by 成文日期
APPLY = "ysqgk"          # 依申请公开
FORM = "sqb"             # its printable 申请表
LATEST = 10

# Facet folders of the unified platform: /xxgk/<facet>/<value>/
BY_CATEGORY, BY_TOPIC, BY_YEAR = "lb", "zt", "nd"


@dataclass(frozen=True)
class Facet:
    title: str
    url: str
    count: int
    current: bool = False


@dataclass(frozen=True)
class Catalog:
    """One static page of a catalog table and everything around it."""

    heading: str
    rows: tuple[Entry, ...]
    total: int
    facets: tuple[tuple[str, tuple[Facet, ...]], ...]   # (group title, links)
    sorts: tuple[Link, ...]                             # 按发布日期 / 按成文日期
    data: str                                           # the JSON the filter script loads
    csv: str
    options: dict                                       # filter choices: name -> values
    sort: str = "published-desc"                        # the order of the static table, for the filter


Emit = Callable[[str, str | bytes, str, str], None]    # (url, data, origin, owner) -> None


def sections(cluster: Cluster, owner: str, current: str | None) -> tuple[Link, ...]:
    """The five parts of a department's section, named and ordered the same everywhere."""
    names = cluster.site.xxgk.sections
    parts = (("zn", names.zn), ("zd", names.zd), (CATALOG, names.fdzdgknr), (REPORTS, names.nb), (APPLY, names.ysqgk))
    return tuple(Link(title, xxgk_url(owner, slug), slug == current) for slug, title in parts)


def render_all(env: jinja2.Environment, cluster: Cluster, rows: tuple[Entry, ...], emit: Emit) -> None:
    """Every 信息公开 output: per department, then the unified platform with its facets and exports."""
    options = {owner: _options(cluster, owner, rows) for owner in (PORTAL, *cluster.departments)}
    page_size = cluster.site.page_size
    xxgk = cluster.site.xxgk
    base = cluster.site.base_url
    categories = xxgk.all_categories()

    def catalog_pages(owner: str, parts: tuple[str, ...], heading: str, chosen: list[Entry],
                      facets, sorts, origin: str, data: str, csv_url: str, tabs_current: str | None,
                      sort: str = "published-desc") -> None:
        count = max(1, math.ceil(len(chosen) / page_size))
        for n in range(1, count + 1):
            url = xxgk_url(owner, *parts, page=n)
            title = heading if n == 1 else f"{heading}（第{n}页）"
            frame = chrome(cluster, owner, url, title, f"{heading}，共{len(chosen)}条。",
                           crumbs_for(cluster, owner, *_trail(owner, parts, heading, url)), current="xxgk")
            view = Catalog(heading, tuple(chosen[(n - 1) * page_size:n * page_size]), len(chosen), facets, sorts,
                           data, csv_url, options[owner], sort)
            emit(url, env.get_template("xxgk_catalog.html").render(
                site=cluster.site, chrome=frame, catalog=view, portal=owner == PORTAL,
                tabs=sections(cluster, owner, tabs_current) if owner != PORTAL else (),
                pager=pager(lambda k: xxgk_url(owner, *parts, page=k), n, count)), origin, owner)

    for dept in cluster.departments.values():
        mine = [e for e in rows if e.owner == dept.slug]
        json_url, csv_url = xxgk_url(dept.slug) + "catalog.json", xxgk_url(dept.slug) + "catalog.csv"
        emit(json_url, to_json(mine, base), dept.source, dept.slug)
        emit(csv_url, to_csv(mine, base), dept.source, dept.slug)
        counts = tuple(Facet(name, xxgk_url(dept.slug, CATALOG, slug), sum(1 for e in mine if e.category == name))
                       for slug, name in categories.items())
        used = tuple(f for f in counts if f.count)

        reports = _reports(cluster, dept.slug)
        frame = chrome(cluster, dept.slug, xxgk_url(dept.slug), f"{dept.name}政府信息公开",
                       f"{dept.name}政府信息公开：指南、制度、法定主动公开内容、年报与依申请公开。",
                       crumbs_for(cluster, dept.slug, Link("信息公开", xxgk_url(dept.slug), True)), current="xxgk")
        guide = cluster.pages.get(f"{dept.slug}/xxgk/zn")
        emit(xxgk_url(dept.slug), env.get_template("xxgk_home.html").render(
            site=cluster.site, chrome=frame, dept=dept, tabs=sections(cluster, dept.slug, None), guide=guide,
            categories=used, latest=tuple(mine[:LATEST]), total=len(mine), reports=reports,
            catalog_url=xxgk_url(dept.slug, CATALOG), json_url=json_url, csv_url=csv_url), dept.source, dept.slug)

        sorts = lambda current: (Link("按发布日期", xxgk_url(dept.slug, CATALOG), current == "published"),
                                 Link("按成文日期", xxgk_url(dept.slug, CATALOG, BY_WRITTEN), current == "written"))
        name = cluster.site.xxgk.sections.fdzdgknr
        group = (("按类别", used),)
        catalog_pages(dept.slug, (CATALOG,), name, mine, group, sorts("published"), dept.source,
                      json_url, csv_url, CATALOG)
        catalog_pages(dept.slug, (CATALOG, BY_WRITTEN), f"{name}（按成文日期）", by_written(mine), group,
                      sorts("written"), dept.source, json_url, csv_url, CATALOG, "written-desc")
        for slug, title in categories.items():
            chosen = [e for e in mine if e.category == title]
            if chosen:
                marked = (("按类别", tuple(Facet(f.title, f.url, f.count, f.title == title) for f in used)),)
                catalog_pages(dept.slug, (CATALOG, slug), title, chosen, marked, (), dept.source,
                              json_url, csv_url, CATALOG)

        url = xxgk_url(dept.slug, REPORTS)
        title = cluster.site.xxgk.sections.nb
        frame = chrome(cluster, dept.slug, url, title, f"{dept.name}{title}，按年度列出。",
                       crumbs_for(cluster, dept.slug, Link("信息公开", xxgk_url(dept.slug)), Link(title, url, True)),
                       current="xxgk")
        emit(url, env.get_template("xxgk_reports.html").render(
            site=cluster.site, chrome=frame, dept=dept, tabs=sections(cluster, dept.slug, REPORTS), reports=reports),
            dept.source, dept.slug)

        for parts, template, title in (((APPLY,), "xxgk_apply.html", cluster.site.xxgk.sections.ysqgk),
                                       ((APPLY, FORM), "xxgk_form.html", "政府信息公开申请表")):
            url = xxgk_url(dept.slug, *parts)
            trail = (Link("信息公开", xxgk_url(dept.slug)),) + (
                (Link(cluster.site.xxgk.sections.ysqgk, xxgk_url(dept.slug, APPLY)),) if len(parts) > 1 else ())
            frame = chrome(cluster, dept.slug, url, title, f"向{dept.name}申请公开政府信息：方式、程序、时限与申请表。",
                           crumbs_for(cluster, dept.slug, *trail, Link(title, url, True)), current="xxgk")
            emit(url, env.get_template(template).render(
                site=cluster.site, chrome=frame, dept=dept, tabs=sections(cluster, dept.slug, APPLY),
                guide=guide, form_url=xxgk_url(dept.slug, APPLY, FORM)), dept.source, dept.slug)

    # The unified platform: every department's items, with static facet pages so that it all
    # works without JavaScript, and catalog.json for the instant filter.
    emit(xxgk_url(PORTAL) + "catalog.json", to_json(rows, base), "site.yaml", PORTAL)
    emit(xxgk_url(PORTAL) + "catalog.csv", to_csv(rows, base), "site.yaml", PORTAL)
    json_url, csv_url = xxgk_url(PORTAL) + "catalog.json", xxgk_url(PORTAL) + "catalog.csv"
    years = sorted({e.published.year for e in rows}, reverse=True)

    count = Counter()
    for e in rows:
        count.update((("owner", e.owner), (BY_CATEGORY, e.category), (BY_TOPIC, e.topic), (BY_YEAR, e.published.year)))

    def facets(current: tuple[str, str] | None = None) -> tuple[tuple[str, tuple[Facet, ...]], ...]:
        is_ = lambda kind, value: current == (kind, value)
        return (
            ("发布机构", tuple(Facet(d.name, xxgk_url(d.slug, CATALOG), count["owner", d.slug])
                           for d in cluster.departments.values())),
            ("信息类别", tuple(Facet(t, xxgk_url(PORTAL, BY_CATEGORY, s), n, is_(BY_CATEGORY, s))
                           for s, t in categories.items() if (n := count[BY_CATEGORY, t]))),
            ("主题分类", tuple(Facet(t, xxgk_url(PORTAL, BY_TOPIC, s), n, is_(BY_TOPIC, s))
                           for s, t in xxgk.topics.items() if (n := count[BY_TOPIC, t]))),
            ("发布年份", tuple(Facet(f"{y}年", xxgk_url(PORTAL, BY_YEAR, str(y)), n, is_(BY_YEAR, str(y)))
                           for y in years if (n := count[BY_YEAR, y]))),
        )

    catalog_pages(PORTAL, (), "政府信息公开", list(rows), facets(), (), "site.yaml", json_url, csv_url, None)
    for kind, names, test in ((BY_CATEGORY, categories, lambda e, v: e.category == v),
                              (BY_TOPIC, xxgk.topics, lambda e, v: e.topic == v),
                              (BY_YEAR, {str(y): f"{y}年" for y in years}, lambda e, v: str(e.published.year) == v)):
        for slug, title in names.items():
            value = slug if kind == BY_YEAR else title
            chosen = [e for e in rows if test(e, value)]
            if chosen:
                catalog_pages(PORTAL, (kind, slug), f"{title} - 政府信息公开", chosen, facets((kind, slug)), (),
                              "site.yaml", json_url, csv_url, None)


def _reports(cluster: Cluster, owner: str) -> tuple[Page, ...]:
    """A department's annual reports, latest year first."""
    ids = cluster.listing.get(f"{owner}/xxgk/{REPORTS}", ())
    return tuple(sorted((cluster.pages[i] for i in ids), key=lambda p: p.slug, reverse=True))


def _options(cluster: Cluster, owner: str, rows: Iterable[Entry]) -> dict:
    """The filter form's choices, from the configuration and the items there are."""
    mine = [e for e in rows if owner == PORTAL or e.owner == owner]
    used = {v for e in mine for v in (e.category, e.topic, e.genre)}
    present = lambda values: tuple(v for v in values if v in used)
    return {
        "department": tuple((d.slug, d.name) for d in cluster.departments.values()) if owner == PORTAL else (),
        "category": present(cluster.site.xxgk.all_categories().values()),
        "topic": present(cluster.site.xxgk.topics.values()),
        "genre": present(cluster.site.xxgk.genres),
        "year": tuple(sorted({e.published.year for e in mine}, reverse=True)),
        "validity": ("有效", "失效", "废止"),
    }


def _trail(owner: str, parts: tuple[str, ...], heading: str, url: str):
    if owner == PORTAL:
        return (Link("信息公开", xxgk_url(PORTAL), not parts),) + ((Link(heading, url, True),) if parts else ())
    return (Link("信息公开", xxgk_url(owner)), Link(heading, url, True))



def article_section(cluster: Cluster, page: Page) -> tuple[Link, ...]:
    """The section tabs shown above a guide, rules or annual report page."""
    slug = REPORTS if page.column.endswith(f"/{REPORTS}") else page.slug
    return sections(cluster, page.owner, slug if slug in (*XXGK_PAGES, REPORTS) else None)

