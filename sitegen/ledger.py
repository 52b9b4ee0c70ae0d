"""The 索引号 ledger: numbers assigned once per department and never changed or reused."""

from __future__ import annotations

import json
import os
import re
import string
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping

from .config import DepartmentSpec, XxgkSpec, read_text
from .content import LEDGER_NAME, XXGK, DisclosureSpec, Source
from .errors import Problem, SitegenError, shown
from .files import kind
from .urls import PORTAL, page_url

# The ledger is one line per number, sorted, tab-separated, so that `git merge` with the
# union driver (.gitattributes) keeps both sides' lines; a number given twice is then a
# problem the build names and `sitegen disclosure repair` resolves.
HEADER = ("# 索引号登记簿：{name}\n"
          "# 由 `sitegen disclosure assign` 维护。号码一经分配不再改变、不再复用；页面删除后留下空号。\n"
          "# 年份\t序号\t索引号\t页面（相对于 content/{owner}/）\n")
REPAIR = "run `sitegen disclosure repair`"
MAX_LEDGER_BYTES = 32 * 2**20     # about 300,000 numbers: far more than a department issues


class LedgerError(SitegenError):
    pass


@dataclass(frozen=True)
class Entry:
    year: int
    serial: int
    number: str
    page: str        # path relative to content/<owner>/
    line: int = 0    # line in the ledger file, for messages


@dataclass(frozen=True)
class Ledger:
    owner: str
    rel: str                      # the ledger's path relative to the site root
    entries: tuple[Entry, ...]


def ledger_rel(owner: str) -> str:
    return f"content/{owner}/{XXGK}/{LEDGER_NAME}"


def page_in(source: Source) -> str:
    """A page's path as the ledger records it: relative to its department's content folder."""
    return source.rel.removeprefix(f"content/{source.owner}/")


def read(root: Path, owner: str) -> tuple[Ledger, list[Problem]]:
    rel = ledger_rel(owner)
    path = root / rel
    entries: list[Entry] = []
    problems: list[Problem] = []
    text: str | None
    if not os.path.lexists(path):
        text = ""
    elif kind(path.lstat().st_mode):
        return Ledger(owner, rel, ()), []       # a link, pipe or device: files.scan reports it
    else:
        text, found = read_text(path, rel, MAX_LEDGER_BYTES)
        if text is None:
            return Ledger(owner, rel, ()), found
    for n, row in enumerate(text.splitlines(), 1):
        if not row.strip() or row.startswith("#"):
            continue
        cells = row.split("\t")
        if (len(cells) != 4 or not re.fullmatch(r"\d{4}", cells[0]) or not re.fullmatch(r"[1-9]\d{0,8}", cells[1])
                or not cells[2].strip() or not cells[3].endswith(".md")):
            problems.append(Problem(rel, n, "(ledger line)", "year<TAB>serial<TAB>索引号<TAB>page.md, as "
                                    "`sitegen disclosure assign` writes it", shown(row[:120])))
            continue
        entries.append(Entry(int(cells[0]), int(cells[1]), cells[2].strip(), cells[3].strip(), n))
    return Ledger(owner, rel, tuple(entries)), problems


def number_for(pattern: str, spec: DepartmentSpec, owner: str, year: int, serial: int) -> str:
    return pattern.format(code=spec.code, org_code=spec.code[8:17], dept=owner, year=year, serial=serial)


def number_parser(pattern: str, spec: DepartmentSpec, owner: str) -> re.Pattern:
    """A regex that reads (year, serial) back out of this department's numbers."""
    fixed = {"code": spec.code, "org_code": spec.code[8:17], "dept": owner}
    parts = []
    for literal, field, _, _ in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if field in fixed:
            parts.append(re.escape(fixed[field]))
        elif field in ("year", "serial"):
            parts.append(rf"(?P<{field}>\d+)")
    return re.compile("".join(parts))


# ---------------------------------------------------------------- deciding
#
# One function decides what every item's number should be; `check` turns its verdicts into
# build problems and `plan` into changes, so the two always agree.

KEEP, NEW, RESTORE, RECORD = "keep", "new", "restore", "record"


@dataclass(frozen=True)
class Verdict:
    source: Source
    action: str                  # keep | new | restore (its recorded number) | record (add it to the ledger)
    number: str | None           # what it keeps, gets back or records; None for a new number
    reason: str                  # ok | moved | missing | duplicate | edited | unrecorded | foreign
    keeper: Source | None = None  # for a duplicate: the page that keeps the number
    other: str = ""              # for a foreign number: the department whose ledger has it


@dataclass(frozen=True)
class Rules:
    """What deciding needs besides the pages and the ledger."""

    parser: re.Pattern | None                 # reads (year, serial) from this department's numbers
    published: Mapping[str, str]              # 索引号 -> URL in the last published catalog
    foreign: Mapping[str, str]                # 索引号 -> the other department whose ledger records it


