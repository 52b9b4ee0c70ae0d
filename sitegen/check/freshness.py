"""Freshness and blanks: home pages, columns by their kind's update policy, blank columns, dates."""

from __future__ import annotations

from dataclasses import dataclass

from ..disclosure import INTERNAL_KINDS
from ..model import Column, Page
from ..urls import PORTAL
from .context import Context
from .finding import Finding

HOME_DAYS = 14            # 首页栏目信息更新: no new item for 14 days fails the site
STALE_COLUMNS = 5         # 动态/要闻 and 通知公告/政策文件 columns past their period, per site
LONG_STALE_COLUMNS = 10   # columns not updated for a year, per site
LONG_DAYS = 365
BLANK_COLUMNS = 5         # 空白栏目 per site


@dataclass(frozen=True)
class Policy:
    """How often a column of a kind must be updated: the inspection's group, its period, the warning's field."""

    group: str
    days: int
    warn: str      # the field of site.yaml's check.warn that holds the early-warning period


# The update policy of each column kind (shown in the README). A 概况信息 page column has no
# period: it only must not be blank.
UPDATE_POLICY: dict[str, Policy | None] = {
    "news": Policy("动态/要闻", 14, "news_days"),
    "notice": Policy("通知公告/政策文件", 183, "notice_days"),
    "policy": Policy("通知公告/政策文件", 183, "notice_days"),
    "interpretation": Policy("通知公告/政策文件", 183, "notice_days"),
    "personnel": Policy("人事/规划计划", 365, "yearly_days"),
    "plan": Policy("人事/规划计划", 365, "yearly_days"),
    "page": None,
}


def _owners(ctx: Context) -> list[str]:
    return [PORTAL] + list(ctx.cluster.departments)


def _owner_file(ctx: Context, owner: str) -> str:
    return "site.yaml" if owner == PORTAL else ctx.cluster.departments[owner].source


def _menu(ctx: Context, owner: str) -> tuple[Column, ...]:
    return tuple(c for c in ctx.cluster.owner_columns(owner) if c.kind not in INTERNAL_KINDS)


def _newest(ctx: Context, ids) -> Page | None:
    """The newest page of a listing that is public on the day of the check."""
    for pid in ids:     # listings are newest first
        page = ctx.cluster.pages[pid]
        if page.date <= ctx.as_of:
            return page
    return None


def _home_items(ctx: Context, owner: str) -> list[Page]:
    pages = ctx.visible
    if owner != PORTAL:
        return [p for p in pages if p.owner == owner and ctx.cluster.columns[p.column].kind not in INTERNAL_KINDS]
    # The portal home shows its own columns, featured department items and every department's
    # news, notices and policies.
    kinds = ("news", "notice", "policy")
    return [p for p in pages if p.owner == PORTAL or p.featured or ctx.cluster.columns[p.column].kind in kinds]


def home_stale(ctx: Context) -> list[Finding]:
    """The home page of the portal and of each department: a new item at least every 14 days."""
    out = []
    warn = ctx.cluster.site.check.warn.home_days
    for owner in _owners(ctx):
        items = _home_items(ctx, owner)
        newest = max(items, key=lambda p: p.date, default=None)
        age = ctx.age(newest.date) if newest else None
        found = (f"the newest item {newest.date:%Y-%m-%d} ({newest.title}), {age} days before {ctx.today}"
                 if newest else "no item at all")
        todo = "Publish a new item on this home page (a 工作动态 or 通知公告)."
        if age is None or age >= HOME_DAYS:
            out.append(Finding("home-stale", "veto", f"a new item on the home page within {HOME_DAYS} days "
                               "(首页栏目信息更新)", found, todo, owner, file=_owner_file(ctx, owner)))
        elif age >= warn:
            out.append(Finding("home-stale", "warning", f"a new item on the home page within {warn} days "
                               f"(early warning; the veto is at {HOME_DAYS})", found, todo, owner,
                               file=_owner_file(ctx, owner)))
    return out


def _column_ages(ctx: Context, owner: str) -> list[tuple[Column, Policy, int]]:
    """Each column with an update policy, and the days since its newest item (never updated: skipped,
    because a column that never had content is blank, a rule of its own)."""
    out = []
    for column in _menu(ctx, owner):
        policy = UPDATE_POLICY.get(column.kind)
        newest = _newest(ctx, ctx.cluster.listing[column.id])
        if policy is not None and newest is not None:
            out.append((column, policy, ctx.age(newest.date)))
    return out


def _listed(columns: list[tuple[Column, Policy, int]]) -> str:
    return "、".join(f"{c.title}（{c.id}，{age}天）" for c, _, age in columns)


def columns_stale(ctx: Context) -> list[Finding]:
    """动态/要闻 (2 weeks) and 通知公告/政策文件 (6 months) columns past their period: 5 per site fail it."""
    out = []
    warn = ctx.cluster.site.check.warn
    for owner in _owners(ctx):
        ages = [a for a in _column_ages(ctx, owner) if a[1].days < LONG_DAYS]
        stale = [a for a in ages if a[2] >= a[1].days]
        close = [a for a in ages if a[2] >= getattr(warn, a[1].warn)]
        todo = "Update these columns, or merge or close the ones nobody keeps up."
        if len(stale) >= STALE_COLUMNS:
            out.append(Finding("columns-stale", "veto", f"fewer than {STALE_COLUMNS} columns past their update "
                               "period (动态/要闻 14 days, 通知公告/政策文件 183 days)",
                               f"{len(stale)}: {_listed(stale)}", todo, owner, file=_owner_file(ctx, owner)))
        elif len(close) >= warn.stale_columns:
            out.append(Finding("columns-stale", "warning", f"fewer than {warn.stale_columns} columns close to "
                               f"their update period (early warning: 动态/要闻 {warn.news_days} days, "
                               f"通知公告/政策文件 {warn.notice_days} days; the veto is at {STALE_COLUMNS} "
                               "columns past it)", f"{len(close)}: {_listed(close)}", todo, owner,
                               file=_owner_file(ctx, owner)))
    return out


