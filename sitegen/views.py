"""Every frozen view a template sees: the whole of what one output shows, and nothing else.

A view is plain, picklable data. Its digest (with the template's) is the cache key of the output,
so a view must hold exactly what the output depends on: no Cluster, no callables, no mappings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable
from urllib.parse import urlsplit

from .disclosure import Entry, YearCounts
from .model import Attachment, Cluster, Column, Consultation, Department, Disclosure, Guide, Heading, Interview, Page, value
from .urls import PORTAL, SITEMAP_HTML, absolute, feed_url, home_url, letters_url, page_url, xxgk_url

# Column kinds as the national page-tagging rules name a column's type (ColumnType).
KIND_NAMES = {
    "news": "工作动态", "notice": "通知公告", "policy": "政策文件", "interpretation": "政策解读",
    "personnel": "人事信息", "plan": "规划计划", "page": "概况信息", "xxgk": "信息公开", "report": "信息公开年报",
    "consultation": "意见征集", "interview": "在线访谈", "service": "办事服务",
}


# ---------------------------------------------------------------- small parts


@value
class Link:
    title: str
    url: str
    current: bool = False


@value
class Ref:
    """Another page as a link shows it: enough to name and date it without its body."""

    title: str
    url: str
    slug: str
    date: datetime
    summary: str


@value
class Item:
    """One line of a list: enough to show and link a page without the whole Page."""

    title: str
    url: str
    date: datetime
    source: str          # department short name (or the portal's name)
    validity: str | None


@value
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


@value
class Pager:
    number: int
    count: int
    links: tuple[Link, ...]
    previous: str | None
    next: str | None


# ---------------------------------------------------------------- one view per template


@value
class ArticleBody:
    """An article as its page shows it (the model's Page less what only search and the build need)."""

    title: str
    date: datetime
    keywords: tuple[str, ...]
    toc: tuple[Heading, ...]
    attachments: tuple[Attachment, ...]
    disclosure: Disclosure | None
    consultation: Consultation | None = None
    interview: Interview | None = None


@value
class Article:
    chrome: Chrome
    page: ArticleBody
    column: Column
    source: str
    body: tuple[str, str]            # HTML before and after the annual report's counts
    counts: YearCounts | None
    previous: Link | None
    next: Link | None
    interprets: Link | None
    explained_by: tuple[Link, ...]
    replaced_by: Link | None
    tabs: tuple[Link, ...]


@value
class ColumnList:
    chrome: Chrome
    column: Column
    items: tuple[Item, ...]
    pager: Pager
    total: int
    feed: str
    aggregated: bool


@value
class ServiceLine:
    """One guide as a directory lists it."""

    title: str           # 事项名称
    url: str
    agency: str          # the department's short name
    type: str            # 事项类型
    audience: tuple[str, ...]
    visits: int          # 到现场次数
    online: bool         # 可网上办理


@value
class DepartmentHome:
    chrome: Chrome
    dept: Department
    blocks: tuple[tuple[Column, tuple[Item, ...]], ...]
    services: tuple[ServiceLine, ...] = ()       # the 办事服务 entry: the guides the admin picked


@value
class PortalHome:
    chrome: Chrome
    blocks: tuple[tuple[str, str | None, tuple[Item, ...]], ...]   # (title, 更多 link, items)
    departments: tuple[Department, ...]
    services: tuple[ServiceLine, ...] = ()


@value
class SiteMap:
    chrome: Chrome
    sections: tuple[tuple[Department | None, tuple[Column, ...]], ...]


@value
class NotFound:
    chrome: Chrome
    departments: tuple[Department, ...]


@value
class FeedEntry:
    title: str
    url: str             # absolute
    date: datetime
    author: str
    summary: str


@value
class Feed:
    title: str
    self_url: str
    home: str
    updated: datetime
    entries: tuple[FeedEntry, ...]


@value
class SearchShell:
    chrome: Chrome


@value
class GuidePage:
    """A 办事指南: its elements in the fixed order, its notes, its structured data."""

    chrome: Chrome
    dept: Department
    guide: Guide
    body: str            # the editor's notes (sanitized HTML): 常见问题, 注意事项
    attachments: tuple[Attachment, ...]
    updated: datetime
    json_ld: str         # schema.org GovernmentService, escaped for a <script> element


@value
class ServiceList:
    """A static page of guides: a department's 办事服务, or the portal's by theme or life event."""

    chrome: Chrome
    heading: str
    lines: tuple[ServiceLine, ...]
    total: int
    pager: Pager
    groups: tuple[tuple[str, tuple["Facet", ...]], ...]   # (group title, links) to browse on
    json_url: str
    csv_url: str
    portal: bool


@value
class ServiceDirectory:
    """The portal's 办事服务 directory: the picks, then by department, theme and life event."""

    chrome: Chrome
    featured: tuple[ServiceLine, ...]
    groups: tuple[tuple[str, tuple["Facet", ...]], ...]
    total: int
    json_url: str
    csv_url: str


# ---------------------------------------------------------------- building views from the cluster


def item(cluster: Cluster, page: Page) -> Item:
    key = ("item", page.id)
    found = cluster.shared.get(key)
    if found is None or found[0] is not page:
        owner = cluster.departments.get(page.owner)
        found = cluster.shared[key] = (page, Item(page.title, page.url, page.date,
                                                  owner.short_name if owner else cluster.site.name,
                                                  page.disclosure.validity if page.disclosure else None))
    return found[1]


def service_line(cluster: Cluster, page: Page) -> ServiceLine:
    key = ("service", page.id)
    found = cluster.shared.get(key)
    if found is None or found[0] is not page:
        g = page.guide
        assert g is not None
        found = cluster.shared[key] = (page, ServiceLine(g.name, page.url, cluster.departments[page.owner].short_name,
                                                         g.type, g.audience, g.visits, g.online is not None))
    return found[1]


def items(cluster: Cluster, ids: Iterable[str]) -> tuple[Item, ...]:
    return tuple(item(cluster, cluster.pages[i]) for i in ids)


def link(page: Page) -> Link:
    return Link(page.title, page.url)


def ref(page: Page) -> Ref:
    return Ref(page.title, page.url, page.slug, page.date, page.summary)


def article_body(page: Page) -> ArticleBody:
    return ArticleBody(page.title, page.date, page.keywords, page.toc, page.attachments, page.disclosure,
                       page.consultation, page.interview)


def chrome(cluster: Cluster, owner: str, url: str, title: str, description: str,
           crumbs: tuple[Link, ...] = (), meta: tuple[tuple[str, str], ...] = (),
           current: str | None = None) -> Chrome:
    site = cluster.site
    dept = cluster.departments.get(owner)
    nav = cluster.shared.get(("nav", owner, current))
    if nav is None:
        nav_home = Link("首页" if dept is None else "部门首页", home_url(owner), current == "home")
        nav = cluster.shared[("nav", owner, current)] = (
            (nav_home,) + tuple(Link(c.title, c.url, current == c.id) for c in cluster.owner_columns(owner))
            + (Link("信息公开", xxgk_url(owner), current == "xxgk"), Link("互动交流", letters_url(owner), current == "hdjl")))
    frame = cluster.shared.get("frame")
    if frame is None:
        frame = cluster.shared["frame"] = (
            (("SiteName", site.name), ("SiteDomain", urlsplit(site.base_url).netloc), ("SiteIDCode", site.site_id_code)),
            page_url(PORTAL, *site.contact_page.split("/")) if site.contact_page else SITEMAP_HTML + "#contact")
    base_meta, contact = frame
    full_title = title if title == site.name else f"{title} - {dept.name if dept else site.name}"
    if dept is not None and title != dept.name:
        full_title += f" - {site.name}"
    return Chrome(
        title=full_title, description=description[:200], canonical=absolute(site.base_url, url),
        meta=base_meta + meta, owner=dept, nav=nav, breadcrumbs=crumbs,
        feed=feed_url(owner), accent=dept.accent if dept else "blue",
        search_scope=dept.slug if dept else None, home=home_url(owner), contact_url=contact,
    )


def minute(when: datetime) -> str:
    """YYYY-MM-DD HH:MM, as the PubDate tag has it (strftime is several times slower, 20,000 times a build)."""
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d} {when.hour:02d}:{when.minute:02d}"


