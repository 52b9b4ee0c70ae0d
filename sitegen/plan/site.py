"""The pages every site has: the portal home, department homes, column lists, articles, site maps."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Iterable, Iterator
from xml.sax.saxutils import escape as xml_escape

from ..disclosure import INTERNAL_KINDS, STATS_MARK, entries, year_counts
from ..model import Cluster, Column, Department, Long, Page
from ..urls import NOT_FOUND, PORTAL, SITEMAP_HTML, absolute, column_url, feed_url, home_url
from ..views import (Article, ColumnList, DepartmentHome, Item, Link, NotFound, PortalHome, SiteMap,
                     article_body, chrome, column_meta, crumbs_for, item, items, link, minute, pager)
from . import SITE, Job, listed, owner_origin, raw
from .disclosure import article_section
from .services import home_lines

LATEST = 8               # items per block on home pages
SITEMAP_SPLIT = 10_000   # URLs above which sitemap.xml becomes an index of per-owner sitemaps


def jobs(cluster: Cluster) -> Iterator[Job]:
    yield listed("/", "portal.html", portal_home(cluster), SITE, PORTAL)
    yield listed(SITEMAP_HTML, "sitemap.html", site_map(cluster), SITE, PORTAL)
    yield Job(NOT_FOUND, "404.html", not_found(cluster), SITE)
    yield raw("/robots.txt", robots_txt(cluster), SITE)
    for dept in cluster.departments.values():
        yield listed(dept.url, "department.html", department_home(cluster, dept), dept.source, dept.slug)
    rows = None
    for column in cluster.columns.values():
        yield from column_lists(cluster, column)
        if column.kind == "service":
            continue            # 办事指南 are plan/services.py's
        # prev/next run along the column's own pages, not the ones it aggregates from departments
        own = [i for i in cluster.listing[column.id] if cluster.pages[i].column == column.id]
        if column.kind == "report" and rows is None:
            rows = entries(cluster)     # the catalog an annual report counts, once per build
        for n in range(len(own)):
            yield _article_job(cluster, own, n, rows or ())


def article_job(cluster: Cluster, pid: str) -> Job:
    """One page's article job, as jobs() plans it (an annual report's counts need the catalog: not those)."""
    column = cluster.pages[pid].column
    own = [i for i in cluster.listing[column] if cluster.pages[i].column == column]
    return _article_job(cluster, own, own.index(pid), ())


def _article_job(cluster: Cluster, own: list[str], n: int, rows) -> Job:
    page = cluster.pages[own[n]]
    previous = cluster.pages[own[n - 1]] if n > 0 else None
    following = cluster.pages[own[n + 1]] if n + 1 < len(own) else None
    return listed(page.url, "article.html", article(cluster, page, previous, following, rows),
                  page.source, page.owner, page.date)


def article(cluster: Cluster, page: Page, previous: Page | None, following: Page | None, rows=()) -> Article:
    """One article: the page, its neighbours' links and the names around it."""
    column = cluster.columns[page.column]
    owner_name = cluster.owner_name(page.owner)
    meta = column_meta(column) + (
        ("ArticleTitle", page.title), ("PubDate", minute(page.date)),
        ("ContentSource", owner_name), ("Keywords", ",".join(page.keywords)),
        ("Description", page.summary), ("Url", absolute(cluster.site.base_url, page.url)))
    section = column.kind in INTERNAL_KINDS
    frame = chrome(cluster, page.owner, page.url, page.title, page.summary,
                   crumbs_for(cluster, page.owner, Link(column.title, column.url), Link("正文", page.url, True)),
                   meta, current="xxgk" if section else column.id)
    interprets = cluster.pages.get(page.interprets) if page.interprets else None
    replaced = page.disclosure.replaced_by if page.disclosure else None
    body: tuple[str, str] = (page.body, "")     # itself, not a copy: 20,000 of them
    counts = None
    if column.kind == "report":
        # An annual report's counts come from the catalog; the editor marks where they go.
        counts = year_counts(rows, cluster, page.owner, int(page.slug), cluster.site.xxgk)
        before, mark, after = page.body.partition(f"<p>{STATS_MARK}</p>")
        body = (Long(before), Long(after)) if mark else ("", page.body)
    return Article(
        chrome=frame, page=article_body(page), column=column, source=owner_name, body=body, counts=counts,
        previous=link(previous) if previous else None, next=link(following) if following else None,
        interprets=link(interprets) if interprets else None,
        explained_by=tuple(link(cluster.pages[i]) for i in cluster.interpretations.get(page.id, ())),
        replaced_by=link(cluster.pages[replaced]) if replaced is not None and replaced in cluster.pages else None,
        tabs=article_section(cluster, page) if section else (),
    )


def column_lists(cluster: Cluster, column: Column) -> Iterator[Job]:
    if column.kind in INTERNAL_KINDS:
        return
    ids = cluster.listing[column.id]
    size = cluster.site.page_size
    count = max(1, math.ceil(len(ids) / size))
    origin = owner_origin(cluster, column.owner)
    meta = column_meta(column)
    description = f"{cluster.owner_name(column.owner)}{column.title}栏目，共{len(ids)}条信息。"
    for number in range(1, count + 1):
        url = column_url(column.owner, column.slug, number)
        title = column.title if number == 1 else f"{column.title}（第{number}页）"
        frame = chrome(cluster, column.owner, url, title, description,
                       crumbs_for(cluster, column.owner, Link(column.title, column.url, True)), meta,
                       current=column.id)
        view = ColumnList(frame, column, items(cluster, ids[(number - 1) * size:number * size]),
                          pager(lambda n: column_url(column.owner, column.slug, n), number, count), len(ids),
                          feed_url(column.owner, column.slug), bool(column.aggregate))
        yield listed(url, "list.html", view, origin, column.owner)


