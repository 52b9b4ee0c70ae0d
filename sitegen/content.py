"""Discover the Markdown sources under content/ and parse their front matter."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from .cache import digest
from .config import (Strict, Text20, Text30, Text30OrEmpty, Text40, Text60OrEmpty, Text80, Text200, Text300,
                     Text300OrEmpty, YamlError, decode, parse_yaml, read_text, validate)
from .errors import Problem, shown
from .files import regular, relative, walk
from .urls import REPORTS, XXGK, PORTAL, RESERVED_SLUGS, SLUG_RE

MAX_PAGE_BYTES = 1024 * 1024
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
# Documents and images a citizen downloads. Never HTML, scripts or SVG (SVG can carry scripts):
# whatever sits in an editor's folder is served from the government's own domain.
ATTACHMENT_TYPES = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps ofd zip rar 7z csv txt png jpg jpeg gif webp".split()
)
VALIDITY = ("有效", "失效", "废止")
# A department's 政府信息公开 folder, content/<dept>/xxgk/: the guide and the rules as single pages,
# one annual report per year under nb/, and the 索引号 ledger that `sitegen disclosure assign` keeps.
XXGK_PAGES = {"zn": "政府信息公开指南", "zd": "政府信息公开制度"}
LEDGER_NAME = "index-numbers.tsv"
# The portal's editors list here the department items they accept for the portal home (acceptance.py).
ACCEPTED = "accepted.yaml"
# Lists and quotes inside each other: far more than any document needs, far less than the depth at
# which python-markdown spends seconds and then exhausts the Python stack (600 levels took 15 s).
MAX_NESTING = 32
# python-markdown re-reads a paragraph for each [ and < in it (4,000 took 4 s), repeats a footnote's
# back-references quadratically (4,000 references of one note took 25 s) and numbers same-named
# headings quadratically. No real page comes near these; markup.PAGE_SECONDS is the last guard.
MAX_MARKS = 200           # [ and < in one paragraph (999 "<a " took 1 s)
MAX_PAGE_MARKS = 2000     # [ and < in one page (a page at both bounds takes about 1 s)
MAX_FOOTNOTE_REFS = 500
# A '<' that opens a tag with no '>' on its line makes Python's HTML parser read the rest of the page
# (about 1.25 MB a second): the characters read that way, summed over such tags, stay under this.
UNCLOSED_READ = 2_000_000
MAX_HEADINGS = 1000


_MINUTE = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)")


def _datetime(value: Any) -> datetime:
    text = str(value).strip()
    # Nearly every page is dated so: read without strptime, which took a tenth of a page's parse.
    minute = _MINUTE.fullmatch(text)
    if minute:
        try:
            year, month, day, hour, at = map(int, minute.groups())
            return datetime(year, month, day, hour, at)
        except ValueError:
            pass        # the formats below say what is wrong
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError("a date and time as YYYY-MM-DD HH:MM (such as 2024-03-12 09:30)")


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: Any) -> date:
    text = str(value).strip()
    try:
        # The usual form without strptime, which is Python and was most of a disclosure date's
        # reading; strptime still takes the rest it always took, such as 2024-3-1.
        return date.fromisoformat(text) if _DAY.fullmatch(text) else datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError("a date as YYYY-MM-DD (such as 2024-03-10)") from None


def _words(value: Any) -> Any:
    # Editors write keywords either as a YAML list or as one line separated by 、，, or spaces.
    if isinstance(value, str):
        return tuple(w for w in re.split(r"[、，,;；\s]+", value) if w)
    return value


class AttachmentSpec(Strict):
    file: Text300
    title: Text200 | None = None


def _attachment(value: Any) -> Any:
    return {"file": value} if isinstance(value, str) else value


class DisclosureSpec(Strict):
    # 索引号 is written by `sitegen disclosure assign`, never by hand; the build checks it against the ledger.
    index_no: Text80 | None = None
    category: Text30 | None = None   # default: the column's
    topic: Text30
    genre: Text20
    doc_number: Text60OrEmpty | None = None
    written: Annotated[date, BeforeValidator(_date)]
    normative: bool = False          # 行政规范性文件: counted separately in the annual report
    validity: Annotated[str, AfterValidator(lambda v: _one_of(v, VALIDITY))] = "有效"
    invalid_from: Annotated[date, BeforeValidator(_date)] | None = None
    replaced_by: Text300 | None = None


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError("one of " + " | ".join(allowed))
    return value


# 办事指南 (content/<dept>/bsfw/<slug>.md): the matter types a citizen or business applies for, and the
# elements every guide carries. Its 实施主体 is the department whose folder it is in: never typed.
GUIDE_TYPES = ("行政许可", "行政确认", "行政给付", "行政奖励", "行政裁决", "其他行政权力", "公共服务")
AUDIENCES = ("自然人", "法人")
MATERIAL_FORMS = ("原件", "复印件", "原件和复印件", "电子文件")
NO_FEE = "不收费"
PHONE_RE = r"^((0\d{2,3}-)?\d{5,8}(-\d{1,6})?|1\d{10})$"


def _phone(value: str) -> str:
    if not re.fullmatch(PHONE_RE, value):
        raise ValueError("a phone number with its area code, such as 0589-12345678 (or 12345)")
    return value


def _matter_code(value: str) -> str:
    if not re.fullmatch(r"[0-9A-Za-z-]{6,40}", value):
        raise ValueError("the 事项编码 the province assigns: 6-40 letters, digits or '-' (such as 330217006000)")
    return value


def _online(value: str) -> str:
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[^\s<>\"']*)?", value):
        raise ValueError("the address of the online service hall's page for this matter, such as "
                         "https://www.zjzwfw.gov.cn/...")
    return value


# Lists of short texts a guide must have at least one of: (characters per item, items).
Texts30x6 = Annotated[tuple[Annotated[str, Field(min_length=1, max_length=30)], ...], Field(min_length=1, max_length=6)]
Texts300x20 = Annotated[tuple[Annotated[str, Field(min_length=1, max_length=300)], ...],
                        Field(min_length=1, max_length=20)]
Texts500x30 = Annotated[tuple[Annotated[str, Field(min_length=1, max_length=500)], ...],
                        Field(min_length=1, max_length=30)]


class MaterialSpec(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    form: Annotated[str, AfterValidator(lambda v: _one_of(v, MATERIAL_FORMS))]
    copies: Annotated[int, Field(ge=1, le=20)] = 1
    required: bool = True
    note: Annotated[str, Field(max_length=300)] = ""
    sample: Annotated[str, Field(min_length=1, max_length=300)] | None = None   # 空白表格或示范文本


class StepSpec(Strict):
    name: Annotated[str, Field(min_length=1, max_length=20)]
    detail: Annotated[str, Field(min_length=1, max_length=500)]


class GuideSpec(Strict):
    code: Annotated[str, AfterValidator(_matter_code)] | None = None   # 事项编码, as the province assigns it
    type: Annotated[str, AfterValidator(lambda v: _one_of(v, GUIDE_TYPES))]
    audience: Annotated[tuple[Annotated[str, AfterValidator(lambda v: _one_of(v, AUDIENCES))], ...],
                        Field(min_length=1, max_length=2)]
    themes: Texts30x6
    events: Annotated[tuple[Annotated[str, Field(min_length=1, max_length=30)], ...], Field(max_length=6)] = ()
    basis: Texts300x20
    conditions: Texts500x30
    materials: Annotated[tuple[MaterialSpec, ...], Field(min_length=1, max_length=60)]
    steps: Annotated[tuple[StepSpec, ...], Field(min_length=1, max_length=20)]
    legal_days: Annotated[int, Field(ge=0, le=365)]
    promised_days: Annotated[int, Field(ge=0, le=365)]
    fee: Annotated[str, Field(min_length=1, max_length=300)]
    fee_basis: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    place: Annotated[str, Field(min_length=1, max_length=200)]
    hours: Annotated[str, Field(min_length=1, max_length=120)]
    phone: Annotated[str, AfterValidator(_phone)]
    complaint_phone: Annotated[str, AfterValidator(_phone)]
    result: Annotated[str, Field(min_length=1, max_length=200)]
    delivery: Texts30x6
    visits: Annotated[int, Field(ge=0, le=5)]
    online: Annotated[str, AfterValidator(_online)] | None = None


def _closes_after_opening(spec: "ConsultationSpec") -> "ConsultationSpec":
    if spec.closes < spec.opens:
        raise ValueError(f"a closing date on or after the opening date {spec.opens.isoformat()} "
                         f"(found {spec.closes.isoformat()})")
    results = (spec.received, spec.summary, spec.adoption)
    if any(r is not None for r in results) and (spec.summary is None or spec.adoption is None):
        raise ValueError("the results of a closed consultation as summary: (the opinions received) "
                         "and adoption: (how they were used), both")
    return spec


class ConsultationSpec(Strict):
    """意见征集: the draft is the page's body and attachments; after closing, what came of it."""

    opens: Annotated[date, BeforeValidator(_date)]
    closes: Annotated[date, BeforeValidator(_date)]
    how: Annotated[str, Field(min_length=1, max_length=300)] | None = None      # how to send an opinion
    received: Annotated[int, Field(ge=0, le=1_000_000)] | None = None           # opinions received
    summary: Annotated[str, Field(min_length=1, max_length=3000)] | None = None  # what they said
    adoption: Annotated[str, Field(min_length=1, max_length=3000)] | None = None  # how they were used