def decide(items: list[Source], ledger: Ledger, rules: Rules) -> list[Verdict]:
    """The verdict on every item of one department.

    A number stays with the page that carries it when the ledger gave it to that page, or to a
    path where no page carries it any more (the page moved). A page that has a recorded number
    gets it back; of two pages carrying one number the published one keeps it (then the
    recorded one, then the oldest); a page with no number gets a new one. Numbers are never
    taken from a page that was published with them.
    """
    by_number, by_page = _index(ledger.entries)
    carriers = _carriers(items)
    taken = set(carriers)
    verdicts = []

    def back(s: Source, current: str | None) -> str | None:
        for e in by_page.get(page_in(s), ()):
            if e.number != current and e.number not in taken:
                taken.add(e.number)
                return e.number
        return None

    for s in items:
        n = _disclosure(s).index_no
        own = [e.number for e in by_page.get(page_in(s), ())]
        holders = [e.page for e in by_number.get(n, ())] if n is not None else []
        if n is None:
            verdicts.append(Verdict(s, NEW, None, "missing"))
        elif len(carriers[n]) > 1:
            keeper = _keeper(carriers[n], by_number.get(n, ()), rules.published.get(n))
            if s is keeper:
                verdicts.append(Verdict(s, KEEP, n, "ok" if page_in(s) in holders else "moved"))
            else:
                m = back(s, n)
                verdicts.append(Verdict(s, RESTORE if m else NEW, m, "duplicate", keeper))
        elif page_in(s) in holders:
            verdicts.append(Verdict(s, KEEP, n, "ok"))
        elif own:                       # it has a number of its own, and shows another
            m = back(s, n)
            verdicts.append(Verdict(s, RESTORE if m else NEW, m, "edited"))
        elif holders:
            verdicts.append(Verdict(s, KEEP, n, "moved"))
        elif n in rules.foreign:
            verdicts.append(Verdict(s, NEW, None, "foreign", other=rules.foreign[n]))
        else:
            # Not in the ledger at all: a lost ledger line (an interrupted assign, a bad merge)
            # is recorded again if the number is this department's; anything else is renumbered.
            parsed = rules.parser.fullmatch(n) if rules.parser else None
            verdicts.append(Verdict(s, RECORD if parsed else NEW, n if parsed else None, "unrecorded"))
    return verdicts


def check(sources: Iterable[Source], ledgers: Mapping[str, Ledger], rules: Mapping[str, Rules]) -> list[Problem]:
    """Every item's 索引号 against its department's ledger: present, recorded, and its own."""
    problems: list[Problem] = []
    items = _items(sources)
    for owner, ledger in ledgers.items():
        by_number, _ = _index(ledger.entries)
        for number, entries in by_number.items():
            for e in entries[1:]:
                if e.page != entries[0].page:
                    problems.append(Problem(ledger.rel, e.line, "索引号", "each number recorded once (numbers are "
                                            "never reused)", f"{shown(number)} again, for {e.page} (line "
                                            f"{entries[0].line} gives it to {entries[0].page}); {REPAIR}"))
        for v in decide(items.get(owner, []), ledger, rules[owner]):
            problem = _problem(v, ledger)
            if problem is not None:
                problems.append(problem)
    return problems


def _problem(v: Verdict, ledger: Ledger) -> Problem | None:
    s, n = v.source, _disclosure(v.source).index_no
    line = s.lines.get(("disclosure", "index_no")) or s.lines.get(("disclosure",))
    field = "disclosure.index_no"
    fate = f"gets its recorded number {v.number} back" if v.action == RESTORE else "gets a new number"
    if v.reason == "missing":
        return Problem(s.rel, line, field, "a 索引号 (run `sitegen disclosure assign`, or `sitegen build --assign`)",
                       "nothing")
    if v.reason == "duplicate":
        assert v.keeper is not None             # decide names the page that keeps a duplicate number
        return Problem(s.rel, line, field, "a 索引号 of its own", f"{shown(n)}, which {v.keeper.rel} also has; "
                       f"{REPAIR} ({v.keeper.rel} keeps it, this page {fate})")
    if v.reason == "edited":
        if v.action == RESTORE:
            return Problem(s.rel, line, field, f"{v.number} (recorded for this page in {ledger.rel}; a published "
                           "索引号 never changes)", f"{shown(n)}; {REPAIR} to restore it")
        return Problem(s.rel, line, field, "a 索引号 of its own", f"{shown(n)}; {REPAIR} (this page {fate})")
    if v.reason == "foreign":
        return Problem(s.rel, line, field, f"a 索引号 of this department (a page moved from {v.other} gets a new "
                       "number)", f"{shown(n)}, recorded in {ledger_rel(v.other)}; {REPAIR}")
    if v.reason == "unrecorded":
        if v.action == RECORD:
            return Problem(s.rel, line, field, f"a 索引号 recorded in {ledger.rel}", f"{shown(n)}, which is not "
                           f"(a lost ledger line?); {REPAIR} to record it")
        return Problem(s.rel, line, field, f"a 索引号 recorded in {ledger.rel} (numbers are assigned by "
                       f"`sitegen disclosure assign`, never typed)", f"{shown(n)}; {REPAIR} (this page {fate})")
    return None


