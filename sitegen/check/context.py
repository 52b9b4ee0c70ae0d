"""What every rule reads: the cluster, the built web root, the day of the check, and the sources."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Mapping

from ..cache import Cache
from ..content import Source
from ..markup import plain_text
from ..model import Cluster, Page
from ..urls import output_path

MAX_HTML_BYTES = 4 * 1024 * 1024     # a built page larger than this is read only this far
_META = re.compile(r'<meta\s+name="([A-Za-z]+)"\s+content="([^"]*)"')


@dataclass(frozen=True)
class Built:
    """What the rules need of one built HTML file: read once, kept small (20,000 pages fit in memory)."""

    meta: dict[str, str]
    dated: bool          # shows a <time> element
    notice: bool         # shows the theme's validity notice (本文件已于…失效/废止)


@dataclass
class Context:
    cluster: Cluster
    web_root: Path | None              # None for the rules on the cluster alone (check.begin())
    as_of: datetime                    # China time, naive like the content's dates
    root: Path | None = None           # the site's folder, to find the line of a finding in its source
    scheduled: tuple[Source, ...] = ()
    _lines: dict[str, list[str]] = field(default_factory=dict)
    _built: dict[str, Built | None] = field(default_factory=dict)
    # In a build: each output's key (equal keys, equal bytes) and the build's cache, so what the
    # rules read of an unchanged page is taken from the cache instead of its file.
    keys: Mapping[str, str] = field(default_factory=dict)
    cache: Cache | None = None
    _text: dict[str, str] = field(default_factory=dict)
    _bodies: dict[str, str] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.as_of.date()

    def age(self, when: datetime | date) -> int:
        """Whole days from ``when`` to the day of the check."""
        day = when.date() if isinstance(when, datetime) else when
        return (self.today - day).days

    @cached_property
    def visible(self) -> tuple[Page, ...]:
        """The pages a citizen can see on the day of the check (a page dated later is not public yet)."""
        return tuple(p for p in self.cluster.pages.values() if p.date <= self.as_of)

    def line(self, rel: str, needle: str, after: int = 0) -> int | None:
        """The first line of a source file (from line ``after`` on) that contains ``needle``."""
        if self.root is None or not needle:
            return None
        if rel not in self._lines:
            try:
                self._lines[rel] = (self.root / rel).read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self._lines[rel] = []
        for n, text in enumerate(self._lines[rel][after:], after + 1):
            if needle in text:
                return n
        return None

    def body_line(self, page: Page, needle: str) -> int | None:
        """The line of ``needle`` in a page's body (after its front matter), else anywhere in the file."""
        start = self._front_matter_end(page.source)
        return self.line(page.source, needle, start) or self.line(page.source, needle)

    def _front_matter_end(self, rel: str) -> int:
        self.line(rel, "---")
        rows = self._lines.get(rel, [])
        return next((i + 1 for i in range(1, len(rows)) if rows[i].rstrip() == "---"), 0)

    def read(self, url: str) -> str | None:
        """The built file of a URL as text, or None when the web root has no such file."""
        try:
            # os.path, not pathlib: this runs for every page of the cluster, in every build
            with open(os.path.join(self._web_root, output_path(url)), "rb") as f:
                return f.read(MAX_HTML_BYTES).decode("utf-8", "replace")
        except OSError:
            return None

    @cached_property
    def _web_root(self) -> str:
        return os.fspath(self.output)

    @property
    def output(self) -> Path:
        """The web root, for a rule that reads it (one in check.READS_OUTPUT)."""
        if self.web_root is None:
            raise RuntimeError("a rule on the cluster alone read the web root: list it in check.READS_OUTPUT")
        return self.web_root

    def built(self, url: str) -> Built | None:
        """What the rules need of a URL's built file (read once per check), or None when it is missing."""
        if url not in self._built:
            key = self.keys.get(output_path(url)) if self.cache is not None else None
            known = self.cache.get("built", key) if self.cache is not None and key else None
            if known is not None:
                self._built[url] = known
                return known
            html = self.read(url)
            if html is None:
                self._built[url] = None
            else:
                self._built[url] = _facts(html)
                if self.cache is not None and key:
                    self.cache.put("built", key, self._built[url])
        return self._built[url]

    # A cluster assembled by sitegen.check.cluster.load() skips the Markdown (check renders
    # nothing): a page's body then comes from its built file. One from the build has it already.

    def body(self, page: Page) -> str:
        if page.body:
            return page.body
        if page.url not in self._bodies:
            self._bodies[page.url] = _article_body(self.read(page.url) or "")
        return self._bodies[page.url]

    def text(self, page: Page) -> str:
        if page.body:
            return page.text
        if page.id not in self._text:
            self._text[page.id] = plain_text(self.body(page))
        return self._text[page.id]

    def headings(self, page: Page) -> tuple[str, ...]:
        if page.toc:
            return tuple(h.text for h in page.toc)
        return tuple(plain_text(m.group(1)) for m in _HEADING.finditer(self.body(page)))


def facts(data: bytes) -> Built:
    """What the rules need of a built HTML file, from its bytes: a build's render workers call this
    on what they render, so the check that follows reads no page again."""
    return _facts(data[:MAX_HTML_BYTES].decode("utf-8", "replace"))


def _facts(html: str) -> Built:
    end = html.find("</head>")
    head = html[:end] if end >= 0 else html[:8192]
    return Built(dict(_META.findall(head)), "<time" in html, 'class="notice notice-' in html)


_BODY = '<div class="article-body">'
_DIV = re.compile(r"<(/?)div\b")
_HEADING = re.compile(r"<h[2-6]\b[^>]*>(.*?)</h[2-6]>", re.S)


def _article_body(html: str) -> str:
    """The inside of the theme's article-body element, matching its closing tag by depth."""
    start = html.find(_BODY)
    if start < 0:
        return ""
    start += len(_BODY)
    depth = 1
    for m in _DIV.finditer(html, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return html[start:m.start()]
    return html[start:]