class GuestSpec(Strict):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    title: Annotated[str, Field(min_length=1, max_length=80)]


class InterviewSpec(Strict):
    """在线访谈: the transcript is the page's body."""

    held: Annotated[datetime, BeforeValidator(_datetime)]
    guests: Annotated[tuple[GuestSpec, ...], Field(min_length=1, max_length=20)]
    host: Annotated[str, Field(min_length=1, max_length=40)] | None = None


class PageMeta(Strict):
    title: Text200
    date: Annotated[datetime, BeforeValidator(_datetime)]
    summary: Annotated[str, Field(max_length=500)] = ""
    keywords: Annotated[tuple[Text30OrEmpty, ...], BeforeValidator(_words), Field(max_length=20)] = ()
    portal: bool = False
    department: Text40 | None = None
    attachments: tuple[Annotated[AttachmentSpec, BeforeValidator(_attachment)], ...] = ()
    disclosure: DisclosureSpec | None = None
    interprets: Text300OrEmpty | None = None
    guide: GuideSpec | None = None
    consultation: Annotated[ConsultationSpec, AfterValidator(_closes_after_opening)] | None = None
    interview: InterviewSpec | None = None


@dataclass(frozen=True)
class Source:
    """One Markdown file, read and checked, not yet rendered."""

    rel: str              # path relative to the site root (a str, not a Path: 20,000 of these cross
                          # between processes and the cache, and a Path is slow to unpickle)
    owner: str            # department slug or "portal"
    column: str           # column slug
    slug: str
    meta: PageMeta
    lines: dict           # front matter key path -> file line
    body: str             # Markdown after the front matter
    body_line: int        # file line where the body starts
    head: str             # the file before the body (kept apart so the body is held once)
    body_digest: str      # what the body's conversion is keyed by (assemble.markup_key), worked out once

    @property
    def raw(self) -> str:
        """The whole file, as read."""
        return self.head + self.body


