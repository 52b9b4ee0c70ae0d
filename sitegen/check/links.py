"""Internal links and anchors in page text, including those raw HTML wrote past the build's resolver."""

from __future__ import annotations

import html
import posixpath
import re
from functools import cache
from urllib.parse import unquote, urlsplit

from ..urls import output_path
from .context import Context
from .finding import Finding

HREF = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')


def internal_path(href: str, page_url: str, base_url: str) -> tuple[str, str] | None:
    """(path, fragment) of a link inside the site, or None for another site, mail or phone."""
    href = html.unescape(href).strip()
    if href.startswith(base_url + "/") or href == base_url:
        href = href[len(base_url):] or "/"
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("//"):
        return None
    path = unquote(parts.path)
    if not path:
        return page_url, parts.fragment
    if not path.startswith("/"):
        path = posixpath.normpath(posixpath.join(page_url, path)) + ("/" if path.endswith("/") else "")
    return path, parts.fragment


def broken_links(ctx: Context) -> list[Finding]:
    """Every internal link in a page's text leads to a built file, and every #anchor to an id there."""
    cluster = ctx.cluster
    known = {p.url for p in cluster.pages.values()} | {c.url for c in cluster.columns.values()} | set(cluster.files)
    known |= {d.url for d in cluster.departments.values()} | {"/"}
    by_url = {p.url: p for p in cluster.pages.values()}

    @cache
    def exists(path: str) -> bool:
        return path in known or (ctx.output / output_path(path)).is_file()

    @cache
    def ids(path: str) -> frozenset[str]:
        page = by_url.get(path)
        found = set(_ID.findall(ctx.body(page))) | {h.id for h in page.toc} if page else set()
        html_text = ctx.read(path) or ""
        return frozenset(found | set(_ID.findall(html_text)))

    out = []
    for p in ctx.visible:
        body = ctx.body(p)
        if "href=" not in body:
            continue
        for href in HREF.findall(body):
            target = internal_path(href, p.url, cluster.site.base_url)
            if target is None:
                continue
            path, fragment = target
            if not exists(path):
                out.append(Finding("broken-link", "deduction", "a link to a page or file of the site",
                                   f"'{href}', which is not in the built site", "Correct the address, or link the "
                                   "page's source file (../zcwj/x.md) so the build checks it.", p.owner, p.column,
                                   p.source, ctx.body_line(p, href)))
            elif fragment and unquote(fragment) not in ids(path):
                out.append(Finding("broken-anchor", "deduction", f"an element with id '{unquote(fragment)}' on {path}",
                                   f"the link '{href}' to no such anchor", "Link an existing heading, or drop the "
                                   "#part.", p.owner, p.column, p.source, ctx.body_line(p, href)))
    return out