def columns_long_stale(ctx: Context) -> list[Finding]:
    """Columns not updated for a year (人事/规划计划 are due yearly): 10 per site fail it."""
    out = []
    warn = ctx.cluster.site.check.warn
    for owner in _owners(ctx):
        ages = _column_ages(ctx, owner)
        stale = [a for a in ages if a[2] >= LONG_DAYS]
        close = [a for a in ages if a[2] >= warn.yearly_days]
        todo = "Update these columns, or merge or close the ones nobody keeps up."
        if len(stale) >= LONG_STALE_COLUMNS:
            out.append(Finding("columns-long-stale", "veto", f"fewer than {LONG_STALE_COLUMNS} columns not "
                               f"updated for {LONG_DAYS} days", f"{len(stale)}: {_listed(stale)}", todo, owner,
                               file=_owner_file(ctx, owner)))
        elif len(close) >= warn.long_stale_columns:
            out.append(Finding("columns-long-stale", "warning", f"fewer than {warn.long_stale_columns} columns "
                               f"not updated for {warn.yearly_days} days (early warning; the veto is at "
                               f"{LONG_STALE_COLUMNS} columns not updated for {LONG_DAYS} days)",
                               f"{len(close)}: {_listed(close)}", todo, owner, file=_owner_file(ctx, owner)))
    return out


def blank_columns(ctx: Context) -> list[Finding]:
    """Columns that never had content (a page column with no page too): 5 per site fail it."""
    out = []
    warn = ctx.cluster.site.check.warn.blank_columns
    for owner in _owners(ctx):
        blank = [c for c in _menu(ctx, owner) if _newest(ctx, ctx.cluster.listing[c.id]) is None]
        found = f"{len(blank)}: " + "、".join(f"{c.title}（{c.id}）" for c in blank)
        todo = "Publish the columns' first items, or remove the columns from the menu."
        if len(blank) >= BLANK_COLUMNS:
            out.append(Finding("blank-columns", "veto", f"fewer than {BLANK_COLUMNS} blank columns (空白栏目)",
                               found, todo, owner, file=_owner_file(ctx, owner)))
        elif len(blank) >= warn:
            out.append(Finding("blank-columns", "warning", f"fewer than {warn} blank columns (early warning; "
                               f"the veto is at {BLANK_COLUMNS})", found, todo, owner, file=_owner_file(ctx, owner)))
    return out


def future_dates(ctx: Context) -> list[Finding]:
    """Pages dated in the future: scheduled (left out of the build until then), or published too early."""
    out = []
    for s in ctx.scheduled:
        out.append(Finding("future-date", "scheduled", f"a date on or before {ctx.as_of:%Y-%m-%d %H:%M} to be "
                           "published", f"{s.meta.date:%Y-%m-%d %H:%M} ({s.meta.title})",
                           "Nothing to do: the build publishes it from that time on.", s.owner,
                           f"{s.owner}/{s.column}", s.rel, s.lines.get(("date",))))
    for p in ctx.cluster.pages.values():
        if p.date > ctx.as_of:
            out.append(Finding("future-date", "deduction", f"a page published on or after its date "
                               f"({p.date:%Y-%m-%d %H:%M})", f"it in the built site on {ctx.as_of:%Y-%m-%d %H:%M}",
                               "Rebuild: a page dated in the future waits for its time.", p.owner, p.column,
                               p.source, ctx.line(p.source, "date:")))
    return out


PLACEHOLDERS = ("请填写", "正文。")


def placeholders(ctx: Context) -> list[Finding]:
    """Text left from the scaffolds: 请填写…, a body that is just 正文。, a 主题词 copied from the title."""
    out = []
    todo = "Replace the scaffold's placeholder with the real text."
    for p in ctx.visible:
        text = ctx.text(p)
        if text.strip() == "正文。":
            out.append(Finding("placeholder", "deduction", "the page's own text", "the scaffold's body '正文。'",
                               todo, p.owner, p.column, p.source, ctx.body_line(p, "正文。")))
        elif "请填写" in text:
            at = text.index("请填写")
            out.append(Finding("placeholder", "deduction", "the page's own text",
                               f"'{text[at:at + 20]}'", todo, p.owner, p.column, p.source,
                               ctx.body_line(p, "请填写")))
        if p.disclosure and p.title[:20] in p.keywords:
            out.append(Finding("placeholder", "warning", "主题词 that name the subject (the scaffold copies the "
                               "title)", f"the 主题词 '{p.title[:20]}'", "Write the item's real 主题词.", p.owner,
                               p.column, p.source, ctx.line(p.source, "keywords:")))
    for d in ctx.cluster.departments.values():
        for field, value in (("contact.address", d.contact.address), ("contact.phone", d.contact.phone),
                             ("contact.email", d.contact.email), ("contact.hours", d.contact.hours),
                             ("intro", d.intro)):
            if value and "请填写" in value:
                out.append(Finding("placeholder", "deduction", f"the department's real {field}",
                                   f"'{value}'", todo, d.slug, file=d.source, line=ctx.line(d.source, value)))
    return out