def column_meta(column: Column) -> tuple[tuple[str, str], ...]:
    """The page tags 《政府网站发展指引》 asks of every page in a column: its name, description, keywords, type."""
    return (("ColumnName", column.title), ("ColumnDescription", column.description),
            ("ColumnKeywords", ",".join(column.keywords)), ("ColumnType", KIND_NAMES[column.kind]))


def crumbs_for(cluster: Cluster, owner: str, *tail: Link) -> tuple[Link, ...]:
    trail = [Link("首页", "/")]
    if owner != PORTAL:
        trail.append(Link(cluster.departments[owner].name, home_url(owner)))
    return tuple(trail) + tail


def pager(url: Callable[[int], str], number: int, count: int) -> Pager:
    """Links to the pages around ``number``; ``url(n)`` is the address of page n."""
    window = range(max(1, number - 3), min(count, number + 3) + 1)
    links = tuple(Link(str(n), url(n), n == number) for n in window)
    return Pager(number, count, links, url(number - 1) if number > 1 else None,
                 url(number + 1) if number < count else None)


# ---------------------------------------------------------------- 政府信息公开 pages


@value
class Facet:
    title: str
    url: str
    count: int
    current: bool = False


@value
class FilterChoices:
    """The catalog filter form's choices, from the configuration and the items there are."""

    department: tuple[tuple[str, str], ...]     # (slug, name), on the unified platform only
    category: tuple[str, ...]
    topic: tuple[str, ...]
    genre: tuple[str, ...]
    year: tuple[int, ...]
    validity: tuple[str, ...]


