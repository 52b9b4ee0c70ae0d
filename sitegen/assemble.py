"""Validated records to a Cluster: columns, pages, links, listings and portal aggregation."""

from __future__ import annotations

import difflib
import os
import pickle
import posixpath
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping, Sequence

from . import acceptance, rights
from .cache import Cache, digest
from .config import ColumnSpec, DepartmentSpec, SiteSpec
from .content import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, REPORTS, XXGK, XXGK_PAGES, Source, Stray
from .disclosure import INTERNAL_KINDS, calendar_warning, item_of
from .guides import featured_problems, guide_of, search_text
from .ledger import Ledger, check, rules_for
from .errors import Problem, shown
from .files import published_names
from .markup import MARKUP_VERSION, Html, Markup, line_of_text
from .pool import fan_out
from .model import Attachment, Cluster, Column, Consultation, Contact, Department, Interview, Long, Page, newest_first
from .urls import BSFW, PORTAL, RESERVED, bsfw_url, column_url, file_url, home_url, page_url, xxgk_url


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
    source_keys: Mapping[str, str] = field(default_factory=dict)   # page file -> its cache entry (load.load)


def due(records: Records, now: datetime) -> tuple[Records, tuple[Source, ...]]:
    """The records without the pages dated after ``now`` (China time), and those scheduled pages apart.

    A page dated in the future waits for its time: the build leaves it out until then, and
    `sitegen check` lists it as scheduled. Call it before assemble().
    """
    later = tuple(s for s in records.sources if s.meta.date > now)
    if not later:
        return records, ()
    return replace(records, sources=tuple(s for s in records.sources if s.meta.date <= now)), later


def assemble(records: Records, cache: Cache | None = None, workers: int | None = None
             ) -> tuple[Cluster, list[Problem]]:
    """Records -> Cluster. Markdown is converted once per text (``cache``), in a process pool when many."""
    problems: list[Problem] = []
    site = records.site
    columns, departments = _columns(records, problems)
    sources = _placed(records, columns, problems)
    by_content = {s.rel.removeprefix("content/"): s for s in sources}
    strays = {s.rel.removeprefix("content/"): s for s in records.strays}
    links = Links.of({rel: page_url(s.owner, s.column, s.slug) for rel, s in by_content.items()}, records.strays)
    converted = convert_all(sources, links, cache or Cache(None), workers)
    files: dict[str, str] = {}
    pages: dict[str, Page] = {}
    for source in sources:
        html, resolutions = converted[source.rel]
        for href, url in resolutions:
            dest = links.target(source.rel, href.partition("#")[0])
            if url is not None and dest in strays and dest not in by_content:
                if strays[dest].size > MAX_ATTACHMENT_BYTES:
                    problems.append(Problem(source.rel, line_of_text(source.body, href, source.body_line), "link",
                                            f"a document of at most {MAX_ATTACHMENT_BYTES // 2**20} MiB",
                                            f"{shown(href)}, {strays[dest].size / 2**20:.1f} MiB"))
                _publish(strays[dest], files)
        page = _page(source, (html, resolutions), records.root, by_content, strays, files, columns, site, problems,
                     departments.get(source.owner))
        pages[page.id] = page
    accepted, found = acceptance.read(records.root)
    asked_at = {f"{s.owner}/{s.column}/{s.slug}": s.lines.get(("portal",)) for s in sources}
    pages, found = acceptance.decide(pages, accepted, asked_at)
    problems += found
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
    problems += published_names(files)
    problems += rights.problems(site, records.departments, records.department_files)
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
    return cluster, problems + calendar_warning(cluster) + featured_problems(cluster, records.root)


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
                              spec.aggregate, column_url(PORTAL, spec.slug),
                              *_column_meta(spec, records.site.name, records.site.name))
    categories = records.site.xxgk.all_categories().values()
    departments: dict[str, Department] = {}
    for slug, dept in sorted(records.departments.items(), key=lambda kv: (kv[1].order, kv[0])):
        ids = []
        for n, c in enumerate(dept.columns):
            if c.disclosure and c.disclosure not in categories:
                problems.append(Problem(records.department_files[slug], None, f"columns.{n}.disclosure",
                                        "a 法定主动公开内容 category from site.yaml (one of " + "、".join(categories) + ")",
                                        shown(c.disclosure)))
            cid = f"{slug}/{c.slug}"
            columns[cid] = Column(cid, slug, c.slug, c.title, c.kind, c.disclosure, (), column_url(slug, c.slug),
                                  *_column_meta(c, dept.name, dept.short_name))
            ids.append(cid)
        # The 信息公开 section's own pages (guide, rules, annual reports): every department has them,
        # outside its menu, which links the section as a whole.
        sections = records.site.xxgk.sections
        for cid, kind, title, url in ((f"{slug}/{XXGK}", "xxgk", "信息公开", xxgk_url(slug)),
                                      (f"{slug}/{XXGK}/{REPORTS}", "report", sections.nb, xxgk_url(slug, REPORTS)),
                                      (f"{slug}/{BSFW}", "service", "办事服务", bsfw_url(slug))):
            columns[cid] = Column(cid, slug, cid.split("/", 1)[1], title, kind, None, (), url,
                                  f"{dept.name}{title}", (title, dept.short_name))
        contact = Contact(**dept.contact.model_dump())
        departments[slug] = Department(slug, dept.name, dept.short_name, dept.code, dept.order, dept.accent,
                                       dept.banner, dept.intro, contact, tuple(ids), home_url(slug),
                                       records.department_files[slug], dept.featured_services,
                                       dept.search.hot_words if dept.search else None)
    return columns, departments


