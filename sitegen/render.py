"""The Cluster rendered to {output path: bytes}: every page, feed and machine-readable file; no file I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable
from xml.sax.saxutils import escape as xml_escape

import jinja2

from . import xxgk
from . import disclosure
from .disclosure import INTERNAL_KINDS, STATS_MARK, Entry, year_counts
from .errors import Problem
from .model import Cluster, Column, Department, Page
from .theme import Theme
from .urls import NOT_FOUND, PORTAL, SITEMAP_HTML, absolute, column_url, feed_url, home_url, output_path
from .views import KIND_NAMES, Item, Link, chrome, crumbs_for, item, items, pager

LATEST = 8          # items per block on home pages
FEED_ENTRIES = 20
SITEMAP_SPLIT = 10_000   # URLs above which sitemap.xml becomes an index of per-owner sitemaps

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Rendered:
    """The whole site as data: rendered files, files copied as they are, and collisions."""

    files: dict[str, bytes]        # output path -> bytes
    copies: dict[str, str]         # output path -> source path (attachments), relative to the root
    problems: list[Problem]


class Outputs:
    """Collects outputs; a second writer of one path is a problem, not an overwrite."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.copies: dict[str, str] = {}
        self.origin: dict[str, str] = {}
        self.problems: list[Problem] = []

    def _claim(self, url: str, origin: str) -> str | None:
        path = output_path(url)
        if path in self.origin:
            self.problems.append(Problem(origin, None, "(output)", f"the only source of {url}",
                                         f"{self.origin[path]} writes it too"))
            return None
        self.origin[path] = origin
        return path

    def add(self, url: str, data: bytes | str, origin: str) -> None:
        path = self._claim(url, origin)
        if path is not None:
            self.files[path] = data.encode() if isinstance(data, str) else data

    def copy(self, url: str, source: str) -> None:
        path = self._claim(url, source)
        if path is not None:
            self.copies[path] = source

    def result(self) -> Rendered:
        return Rendered(self.files, self.copies, self.problems)


# ---------------------------------------------------------------- pages


def render_article(env: jinja2.Environment, cluster: Cluster, page: Page,
                   previous: Page | None, following: Page | None, rows: tuple[Entry, ...] = ()) -> str:
    """One article: a pure function of the page, its neighbours and the cluster's names.

    ``rows`` is the disclosure catalog, computed once per build, which an annual report counts.
    """
    column = cluster.columns[page.column]
    owner_name = cluster.owner_name(page.owner)
    meta = (("ColumnName", column.title), ("ColumnDescription", column.description),
            ("ColumnKeywords", ",".join(column.keywords)), ("ColumnType", KIND_NAMES[column.kind]),
            ("ArticleTitle", page.title), ("PubDate", page.date.strftime("%Y-%m-%d %H:%M")),
            ("ContentSource", owner_name), ("Keywords", ",".join(page.keywords)),
            ("Description", page.summary), ("Url", absolute(cluster.site.base_url, page.url)))
    section = column.kind in INTERNAL_KINDS
    frame = chrome(cluster, page.owner, page.url, page.title, page.summary,
                   crumbs_for(cluster, page.owner, Link(column.title, column.url), Link("正文", page.url, True)),
                   meta, current="xxgk" if section else column.id)
    interprets = cluster.pages.get(page.interprets) if page.interprets else None
    explained_by = tuple(cluster.pages[i] for i in cluster.interpretations.get(page.id, ()))
    replaced_by = cluster.pages.get(page.disclosure.replaced_by) if page.disclosure and page.disclosure.replaced_by else None
    body, counts = (page.body, ""), None
    if column.kind == "report":
        # An annual report's counts come from the catalog; the editor marks where they go.
        counts = year_counts(rows, cluster, page.owner, int(page.slug), cluster.site.xxgk)
        before, mark, after = page.body.partition(f"<p>{STATS_MARK}</p>")
        body = (before, after) if mark else ("", page.body)
    return env.get_template("article.html").render(
        site=cluster.site, chrome=frame, page=page, column=column, source=owner_name, body=body, counts=counts,
        previous=previous, next=following, interprets=interprets, explained_by=explained_by, replaced_by=replaced_by,
        tabs=xxgk.article_section(cluster, page) if section else (),
    )


