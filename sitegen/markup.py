"""Markdown to safe HTML: python-markdown, an allow-list sanitizer, and internal links."""

from __future__ import annotations

import html
import re
import signal
import threading
from contextlib import contextmanager
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import markdown
import nh3
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.toc import TocExtension, TocTreeprocessor, slugify_unicode
from markdown.inlinepatterns import Pattern
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString, Registry

from . import prose
from .cache import digest
from .model import Heading

# Links the resolver could not place: (the link as written, why) for the caller to report.
Resolve = Callable[[str], "str | None"]

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "sub", "sup", "small", "mark", "abbr", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "code", "pre", "span", "div", "figure", "figcaption",
}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "ol": {"start", "type"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Ids the theme uses; an editor's {: #main } must not capture the skip link.
THEME_IDS = {"main", "top", "site-nav", "site-header", "site-footer", "search", "q", "content", "toc"}
_ALIGN = re.compile(r"^text-align:\s*(left|right|center);?$")


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id" and value in THEME_IDS:
        return None
    if name == "style":
        # python-markdown writes table alignment as style; keep only that.
        return value if _ALIGN.match(value) else None
    return value


@dataclass(frozen=True)
class Html:
    body: str
    text: str
    toc: tuple[Heading, ...]
    broken: tuple[str, ...]    # relative links that resolved to nothing
    refused: str | None = None   # why python-markdown could not convert it (then nothing is published)


class _Links(Treeprocessor):
    """Rewrite relative links and images through the resolver; demote h1 to h2.

    Runs after attr_list (8) and before toc (5), so the contents list sees the final ids.
    """

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.resolve: Resolve = lambda href: href
        self.broken: list[str] = []

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            if el.tag == "h1":
                el.tag = "h2"
            id_ = el.get("id")
            if id_ in THEME_IDS:
                el.set("id", "c-" + id_)
            attr = "href" if el.tag == "a" else "src" if el.tag == "img" else None
            target = el.get(attr) if attr else None
            if attr is None or target is None or not is_relative(target):
                continue
            url = self.resolve(target)
            if url is None:
                self.broken.append(target)
            else:
                el.set(attr, url)


# What each inline pattern needs in a text to match at all: a literal that its regular expression
# requires (a link's "[", emphasis' "*" or "_", a hard line break's two spaces before a newline).
# A pattern not named here is always tried.
NEEDS: dict[str, str] = {
    "backtick": "`", "escape": r"\\", "footnote": r"\[", "reference": r"\[", "link": r"\[",
    "image_link": r"\[", "image_reference": r"\[", "short_reference": r"\[", "short_image_ref": r"\[",
    "autolink": "<", "automail": "<", "html": "<", "entity": "&", "linebreak": "  \n", "em_strong": r"[*_]",
}


class _Inline(InlineProcessor):
    """python-markdown's inline pass, skipping the patterns a text cannot match.

    The stock pass tries every pattern on every text node, most of them on Chinese prose with no
    markup in it; a pattern whose required character is absent finds nothing, so skipping it
    changes nothing but the time (tests/test_markup.py compares the two on every demo page). The
    stock pass also looks each pattern up in a registry that sorts itself on every lookup.
    """

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self._patterns: list[Pattern] = []
        self._needs: list[re.Pattern[str] | None] = []
        self._any: re.Pattern[str] | None = None

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        if len(self._patterns) != len(self.md.inlinePatterns):     # first run: the registry is complete
            registry = self.md.inlinePatterns
            needs: list[str | None] = [None] * len(registry)
            for name, need in NEEDS.items():
                if name in registry:
                    needs[registry.get_index_for_name(name)] = need
            self._patterns = list(registry)
            self._needs = [re.compile(n) if n is not None else None for n in needs]
            # A text with none of the needed literals skips the whole pass (when every pattern has one).
            self._any = re.compile("|".join(n for n in needs if n is not None)) if None not in needs else None
        return super().run(tree, ancestors)

    # Overrides InlineProcessor.__handleInline (name-mangled); __applyPattern calls back into it.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString) or (self._any is not None and self._any.search(data) is None):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns, needs = self._patterns, self._needs
        count = len(patterns)
        start = 0
        while patternIndex < count:
            need = needs[patternIndex]
            if need is not None and need.search(data) is None:
                patternIndex, start = patternIndex + 1, 0     # what a pattern that found nothing returns
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


class _Listed(Registry):
    """A registry that keeps its sorted list until it changes: the stock one builds a new list on every
    iteration, and the block parser iterates its processors once per block."""

    _listed: list | None = None

    def register(self, item: Any, name: str, priority: float) -> None:
        self._listed = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self._listed = None
        super().deregister(name, strict)

    def __iter__(self) -> Iterator:
        if self._listed is None:
            self._listed = list(super().__iter__())
        return iter(self._listed)


class _Toc(TocTreeprocessor):
    """The stock contents pass, without building the contents list's HTML when no [TOC] asks for it:
    sitegen keeps only the headings (toc_tokens), never md.toc."""

    def build_toc_div(self, toc_list: list) -> etree.Element:
        return super().build_toc_div(toc_list) if self.marker else etree.Element("div")


def _block_level(blocks: frozenset[str]) -> Callable[[Any], bool]:
    """python-markdown's is_block_level over a set, remembering the answer for each tag seen."""
    known: dict[Any, bool] = {}

    def is_block_level(tag: Any) -> bool:
        answer = known.get(tag)
        if answer is None:
            answer = isinstance(tag, str) and tag.lower().rstrip("/") in blocks
            if len(known) < 1000:     # an editor's raw HTML names its own tags: keep the memory bounded
                known[tag] = answer
        return answer
    return is_block_level


def is_relative(href: str) -> bool:
    """A link into the content tree: no scheme, not site-absolute, not a bare fragment."""
    return bool(href) and not href.startswith(("#", "/", "//")) and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href)