@dataclass(frozen=True)
class Stray:
    """A file under content/ that is not a page: an attachment candidate or a mistake."""

    path: Path
    rel: str
    size: int = 0         # bytes, as found when it was listed (a regular file: never a link)


def discover(root: Path) -> tuple[list[Path], list[Stray]]:
    """Every .md under content/, and every other regular file (attachments are resolved later).

    Links, pipes and devices are left out: files.scan reports them, and nothing reads them.
    """
    base = root / "content"
    prefix = len(os.fspath(base)) + 1
    pages, others = [], []
    for entry in walk(base) if base.is_dir() and not base.is_symlink() else ():
        inside = entry.path[prefix:].replace(os.sep, "/")
        parts = tuple(inside.split("/"))
        if (not regular(entry) or any(part.startswith(".") for part in parts)
                or parts[1:] == (XXGK, LEDGER_NAME) or parts == (PORTAL, ACCEPTED)):
            continue
        path = Path(entry.path)
        if entry.name.endswith(".md"):
            pages.append(path)
        else:
            try:
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            others.append(Stray(path, f"content/{inside}", size))
    return sorted(pages), sorted(others, key=lambda s: s.path)


_FENCE = re.compile(r"^\s*(```|~~~)")
_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)]|>)(?=\s|$)")


