"""政府信息公开 rules over the assembled cluster: item fields, deadlines, catalog rows, exports, report counts."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

import chinese_calendar
import chinese_calendar.constants

from .config import XxgkSpec
from .content import Source
from .errors import Problem, shown
from .model import Cluster, Disclosure, Page, newest_first, value
from .urls import PORTAL, absolute

# Sections' own pages, outside any menu: the 信息公开 guide, rules and annual reports; 办事指南 (plan/services.py).
INTERNAL_KINDS = ("xxgk", "report", "service")
STATS_MARK = "[[主动公开统计]]"          # where an annual report wants its counts table


# ---------------------------------------------------------------- one item's fields


def item_of(s: Source, category: str | None, xxgk: XxgkSpec, resolve: Callable[[str], str | None],
            problems: list[Problem]) -> Disclosure | None:
    """The checked Disclosure of a page (None when it is not an item); problems name file and line."""
    d = s.meta.disclosure
    if d is None and category is None:
        return None
    if s.owner == PORTAL:
        problems.append(Problem(s.rel, s.lines.get(("disclosure",)), "disclosure",
                                "no 政府信息公开 block on a portal page (发布机构 is a department: put the document "
                                "in the folder of the department that issued it)", "a disclosure block"))
        return None
    if d is None:
        problems.append(Problem(s.rel, 1, "disclosure", f"a disclosure block with topic, genre and written (pages "
                                f"of this column are 政府信息公开 items of {category})", "nothing"))
        return None

    def at(*key: str) -> int | None:
        return s.lines.get(("disclosure", *key)) or s.lines.get(("disclosure",))

    names = xxgk.all_categories()
    chosen = d.category or category
    if chosen is None or chosen not in names.values():
        expected = "one of " + "、".join(names.values())
        problems.append(Problem(s.rel, at("category"), "disclosure.category",
                                expected if chosen else f"{expected} (the column names none)",
                                shown(chosen) if chosen else "nothing"))
    if d.topic not in xxgk.topics.values():
        problems.append(Problem(s.rel, at("topic"), "disclosure.topic", "a 主题分类 from site.yaml (one of "
                                + "、".join(xxgk.topics.values()) + ")", shown(d.topic)))
    if d.genre not in xxgk.genres:
        problems.append(Problem(s.rel, at("genre"), "disclosure.genre", "a 体裁分类 from site.yaml (one of "
                                + "、".join(xxgk.genres) + ")", shown(d.genre)))
    if not s.meta.keywords:
        problems.append(Problem(s.rel, s.lines.get(("keywords",)) or 2, "keywords",
                                "at least one 主题词 (a 政府信息公开 item lists its keywords)", "none"))
    if d.written > s.meta.date.date():
        problems.append(Problem(s.rel, at("written"), "disclosure.written", "a 成文日期 on or before the 发布日期 "
                                f"({s.meta.date:%Y-%m-%d})", d.written.isoformat()))
    if d.validity == "有效" and (d.invalid_from or d.replaced_by):
        key = "invalid_from" if d.invalid_from else "replaced_by"
        problems.append(Problem(s.rel, at(key), f"disclosure.{key}", "only on an item whose validity is 失效 or 废止",
                                "validity 有效"))
    if d.validity != "有效" and d.invalid_from is None:
        problems.append(Problem(s.rel, at("validity"), "disclosure.invalid_from",
                                f"the date it stopped applying (YYYY-MM-DD), because validity is {d.validity}", "nothing"))
    if d.invalid_from and d.invalid_from < d.written:
        problems.append(Problem(s.rel, at("invalid_from"), "disclosure.invalid_from",
                                f"a date on or after the 成文日期 ({d.written})", d.invalid_from.isoformat()))
    replaced_by = None
    if d.replaced_by:
        replaced_by = resolve(d.replaced_by)
        if replaced_by is None:
            problems.append(Problem(s.rel, at("replaced_by"), "disclosure.replaced_by",
                                    "a relative path to the page that replaced it (such as ../zcwj/x.md)",
                                    f"{shown(d.replaced_by)}, which does not exist"))
    # The Article 26 deadline is an inspection rule: sitegen.check.openness.deadline reports it.
    return Disclosure(d.index_no, chosen or "", d.topic, d.genre, d.doc_number, d.written, d.normative,
                      d.validity, d.invalid_from, replaced_by)


CALENDAR_YEARS = range(min(d.year for d in chinese_calendar.constants.holidays),
                       max(d.year for d in chinese_calendar.constants.holidays) + 1)


def calendar_warning(cluster: Cluster) -> list[Problem]:
    """One warning when items fall in a year the holiday calendar does not know yet."""
    years = sorted({p.date.year for p in cluster.pages.values() if p.disclosure} - set(CALENDAR_YEARS))
    if not years or years[-1] < CALENDAR_YEARS.start:
        return []
    return [Problem("pyproject.toml", None, "chinesecalendar", f"a holiday calendar that covers {years[-1]} "
                    "(upgrade the chinesecalendar package when the State Council publishes the year's holidays)",
                    f"one that ends with {CALENDAR_YEARS.stop - 1}; deadlines in {years[-1]} count weekends only",
                    "warning")]


def is_workday(day: date) -> bool:
    """The State Council's holiday calendar (with 调休 Saturdays) where chinesecalendar has the year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:     # a year the package does not cover yet: weekends only
        return day.weekday() < 5