# Part of every cached conversion's key: this module's own text (its extensions and allow-list),
# prose.py's, and the versions of the libraries they drive, so no edit can leave an old conversion in use.
MARKUP_VERSION = digest(Path(__file__).read_bytes(), Path(prose.__file__).read_bytes(), markdown.__version__,
                        getattr(nh3, "__version__", ""))[:16]


class Markup:
    """One reusable converter; python-markdown is slow to set up and cheap to reset."""

    def __init__(self) -> None:
        self._setup()

    def _setup(self) -> None:
        self.md = markdown.Markdown(
            extensions=[
                "tables", "fenced_code", "attr_list", "sane_lists",
                FootnoteExtension(BACKLINK_TITLE="返回正文中脚注 %d 的位置"),
                TocExtension(slugify=slugify_unicode, toc_depth="2-3"),
            ],
            output_format="html",
        )
        self.links = _Links(self.md)
        self.md.treeprocessors.register(self.links, "sitegen-links", 6)
        self.md.treeprocessors.register(_Inline(self.md), "inline", 20)    # replaces the stock pass
        self.toc = self.md.treeprocessors["toc"]
        self.toc.__class__ = _Toc
        for registry in (self.md.preprocessors, self.md.parser.blockprocessors, self.md.treeprocessors,
                         self.md.inlinePatterns, self.md.postprocessors):
            registry.__class__ = _Listed
        # The stock test scans a list of names, for every element, several times per conversion.
        self.md.is_block_level = _block_level(frozenset(self.md.block_level_elements))  # type: ignore[method-assign,assignment]
        # python-markdown looks for the closing ] and ) of every [ to the end of the paragraph: an
        # editor's paragraph of unclosed "[x](" took 53 s at 48 KB. No real link text or address is
        # longer than LINK_WINDOW, so the look stops there and the cost grows with the length only.
        for name in ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref"):
            if name in self.md.inlinePatterns:
                processor = self.md.inlinePatterns[name]
                # The stubs type the registry by its base, Pattern; these six are all LinkInlineProcessors.
                processor.getText = _windowed(processor.getText)  # type: ignore[attr-defined]
                if hasattr(processor, "getLink"):
                    processor.getLink = _windowed(processor.getLink)

    def convert(self, text: str, resolve: Resolve) -> Html:
        """The page's HTML: plain prose in one pass (prose.py, the same bytes), the rest through python-markdown."""
        made = prose.render(text, lambda href: resolve(href) if is_relative(href) else href)
        if made is None:
            return self.full(text, resolve)
        raw, toc, broken, words = made
        return Html(sanitize(raw), words, tuple(_flatten(toc)), tuple(broken))

    def full(self, text: str, resolve: Resolve) -> Html:
        """The text through python-markdown, for any text prose.render() does not take."""
        self.md.reset()
        self.links.resolve, self.links.broken = resolve, []
        # The contents list replaces a paragraph of just [TOC]; its search visits every element,
        # and only a text holding the marker can have one (escapes and entities are still stashed then).
        self.toc.marker = TOC_MARKER if TOC_MARKER in text else ""  # type: ignore[attr-defined]
        # content.costly refuses deep lists and quotes and the constructs python-markdown is slow on,
        # at their line, before this; these are for whatever else it recurses or spends time on.
        try:
            with _deadline(PAGE_SECONDS):
                raw = self.md.convert(text)
        except RecursionError:
            self._setup()
            return Html("", "", (), (), "nesting deeper than the Python stack allows")
        except _Overtime:
            self._setup()     # interrupted anywhere: start from a clean converter
            return Html("", "", (), (), f"a page that takes longer than {PAGE_SECONDS} s to convert")
        body = sanitize(raw)
        toc = tuple(_flatten(getattr(self.md, "toc_tokens", [])))
        return Html(body, plain_text(body), toc, tuple(self.links.broken))