_UNCLOSED = re.compile(r"<[A-Za-z!/?][^<>\n]*(?=<|$)")
_HEADING = re.compile(r"^ {0,3}(#{1,6}(\s|$)|=+\s*$|-+\s*$)")


# A line's nesting depth counts at most one level per character of its leading run of spaces, tabs
# and list or quote markers: a page with no such run this long is within MAX_NESTING.
_DEEP = re.compile(r"^[ \t*+>0-9.)-]{%d}" % (MAX_NESTING + 1), re.M)


def costly(body: str) -> tuple[int, str, str] | None:
    """The first line of the body (1-based) past a bound python-markdown needs, what is expected, what is found."""
    # Nearly every page is far within every bound, which whole-page counts prove at once; the
    # counts bound what first_past() sums line by line, so it would find nothing either.
    opening = body.count("<")
    if (opening + body.count("[") <= MAX_MARKS and body.count("[^") <= MAX_FOOTNOTE_REFS
            and body.count("\n") < MAX_HEADINGS and opening * 2 * len(body) <= UNCLOSED_READ
            and not _DEEP.search(body)):
        return None
    return first_past(body)


def first_past(body: str) -> tuple[int, str, str] | None:
    """costly(), line by line."""
    deep = too_deep(body)
    if deep:
        return deep[0], f"lists and quotes nested at most {MAX_NESTING} levels deep", f"{deep[1]} levels"
    fenced, marks, total, notes, headings, unclosed, at = False, 0, 0, 0, 0, 0, 0
    for n, row in enumerate(body.split("\n"), 1):
        at += len(row) + 1
        if _FENCE.match(row):
            fenced = not fenced
        if fenced or _FENCE.match(row):
            continue
        if not row.strip() or row.lstrip().startswith("|"):    # a table's cells are read one by one
            marks = 0
        count = row.count("[") + row.count("<")
        marks, total = marks + count, total + count
        notes += row.count("[^")
        headings += bool(_HEADING.match(row))
        unclosed += sum(len(body) - at + len(row) - m.start() for m in _UNCLOSED.finditer(row))
        if unclosed > UNCLOSED_READ:
            return n, ("a '>' on the same line for each '<' that opens a tag (each one left open makes the "
                       "build re-read the rest of the page; write &lt; for a '<' that is text)"), \
                "too many left open by this line for a page this long"
        if marks > MAX_MARKS:
            return n, (f"at most {MAX_MARKS} '[' and '<' in one paragraph (python-markdown re-reads it for each: "
                       "split it, or put code in a ``` block)"), "more by this line"
        if total > MAX_PAGE_MARKS:
            return n, f"at most {MAX_PAGE_MARKS} '[' and '<' in one page (split the page)", "more by this line"
        if notes > MAX_FOOTNOTE_REFS:
            return n, f"at most {MAX_FOOTNOTE_REFS} footnote references ([^…]) in one page", "more by this line"
        if headings > MAX_HEADINGS:
            return n, f"at most {MAX_HEADINGS} headings in one page (split the page)", "more by this line"
    return None


def too_deep(body: str) -> tuple[int, int] | None:
    """The first line (1-based in the body) nested deeper than MAX_NESTING, and its depth.

    python-markdown recurses once per level and keeps no line numbers: counting each line's
    indentation (four columns a level) and its leading list and quote markers bounds the
    depth before it starts.
    """
    fenced = False
    for n, row in enumerate(body.split("\n"), 1):
        if _FENCE.match(row):
            fenced = not fenced
            continue
        if fenced:
            continue
        indent, markers, at = 0, 0, 0
        while at < len(row):
            c = row[at]
            if c == " ":
                indent += 1
            elif c == "\t":
                indent += 4 - indent % 4
            else:
                marker = _MARKER.match(row, at)
                if not marker:
                    break
                markers += 1
                at = marker.end()
                while at < len(row) and row[at] in " \t":     # the gap after a marker is not a level
                    at += 1
                continue
            at += 1
        depth = indent // 4 + markers
        if depth > MAX_NESTING:
            return n, depth
    return None


