"""Plain prose: a page of paragraphs, headings, flat lists, pipe tables and links, converted directly.

Most of a government cluster's pages are only that. python-markdown spends about a millisecond on
each (a tree built, walked by eight passes, serialized): most of a cold build's CPU. Here such a
text becomes the HTML python-markdown would make of it, byte for byte, with markup.py's extensions,
in a single pass over its lines. Anything else, or anything whose reading here could differ
in the smallest way, returns None and goes to python-markdown: the rules below refuse near misses
rather than imitate python-markdown's corner cases. tests/test_prose.py compares the two on every
demo page and on thousands of generated texts built to sit near every rule's edge.
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable

from markdown.extensions.toc import nest_toc_tokens, slugify_unicode, unique
# The serializer's own attribute escaping, so that an address is escaped exactly as python-markdown
# escapes it (an & that starts an entity stays); MARKUP_VERSION follows markdown's version. It is
# private, so the typing stubs leave it out.
from markdown.serializers import _escape_attrib_html as _attribute  # type: ignore[attr-defined]

# What to write for a link's address: another address, or None when it leads nowhere (then the
# address stays as written and is reported).
Link = Callable[[str], "str | None"]
Heading = Any       # python-markdown's toc token, a dict: level, id, name (and children, once nested)
Block = tuple[str, Any]     # ("p", text), ("h", (level, words)), ("ol"/"ul", (start, items)), ("table", (align, rows))

# Characters that start Markdown or HTML constructs beyond these (emphasis but **strong**, code,
# escapes, raw HTML, entities, attribute lists, footnotes, images), and control characters
# python-markdown treats apart.
_REFUSED = re.compile(r"[\x00-\x09\x0b-\x1f\x7f<>&`\\{}~]|!\[|\[\^|\*\*\*")
# A line that means something at its start: a heading, quote, fence, rule, list item, table row or
# setext underline, an indented code block (**strong** is only text).
_MARKED = re.compile(r"[#>=|+~`_ -]|\*(?!\*[^\s*])|\d+\.( |$)")
_OL_ITEM = re.compile(r"(\d+)\. +(.*)")
_UL_ITEM = re.compile(r"[-+] +(.*)")
_HEADING = re.compile(r"(#{1,6})([^#]*)")
# A link as python-markdown reads it, with no title, angle brackets, spaces or nesting to read.
_LINK = re.compile(r"\[([^\[\]\n_|^][^\[\]\n_|]*)\]\(([^\s()\[\]<>\"'&\\|*]+)\)")
# Strong text that opens and closes on a character other than a space (else python-markdown
# leaves the asterisks as they are).
_STRONG = re.compile(r"\*\*([^*\s](?:[^*\n]*[^*\s])?)\*\*")
_LOOSE = re.compile(r"[\[\]_|*]")      # what may appear only inside a link, **strong** or a table's row
_SEPARATOR = set("|:- ")
_BREAK = "  \n"        # two spaces at a line's end: a line break
_BLANK = re.compile(r"(?<=\n) +\n")
_BREAK_HTML = "<br>\n"


def render(text: str, link: Link) -> tuple[str, list[Heading], list[str], str] | None:
    """The HTML python-markdown makes of ``text`` (before sanitizing), its headings as toc tokens,
    the links that lead nowhere, and its words as markup.plain_text() reads them from that HTML;
    None when the text is not plain prose.

    ``link`` is called once per link, in the order of the document, and only once the whole text
    has been read as plain prose: a text refused here was never partly converted."""
    if _REFUSED.search(text):
        return None
    # python-markdown's whitespace pass: a line of spaces after a newline becomes empty.
    lines = (_BLANK.sub("\n", text + "\n\n") if "\n " in text else text + "\n\n").split("\n")
    if lines[0].strip(" ") == "" and lines[0]:
        return None     # spaces before the first line: an indented code block
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if line:
            chunk.append(line)
        elif chunk:
            if not _chunk(chunk, blocks):
                return None
            chunk = []
    return _emit(blocks, link)


def _chunk(lines: list[str], blocks: list[Block]) -> bool:
    """Read one run of lines between blank lines into ``blocks``; False when it is not plain prose.

    A heading line ends what came before it and starts what follows, as python-markdown's heading
    pass splits any block around the first heading it finds."""
    start = 0
    for i, line in enumerate(lines + ["#"]):
        if not line.startswith("#"):
            continue
        if i > start:
            if lines[start].startswith("|"):
                # A table runs to the blank line: python-markdown's table pass, which comes before
                # the heading pass, would take a heading after it for a row.
                if i != len(lines) or not _table(lines[start:i], blocks):
                    return False
            elif not _items(lines[start:i], blocks) and not _paragraph(lines[start:i], blocks):
                return False
        if i == len(lines):
            return True
        heading = _HEADING.fullmatch(line)
        if heading is None:
            return False
        words = heading.group(2).strip()
        if not words or _LOOSE.search(words):
            return False
        blocks.append(("h", (len(heading.group(1)), words)))
        start = i + 1
    return True


def _paragraph(lines: list[str], blocks: list[Block]) -> bool:
    for n, line in enumerate(lines):
        if _MARKED.match(line):
            return False
        if line.endswith(" "):
            # Two spaces end a line with a break, if a line follows in the same paragraph; any other
            # count of spaces is left in the text, which python-markdown does in ways not worth copying.
            if n == len(lines) - 1 or not line.endswith("  ") or line.endswith("   "):
                return False
            # python-markdown puts a bare newline after a break whose following text is only spaces.
            after = lines[n + 1]
            if after[:1].isspace() and after.lstrip()[:1] in ("", "[", "*"):
                return False
    text = "\n".join(lines).lstrip()
    if text:        # python-markdown drops a paragraph of only (Unicode) spaces
        blocks.append(("p", text))
    return True


def _items(lines: list[str], blocks: list[Block]) -> bool:
    """A list whose every line is an item of one kind, each a single line of prose."""
    ordered = _OL_ITEM.fullmatch(lines[0])
    if ordered is None and _UL_ITEM.fullmatch(lines[0]) is None:
        return False
    tag, pattern = ("ol", _OL_ITEM) if ordered else ("ul", _UL_ITEM)
    if blocks and blocks[-1][0] == tag:
        return False        # python-markdown joins it to the list before: a loose list, items in <p>
    items = []
    for line in lines:
        item = pattern.fullmatch(line)
        if item is None:
            return False
        words = item.groups()[-1]
        if _MARKED.match(words) or words.endswith(" ") or not words.strip():
            return False
        items.append(words.lstrip())
    # sane_lists: an ordered list says its first number when it is not 1.
    start = ordered.group(1) if ordered and ordered.group(1) != "1" else None
    blocks.append((tag, (start, items)))
    return True


def _table(lines: list[str], blocks: list[Block]) -> bool:
    """A pipe table of two or more columns, every row starting with a pipe (the tables extension)."""
    if len(lines) < 2 or any(not row.startswith("|") or row.endswith(" ") for row in lines):
        return False
    header, separator = _cells(lines[0]), _cells(lines[1])
    if len(header) < 2 or len(separator) != len(header) or not set("".join(separator)) <= _SEPARATOR:
        return False
    align = []
    for cell in separator:
        cell = cell.strip(" ")
        left, right = cell.startswith(":"), cell.endswith(":")
        align.append("center" if left and right else "left" if left else "right" if right else None)
    rows = [[(cells[i].strip(" ") if i < len(cells) else "") for i in range(len(align))]
            for cells in map(_cells, [lines[0]] + lines[2:])]
    blocks.append(("table", (align, rows)))
    return True


def _cells(row: str) -> list[str]:
    row = row[1:]
    return (row[:-1] if row.endswith("|") else row).split("|")


def _emit(blocks: list[Block], link: Link) -> tuple[str, list[Heading], list[str], str] | None:
    texts: list[str] = []
    for kind, value in blocks:
        if kind == "p":
            texts.append(value)
        elif kind in ("ol", "ul"):
            texts.extend(value[1])
        elif kind == "table":
            texts.extend(cell for row in value[1] for cell in row)
    if not all(_plain(t) for t in texts):
        return None
    out: list[str] = []
    headings: list[Heading] = []
    used: set[str] = set()
    counters: dict[str, int] = {}
    broken: list[str] = []

    def inline(words: str) -> str:
        if "[" in words:
            words = _LINK.sub(lambda m: _anchor(_strong(m.group(1)), m.group(2), link, broken), words)
        return _strong(words)

    for kind, value in blocks:
        if kind == "p":
            out.append(f"<p>{inline(value).replace(_BREAK, _BREAK_HTML)}</p>")
        elif kind == "h":
            level, words = value
            level = max(level, 2)     # markup.py demotes h1: a page has one h1, its title
            name = " ".join(words.split())
            id_ = unique(slugify_unicode(html.unescape(name), "-"), used, counters)
            if 2 <= level <= 3:       # the contents list's depth, toc_depth "2-3"
                headings.append({"level": level, "id": id_, "name": name})
            out.append(f'<h{level} id="{id_}">{words}</h{level}>')
        elif kind in ("ol", "ul"):
            start, items = value
            opening = f'<ol start="{start}">' if start else f"<{kind}>"
            out.append("\n".join([opening, *(f"<li>{inline(i)}</li>" for i in items), f"</{kind}>"]))
        else:
            align, rows = value
            parts = ["<table>", "<thead>"]
            for n, row in enumerate(rows):
                tag = "th" if n == 0 else "td"
                if n == 1:
                    parts.append("<tbody>")
                parts.append("<tr>")
                parts.extend(f"<{tag}{_style(a)}>{inline(c)}</{tag}>" for a, c in zip(align, row))
                parts.append("</tr>")
                if n == 0:
                    parts.append("</thead>")
            if len(rows) == 1:      # no rows under the header: the tables extension writes one empty row
                parts += ["<tbody>", "<tr>", *("<td></td>" for _ in align), "</tr>"]     # unaligned
            parts += ["</tbody>", "</table>"]
            out.append("\n".join(parts))
    return "\n".join(out), nest_toc_tokens(headings), broken, _words(blocks)


def _plain(words: str) -> bool:
    """Prose with nothing in it but text, links and **strong** (in a link's text or around it)."""
    if "[" in words:
        if not all(_plain(m.group(1)) for m in _LINK.finditer(words)):
            return False
        # A link stands for one character that is not a space, as python-markdown's placeholder does.
        words = _LINK.sub("\x01", words)
    return _LOOSE.search(_STRONG.sub("", words) if "**" in words else words) is None


def _words(blocks: list[Block]) -> str:
    """The text of the blocks' HTML without its tags, as markup.plain_text() finds it there: every
    block ends in a space, and the whitespace runs become one space.

    The text holds no <, & or >, so it needs no unescaping; sanitizing keeps every word."""
    pieces: list[str] = []
    for kind, value in blocks:
        if kind == "p":
            pieces.append(_unmarked(value))
        elif kind == "h":
            pieces.append(value[1])
        elif kind in ("ol", "ul"):
            pieces.extend(map(_unmarked, value[1]))
        else:
            pieces.extend(_unmarked(cell) for row in value[1] for cell in row)
    return " ".join(" ".join(pieces).replace("↩", "").split())     # split() and \s agree on what is a space


def _unmarked(words: str) -> str:
    """inline(words) without its tags. Each link stands in as one character while the asterisks
    are read, as its tag (which holds no asterisk, and starts and ends with a character that is
    not a space) stands in the HTML: **strong** pairs are found exactly where inline() finds them."""
    if "[" not in words:
        return _STRONG.sub(r"\1", words) if "**" in words else words
    texts: list[str] = []

    def hold(m: re.Match[str]) -> str:
        texts.append(_STRONG.sub(r"\1", m.group(1)))
        return "\x01"      # refused in a text (_REFUSED): it can only be a link's place

    held = _LINK.sub(hold, words)
    parts = (_STRONG.sub(r"\1", held) if "**" in held else held).split("\x01")
    return "".join(part + text for part, text in zip(parts, texts + [""]))


def _strong(words: str) -> str:
    return _STRONG.sub(r"<strong>\1</strong>", words) if "**" in words else words


def _style(align: str | None) -> str:
    return f' style="text-align: {align};"' if align else ""


def _anchor(words: str, href: str, link: Link, broken: list[str]) -> str:
    url = link(href)
    if url is None:
        broken.append(href)
    return f'<a href="{_attribute(href if url is None else url)}">{words}</a>'
