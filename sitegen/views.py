"""Typed views for templates: links, list items, a page's frame (Chrome) and pagers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable
from urllib.parse import urlsplit

from .model import Cluster, Department, Page
from .urls import PORTAL, SITEMAP_HTML, absolute, feed_url, home_url, page_url, xxgk_url

# Column kinds as the national page-tagging rules name a column's type (ColumnType).
KIND_NAMES = {
    "news": "工作动态", "notice": "通知公告", "policy": "政策文件", "interpretation": "政策解读",
    "personnel": "人事信息", "plan": "规划计划", "page": "概况信息", "xxgk": "信息公开", "report": "信息公开年报",
}



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


def pager(url: Callable[[int], str], number: int, count: int) -> Pager:
    """Links to the pages around ``number``; ``url(n)`` is the address of page n."""
    window = range(max(1, number - 3), min(count, number + 3) + 1)
    links = tuple(Link(str(n), url(n), n == number) for n in window)
    return Pager(number, count, links, url(number - 1) if number > 1 else None,
                 url(number + 1) if number < count else None)