def rules_for(ledgers: Mapping[str, Ledger], departments: Mapping[str, DepartmentSpec], xxgk: XxgkSpec,
              published: Mapping[str, str] | None = None) -> dict[str, Rules]:
    recorded = {e.number: owner for owner, ledger in ledgers.items() for e in ledger.entries}
    return {owner: Rules(number_parser(xxgk.index_pattern, departments[owner], owner) if owner in departments
                         else None, published or {},
                         {n: o for n, o in recorded.items() if o != owner})
            for owner in ledgers}


def _items(sources: Iterable[Source]) -> dict[str, list[Source]]:
    items: dict[str, list[Source]] = {}
    for s in sources:
        if s.owner != PORTAL and s.meta.disclosure is not None:
            items.setdefault(s.owner, []).append(s)
    return items


def _disclosure(s: Source) -> DisclosureSpec:
    """An item's 政府信息公开 fields: only pages that have them are items (see _items)."""
    assert s.meta.disclosure is not None
    return s.meta.disclosure


def _index(entries: Iterable[Entry]) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    by_number: dict[str, list[Entry]] = {}
    by_page: dict[str, list[Entry]] = {}
    for e in entries:
        by_number.setdefault(e.number, []).append(e)
        by_page.setdefault(e.page, []).append(e)
    return by_number, by_page


def _carriers(items: list[Source]) -> dict[str, list[Source]]:
    carriers: dict[str, list[Source]] = {}
    for s in items:
        if (number := _disclosure(s).index_no) is not None:
            carriers.setdefault(number, []).append(s)
    return carriers


def _keeper(carriers: list[Source], entries: Iterable[Entry], published: str | None = None) -> Source:
    """Which of several pages showing one number keeps it: the published one, else the recorded one, else the oldest."""
    if published:
        for s in carriers:
            if page_url(s.owner, s.column, s.slug) == published:
                return s
    lines = {e.page: e.line for e in entries}
    recorded = [s for s in carriers if page_in(s) in lines]
    if recorded:
        return min(recorded, key=lambda s: lines[page_in(s)])
    return min(carriers, key=lambda s: (s.meta.date, s.rel))


# ---------------------------------------------------------------- assigning and repairing


@dataclass(frozen=True)
class Change:
    source: str          # page path relative to the site root
    old: str | None
    new: str


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    ledgers: dict[str, tuple[Entry, ...]]    # owner -> the ledger after the change
    moved: int                               # ledger lines whose page moved


