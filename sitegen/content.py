"""Discover the Markdown sources under content/ and parse their front matter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from .config import Strict, YamlError, parse_yaml, read_text, validate
from .errors import Problem, shown
from .urls import PORTAL, RESERVED_SLUGS, SLUG_RE

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
XXGK = "xxgk"
XXGK_PAGES = {"zn": "政府信息公开指南", "zd": "政府信息公开制度"}
REPORTS = "nb"
LEDGER_NAME = "index-numbers.tsv"


def _datetime(value: Any) -> datetime:
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError("a date and time as YYYY-MM-DD HH:MM (such as 2024-03-12 09:30)")


def _date(value: Any) -> date:
    try:
        return datetime.strptime(str(value).strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ValueError("a date as YYYY-MM-DD (such as 2024-03-10)") from None


def _words(value: Any) -> Any:
    # Editors write keywords either as a YAML list or as one line separated by 、，, or spaces.
    if isinstance(value, str):
        return tuple(w for w in re.split(r"[、，,;；\s]+", value) if w)
    return value


class AttachmentSpec(Strict):
    file: Annotated[str, Field(min_length=1, max_length=300)]
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None


def _attachment(value: Any) -> Any:
    return {"file": value} if isinstance(value, str) else value


class DisclosureSpec(Strict):
    # 索引号 is written by `sitegen disclosure assign`, never by hand; the build checks it against the ledger.
    index_no: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    category: Annotated[str, Field(min_length=1, max_length=30)] | None = None   # default: the column's
    topic: Annotated[str, Field(min_length=1, max_length=30)]
    genre: Annotated[str, Field(min_length=1, max_length=20)]
    doc_number: Annotated[str, Field(max_length=60)] | None = None
    written: Annotated[date, BeforeValidator(_date)]
    normative: bool = False          # 行政规范性文件: counted separately in the annual report
    validity: Annotated[str, AfterValidator(lambda v: _one_of(v, VALIDITY))] = "有效"
    invalid_from: Annotated[date, BeforeValidator(_date)] | None = None
    replaced_by: Annotated[str, Field(min_length=1, max_length=300)] | None = None


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError("one of " + " | ".join(allowed))
    return value


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
    title: Annotated[str, Field(min_length=1, max_length=200)]
    date: Annotated[datetime, BeforeValidator(_datetime)]
    summary: Annotated[str, Field(max_length=500)] = ""
    keywords: Annotated[tuple[Annotated[str, Field(max_length=30)], ...], BeforeValidator(_words), Field(max_length=20)] = ()
    portal: bool = False
    department: str | None = None
    attachments: tuple[Annotated[AttachmentSpec, BeforeValidator(_attachment)], ...] = ()
    disclosure: DisclosureSpec | None = None
    interprets: Annotated[str, Field(max_length=300)] | None = None
    consultation: Annotated[ConsultationSpec, AfterValidator(_closes_after_opening)] | None = None
    interview: InterviewSpec | None = None


@dataclass(frozen=True)
class Source:
    """One Markdown file, read and checked, not yet rendered."""

    path: Path
    rel: str              # path relative to the site root
    owner: str            # department slug or "portal"
    column: str           # column slug
    slug: str
    meta: PageMeta
    lines: dict           # front matter key path -> file line
    body: str             # Markdown after the front matter
    body_line: int        # file line where the body starts
    raw: str              # the whole file, for hashing


@dataclass(frozen=True)
class Stray:
    """A file under content/ that is not a page: an attachment candidate or a mistake."""

    path: Path
    rel: str


def discover(root: Path) -> tuple[list[Path], list[Stray]]:
    """Every .md under content/, and every other file (attachments are resolved later)."""
    base = root / "content"
    pages, others = [], []
    for path in sorted(base.rglob("*")) if base.is_dir() else []:
        parts = path.relative_to(base).parts
        if path.is_dir() or any(part.startswith(".") for part in parts) or parts[1:] == (XXGK, LEDGER_NAME):
            continue
        (pages if path.suffix == ".md" else others).append(path)
    return pages, [Stray(p, p.relative_to(root).as_posix()) for p in others]


def parse(root: Path, path: Path) -> tuple[Source | None, list[Problem]]:
    """Read one page file: its place in the tree, its front matter and its body."""
    rel = path.relative_to(root).as_posix()
    parts = path.relative_to(root / "content").parts
    if len(parts) > 1 and parts[1] == XXGK:
        if parts[0] == PORTAL:
            return None, [Problem(rel, None, "(path)", "政府信息公开 pages in a department's folder, "
                                  "content/<department>/xxgk/ (the portal's /xxgk/ is built from them)",
                                  shown("/".join(parts)))]
        known = [f"{k}.md ({v})" for k, v in XXGK_PAGES.items()] + [f"{REPORTS}/<year>.md (年报)", LEDGER_NAME]
        if len(parts) == 3 and parts[2][:-3] in XXGK_PAGES:
            owner, column, slug = parts[0], XXGK, parts[2][:-3]
        elif len(parts) == 4 and parts[2] == REPORTS and re.fullmatch(r"(19|20)\d\d\.md", parts[3]):
            owner, column, slug = parts[0], f"{XXGK}/{REPORTS}", parts[3][:-3]
        else:
            return None, [Problem(rel, None, "(path)", f"one of {', '.join(known)} in content/{parts[0]}/xxgk/",
                                  shown("/".join(parts[2:])))]
    elif len(parts) != 3:
        return None, [Problem(rel, None, "(path)", "content/<department>/<column>/<slug>.md "
                              "(or content/portal/<column>/<slug>.md)", shown("/".join(parts)))]
    else:
        owner, column, name = parts
        slug = name[:-3].lower()
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        return None, [Problem(rel, None, "(file name)", "a file name of lowercase letters, digits and '-' "
                              "(such as 2024-0312-smart-city.md), not page/feed/files/index", shown(parts[-1]))]
    text, problems = read_text(path, rel, MAX_PAGE_BYTES)
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
        return None, [Problem(rel, e.line, "(front matter)", "valid YAML", f"a syntax error: {e.message}")]
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
    return Source(path, rel, owner, column, slug, meta, lines, body, end + 2, text), []
