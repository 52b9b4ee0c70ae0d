"""Validated records to a Cluster: columns, pages, links, listings and portal aggregation."""

from __future__ import annotations

import difflib
import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .config import DepartmentSpec, SiteSpec
from .content import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, REPORTS, XXGK, XXGK_PAGES, Source, Stray
from .disclosure import INTERNAL_KINDS, calendar_warning, item_of
from .ledger import Ledger, check, rules_for
from .errors import Problem, shown
from .markup import Markup, line_of_text
from .model import Attachment, Cluster, Column, Department, Page, newest_first
from .urls import PORTAL, RESERVED, column_url, file_url, home_url, page_url, xxgk_url


@dataclass(frozen=True)
class Records:
    """What the load stage hands on: every valid record, and where each came from."""

    root: Path
    site: SiteSpec
    departments: dict[str, DepartmentSpec]
    department_files: dict[str, str]
    sources: tuple[Source, ...]
    strays: tuple[Stray, ...]
    ledgers: dict[str, Ledger]          # department slug -> its 索引号 ledger


def assemble(records: Records, markup: Markup | None = None) -> tuple[Cluster, list[Problem]]:
    problems: list[Problem] = []
    site = records.site
    columns, departments = _columns(records, problems)
    sources = _placed(records, columns, problems)
    by_content = {s.rel.removeprefix("content/"): s for s in sources}
    strays = {s.rel.removeprefix("content/"): s for s in records.strays}
    files: dict[str, str] = {}
    markup = markup or Markup()
    pages: dict[str, Page] = {}
    for source in sources:
        page = _page(source, records.root, by_content, strays, files, markup, columns, site, problems)
        pages[page.id] = page
    problems += check(sources, records.ledgers, rules_for(records.ledgers, records.departments, site.xxgk))
    for slug in departments:
        for name, title in XXGK_PAGES.items():
            if f"{slug}/{XXGK}/{name}" not in pages:
                problems.append(Problem(f"content/{slug}/{XXGK}/{name}.md", None, "(file)",
                                        f"the department's {title} (every department publishes one; "
                                        "`sitegen new department` writes a first draft)", "no such file"))

    listing: dict[str, list[str]] = {cid: [] for cid in columns}
    for page in pages.values():
        listing[page.column].append(page.id)
    for column in columns.values():
        if column.owner == PORTAL and column.aggregate:
            listing[column.id] += [p.id for p in pages.values()
                                   if p.owner != PORTAL and columns[p.column].kind in column.aggregate]
    ordered = {cid: tuple(sorted(ids, key=lambda i: newest_first(pages[i]))) for cid, ids in listing.items()}

    interpretations: dict[str, list[str]] = {}
    for page in pages.values():
        if page.interprets:
            interpretations.setdefault(page.interprets, []).append(page.id)

    if site.contact_page and f"{PORTAL}/{site.contact_page}" not in pages:
        problems.append(Problem("site.yaml", None, "contact_page",
                                "a portal page as <column>/<slug> (content/portal/<column>/<slug>.md)",
                                shown(site.contact_page)))
    used = set(files.values())
    known = set(records.departments) | {PORTAL}
    for rel, stray in strays.items():
        if stray.rel not in used and rel.split("/")[0] in known:
            problems.append(Problem(stray.rel, None, "(file)", "a file that a page attaches or links to "
                                    "(files nobody references are not published)", "no page referencing it",
                                    "warning"))
    cluster = Cluster(
        site=site,
        departments=MappingProxyType(departments),
        columns=MappingProxyType(columns),
        pages=MappingProxyType(pages),
        listing=MappingProxyType(ordered),
        interpretations=MappingProxyType({k: tuple(sorted(v)) for k, v in interpretations.items()}),
        files=MappingProxyType(files),
        portal_columns=tuple(c.id for c in columns.values() if c.owner == PORTAL),
    )
    return cluster, problems + calendar_warning(cluster)