@value
class Catalog:
    """One static page of a catalog table and everything around it."""

    heading: str
    rows: tuple[Entry, ...]
    total: int
    facets: tuple[tuple[str, tuple[Facet, ...]], ...]   # (group title, links)
    sorts: tuple[Link, ...]                             # 按发布日期 / 按成文日期
    data: str                                           # the JSON the filter script loads
    csv: str
    options: FilterChoices
    sort: str = "published-desc"                        # the order of the static table, for the filter


@value
class CatalogPage:
    chrome: Chrome
    catalog: Catalog
    portal: bool
    tabs: tuple[Link, ...]
    pager: Pager


@value
class SectionHome:
    chrome: Chrome
    dept: Department
    tabs: tuple[Link, ...]
    guide: Ref | None
    categories: tuple[Facet, ...]
    latest: tuple[Entry, ...]
    total: int
    reports: tuple[Ref, ...]
    catalog_url: str
    json_url: str
    csv_url: str


@value
class SectionPage:
    """A page of a department's section that shows the department and its tabs: reports, how to apply."""

    chrome: Chrome
    dept: Department
    tabs: tuple[Link, ...]
    reports: tuple[Ref, ...] = ()
    guide: Ref | None = None
    form_url: str = ""
    apply_url: str = ""
    catalog_url: str = ""


# ---------------------------------------------------------------- 互动交流 (published letters)


@value
class LetterLine:
    title: str
    url: str
    number: str
    kind: str
    received: datetime
    replied: datetime


@value
class MailboxFigures:
    name: str
    received: int
    answered: int
    average_days: float | None


@value
class LetterList:
    chrome: Chrome
    title: str
    lines: tuple[LetterLine, ...]
    total: int
    figures: MailboxFigures
    kinds: tuple[Facet, ...]
    years: tuple[Facet, ...]
    everything: Facet
    pager: Pager
    write: str
    lookup: str


@value
class LetterPage:
    chrome: Chrome
    number: str
    title: str
    kind: str
    mailbox: str
    writer: str
    received: datetime
    body: tuple[str, ...]        # paragraphs of plain text: the template escapes them
    reply: tuple[str, ...]
    replied_by: str
    replied: datetime
    back: str


@value
class LettersShell:
    chrome: Chrome