def working_days(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when published the same day)."""
    if (end - start).days > 400:
        # Far beyond any deadline: count weekdays by arithmetic, so that an old date costs nothing.
        weeks, rest = divmod((end - start).days, 7)
        return weeks * 5 + sum((start + timedelta(days=weeks * 7 + i)).weekday() < 5 for i in range(1, rest + 1))
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += is_workday(day)
    return days


# ---------------------------------------------------------------- catalog rows


@value
class Entry:
    """One catalog row: what the tables, the filters and the exports show of an item."""

    id: str
    index_no: str
    title: str
    url: str
    owner: str
    department: str       # 发布机构
    category: str
    topic: str
    genre: str
    doc_number: str
    written: date
    published: datetime
    keywords: tuple[str, ...]
    validity: str
    normative: bool


def entries(cluster: Cluster) -> tuple[Entry, ...]:
    """Every item of the cluster, newest first."""
    rows = []
    for p in sorted(cluster.pages.values(), key=newest_first):
        d = p.disclosure
        if d is not None:
            rows.append(Entry(p.id, d.index_no or "", p.title, p.url, p.owner, cluster.owner_name(p.owner),
                              d.category, d.topic, d.genre, d.doc_number or "", d.written, p.date, p.keywords,
                              d.validity, d.normative))
    return tuple(rows)


def by_written(rows: Iterable[Entry]) -> list[Entry]:
    return sorted(rows, key=lambda e: (e.written, e.published, e.id), reverse=True)


EXPORT_FIELDS = ("index_no", "title", "url", "department", "category", "topic", "genre", "doc_number",
                 "written", "published", "keywords", "validity")


def _record(e: Entry, base_url: str) -> dict:
    return {"index_no": e.index_no, "title": e.title, "url": absolute(base_url, e.url), "department": e.department,
            "category": e.category, "topic": e.topic, "genre": e.genre, "doc_number": e.doc_number,
            "written": e.written.isoformat(), "published": e.published.isoformat(timespec="minutes") + "+08:00",
            "keywords": list(e.keywords), "validity": e.validity}


def to_json(rows: Iterable[Entry], base_url: str) -> str:
    return json.dumps([_record(e, base_url) for e in rows], ensure_ascii=False, separators=(",", ":"))


def cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to Excel: an editor's title must stay text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[str]]) -> bytes:
    """A CSV table as Excel opens it: UTF-8 with a BOM (so the Chinese reads right), no formula cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_csv(rows: Iterable[Entry], base_url: str) -> bytes:
    """The catalog as CSV; keywords joined with ；."""
    records = [_record(e, base_url) for e in rows]
    for record in records:
        record["keywords"] = "；".join(record["keywords"])
    return csv_bytes(EXPORT_FIELDS, ([record[f] for f in EXPORT_FIELDS] for record in records))


# ---------------------------------------------------------------- annual report counts


@value
class YearCounts:
    """What a department's 年报 reports for a year, counted from the catalog."""

    year: int
    by_category: tuple[tuple[str, int, int], ...]    # (category, published this year, total at year end)
    published: int
    normative_issued: int        # 行政规范性文件 written this year
    normative_ended: int         # …that stopped applying this year (失效 or 废止)
    normative_in_force: int      # …in force on 31 December


def year_counts(rows: Iterable[Entry], cluster: Cluster, owner: str, year: int, xxgk: XxgkSpec) -> YearCounts:
    mine = [e for e in rows if e.owner == owner]
    end = date(year, 12, 31)
    by_category = []
    for name in xxgk.all_categories().values():
        this = sum(1 for e in mine if e.category == name and e.published.year == year)
        total = sum(1 for e in mine if e.category == name and e.published.date() <= end)
        if this or total:
            by_category.append((name, this, total))
    normative = [d for e in mine if e.normative and (d := cluster.pages[e.id].disclosure) is not None]
    return YearCounts(
        year=year,
        by_category=tuple(by_category),
        published=sum(1 for e in mine if e.published.year == year),
        normative_issued=sum(1 for d in normative if d.written.year == year),
        normative_ended=sum(1 for d in normative if d.invalid_from and d.invalid_from.year == year),
        normative_in_force=sum(1 for d in normative if d.written <= end
                               and (d.invalid_from is None or d.invalid_from > end)),
    )


# ---------------------------------------------------------------- 解读比例


@dataclass(frozen=True)
class Coverage:
    owner: str
    department: str
    policies: int
    interpreted: int
    missing: tuple[Page, ...]      # policies nobody has explained yet, newest first

    @property
    def share(self) -> float:
        return self.interpreted / self.policies if self.policies else 1.0


def interpretation_coverage(cluster: Cluster) -> tuple[Coverage, ...]:
    """Per department: its policy documents, how many have an interpretation, and which do not."""
    out = []
    for dept in cluster.departments.values():
        policies = [cluster.pages[p] for c in dept.columns if cluster.columns[c].kind == "policy"
                    for p in cluster.listing[c] if cluster.pages[p].column == c]
        missing = tuple(p for p in policies if p.id not in cluster.interpretations)
        out.append(Coverage(dept.slug, dept.name, len(policies), len(policies) - len(missing), missing))
    return tuple(out)