def plan(sources: Iterable[Source], ledgers: Mapping[str, Ledger], departments: Mapping[str, DepartmentSpec],
         xxgk: XxgkSpec, repair: bool = False, published: Mapping[str, str] | None = None) -> Plan:
    """What `assign` (new numbers for items without one) or `repair` (every verdict) changes; pure."""
    items = _items(sources)
    rules = rules_for(ledgers, departments, xxgk, published)
    scoped = "{year" in xxgk.index_pattern
    changes: list[Change] = []
    after: dict[str, tuple[Entry, ...]] = {}
    moved = 0
    for owner, ledger in ledgers.items():
        mine = sorted(items.get(owner, []), key=lambda s: (_disclosure(s).written, s.meta.date, s.rel))
        verdicts = [v for v in decide(mine, ledger, rules[owner]) if repair or v.reason in ("ok", "moved", "missing")]
        parser = rules[owner].parser
        entries = list(ledger.entries)
        numbers = {e.number for e in entries}
        # The highest serial per year, counting numbers pages carry that the ledger lost, so
        # that a new number can never repeat one already shown on a page.
        top: dict[int | None, int] = {}

        def note(year: int, serial: int) -> None:
            key = year if scoped else None
            top[key] = max(top.get(key, 0), serial)

        for e in entries:
            note(e.year, e.serial)
        for s in mine:
            found = parser.fullmatch(_disclosure(s).index_no or "") if parser else None
            if found:
                note(int(found["year"]) if "year" in found.groupdict() else _disclosure(s).written.year,
                     int(found["serial"]))
        final: dict[str, str] = {}
        for v in verdicts:
            s = v.source
            if v.action in (KEEP, RESTORE):
                assert v.number is not None         # decide gives a kept or restored page its number
                final[s.rel] = v.number
            elif v.action == RECORD:
                # decide records only a number this department's parser reads
                assert v.number is not None and parser is not None
                found = parser.fullmatch(v.number)
                assert found is not None
                year = int(found["year"]) if "year" in found.groupdict() else _disclosure(s).written.year
                entries.append(Entry(year, int(found["serial"]), v.number, page_in(s)))
                numbers.add(v.number)
                final[s.rel] = v.number
            else:
                year = _disclosure(s).written.year
                serial = top.get(year if scoped else None, 0) + 1
                number = number_for(xxgk.index_pattern, departments[owner], owner, year, serial)
                while number in numbers:    # a hand-made ledger line in the way
                    serial += 1
                    number = number_for(xxgk.index_pattern, departments[owner], owner, year, serial)
                note(year, serial)
                entries.append(Entry(year, serial, number, page_in(s)))
                numbers.add(number)
                final[s.rel] = number
            if final[s.rel] != _disclosure(s).index_no:
                changes.append(Change(s.rel, _disclosure(s).index_no, final[s.rel]))

        # The ledger records where each number lives now: a moved page updates its line, and a
        # number given twice keeps only its holder's line once the conflict is resolved.
        holders: dict[str, list[str]] = {}
        for s in mine:
            holding = final.get(s.rel, _disclosure(s).index_no)
            if holding:
                holders.setdefault(holding, []).append(page_in(s))
        pairs = {(e.number, e.page) for e in entries}
        kept: dict[tuple[str, str], Entry] = {}
        for e in entries:
            held = holders.get(e.number, [])
            if len(held) == 1:
                if (e.number, held[0]) in pairs and e.page != held[0]:
                    continue                # the holder has a line of its own
                if e.page != held[0]:
                    moved += 1
                    e = replace(e, page=held[0])
                key = (e.number, "")
            else:
                key = (e.number, e.page)    # unresolved (assign leaves conflicts to repair) or unheld (a gap)
            kept.setdefault(key, e)
        after[owner] = tuple(sorted(kept.values(), key=lambda e: (e.year, e.serial, e.number, e.page)))
    return Plan(tuple(changes), after, moved)


def apply(root: Path, plan_: Plan, sources: Iterable[Source], departments: Mapping[str, DepartmentSpec]) -> None:
    """Write the pages first, then the ledgers.

    An interrupted run leaves pages carrying numbers the ledger lacks; `repair` records them
    again, and a new number is never one a page already shows (plan counts those too).
    """
    by_rel = {s.rel: s for s in sources}
    edits = {c.source: set_number(root / c.source, by_rel[c.source], c.new) for c in plan_.changes}
    for rel, text in edits.items():
        _write(root / rel, text)
    for owner, entries in plan_.ledgers.items():
        rel = ledger_rel(owner)
        text = HEADER.format(name=departments[owner].name, owner=owner) + "".join(
            f"{e.year}\t{e.serial}\t{e.number}\t{e.page}\n" for e in entries)
        path = root / rel
        if entries or path.exists():
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                _write(path, text)


def set_number(path: Path, source: Source, number: str) -> str:
    """The page's text (the file at ``path``) with its 索引号 set, changing nothing else in the file."""
    rows = source.raw.splitlines(keepends=True)
    ending = "\r\n" if rows and rows[0].endswith("\r\n") else "\n"
    value = json.dumps(number, ensure_ascii=False)   # a JSON string is a valid YAML scalar
    at = source.lines.get(("disclosure", "index_no"))
    bom = "\ufeff" if path.is_file() and path.read_bytes()[:3] == b"\xef\xbb\xbf" else ""
    if at is not None:
        rows[at - 1], found = re.subn(r"^(\s*index_no\s*:)[^#\r\n]*?(\s*#[^\r\n]*)?(\r?\n)?$",
                                      lambda m: f"{m.group(1)} {value}{m.group(2) or ''}{m.group(3) or ''}",
                                      rows[at - 1], count=1)
        if not found:
            raise LedgerError(f"{source.rel}:{at}: disclosure.index_no: expected `index_no:` on a line of its own "
                              "under `disclosure:` (so sitegen can write the number), found another layout")
        return bom + "".join(rows)
    head = source.lines.get(("disclosure",))
    children = [line for key, line in source.lines.items() if len(key) == 2 and key[0] == "disclosure"]
    if head is None or not children or not re.match(r"^\s*disclosure\s*:\s*(#.*)?$", rows[head - 1]):
        raise LedgerError(f"{source.rel}:{head}: disclosure: expected the fields written one per line under "
                          "`disclosure:` (so the 索引号 can be added), found another layout")
    first = min(children)
    row = rows[first - 1]
    indent = row[: len(row) - len(row.lstrip())]
    rows.insert(head, f"{indent}index_no: {value}{ending}")
    return bom + "".join(rows)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
