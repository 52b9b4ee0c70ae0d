"""Typed views for templates, and the Cluster rendered to {output path: bytes}; no file I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2

from .errors import Problem
from .model import Cluster, Column, Department, Page, newest_first
from .theme import Theme
from .urls import (NOT_FOUND, PORTAL, SITEMAP_HTML, absolute, column_url, feed_url, home_url,
                   output_path, page_url, xxgk_url)

# Column kinds as the national page-tagging rules name a column's type (ColumnType).
KIND_NAMES = {
    "news": "工作动态", "notice": "通知公告", "policy": "政策文件", "interpretation": "政策解读",
    "personnel": "人事信息", "plan": "规划计划", "page": "概况信息",
}
LATEST = 8          # items per block on home pages
FEED_ENTRIES = 20
SITEMAP_SPLIT = 10_000   # URLs above which sitemap.xml becomes an index of per-owner sitemaps

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class Item:
    """One line of a list: enough to show and link a page without the whole Page."""

    title: str
    url: str
    date: datetime
    source: str          # department short name (or the portal's name)
    column: str
    summary: str
    validity: str | None


@dataclass(frozen=True)
class Chrome:
    """What every page's frame (head, header, nav, footer) needs."""

    title: str
    description: str
    canonical: str
    meta: tuple[tuple[str, str], ...]
    owner: Department | None
    nav: tuple[Link, ...]
    breadcrumbs: tuple[Link, ...]
    feed: str | None
    accent: str
    search_scope: str | None
    home: str
    contact_url: str


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    links: tuple[Link, ...]
    previous: str | None
    next: str | None


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


# ---------------------------------------------------------------- views


def item(cluster: Cluster, page: Page) -> Item:
    owner = cluster.departments.get(page.owner)
    return Item(page.title, page.url, page.date, owner.short_name if owner else cluster.site.name,
                cluster.columns[page.column].title, page.summary,
                page.disclosure.validity if page.disclosure else None)


def items(cluster: Cluster, ids: Iterable[str]) -> tuple[Item, ...]:
    return tuple(item(cluster, cluster.pages[i]) for i in ids)


def chrome(cluster: Cluster, owner: str, url: str, title: str, description: str,
           crumbs: tuple[Link, ...] = (), meta: tuple[tuple[str, str], ...] = (),
           current: str | None = None) -> Chrome:
    site = cluster.site
    dept = cluster.departments.get(owner)
    nav_home = Link("首页" if dept is None else "部门首页", home_url(owner), current == "home")
    nav = ((nav_home,) + tuple(Link(c.title, c.url, current == c.id) for c in cluster.owner_columns(owner))
           + (Link("信息公开", xxgk_url(owner), current == "xxgk"),))
    base_meta = (("SiteName", site.name), ("SiteDomain", urlsplit(site.base_url).netloc),
                 ("SiteIDCode", site.site_id_code))
    full_title = title if title == site.name else f"{title} - {dept.name if dept else site.name}"
    if dept is not None and title != dept.name:
        full_title += f" - {site.name}"
    contact = page_url(PORTAL, *site.contact_page.split("/")) if site.contact_page else SITEMAP_HTML + "#contact"
    return Chrome(
        title=full_title, description=description[:200], canonical=absolute(site.base_url, url),
        meta=base_meta + meta, owner=dept, nav=nav, breadcrumbs=crumbs,
        feed=feed_url(owner), accent=dept.accent if dept else "blue",
        search_scope=dept.slug if dept else None, home=home_url(owner), contact_url=contact,
    )


def crumbs_for(cluster: Cluster, owner: str, *tail: Link) -> tuple[Link, ...]:
    trail = [Link("首页", "/")]
    if owner != PORTAL:
        trail.append(Link(cluster.departments[owner].name, home_url(owner)))
    return tuple(trail) + tail


def pager(column: Column, number: int, count: int) -> Pager:
    window = range(max(1, number - 3), min(count, number + 3) + 1)
    links = tuple(Link(str(n), column_url(column.owner, column.slug, n), n == number) for n in window)
    return Pager(number, count, links,
                 column_url(column.owner, column.slug, number - 1) if number > 1 else None,
                 column_url(column.owner, column.slug, number + 1) if number < count else None)


# ---------------------------------------------------------------- pages


def render_article(env: jinja2.Environment, cluster: Cluster, page: Page,
                   previous: Page | None, following: Page | None) -> str:
    """One article: a pure function of the page, its neighbours and the cluster's names."""
    column = cluster.columns[page.column]
    owner_name = cluster.owner_name(page.owner)
    meta = (("ColumnName", column.title), ("ColumnType", KIND_NAMES[column.kind]),
            ("ArticleTitle", page.title), ("PubDate", page.date.strftime("%Y-%m-%d %H:%M")),
            ("ContentSource", owner_name), ("Keywords", ",".join(page.keywords)),
            ("Description", page.summary), ("Url", absolute(cluster.site.base_url, page.url)))
    frame = chrome(cluster, page.owner, page.url, page.title, page.summary,
                   crumbs_for(cluster, page.owner, Link(column.title, column.url), Link("正文", page.url, True)),
                   meta, current=column.id)
    interprets = cluster.pages.get(page.interprets) if page.interprets else None
    explained_by = tuple(cluster.pages[i] for i in cluster.interpretations.get(page.id, ()))
    return env.get_template("article.html").render(
        site=cluster.site, chrome=frame, page=page, column=column, source=owner_name,
        previous=previous, next=following, interprets=interprets, explained_by=explained_by,
    )