def render_list(env: jinja2.Environment, cluster: Cluster, column: Column, number: int, count: int,
                ids: tuple[str, ...]) -> str:
    url = column_url(column.owner, column.slug, number)
    title = column.title if number == 1 else f"{column.title}（第{number}页）"
    meta = (("ColumnName", column.title), ("ColumnDescription", column.description),
            ("ColumnKeywords", ",".join(column.keywords)), ("ColumnType", KIND_NAMES[column.kind]))
    description = f"{cluster.owner_name(column.owner)}{column.title}栏目，共{len(cluster.listing[column.id])}条信息。"
    frame = chrome(cluster, column.owner, url, title, description,
                   crumbs_for(cluster, column.owner, Link(column.title, column.url, True)), meta, current=column.id)
    return env.get_template("list.html").render(
        site=cluster.site, chrome=frame, column=column, items=items(cluster, ids),
        pager=pager(lambda n: column_url(column.owner, column.slug, n), number, count), total=len(cluster.listing[column.id]),
        feed=feed_url(column.owner, column.slug), aggregated=bool(column.aggregate),
    )


def render_department(env: jinja2.Environment, cluster: Cluster, dept: Department) -> str:
    blocks = tuple((cluster.columns[c], items(cluster, cluster.listing[c][:LATEST])) for c in dept.columns)
    description = dept.intro or f"{dept.name}网站：工作动态、通知公告、政策文件与政府信息公开。"
    frame = chrome(cluster, dept.slug, dept.url, dept.name, description,
                   crumbs_for(cluster, dept.slug)[:-1] + (Link(dept.name, dept.url, True),), current="home")
    return env.get_template("department.html").render(site=cluster.site, chrome=frame, dept=dept, blocks=blocks)


def render_portal(env: jinja2.Environment, cluster: Cluster) -> str:
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
    return env.get_template("portal.html").render(
        site=cluster.site, chrome=frame, blocks=blocks, departments=tuple(cluster.departments.values()))


def _more(cluster: Cluster, kind: str) -> str | None:
    """The portal column that lists every item of a kind, for a home block's 更多 link."""
    for cid in cluster.portal_columns:
        column = cluster.columns[cid]
        if column.kind == kind:
            return column.url
    return None


def latest(cluster: Cluster, ids: list[str], limit: int = LATEST) -> tuple[Item, ...]:
    return tuple(item(cluster, p) for p in cluster.latest(ids, limit))


def render_sitemap_page(env: jinja2.Environment, cluster: Cluster) -> str:
    frame = chrome(cluster, PORTAL, SITEMAP_HTML, "网站地图", f"{cluster.site.name}全部栏目导航。",
                   crumbs_for(cluster, PORTAL, Link("网站地图", SITEMAP_HTML, True)))
    sections = ((None, cluster.owner_columns(PORTAL)),) + tuple(
        (d, cluster.owner_columns(d.slug)) for d in cluster.departments.values())
    return env.get_template("sitemap.html").render(site=cluster.site, chrome=frame, sections=sections)


def render_not_found(env: jinja2.Environment, cluster: Cluster) -> str:
    frame = chrome(cluster, PORTAL, NOT_FOUND, "页面未找到", "您访问的页面不存在或已被移除。",
                   crumbs_for(cluster, PORTAL, Link("页面未找到", NOT_FOUND, True)))
    return env.get_template("404.html").render(
        site=cluster.site, chrome=frame, departments=tuple(cluster.departments.values()))


def render_feed(env: jinja2.Environment, cluster: Cluster, title: str, url: str, home: str,
                ids: Iterable[str]) -> str:
    entries = cluster.latest(ids, FEED_ENTRIES)
    updated = entries[0].date if entries else datetime(2000, 1, 1)
    return env.get_template("feed.xml").render(
        site=cluster.site, title=title, self_url=absolute(cluster.site.base_url, url),
        home=absolute(cluster.site.base_url, home), updated=updated, entries=entries,
        source=cluster.owner_name, absolute=lambda u: absolute(cluster.site.base_url, u))


# ---------------------------------------------------------------- machine-readable files