def department_home(cluster: Cluster, dept: Department) -> DepartmentHome:
    blocks = tuple((cluster.columns[c], items(cluster, cluster.listing[c][:LATEST])) for c in dept.columns)
    description = dept.intro or f"{dept.name}网站：工作动态、通知公告、政策文件与政府信息公开。"
    frame = chrome(cluster, dept.slug, dept.url, dept.name, description,
                   crumbs_for(cluster, dept.slug)[:-1] + (Link(dept.name, dept.url, True),), current="home")
    return DepartmentHome(frame, dept, blocks, home_lines(cluster, dept.slug))


def portal_home(cluster: Cluster) -> PortalHome:
    pages = cluster.pages.values()
    kind = lambda p: cluster.columns[p.column].kind
    blocks = (
        ("要闻", _more(cluster, "news"),
         latest(cluster, [p.id for p in pages if (p.owner == PORTAL and kind(p) == "news") or p.featured])),
        ("部门动态", None, latest(cluster, [p.id for p in pages if p.owner != PORTAL and kind(p) == "news"])),
        ("通知公告", _more(cluster, "notice"), latest(cluster, [p.id for p in pages if kind(p) == "notice"])),
        ("政策文件", _more(cluster, "policy"), latest(cluster, [p.id for p in pages if kind(p) == "policy"])),
    )
    frame = chrome(cluster, PORTAL, "/", cluster.site.name, cluster.site.description, (), current="home")
    return PortalHome(frame, blocks, tuple(cluster.departments.values()), home_lines(cluster, PORTAL))


def _more(cluster: Cluster, kind: str) -> str | None:
    """The portal column that lists every item of a kind, for a home block's 更多 link."""
    for cid in cluster.portal_columns:
        column = cluster.columns[cid]
        if column.kind == kind:
            return column.url
    return None


def latest(cluster: Cluster, ids: list[str], limit: int = LATEST) -> tuple[Item, ...]:
    return tuple(item(cluster, p) for p in cluster.latest(ids, limit))


def site_map(cluster: Cluster) -> SiteMap:
    frame = chrome(cluster, PORTAL, SITEMAP_HTML, "网站地图", f"{cluster.site.name}全部栏目导航。",
                   crumbs_for(cluster, PORTAL, Link("网站地图", SITEMAP_HTML, True)))
    sections = ((None, cluster.owner_columns(PORTAL)),) + tuple(
        (d, cluster.owner_columns(d.slug)) for d in cluster.departments.values())
    return SiteMap(frame, sections)


def not_found(cluster: Cluster) -> NotFound:
    frame = chrome(cluster, PORTAL, NOT_FOUND, "页面未找到", "您访问的页面不存在或已被移除。",
                   crumbs_for(cluster, PORTAL, Link("页面未找到", NOT_FOUND, True)))
    return NotFound(frame, tuple(cluster.departments.values()))


def robots_txt(cluster: Cluster) -> str:
    return f"User-agent: *\nAllow: /\nDisallow: /search/\n\nSitemap: {absolute(cluster.site.base_url, '/sitemap.xml')}\n"


def sitemaps(cluster: Cluster, pages: Iterable[Job]) -> Iterator[Job]:
    """sitemap.xml; above SITEMAP_SPLIT URLs, an index with one sitemap per owner."""
    base = cluster.site.base_url
    urls: dict[str, list[tuple[str, datetime | None]]] = {PORTAL: []}
    for job in pages:
        urls.setdefault(job.owner, []).append((job.url, job.lastmod))
    total = sum(len(v) for v in urls.values())

    def urlset(rows: list[tuple[str, datetime | None]]) -> str:
        body = "".join(
            f"<url><loc>{xml_escape(absolute(base, u))}</loc>"
            + (f"<lastmod>{d.strftime('%Y-%m-%d')}</lastmod>" if d else "") + "</url>\n"
            for u, d in rows)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</urlset>\n')

    if total <= SITEMAP_SPLIT:
        yield raw("/sitemap.xml", urlset([e for v in urls.values() for e in v]), SITE)
        return
    refs = []
    for owner, rows in urls.items():
        loc = f"{home_url(owner)}sitemap.xml" if owner != PORTAL else "/sitemap-portal.xml"
        for n in range(math.ceil(len(rows) / SITEMAP_SPLIT) or 1):
            part = loc if n == 0 else loc.replace(".xml", f"-{n + 1}.xml")
            yield raw(part, urlset(rows[n * SITEMAP_SPLIT:(n + 1) * SITEMAP_SPLIT]), SITE, owner)
            refs.append(part)
    body = "".join(f"<sitemap><loc>{xml_escape(absolute(base, r))}</loc></sitemap>\n" for r in refs)
    yield raw("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
              f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</sitemapindex>\n', SITE)