def _columns(records: Records, problems: list[Problem]) -> tuple[dict[str, Column], dict[str, Department]]:
    """Portal and department columns, checking the one shared top-level namespace."""
    columns: dict[str, Column] = {}
    for spec in records.site.columns:
        if spec.slug in RESERVED or spec.slug in records.departments:
            owner = "a reserved path" if spec.slug in RESERVED else f"the department {records.department_files[spec.slug]}"
            problems.append(Problem("site.yaml", None, f"columns.{spec.slug}",
                                    "a portal column slug that no department and no reserved path "
                                    f"({', '.join(sorted(RESERVED))}) uses", f"'{spec.slug}' is also {owner}"))
        if spec.disclosure:
            problems.append(Problem("site.yaml", None, f"columns.{spec.slug}.disclosure",
                                    "no category on a portal column (政府信息公开 items belong to the department "
                                    "that issued them; the portal lists them at /xxgk/)", shown(spec.disclosure)))
        cid = f"{PORTAL}/{spec.slug}"
        columns[cid] = Column(cid, PORTAL, spec.slug, spec.title, spec.kind, None,
                              spec.aggregate, column_url(PORTAL, spec.slug))
    categories = records.site.xxgk.all_categories().values()
    departments: dict[str, Department] = {}
    for slug, spec in sorted(records.departments.items(), key=lambda kv: (kv[1].order, kv[0])):
        ids = []
        for n, c in enumerate(spec.columns):
            if c.disclosure and c.disclosure not in categories:
                problems.append(Problem(records.department_files[slug], None, f"columns.{n}.disclosure",
                                        "a 法定主动公开内容 category from site.yaml (one of " + "、".join(categories) + ")",
                                        shown(c.disclosure)))
            cid = f"{slug}/{c.slug}"
            columns[cid] = Column(cid, slug, c.slug, c.title, c.kind, c.disclosure, (), column_url(slug, c.slug))
            ids.append(cid)
        # The 信息公开 section's own pages (guide, rules, annual reports): every department has them,
        # outside its menu, which links the section as a whole.
        sections = records.site.xxgk.sections
        for cid, kind, title, url in ((f"{slug}/{XXGK}", "xxgk", "信息公开", xxgk_url(slug)),
                                      (f"{slug}/{XXGK}/{REPORTS}", "report", sections.nb, xxgk_url(slug, REPORTS))):
            columns[cid] = Column(cid, slug, cid.split("/", 1)[1], title, kind, None, (), url)
        departments[slug] = Department(slug, spec.name, spec.short_name, spec.code, spec.order, spec.accent,
                                       spec.banner, spec.intro, spec.contact, tuple(ids), home_url(slug),
                                       records.department_files[slug],
                                       spec.search.hot_words if spec.search else None)
    return columns, departments


