"""Site identity: the 党政机关网站标识, a .gov.cn address, and the yearly 政府网站工作年度报表."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from ..urls import PORTAL, column_url, page_url
from .context import Context
from .finding import Finding, Level
from .links import HREF, internal_path

REPORT_DEADLINE = (1, 31)     # 国办函〔2018〕12号: last year's 年度报表 published by 31 January


def gov_mark(ctx: Context) -> list[Finding]:
    """The 党政机关网站标识 (gov_mark in site.yaml), which the 发展指引 puts in every page's footer."""
    if ctx.cluster.site.gov_mark is not None:
        return []
    return [Finding("gov-mark", "warning", "the 党政机关网站标识 (site.yaml: gov_mark with its link and image)",
                    "none", "Add gov_mark: {link: …, image: …} with what the 机构编制 office issued.", PORTAL,
                    file="site.yaml", line=None)]


def gov_domain(ctx: Context) -> list[Finding]:
    """A government site's address ends in .gov.cn (发展指引: 政府网站域名)."""
    host = urlsplit(ctx.cluster.site.base_url).hostname or ""
    if host.endswith(".gov.cn"):
        return []
    return [Finding("gov-domain", "warning", "a base_url under .gov.cn", f"'{host}'",
                    "Use the site's registered .gov.cn address as base_url.", PORTAL, file="site.yaml",
                    line=ctx.line("site.yaml", "base_url:"))]


def website_report(ctx: Context) -> list[Finding]:
    """Last year's 政府网站工作年度报表 is published by 31 January and linked from the portal home page."""
    spec = ctx.cluster.site.check
    year = ctx.today.year - 1
    deadline = date(ctx.today.year, *REPORT_DEADLINE)
    days_left = (deadline - ctx.today).days
    if spec.website_reports is None:
        return [Finding("website-report", "warning", "a portal column for the 政府网站工作年度报表 (site.yaml: "
                        "check.website_reports, with one page per year, content/portal/<column>/<year>.md)",
                        "none", "Declare the column and publish last year's report in it.", PORTAL, file="site.yaml")]
    column = spec.website_reports
    if f"{PORTAL}/{column}" not in ctx.cluster.columns:
        return [Finding("website-report", "warning", "check.website_reports naming a portal column of site.yaml",
                        f"'{column}', which is not one", f"Declare it: columns: - {{slug: {column}, title: "
                        "政府网站工作年度报表, kind: page}.", PORTAL, file="site.yaml",
                        line=ctx.line("site.yaml", "website_reports"))]
    url = page_url(PORTAL, column, str(year))
    page = ctx.cluster.pages.get(f"{PORTAL}/{column}/{year}")
    where = f"content/{PORTAL}/{column}/{year}.md"
    level: Level | None = "deduction" if days_left < 0 else "warning" if days_left <= spec.warn.report_days else None
    expected = f"the {year} 政府网站工作年度报表 published by {deadline} (国办函〔2018〕12号)"
    if page is None or page.date > ctx.as_of:
        if level is None:
            return []
        found = "none yet" + (f", {days_left} days before the deadline" if days_left >= 0 else "")
        return [Finding("website-report", level, expected, found, f"Publish it as {where}.", PORTAL,
                        f"{PORTAL}/{column}", where)]
    home = ctx.read("/")
    if home is None:
        return []      # nothing built yet: the metadata rule says so once
    targets = {internal_path(h, "/", ctx.cluster.site.base_url) for h in HREF.findall(home)}
    if (url, "") not in targets and (column_url(PORTAL, column), "") not in targets:
        return [Finding("website-report", "deduction", f"a link from the portal home page to the {year} report "
                        f"({url}) or to its column", "no such link on /", "Link the column from the home page "
                        "(the theme's portal.html shows it when check.website_reports is set).", PORTAL,
                        f"{PORTAL}/{column}", where)]
    return []
