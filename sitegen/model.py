"""Plain frozen data: Department, Column, Page, Attachment and the assembled Cluster."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Mapping, TypeVar

from typing_extensions import dataclass_transform

from .cache import digest
from .config import SiteSpec
from .urls import PORTAL
from .letters.publish import EMPTY, Snapshot

T = TypeVar("T")


class Long(str):
    """A long text in a view (a page's HTML) whose repr is a digest: an output's key stays exact and
    is worked out without repr() escaping each of thousands of characters.

    The digest is the one given where the text was made, from the inputs that fix it (a page's
    conversion: its Markdown, the converter's version, what its links resolved to) and kept by a
    Long made of it, else that of the text itself, worked out when first asked: an article's HTML,
    some 10 KB, is then not hashed again for its key in every build that keys it.
    """

    def __new__(cls, text: str, known: str | None = None) -> Long:
        self = super().__new__(cls, text)
        if known is None and isinstance(text, Long):
            known = text.__dict__.get("digest")
        if known is not None:
            self.__dict__["digest"] = known
        return self

    def __repr__(self) -> str:
        known = self.__dict__.get("digest")
        if known is None:
            known = self.__dict__["digest"] = digest(self)
        return f"Long({known})"


@dataclass_transform(frozen_default=True)
def value(cls: type[T]) -> type[T]:
    """A frozen dataclass whose repr is its values alone, made fast.

    An output's cache key is the digest of its view's repr. The repr dataclasses generate guards
    against recursion on every call, which costs more than the work itself at 25,000 views a
    build; frozen, acyclic data needs no guard, so each class gets a plain f-string instead.
    """
    cls = dataclass(frozen=True, repr=False)(cls)
    names = list(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    fields_ = ", ".join(f"{{self.{n}!r}}" for n in names)
    namespace: dict = {}
    exec(f"def __repr__(self):\n    return f'{cls.__name__}({fields_})'", namespace)
    cls.__repr__ = namespace["__repr__"]  # type: ignore[method-assign]
    return cls


@value
class Contact:
    address: str
    phone: str
    postcode: str | None = None
    email: str | None = None
    hours: str | None = None


@value
class Attachment:
    source: str          # path relative to the site root
    url: str
    title: str
    format: str          # PDF, DOCX, …
    size: int            # bytes


@value
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


@value
class Material:
    """One item of a guide's 申请材料."""

    name: str
    form: str                # 原件 | 复印件 | 原件和复印件 | 电子文件
    copies: int
    required: bool
    note: str
    sample: Attachment | None   # the blank form or a filled-in sample


@value
class Step:
    """One step of a guide's 办理流程."""

    name: str
    detail: str


@value
class Guide:
    """A 办事指南's elements, checked; the 实施主体 is always the owning department."""

    name: str                # 事项名称 (the page title)
    code: str | None         # 事项编码
    type: str                # 事项类型
    agency: str              # 实施主体: the department's name, never typed
    audience: tuple[str, ...]    # 服务对象: 自然人 and/or 法人
    themes: tuple[str, ...]      # theme names from site.yaml
    events: tuple[str, ...]      # life event names from site.yaml
    basis: tuple[str, ...]       # 设定依据
    conditions: tuple[str, ...]  # 受理条件
    materials: tuple[Material, ...]
    steps: tuple[Step, ...]      # 办理流程
    legal_days: int          # 法定时限, working days
    promised_days: int       # 承诺时限, working days; 0 is 即办
    fee: str                 # 收费标准, or 不收费
    fee_basis: str | None
    place: str               # 办理地点
    hours: str               # 办理时间
    phone: str               # 咨询电话
    complaint_phone: str     # 监督投诉电话
    result: str              # 办理结果
    delivery: tuple[str, ...]    # 结果送达方式
    visits: int              # 到现场次数
    online: str | None       # 网上办理 address


@value
class Consultation:
    """意见征集: open and close dates, how to take part, and after closing what came of it."""

    opens: date
    closes: date
    how: str | None
    received: int | None
    summary: str | None
    adoption: str | None


@value
class Interview:
    """在线访谈: when, who answered (name, title) and who asked."""

    held: datetime
    guests: tuple[tuple[str, str], ...]
    host: str | None


@value
class Column:
    id: str              # "<owner>/<slug>"
    owner: str           # department slug, or "portal"
    slug: str
    title: str
    kind: str            # a configured kind, or xxgk / report for the 信息公开 section's own pages
    category: str | None  # the 法定主动公开内容 category of its pages, when it is a disclosure column
    aggregate: tuple[str, ...]
    url: str
    description: str = ""          # ColumnDescription (发展指引)
    keywords: tuple[str, ...] = ()  # ColumnKeywords


@value
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
    featured_services: tuple[str, ...] = ()   # guide file names its home shows under 办事服务
    hot_words: tuple[str, ...] | None = None   # its own search hot words; None: site.yaml's


@value
class Heading:
    level: int
    id: str
    text: str


@value
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
    body: Long           # sanitized HTML, with the digest of what made it
    text: str            # plain text of the body, for descriptions and search
    toc: tuple[Heading, ...]
    attachments: tuple[Attachment, ...]
    disclosure: Disclosure | None
    interprets: str | None   # page id of the policy an interpretation explains
    url: str
    source: str          # path relative to the site root
    guide: Guide | None = None   # on a 办事指南 page (content/<dept>/bsfw/)
    consultation: Consultation | None = None
    interview: Interview | None = None


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
    letters: Snapshot = EMPTY                    # published letters, read from the letters store
    # Parts of views derived from this cluster (a menu, a list line), made once and shared, so
    # that their reprs, the outputs' cache keys, are worked out once. Never part of the data.
    shared: dict = field(default_factory=dict, compare=False, repr=False)

    def owner_name(self, owner: str) -> str:
        return self.site.name if owner == PORTAL else self.departments[owner].name

    def owner_columns(self, owner: str) -> tuple[Column, ...]:
        ids = self.portal_columns if owner == PORTAL else self.departments[owner].columns
        return tuple(self.columns[c] for c in ids)

    def latest(self, page_ids, limit: int) -> tuple[Page, ...]:
        pages = sorted((self.pages[p] for p in page_ids), key=newest_first)
        return tuple(pages[:limit])


def newest_first(page: Page) -> tuple:
    return (-page.date.timestamp(), page.id)


# Every date on the site is China Standard Time, written without a zone (the theme labels it +08:00),
# whatever zone the server runs in.
CST = timezone(timedelta(hours=8), "CST")


def china_now() -> datetime:
    """The wall-clock time in Beijing, naive like every date in the content, to the minute."""
    return datetime.now(CST).replace(tzinfo=None, second=0, microsecond=0)