def _placed(records: Records, columns: dict[str, Column], problems: list[Problem]) -> list[Source]:
    """Sources whose folder is a declared owner and column, one per identity."""
    placed: dict[str, Source] = {}
    reported: set[str] = set()
    for s in records.sources:
        folder = f"content/{s.owner}"
        if s.owner != PORTAL and s.owner not in records.departments:
            # A department whose YAML exists but is invalid has its own problems reported already.
            declared = any((records.root / "departments" / f"{s.owner}{ext}").is_file() for ext in (".yaml", ".yml"))
            if folder not in reported and not declared:
                reported.add(folder)
                close = difflib.get_close_matches(s.owner, list(records.departments), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(Problem(folder, None, "(folder)", "content/portal or a department declared in "
                                        f"departments/<slug>.yaml{hint}", f"no departments/{s.owner}.yaml"))
            continue
        cid = f"{s.owner}/{s.column}"
        if cid not in columns:
            where = f"{folder}/{s.column}"
            if where not in reported:
                reported.add(where)
                declared = [c.slug for c in columns.values() if c.owner == s.owner and c.kind not in INTERNAL_KINDS]
                decl = "site.yaml" if s.owner == PORTAL else records.department_files[s.owner]
                problems.append(Problem(where, None, "(column folder)",
                                        f"one of the columns declared in {decl} ({', '.join(declared)})",
                                        shown(s.column)))
            continue
        pid = f"{cid}/{s.slug}"
        if pid in placed:
            problems.append(Problem(s.rel, None, "(file name)", f"one source for the URL {page_url(s.owner, s.column, s.slug)}",
                                    f"{placed[pid].rel} writes it too"))
            continue
        placed[pid] = s
    return list(placed.values())


def _page(s: Source, root: Path, by_content: dict[str, Source], strays: dict[str, Stray], files: dict[str, str],
          markup: Markup, columns: dict[str, Column], site: SiteSpec, problems: list[Problem]) -> Page:
    here = posixpath.dirname(s.rel.removeprefix("content/"))

    def target(rel: str) -> str:
        return posixpath.normpath(posixpath.join(here, rel))

    def resolve(href: str) -> str | None:
        path, _, fragment = href.partition("#")
        tail = f"#{fragment}" if fragment else ""
        dest = target(path)
        if dest in by_content:
            other = by_content[dest]
            return page_url(other.owner, other.column, other.slug) + tail
        if dest in strays and posixpath.splitext(dest)[1].lstrip(".").lower() in ATTACHMENT_TYPES:
            return _publish(strays[dest], files) + tail
        return None

    m = s.meta
    html = markup.convert(s.body, resolve)
    for href in html.broken:
        problems.append(Problem(s.rel, line_of_text(s.body, f"]({href}", s.body_line) if f"]({href}" in s.body
                                else line_of_text(s.body, href, s.body_line), "link",
                                "a relative path to an existing page (.md) or document", shown(href)))
    attachments = []
    for i, a in enumerate(m.attachments):
        dest = target(a.file)
        line = s.lines.get(("attachments", i))
        owner_prefix = s.rel.split("/")[1] + "/"
        ext = posixpath.splitext(dest)[1].lstrip(".").lower()
        if dest not in strays:
            problems.append(Problem(s.rel, line, f"attachments.{i}", "a file next to this page, relative to it "
                                    "(such as files/plan.pdf)", f"{shown(a.file)}, which does not exist"))
        elif not dest.startswith(owner_prefix):
            problems.append(Problem(s.rel, line, f"attachments.{i}", f"a file inside content/{owner_prefix}",
                                    shown(a.file)))
        elif ext not in ATTACHMENT_TYPES:
            problems.append(Problem(s.rel, line, f"attachments.{i}", "a document or image type ("
                                    + ", ".join(sorted(ATTACHMENT_TYPES)) + ")", shown(ext or a.file)))
        else:
            stray = strays[dest]
            size = (root / stray.rel).stat().st_size
            if size > MAX_ATTACHMENT_BYTES:
                problems.append(Problem(s.rel, line, f"attachments.{i}",
                                        f"at most {MAX_ATTACHMENT_BYTES // 2**20} MiB", f"{size / 2**20:.1f} MiB"))
                continue
            title = a.title or posixpath.splitext(posixpath.basename(dest))[0]
            attachments.append(Attachment(stray.rel, _publish(stray, files), title, ext.upper(), size))

    def page_id(rel: str) -> str | None:
        other = by_content.get(target(rel))
        return f"{other.owner}/{other.column}/{other.slug}" if other else None

    interprets = None
    if m.interprets:
        interprets = page_id(m.interprets)
        if interprets is None:
            problems.append(Problem(s.rel, s.lines.get(("interprets",)), "interprets",
                                    "a relative path to the policy page this explains (such as ../zcwj/x.md)",
                                    f"{shown(m.interprets)}, which does not exist"))
    disclosure = item_of(s, columns[f"{s.owner}/{s.column}"].category, site.xxgk, page_id, problems)
    summary = m.summary or _summary(html.text)
    return Page(
        id=f"{s.owner}/{s.column}/{s.slug}", owner=s.owner, column=f"{s.owner}/{s.column}", slug=s.slug,
        title=m.title, date=m.date, summary=summary, keywords=m.keywords, featured=m.portal,
        body=html.body, text=html.text, toc=html.toc, attachments=tuple(attachments), disclosure=disclosure,
        interprets=interprets, url=page_url(s.owner, s.column, s.slug), source=s.rel,
        digest=hashlib.sha256(s.raw.encode()).hexdigest()[:16],
    )


def _publish(stray: Stray, files: dict[str, str]) -> str:
    owner, _, rest = stray.rel.removeprefix("content/").partition("/")
    url = file_url(owner, rest)
    files[url] = stray.rel
    return url


def _summary(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