def _column_meta(spec: ColumnSpec, owner: str, short: str) -> tuple[str, tuple[str, ...]]:
    """ColumnDescription and ColumnKeywords: the editor's, or derived from the title and the owner."""
    return spec.description or f"{owner}{spec.title}栏目", spec.keywords or (spec.title, short)


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
                slugs = [c.slug for c in columns.values() if c.owner == s.owner and c.kind not in INTERNAL_KINDS]
                decl = "site.yaml" if s.owner == PORTAL else records.department_files[s.owner]
                problems.append(Problem(where, None, "(column folder)",
                                        f"one of the columns declared in {decl} ({', '.join(slugs)})",
                                        shown(s.column)))
            continue
        pid = f"{cid}/{s.slug}"
        if pid in placed:
            problems.append(Problem(s.rel, None, "(file name)", f"one source for the URL {page_url(s.owner, s.column, s.slug)}",
                                    f"{placed[pid].rel} writes it too"))
            continue
        placed[pid] = s
    return list(placed.values())


def _page(s: Source, converted: Converted, root: Path, by_content: dict[str, Source], strays: dict[str, Stray],
          files: dict[str, str], columns: dict[str, Column], site: SiteSpec, problems: list[Problem],
          dept: Department | None = None) -> Page:
    html, resolutions = converted
    here = posixpath.dirname(s.rel.removeprefix("content/"))

    def target(rel: str) -> str:
        return posixpath.normpath(posixpath.join(here, rel))

    m = s.meta
    if html.refused:
        problems.append(Problem(s.rel, s.body_line, "(body)", "Markdown that python-markdown can convert",
                                html.refused))
    for href in html.broken:
        problems.append(Problem(s.rel, line_of_text(s.body, f"]({href}", s.body_line) if f"]({href}" in s.body
                                else line_of_text(s.body, href, s.body_line), "link",
                                "a relative path to an existing page (.md) or document", shown(href)))
    def attach(file: str, line: int | None, field: str, title: str | None = None) -> Attachment | None:
        dest = target(file)
        owner_prefix = s.rel.split("/")[1] + "/"
        ext = posixpath.splitext(dest)[1].lstrip(".").lower()
        if dest not in strays:
            # A link, pipe or device is left out of the strays (files.scan reports it): say so.
            inside = not dest.startswith("../") and dest != ".."
            what = "is not a regular file" if inside and os.path.lexists(root / "content" / dest) else "does not exist"
            problems.append(Problem(s.rel, line, field, "a file next to this page, relative to it "
                                    "(such as files/plan.pdf)", f"{shown(file)}, which {what}"))
        elif not dest.startswith(owner_prefix):
            problems.append(Problem(s.rel, line, field, f"a file inside content/{owner_prefix}", shown(file)))
        elif ext not in ATTACHMENT_TYPES:
            problems.append(Problem(s.rel, line, field, "a document or image type ("
                                    + ", ".join(sorted(ATTACHMENT_TYPES)) + ")", shown(ext or file)))
        else:
            stray = strays[dest]
            size = stray.size      # as listed: a regular file, never a link
            if size > MAX_ATTACHMENT_BYTES:
                problems.append(Problem(s.rel, line, field,
                                        f"at most {MAX_ATTACHMENT_BYTES // 2**20} MiB", f"{size / 2**20:.1f} MiB"))
                return None
            title = title or posixpath.splitext(posixpath.basename(dest))[0]
            return Attachment(stray.rel, _publish(stray, files), title, ext.upper(), size)
        return None

    found = (attach(a.file, s.lines.get(("attachments", i)), f"attachments.{i}", a.title)
             for i, a in enumerate(m.attachments))
    attachments = [a for a in found if a is not None]

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
    guide = guide_of(s, dept, site.services, attach, problems)
    # Search finds a guide by its elements as well as its notes.
    text = html.text if guide is None else f"{search_text(guide)}\n{html.text}".strip()
    consultation, interview = _kind_fields(s, columns[f"{s.owner}/{s.column}"].kind, problems)
    summary = m.summary or _summary(html.text or text)
    return Page(
        id=f"{s.owner}/{s.column}/{s.slug}", owner=s.owner, column=f"{s.owner}/{s.column}", slug=s.slug,
        title=m.title, date=m.date, summary=summary, keywords=m.keywords, featured=m.portal,
        # The same text, links resolved the same way, by the same converter: the same HTML.
        body=Long(html.body, digest(markup_key(s), repr(resolutions))), text=text, toc=html.toc,
        attachments=tuple(attachments), disclosure=disclosure,
        interprets=interprets, url=page_url(s.owner, s.column, s.slug), source=s.rel, guide=guide,
        consultation=consultation, interview=interview,
    )