def render_list(env: jinja2.Environment, cluster: Cluster, column: Column, number: int, count: int,
                ids: tuple[str, ...]) -> str:
    url = column_url(column.owner, column.slug, number)
    title = column.title if number == 1 else f"{column.title}（第{number}页）"
    meta = (("ColumnName", column.title), ("ColumnType", KIND_NAMES[column.kind]))
    description = f"{cluster.owner_name(column.owner)}{column.title}栏目，共{len(cluster.listing[column.id])}条信息。"
    frame = chrome(cluster, column.owner, url, title, description,
                   crumbs_for(cluster, column.owner, Link(column.title, column.url, True)), meta, current=column.id)
    return env.get_template("list.html").render(
        site=cluster.site, chrome=frame, column=column, items=items(cluster, ids),
        pager=pager(column, number, count), total=len(cluster.listing[column.id]),
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


def disclosure_ids(cluster: Cluster) -> dict[str, list[str]]:
    """Disclosure items by owner, newest first, with every item of the cluster under "portal"."""
    by_owner: dict[str, list[str]] = {PORTAL: [], **{d: [] for d in cluster.departments}}
    for p in sorted(cluster.pages.values(), key=newest_first):
        if p.disclosure is not None or cluster.columns[p.column].disclosure:
            by_owner[PORTAL].append(p.id)
            if p.owner != PORTAL:
                by_owner[p.owner].append(p.id)
    return by_owner


def render_xxgk(env: jinja2.Environment, cluster: Cluster, owner: str, disclosed: dict[str, list[str]]) -> str:
    """A department's 政府信息公开 catalog, or (owner = portal) the cluster's unified one."""
    url = xxgk_url(owner)
    name = "政府信息公开" if owner == PORTAL else f"{cluster.departments[owner].name}政府信息公开"
    frame = chrome(cluster, owner, url, name, f"{name}目录：文件名称、文号、成文日期、发布日期与有效性。",
                   crumbs_for(cluster, owner, Link("信息公开", url, True)), current="xxgk")
    rows = tuple((cluster.pages[p], cluster.owner_name(cluster.pages[p].owner)) for p in disclosed[owner])
    counts = tuple((d, len(disclosed[d.slug])) for d in cluster.departments.values()) if owner == PORTAL else ()
    return env.get_template("xxgk.html").render(site=cluster.site, chrome=frame, rows=rows, counts=counts,
                                                portal=owner == PORTAL)


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
    disclosed = disclosure_ids(cluster)
    html(xxgk_url(PORTAL), render_xxgk(env, cluster, PORTAL, disclosed), "site.yaml")
    out.add(NOT_FOUND, render_not_found(env, cluster), "site.yaml")
    out.add("/robots.txt", robots_txt(cluster), "site.yaml")
    all_pages = list(cluster.pages)
    out.add(feed_url(PORTAL), render_feed(env, cluster, cluster.site.name, feed_url(PORTAL), "/", all_pages),
            "site.yaml")

    for dept in cluster.departments.values():
        html(dept.url, render_department(env, cluster, dept), dept.source, owner=dept.slug)
        html(xxgk_url(dept.slug), render_xxgk(env, cluster, dept.slug, disclosed), dept.source, owner=dept.slug)
        own = [p for c in dept.columns for p in cluster.listing[c]]
        out.add(feed_url(dept.slug), render_feed(env, cluster, dept.name, feed_url(dept.slug), dept.url, own),
                dept.source)

    for column in cluster.columns.values():
        ids = cluster.listing[column.id]
        origin = "site.yaml" if column.owner == PORTAL else cluster.departments[column.owner].source
        size = cluster.site.page_size
        count = max(1, math.ceil(len(ids) / size))
        for n in range(1, count + 1):
            html(column_url(column.owner, column.slug, n),
                 render_list(env, cluster, column, n, count, ids[(n - 1) * size:n * size]), origin,
                 owner=column.owner)
        title = f"{column.title} - {cluster.owner_name(column.owner)}"
        out.add(feed_url(column.owner, column.slug),
                render_feed(env, cluster, title, feed_url(column.owner, column.slug), column.url, ids), origin)
        # prev/next run along the column's own pages, not the ones it aggregates from departments
        own = [i for i in ids if cluster.pages[i].column == column.id]
        for n, pid in enumerate(own):
            page = cluster.pages[pid]
            previous = cluster.pages[own[n - 1]] if n > 0 else None
            following = cluster.pages[own[n + 1]] if n + 1 < len(own) else None
            html(page.url, render_article(env, cluster, page, previous, following), page.source, page.date,
                 owner=page.owner)
            done += 1
            if progress and (done % 100 == 0 or done == total):
                progress(done, total)

    for url, source in cluster.files.items():
        out.copy(url, source)  # copied by the writer, never held in memory

    for path, text in sitemap_xml(cluster, site_urls).items():
        out.add(path, text, "site.yaml")
    return out.result()
