"""政府信息公开 (条例): the Article 26 deadline, 年报, 指南 and 制度, 解读比例, and validity."""

from __future__ import annotations

from datetime import date, timedelta

from ..content import REPORTS, XXGK, XXGK_PAGES
from ..disclosure import working_days
from ..model import newest_first
from .context import Context
from .finding import Finding, Level
from .links import HREF, internal_path

REPORT_DEADLINE = (1, 31)     # 条例第四十九条: last year's 年报 by 31 January
# The six parts of a 年报 (国办公开办函〔2021〕30号): the statistics live in the second to the fourth.
REPORT_PARTS = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议、行政诉讼情况",
                "存在的主要问题及改进情况", "其他需要报告的事项")


def deadline(ctx: Context) -> list[Finding]:
    """Items published within the working days of their 成文日期 the admin set (条例第二十六条: 20)."""
    limit = ctx.cluster.site.xxgk.deadline_days
    out = []
    for p in ctx.visible:
        d = p.disclosure
        # Working days never outnumber calendar days: most items are decided without the calendar.
        if d is None or (p.date.date() - d.written).days <= limit:
            continue
        late = working_days(d.written, p.date.date())
        if late > limit:
            out.append(Finding("xxgk-deadline", "warning", f"publication within {limit} working days of the "
                               f"成文日期 {d.written} (条例第二十六条)", f"{p.date:%Y-%m-%d}, {late} working days later",
                               "Publish items within the deadline; the date of this one stays as it was.",
                               p.owner, p.column, p.source, ctx.line(p.source, "date:")))
    return out


def annual_reports(ctx: Context) -> list[Finding]:
    """Each department's 年报 for last year, published by 31 January with its six parts (statistics)."""
    out = []
    year = ctx.today.year - 1
    cutoff = date(ctx.today.year, *REPORT_DEADLINE)
    days_left = (cutoff - ctx.today).days
    warn = ctx.cluster.site.check.warn.report_days
    expected = f"the {year} 政府信息公开年报 published by {cutoff} (条例第四十九条)"
    for d in ctx.cluster.departments.values():
        where = f"content/{d.slug}/{XXGK}/{REPORTS}/{year}.md"
        column = f"{d.slug}/{XXGK}/{REPORTS}"
        page = ctx.cluster.pages.get(f"{column}/{year}")
        if page is None or page.date > ctx.as_of:
            level: Level | None = "deduction" if days_left < 0 else "warning" if days_left <= warn else None
            if level:
                found = "none yet" + (f", {days_left} days before the deadline" if days_left >= 0 else "")
                out.append(Finding("xxgk-annual-report", level, expected, found, f"Publish it as {where}.",
                                   d.slug, column, where))
            continue
        if page.date.date() > cutoff:
            out.append(Finding("xxgk-annual-report", "deduction", expected, f"it published {page.date:%Y-%m-%d}",
                               "Publish next year's on time.", d.slug, column, page.source,
                               ctx.line(page.source, "date:")))
        headings = " ".join(ctx.headings(page))
        missing = [part for part in REPORT_PARTS if part not in headings]
        if missing:
            out.append(Finding("xxgk-annual-report", "deduction", "a 年报 with its six parts, statistics included "
                               "(## 一、总体情况 … ## 六、其他需要报告的事项)", "no part " + "、".join(missing),
                               "Add the missing parts as ## headings, with their tables.", d.slug, column,
                               page.source))
    return out


def guides(ctx: Context) -> list[Finding]:
    """Each department's 政府信息公开指南 and 制度 present and revised within check.guide_max_days."""
    limit = ctx.cluster.site.check.guide_max_days
    out = []
    for d in ctx.cluster.departments.values():
        for slug, title in XXGK_PAGES.items():
            page = ctx.cluster.pages.get(f"{d.slug}/{XXGK}/{slug}")
            where = f"content/{d.slug}/{XXGK}/{slug}.md"
            if page is None:
                out.append(Finding("xxgk-guide", "deduction", f"the department's {title}", "none",
                                   f"Publish it as {where}.", d.slug, f"{d.slug}/{XXGK}", where))
            elif ctx.age(page.date) >= limit:
                out.append(Finding("xxgk-guide", "deduction", f"a {title} revised within {limit} days",
                                   f"one dated {page.date:%Y-%m-%d}, {ctx.age(page.date)} days old",
                                   "Review it against the department's current 职能, address and procedures, "
                                   "and republish it with today's date.", d.slug, f"{d.slug}/{XXGK}", where,
                                   ctx.line(where, "date:")))
    return out


def interpretation_ratio(ctx: Context) -> list[Finding]:
    """Per department, the share of its policy documents of the last 12 months, still 有效, that have an
    interpretation (解读比例), against check.interpretation_target in site.yaml."""
    target = ctx.cluster.site.check.interpretation_target
    since = ctx.today - timedelta(days=365)
    out = []
    for d in ctx.cluster.departments.values():
        policies = [p for p in ctx.visible if p.owner == d.slug and ctx.cluster.columns[p.column].kind == "policy"
                    and p.date.date() > since and (p.disclosure is None or p.disclosure.validity == "有效")]
        missing = sorted((p for p in policies if p.id not in ctx.cluster.interpretations), key=newest_first)
        done = len(policies) - len(missing)
        if policies and done / len(policies) < target:
            out.append(Finding("xxgk-interpretation", "deduction", f"解读比例 of at least {target:.0%} for the "
                               f"policies published since {since + timedelta(days=1)}",
                               f"{done} of {len(policies)} interpreted ({done / len(policies):.0%})",
                               "Publish interpretations (interprets: ../zcwj/<policy>.md) of: "
                               + "、".join(p.title for p in missing[:3]) + ("…" if len(missing) > 3 else "") + ".",
                               d.slug, file=d.source))
    return out


def validity_notices(ctx: Context) -> list[Finding]:
    """A 失效 or 废止 item keeps its page, with a notice saying so at the top."""
    out = []
    for p in ctx.visible:
        if p.disclosure and p.disclosure.validity != "有效":
            built = ctx.built(p.url)
            if built is not None and not built.notice:
                out.append(Finding("xxgk-validity-notice", "deduction", f"a notice that the item is "
                                   f"{p.disclosure.validity} on its page", f"none on {p.url}",
                                   "Keep the theme's validity notice in article.html, then rebuild.", p.owner,
                                   p.column, p.source))
    return out


def citing_void(ctx: Context) -> list[Finding]:
    """A 有效 item whose text links a 废止 one: it probably still relies on it."""
    by_url = {p.url: p for p in ctx.cluster.pages.values()}
    base = ctx.cluster.site.base_url
    out = []
    for p in ctx.visible:
        if not (p.disclosure and p.disclosure.validity == "有效"):
            continue
        body = ctx.body(p)
        for href in HREF.findall(body) if "href=" in body else ():
            target = internal_path(href, p.url, base)
            other = by_url.get(target[0]) if target else None
            # The document that replaced a 废止 one names it on purpose.
            if (other is not None and other.disclosure and other.disclosure.validity == "废止"
                    and other.disclosure.replaced_by != p.id):
                out.append(Finding("xxgk-cites-void", "warning", "a 有效 item that cites documents in force",
                                   f"a link to {other.title}, 废止 since {other.disclosure.invalid_from}",
                                   "Cite the document that replaced it, or say why the old one still matters.",
                                   p.owner, p.column, p.source, ctx.body_line(p, href)))
    return out