# Column kinds whose pages carry a block of their own fields, and what the block is called.
KIND_BLOCKS = {"consultation": "意见征集", "interview": "在线访谈"}


def _kind_fields(s: Source, kind: str, problems: list[Problem]) -> tuple[Consultation | None, Interview | None]:
    """The 意见征集 or 在线访谈 fields of a page: required in such a column, refused elsewhere."""
    for block, name in KIND_BLOCKS.items():
        given = getattr(s.meta, block) is not None
        if kind == block and not given:
            problems.append(Problem(s.rel, 1, block, f"{block}: fields (every page of a {name} column has them)",
                                    "nothing"))
        elif given and kind != block:
            problems.append(Problem(s.rel, s.lines.get((block,)), block,
                                    f"{block}: fields only on pages of a {name} column (kind: {block})",
                                    f"a page of a column of kind {kind}"))
    c, i = s.meta.consultation, s.meta.interview
    return (Consultation(c.opens, c.closes, c.how, c.received, c.summary, c.adoption)
            if c is not None and kind == "consultation" else None,
            Interview(i.held, tuple((g.name, g.title) for g in i.guests), i.host)
            if i is not None and kind == "interview" else None)


@dataclass(frozen=True)
class Links:
    """Where a relative link in a page's Markdown leads: another page's URL, or a published file's."""

    pages: Mapping[str, str]       # content-relative path of a page -> its URL
    documents: frozenset[str]      # content-relative paths of files a link may publish

    @staticmethod
    def of(pages: dict[str, str], strays: Sequence[Stray]) -> Links:
        """The table of these pages (content-relative path -> URL) and of the strays a link may publish."""
        rels = (s.rel.removeprefix("content/") for s in strays)
        return Links(MappingProxyType(pages),
                     frozenset(r for r in rels if posixpath.splitext(r)[1].lstrip(".").lower() in ATTACHMENT_TYPES))

    @staticmethod
    def target(rel: str, path: str) -> str:
        here = posixpath.dirname(rel.removeprefix("content/"))
        return posixpath.normpath(posixpath.join(here, path))

    def resolve(self, rel: str, href: str) -> str | None:
        path, _, fragment = href.partition("#")
        tail = f"#{fragment}" if fragment else ""
        dest = self.target(rel, path)
        if dest in self.pages:
            return self.pages[dest] + tail
        if dest in self.documents:
            owner, _, rest = dest.partition("/")
            return file_url(owner, rest) + tail
        return None


