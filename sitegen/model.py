"""Plain frozen data: Department, Column, Page, Attachment and the assembled Cluster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping

from .config import Contact, SiteSpec

@dataclass(frozen=True)
class Attachment:
    source: str          # path relative to the site root
    url: str
    title: str
    format: str          # PDF, DOCX, …
    size: int            # bytes


@dataclass(frozen=True)
class Disclosure:
    """A 政府信息公开 item's catalog fields; the 发布机构 is always the owning department."""

    index_no: str | None     # 索引号, from the ledger (None only while `build --assign` is pending)
    category: str            # 法定主动公开内容 category name
    topic: str               # 主题分类
    genre: str               # 体裁分类
    doc_number: str | None   # 文号
    written: date            # 成文日期
    normative: bool          # 行政规范性文件
    validity: str            # 有效 | 失效 | 废止
    invalid_from: date | None
    replaced_by: str | None  # page id of the document that replaced it


@dataclass(frozen=True)
class Column:
    id: str              # "<owner>/<slug>"
    owner: str           # department slug, or "portal"
    slug: str
    title: str
    kind: str            # a configured kind, or xxgk / report for the 信息公开 section's own pages
    category: str | None  # the 法定主动公开内容 category of its pages, when it is a disclosure column
    aggregate: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Department:
    slug: str
    name: str
    short_name: str
    code: str
    order: int
    accent: str
    banner: str | None
    intro: str | None
    contact: Contact
    columns: tuple[str, ...]   # column ids, in menu order
    url: str
    source: str
    hot_words: tuple[str, ...] | None = None   # its own search hot words; None: site.yaml's


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class Page:
    id: str              # "<owner>/<column>/<slug>": the identity; the URL derives from it
    owner: str
    column: str          # column id
    slug: str
    title: str
    date: datetime
    summary: str
    keywords: tuple[str, ...]
    featured: bool       # shown on the portal home
    body: str            # sanitized HTML
    text: str            # plain text of the body, for descriptions and search
    toc: tuple[Heading, ...]
    attachments: tuple[Attachment, ...]
    disclosure: Disclosure | None
    interprets: str | None   # page id of the policy an interpretation explains
    url: str
    source: str          # path relative to the site root
    digest: str          # hash of the source and what it resolved to: a render cache key


@dataclass(frozen=True)
class Cluster:
    """Everything the renderer needs, assembled and checked. Flat maps keyed by id."""

    site: SiteSpec
    departments: Mapping[str, Department]        # in directory order
    columns: Mapping[str, Column]                # in menu order per owner
    pages: Mapping[str, Page]
    listing: Mapping[str, tuple[str, ...]]       # column id -> page ids, newest first
    interpretations: Mapping[str, tuple[str, ...]]   # policy id -> interpretation ids
    files: Mapping[str, str]                     # attachment URL -> source path
    portal_columns: tuple[str, ...]

    def owner_name(self, owner: str) -> str:
        return self.site.name if owner == "portal" else self.departments[owner].name

    def owner_columns(self, owner: str) -> tuple[Column, ...]:
        ids = self.portal_columns if owner == "portal" else self.departments[owner].columns
        return tuple(self.columns[c] for c in ids)

    def latest(self, page_ids, limit: int) -> tuple[Page, ...]:
        pages = sorted((self.pages[p] for p in page_ids), key=newest_first)
        return tuple(pages[:limit])


def newest_first(page: Page) -> tuple:
    return (-page.date.timestamp(), page.id)
