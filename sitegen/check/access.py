"""Accessibility the build can see in editors' content: alt text, table headers, heading order, link text."""

from __future__ import annotations

import html
import re

from .context import Context
from .finding import Finding

_IMG = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')
_SRC = re.compile(r'\bsrc="([^"]*)"')
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
_TAGS = re.compile(r"<[^>]+>")
# Link text that says nothing out of context (GB/T 37668 and WCAG 2.4.4: the link names its target).
VAGUE = frozenset({"点击这里", "点击此处", "点这里", "这里", "此处", "点击", "链接", "详情", "更多", "click here", "here"})


def _text(fragment: str) -> str:
    return html.unescape(_TAGS.sub("", fragment)).strip()


def images_without_alt(ctx: Context) -> list[Finding]:
    """Every image in a page's text has alt text (![说明](图片.png))."""
    out = []
    for p in ctx.visible:
        body = ctx.body(p)
        for tag in _IMG.findall(body) if "<img" in body else ():
            alt = _ALT.search(tag)
            if alt is None or not alt.group(1).strip():
                src_match = _SRC.search(tag)
                src = html.unescape(src_match.group(1)) if src_match else ""
                name = src.rsplit("/", 1)[-1]
                out.append(Finding("image-alt", "warning", "alt text on every image (GB/T 37668)",
                                   f"the image {name or tag} without it", "Describe the image: ![说明](图片.png).",
                                   p.owner, p.column, p.source, ctx.body_line(p, name)))
    return out


def tables_without_headers(ctx: Context) -> list[Finding]:
    """Every table in a page's text has a header row."""
    out = []
    for p in ctx.visible:
        body = ctx.body(p)
        for table in _TABLE.findall(body) if "<table" in body else ():
            if "<th" not in table:
                out.append(Finding("table-headers", "warning", "a header row on every table (GB/T 37668)",
                                   "a table without <th> cells", "Give the table a header row (the first row of a "
                                   "Markdown table, above the |---| line).", p.owner, p.column, p.source,
                                   ctx.body_line(p, "<table") or ctx.body_line(p, "|")))
    return out


def heading_order(ctx: Context) -> list[Finding]:
    """Headings go down one level at a time, from ## (the page title is the only #)."""
    out = []
    for p in ctx.visible:
        level, body = 1, ctx.body(p)
        for m in _HEADING.finditer(body) if "<h" in body else ():
            n = int(m.group(1))
            if n > level + 1 or n == 1:
                text = _text(m.group(2))
                out.append(Finding("heading-order", "warning", "headings that go down one level at a time from ## "
                                   "(the page title is the only level 1)", f"level {n} after level {level}: '{text}'",
                                   "Use ## for sections and ### inside them.", p.owner, p.column, p.source,
                                   ctx.body_line(p, text)))
            level = n
    return out


def vague_links(ctx: Context) -> list[Finding]:
    """Link text names its target: not 点击这里 or 更多 on its own."""
    out = []
    for p in ctx.visible:
        body = ctx.body(p)
        for m in _LINK.finditer(body) if "<a" in body else ():
            text = _text(m.group(1))
            if text.lower() in VAGUE:
                out.append(Finding("link-text", "warning", "link text that names its target (GB/T 37668)",
                                   f"'{text}'", "Write what the link opens, such as [实施细则全文](...).",
                                   p.owner, p.column, p.source, ctx.body_line(p, f"[{text}]")))
    return out