Converted = tuple[Html, tuple[tuple[str, "str | None"], ...]]   # the HTML, and what each link resolved to


def convert_all(sources: Sequence[Source], links: Links, cache: Cache, workers: int | None) -> dict[str, Converted]:
    """Each page's Markdown as HTML: from the cache when its text and every link's target are unchanged.

    A cold build finds most pages there too: load() converted them while it read them, against
    the links every page found would have; a page whose links lead elsewhere now is converted again.
    """
    done: dict[str, Converted] = {}
    todo: list[tuple[Source, str]] = []
    for s in sources:
        key = markup_key(s)
        hit = cache.get("markup", key)
        if hit is not None and all(links.resolve(s.rel, href) == url for href, url in hit[1]):
            done[s.rel] = hit
        else:
            todo.append((s, key))
    for (s, key), data in zip(todo, _convert_many([s for s, _ in todo], links, workers)):
        result = pickle.loads(data)
        cache.put("markup", key, result, data)
        done[s.rel] = result
    return done


def markup_key(s: Source) -> str:
    """The cache entry of a page's conversion: its text and the converter's version."""
    return digest(MARKUP_VERSION, s.body_digest)


# Workers inherit the converter, link table and pages through fork (pool.fan_out): a task names a
# range of the pages, so only the HTML crosses between processes.
PARALLEL_FROM = 200     # pages to convert; below this a process pool costs more than it saves
CHUNK = 32


def convert(markup: Markup, links: Links, s: Source) -> bytes:
    """The page's HTML and what each of its links resolved to, pickled: once, for the cache and for
    the way back from a worker alike (the caller keeps what it unpickles: see load._parse)."""
    asked: list[tuple[str, str | None]] = []

    def resolve(href: str) -> str | None:
        url = links.resolve(s.rel, href)
        asked.append((href, url))
        return url

    converted: Converted = (markup.convert(s.body, resolve), tuple(asked))
    return pickle.dumps(converted, protocol=5)


def _convert_many(todo: Sequence[Source], links: Links, workers: int | None) -> Iterator[bytes]:
    markup = Markup()
    return fan_out(lambda i: convert(markup, links, todo[i]), len(todo), workers, PARALLEL_FROM, CHUNK)


def _publish(stray: Stray, files: dict[str, str]) -> str:
    owner, _, rest = stray.rel.removeprefix("content/").partition("/")
    url = file_url(owner, rest)
    files[url] = stray.rel
    return url


def _summary(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reassemble(records: Records, cluster: Cluster, source: Source, markup: Markup) -> tuple[Page | None, list[Problem]]:
    """One edited page as assemble() would make it, among the records and cluster of the last build.

    The preview's fast path: None when only a whole build can tell (a link that would publish a
    file the cluster does not publish yet). The build that follows decides what else it changes.
    """
    by_content = {s.rel.removeprefix("content/"): s for s in records.sources}
    by_content[source.rel.removeprefix("content/")] = source
    strays = {s.rel.removeprefix("content/"): s for s in records.strays}
    links = Links.of({rel: page_url(s.owner, s.column, s.slug) for rel, s in by_content.items()}, records.strays)
    html, resolutions = pickle.loads(convert(markup, links, source))
    documents = {url.partition("#")[0] for _, url in resolutions if url is not None} - {
        p.url for p in cluster.pages.values()}
    files = dict(cluster.files)
    problems: list[Problem] = []
    page = _page(source, (html, resolutions), records.root, by_content, strays, files, dict(cluster.columns),
                 records.site, problems, cluster.departments.get(source.owner))
    if files != cluster.files or not documents <= set(files):
        return None, problems
    return page, problems