def place(rel: str) -> tuple[str, str, str] | Problem:
    """The page's owner, column and slug, from where its file is (``rel``, content/…); or why that
    is no page's place."""
    parts = rel.split("/")[1:]
    if len(parts) > 1 and parts[1] == XXGK:
        if parts[0] == PORTAL:
            return Problem(rel, None, "(path)", "政府信息公开 pages in a department's folder, "
                           "content/<department>/xxgk/ (the portal's /xxgk/ is built from them)", shown("/".join(parts)))
        known = [f"{k}.md ({v})" for k, v in XXGK_PAGES.items()] + [f"{REPORTS}/<year>.md (年报)", LEDGER_NAME]
        if len(parts) == 3 and parts[2][:-3] in XXGK_PAGES:
            owner, column, slug = parts[0], XXGK, parts[2][:-3]
        elif len(parts) == 4 and parts[2] == REPORTS and re.fullmatch(r"(19|20)\d\d\.md", parts[3]):
            owner, column, slug = parts[0], f"{XXGK}/{REPORTS}", parts[3][:-3]
        else:
            return Problem(rel, None, "(path)", f"one of {', '.join(known)} in content/{parts[0]}/xxgk/",
                           shown("/".join(parts[2:])))
    elif len(parts) != 3:
        return Problem(rel, None, "(path)", "content/<department>/<column>/<slug>.md "
                       "(or content/portal/<column>/<slug>.md)", shown("/".join(parts)))
    else:
        owner, column, name = parts
        slug = name[:-3].lower()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        return Problem(rel, None, "(file name)", "a file name of lowercase letters, digits and '-' "
                       "(such as 2024-0312-smart-city.md), not page/feed/files/index", shown(parts[-1]))
    return owner, column, slug


def parse(root: Path, path: Path, raw: bytes | None = None) -> tuple[Source | None, list[Problem]]:
    """Read one page file (or take ``raw``, its bytes as read): its place in the tree, its front
    matter and its body."""
    rel = relative(path, root)
    placed = place(rel)
    if isinstance(placed, Problem):
        return None, [placed]
    owner, column, slug = placed
    text, problems = read_text(path, rel, MAX_PAGE_BYTES) if raw is None else decode(raw, rel)
    if text is None:
        return None, problems
    rows = text.split("\n")
    if rows[0].rstrip() != "---":
        return None, [Problem(rel, 1, "(front matter)", "the file to start with a '---' line, "
                              "the page's fields, and a closing '---' line", shown(rows[0]))]
    end = next((i for i in range(1, len(rows)) if rows[i].rstrip() == "---"), None)
    if end is None:
        return None, [Problem(rel, len(rows), "(front matter)", "a closing '---' line after the fields",
                              "the end of the file")]
    try:
        data, lines = parse_yaml("\n".join(rows[1:end]), first_line=2)
    except YamlError as e:
        return None, [Problem(rel, e.line, "(front matter)", e.expected, e.found)]
    if not isinstance(data, dict):
        return None, [Problem(rel, 2, "(front matter)", "fields such as title: and date:", shown(data))]
    meta, problems = validate(PageMeta, data, rel, lines)
    if meta is None:
        return None, problems
    if meta.department is not None and meta.department != owner:
        return None, [Problem(rel, lines.get(("department",)), "department",
                              f"'{owner}' (the folder this page is in; a page may not name another department)",
                              shown(meta.department))]
    body = "\n".join(rows[end + 1:])
    costs = costly(body)
    if costs:
        line, expected, found = costs
        return None, [Problem(rel, end + 1 + line, "(body)", expected, found)]
    return Source(rel, owner, column, slug, meta, lines, body, end + 2, text[:len(text) - len(body)],
                  digest(body)), []
