"""Page metadata the 发展指引 requires, and a visible publish date, read from the built HTML."""

from __future__ import annotations

from ..disclosure import INTERNAL_KINDS
from ..urls import PORTAL, home_url
from .context import Context
from .finding import Finding

SITE = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN = ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType")
ARTICLE = COLUMN + ("ArticleTitle", "PubDate", "ContentSource")
TODO = "Emit the missing <meta> tags from the theme's base.html (chrome.meta), then rebuild."


def _missing(ctx: Context, url: str, names: tuple[str, ...], owner: str, column: str, file: str) -> list[Finding]:
    built = ctx.built(url)
    if built is None:
        return [Finding("metadata", "deduction", f"the built page {url} in {ctx.output}", "no such file",
                        "Build the site (sitegen build) before checking it.", owner, column, file)]
    absent = [n for n in names if not built.meta.get(n, "").strip()]
    if not absent:
        return []
    return [Finding("metadata", "deduction", f"the meta tags {', '.join(names)} on {url}",
                    f"none for {', '.join(absent)}", TODO, owner, column, file)]


def metadata(ctx: Context) -> list[Finding]:
    """SiteName, SiteDomain, SiteIDCode everywhere; Column* on lists; ArticleTitle, PubDate, ContentSource on articles."""
    if not ctx.output.is_dir():
        return [Finding("metadata", "deduction", f"a built site in {ctx.output}", "no such folder",
                        "Build the site (sitegen build) before checking it.", PORTAL, file="site.yaml")]
    cluster = ctx.cluster
    out = _missing(ctx, home_url(PORTAL), SITE, PORTAL, "", "site.yaml")
    for d in cluster.departments.values():
        out += _missing(ctx, d.url, SITE, d.slug, "", d.source)
    for c in cluster.columns.values():
        if c.kind not in INTERNAL_KINDS:
            file = "site.yaml" if c.owner == PORTAL else cluster.departments[c.owner].source
            out += _missing(ctx, c.url, SITE + COLUMN, c.owner, c.id, file)
    for p in ctx.visible:
        out += _missing(ctx, p.url, SITE + ARTICLE, p.owner, p.column, p.source)
    return out


def visible_date(ctx: Context) -> list[Finding]:
    """Every article shows its publish date (a <time> element in the built page)."""
    out = []
    for p in ctx.visible:
        built = ctx.built(p.url)
        if built is not None and not built.dated:
            out.append(Finding("visible-date", "deduction", "a visible publish date on the article",
                               f"no <time> element in {p.url}", "Show the date in the theme's article.html "
                               "(发布日期), then rebuild.", p.owner, p.column, p.source))
    return out