TOC_MARKER = "[TOC]"     # python-markdown's default marker
LINK_WINDOW = 2000
PAGE_SECONDS = 10      # the demo's slowest page converts in 9 ms; a 1 MiB page within the bounds in about 2 s


class _Overtime(BaseException):
    """Raised inside python-markdown by the alarm (a BaseException: no `except Exception` there swallows it)."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    # Signals reach the main thread only; elsewhere (a preview server's thread) the bounds of
    # content.costly are the guard.
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _windowed(scan: Callable) -> Callable:
    def bounded(data: str, index: int, *rest):
        return scan(data[: index + LINK_WINDOW], index, *rest)
    return bounded


# Built once: nh3.clean builds its cleaner from the allow-lists on every call.
_CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, attribute_filter=_attribute,
                       link_rel=None, strip_comments=True)


def sanitize(fragment: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes; drop script and style content."""
    clean = _CLEANER.clean(fragment)
    if "<img" not in clean:
        return clean
    # An image whose source was unsafe is gone; one without alt text gets an empty one.
    clean = _IMG_NO_SRC.sub("", clean)
    return _IMG_NO_ALT.sub("<img alt=\"\"", clean)


_IMG_NO_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_IMG_NO_ALT = re.compile(r"<img(?![^>]*\salt=)")
_TAG = re.compile(r"<[^>]+>")
# Block boundaries become spaces; inline tags vanish, since Chinese runs words together.
_BLOCK = re.compile(r"</?(?:p|h[1-6]|li|ul|ol|dl|dt|dd|t[dhr]|table|thead|tbody|caption|div|pre|blockquote|figure"
                    r"|figcaption)\b[^>]*>|<(?:br|hr)\b[^>]*>")


def plain_text(fragment: str) -> str:
    text = _TAG.sub("", _BLOCK.sub(" ", fragment))
    return " ".join(html.unescape(text).replace("↩", "").split())     # split() and \s agree on what is a space


def _flatten(tokens: list[dict]) -> list[Heading]:
    out: list[Heading] = []
    for t in tokens:
        out.append(Heading(t["level"], t["id"], html.unescape(_TAG.sub("", t["name"]))))
        out.extend(_flatten(t.get("children", [])))
    return out


def line_of_text(body: str, needle: str, first_line: int) -> int:
    """The file line where a link first appears in a body (python-markdown keeps no lines)."""
    at = body.find(needle)
    return first_line + (body.count("\n", 0, at) if at >= 0 else 0)