def sitemap_xml(cluster: Cluster, urls: dict[str, list[tuple[str, datetime | None]]]) -> dict[str, str]:
    """sitemap.xml; above SITEMAP_SPLIT URLs, an index with one sitemap per owner."""
    base = cluster.site.base_url
    total = sum(len(v) for v in urls.values())

    def urlset(entries: list[tuple[str, datetime | None]]) -> str:
        rows = "".join(
            f"<url><loc>{xml_escape(absolute(base, u))}</loc>"
            + (f"<lastmod>{d.strftime('%Y-%m-%d')}</lastmod>" if d else "") + "</url>\n"
            for u, d in entries)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n')

    if total <= SITEMAP_SPLIT:
        return {"/sitemap.xml": urlset([e for v in urls.values() for e in v])}
    out, refs = {}, []
    for owner, entries in urls.items():
        loc = f"{home_url(owner)}sitemap.xml" if owner != PORTAL else "/sitemap-portal.xml"
        for n in range(math.ceil(len(entries) / SITEMAP_SPLIT) or 1):
            part = loc if n == 0 else loc.replace(".xml", f"-{n + 1}.xml")
            out[part] = urlset(entries[n * SITEMAP_SPLIT:(n + 1) * SITEMAP_SPLIT])
            refs.append(part)
    rows = "".join(f"<sitemap><loc>{xml_escape(absolute(base, r))}</loc></sitemap>\n" for r in refs)
    out["/sitemap.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                           f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</sitemapindex>\n')
    return out


def robots_txt(cluster: Cluster) -> str:
    return f"User-agent: *\nAllow: /\nDisallow: /search/\n\nSitemap: {absolute(cluster.site.base_url, '/sitemap.xml')}\n"


# ---------------------------------------------------------------- the whole site


def render_site(cluster: Cluster, theme: Theme, env: jinja2.Environment,
                progress: Progress | None = None) -> Rendered:
    """Every output of the cluster."""
    out = Outputs()
    site_urls: dict[str, list[tuple[str, datetime | None]]] = {PORTAL: []}
    total, done = len(cluster.pages), 0

    def html(url: str, text: str, origin: str, lastmod: datetime | None = None, owner: str = PORTAL) -> None:
        out.add(url, text, origin)
        site_urls.setdefault(owner, []).append((url, lastmod))

    for logical, asset in theme.assets.items():
        out.add(asset.url, asset.data, f"themes/{theme.name}/static/{logical}")

    html("/", render_portal(env, cluster), "site.yaml")
    html(SITEMAP_HTML, render_sitemap_page(env, cluster), "site.yaml")
    out.add(NOT_FOUND, render_not_found(env, cluster), "site.yaml")
    out.add("/robots.txt", robots_txt(cluster), "site.yaml")
    all_pages = list(cluster.pages)
    out.add(feed_url(PORTAL), render_feed(env, cluster, cluster.site.name, feed_url(PORTAL), "/", all_pages),
            "site.yaml")

    for dept in cluster.departments.values():
        html(dept.url, render_department(env, cluster, dept), dept.source, owner=dept.slug)
        own = [p for c in dept.columns for p in cluster.listing[c]]
        out.add(feed_url(dept.slug), render_feed(env, cluster, dept.name, feed_url(dept.slug), dept.url, own),
                dept.source)

    rows = disclosure.entries(cluster)
    xxgk.render_all(env, cluster, rows, lambda url, data, origin, owner: (
        html(url, data, origin, owner=owner) if url.endswith("/") else out.add(url, data, origin)))

    for column in cluster.columns.values():
        ids = cluster.listing[column.id]
        origin = "site.yaml" if column.owner == PORTAL else cluster.departments[column.owner].source
        size = cluster.site.page_size
        count = 0 if column.kind in INTERNAL_KINDS else max(1, math.ceil(len(ids) / size))
        for n in range(1, count + 1):
            html(column_url(column.owner, column.slug, n),
                 render_list(env, cluster, column, n, count, ids[(n - 1) * size:n * size]), origin,
                 owner=column.owner)
        if count:
            title = f"{column.title} - {cluster.owner_name(column.owner)}"
            out.add(feed_url(column.owner, column.slug),
                    render_feed(env, cluster, title, feed_url(column.owner, column.slug), column.url, ids), origin)
        # prev/next run along the column's own pages, not the ones it aggregates from departments
        own = [i for i in ids if cluster.pages[i].column == column.id]
        for n, pid in enumerate(own):
            page = cluster.pages[pid]
            previous = cluster.pages[own[n - 1]] if n > 0 else None
            following = cluster.pages[own[n + 1]] if n + 1 < len(own) else None
            html(page.url, render_article(env, cluster, page, previous, following, rows), page.source, page.date,
                 owner=page.owner)
            done += 1
            if progress and (done % 100 == 0 or done == total):
                progress(done, total)

    for url, source in cluster.files.items():
        out.copy(url, source)  # copied by the writer, never held in memory

    for path, text in sitemap_xml(cluster, site_urls).items():
        out.add(path, text, "site.yaml")
    return out.result()
