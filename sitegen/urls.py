"""Slugs, URLs and output paths: the only place that knows the URL scheme."""

from __future__ import annotations

import re
from posixpath import join

PORTAL = "portal"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
OWNER_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
# Top-level names the generator or the search service own; departments and portal
# columns share the rest of the namespace.
# hdjl is the portal's 互动交流 (市长信箱); /letters/ is the letters service.
RESERVED = frozenset({"search", "static", "xxgk", "bsfw", "sitemap", PORTAL, "feed", "page", "404", "hdjl", "letters"})
# Names a page slug may not take inside a column, because the column's own outputs live there.
RESERVED_SLUGS = frozenset({"page", "feed", "files", "index"})


def prefix(owner: str) -> str:
    """The URL folder of an owner: the portal lives at the root, a department at /<dept>/."""
    return "/" if owner == PORTAL else f"/{owner}/"


def home_url(owner: str) -> str:
    return prefix(owner)


def column_url(owner: str, column: str, page: int = 1) -> str:
    base = f"{prefix(owner)}{column}/"
    return base if page <= 1 else f"{base}page/{page}/"


def page_url(owner: str, column: str, slug: str) -> str:
    return f"{prefix(owner)}{column}/{slug}/"


def file_url(owner: str, relpath: str) -> str:
    """An attachment's URL: its path inside the owner's content folder."""
    return prefix(owner) + relpath


def feed_url(owner: str, column: str | None = None) -> str:
    return (column_url(owner, column) if column else prefix(owner)) + "feed.xml"


# The 政府信息公开 section's folders: /<dept>/xxgk/ holds the guide (zn), the rules (zd), the catalog,
# the annual reports and how to apply; the portal's /xxgk/ holds the unified platform and its facets.
XXGK = "xxgk"
CATALOG = "fdzdgknr"     # 法定主动公开内容
BY_WRITTEN = "cwrq"      # the catalog ordered by 成文日期
REPORTS = "nb"           # 政府信息公开年报, one page per year
APPLY = "ysqgk"          # 依申请公开
FORM = "sqb"             # its printable 申请表
BY_CATEGORY, BY_TOPIC, BY_YEAR = "lb", "zt", "nd"    # the platform's facets: /xxgk/<facet>/<value>/


def xxgk_url(owner: str, *parts: str, page: int = 1) -> str:
    """The 政府信息公开 section: /xxgk/ (the portal's unified platform) or /<dept>/xxgk/, and pages in it."""
    base = f"{prefix(owner)}{XXGK}/" + "".join(f"{p}/" for p in parts)
    return base if page <= 1 else f"{base}page/{page}/"


BSFW = "bsfw"            # 办事服务: a department's guides, and the portal's directory of them


def bsfw_url(owner: str, *parts: str, page: int = 1) -> str:
    """The 办事服务 section: /bsfw/ (the portal's directory) or /<dept>/bsfw/, and pages in it."""
    base = f"{prefix(owner)}{BSFW}/" + "".join(f"{p}/" for p in parts)
    return base if page <= 1 else f"{base}page/{page}/"


SITEMAP_HTML = "/sitemap/"
SEARCH = "/search/"
LETTERS = "/letters/"


def letters_url(owner: str, *parts: str, page: int = 1) -> str:
    """A mailbox's published letters (互动交流): /hdjl/ (市长信箱) or /<dept>/hdjl/, and pages in it."""
    base = f"{prefix(owner)}hdjl/" + "".join(f"{p}/" for p in parts)
    return base if page <= 1 else f"{base}page/{page}/"


def write_url(owner: str) -> str:
    """The run-time letter form, with the owner's mailbox chosen."""
    return f"{LETTERS}write/?to={owner}"
NOT_FOUND = "/404.html"


def output_path(url: str) -> str:
    """Where a URL is written inside the web root: folders get an index.html."""
    path = url.lstrip("/")
    return join(path, "index.html") if url.endswith("/") else path


def absolute(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + url
