"""The 索引号 ledger: numbers assigned once per department and never changed or reused."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping

from .config import DepartmentSpec, XxgkSpec
from .content import LEDGER_NAME, XXGK, Source
from .errors import Problem, SitegenError, shown
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
    try:
        if path.is_file() and path.stat().st_size > MAX_LEDGER_BYTES:
            return Ledger(owner, rel, ()), [Problem(rel, None, "(file)", f"at most {MAX_LEDGER_BYTES // 2**20} MiB",
                                                    f"{path.stat().st_size // 2**20} MiB")]
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError) as e:
        return Ledger(owner, rel, ()), [Problem(rel, None, "(file)", "a readable UTF-8 ledger", str(e))]
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


# ---------------------------------------------------------------- checking


def check(sources: Iterable[Source], ledgers: Mapping[str, Ledger], allow_missing: bool = False) -> list[Problem]:
    """Every item's 索引号 against its department's ledger: present, recorded, and its own."""
    problems: list[Problem] = []
    items = _items(sources)
    for owner, ledger in ledgers.items():
        mine = items.get(owner, [])
        by_number, by_page = _index(ledger.entries)
        for number, entries in by_number.items():
            for e in entries[1:]:
                if e.page != entries[0].page:
                    problems.append(Problem(ledger.rel, e.line, "索引号", "each number recorded once (numbers are "
                                            "never reused)", f"{shown(number)} again, for {e.page} (line "
                                            f"{entries[0].line} gives it to {entries[0].page}); {REPAIR}"))
        carriers = _carriers(mine)
        for s in mine:
            n = s.meta.disclosure.index_no
            line = s.lines.get(("disclosure", "index_no")) or s.lines.get(("disclosure",))
            field = "disclosure.index_no"
            recorded = [e.number for e in by_page.get(page_in(s), ())]
            if n is None:
                if allow_missing:
                    continue
                expected = (f"the 索引号 recorded for this page in {ledger.rel} ({recorded[0]})" if recorded
                            else "a 索引号 (run `sitegen disclosure assign`, or `sitegen build --assign`)")
                problems.append(Problem(s.rel, line, field, expected, "nothing"))
            elif len(carriers[n]) > 1 and s is not _keeper(carriers[n], by_number.get(n, ())):
                keeper = _keeper(carriers[n], by_number.get(n, ()))
                problems.append(Problem(s.rel, line, field, "a 索引号 of its own", f"{shown(n)}, which {keeper.rel} "
                                        f"also has; {REPAIR} ({keeper.rel} keeps it, this page gets a new number)"))
            elif recorded and n not in recorded:
                problems.append(Problem(s.rel, line, field, f"{recorded[0]} (recorded for this page in {ledger.rel}; "
                                        "a published 索引号 never changes)", f"{shown(n)}; {REPAIR} to restore it"))
            elif n not in by_number:
                problems.append(Problem(s.rel, line, field, f"a 索引号 recorded in {ledger.rel} (numbers are assigned "
                                        "by `sitegen disclosure assign`, never typed)", f"{shown(n)}; {REPAIR}"))
            elif not recorded and _owned_elsewhere(n, by_number, mine, s):
                other = next(e.page for e in by_number[n])
                problems.append(Problem(s.rel, line, field, "a 索引号 of its own", f"{shown(n)}, which {ledger.rel} "
                                        f"gives to {other}; {REPAIR}"))
    return problems


def _items(sources: Iterable[Source]) -> dict[str, list[Source]]:
    items: dict[str, list[Source]] = {}
    for s in sources:
        if s.owner != PORTAL and s.meta.disclosure is not None:
            items.setdefault(s.owner, []).append(s)
    return items


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
        if s.meta.disclosure.index_no is not None:
            carriers.setdefault(s.meta.disclosure.index_no, []).append(s)
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


def _owned_elsewhere(number: str, by_number: dict[str, list[Entry]], items: list[Source], s: Source) -> bool:
    """The ledger gives the number to pages that still exist, and this page is not one of them."""
    pages = {page_in(x) for x in items}
    return all(e.page in pages and e.page != page_in(s) for e in by_number[number])


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
    """What `assign` (missing numbers) or `repair` (also conflicts) would change; pure.

    Published numbers are never touched: a page whose number was edited by hand gets its
    recorded number back, and of pages sharing one number the published (or recorded, or
    oldest) one keeps it while the others get new numbers.
    """
    published = published or {}
    items = _items(sources)
    changes: list[Change] = []
    after: dict[str, tuple[Entry, ...]] = {}
    moved = 0
    for owner, ledger in ledgers.items():
        mine = sorted(items.get(owner, []), key=lambda s: (s.meta.disclosure.written, s.meta.date, s.rel))
        entries = list(ledger.entries)
        by_number, by_page = _index(entries)
        carriers = _carriers(mine)
        final: dict[str, str | None] = {s.rel: s.meta.disclosure.index_no for s in mine}
        needs_new: list[Source] = []
        taken = set(carriers)

        def recorded_free(s: Source) -> str | None:
            for e in by_page.get(page_in(s), ()):
                if e.number not in taken or [x.rel for x in carriers.get(e.number, [])] == [s.rel]:
                    return e.number
            return None

        if repair:
            keepers = []
            for n, ss in carriers.items():
                if len(ss) > 1:
                    keepers.append(_keeper(ss, by_number.get(n, ()), published.get(n)))
                    needs_new += [s for s in ss if s is not keepers[-1]]
            for s in mine:
                n = s.meta.disclosure.index_no
                if n is None or s in needs_new or s in keepers:
                    continue
                recorded = [e.number for e in by_page.get(page_in(s), ())]
                if (recorded and n not in recorded) or n not in by_number or (
                        not recorded and _owned_elsewhere(n, by_number, mine, s)):
                    back = recorded_free(s)
                    if back:
                        final[s.rel] = back
                        taken.add(back)
                    else:
                        needs_new.append(s)
        for s in mine:
            if final[s.rel] is None and s not in needs_new:
                back = recorded_free(s)
                if back:
                    final[s.rel] = back
                    taken.add(back)
                else:
                    needs_new.append(s)

        scoped = "{year" in xxgk.index_pattern
        spec = departments[owner]
        numbers = {e.number for e in entries}
        for s in sorted(needs_new, key=lambda s: (s.meta.disclosure.written, s.meta.date, s.rel)):
            year = s.meta.disclosure.written.year
            serial = 1 + max((e.serial for e in entries if e.year == year or not scoped), default=0)
            number = number_for(xxgk.index_pattern, spec, owner, year, serial)
            while number in numbers:      # a pattern without {serial} width, or a hand-made line
                serial += 1
                number = number_for(xxgk.index_pattern, spec, owner, year, serial)
            entries.append(Entry(year, serial, number, page_in(s)))
            numbers.add(number)
            final[s.rel] = number

        # The ledger records where each number now lives: moved pages update their line, and a
        # number given twice keeps only its keeper's line.
        holder = {n: page_in(s) for s in mine if (n := final[s.rel])}
        pairs = {(e.number, e.page) for e in entries}
        kept: dict[str, Entry] = {}
        for e in entries:
            want = holder.get(e.number)
            if e.number in kept or (want and want != e.page and (e.number, want) in pairs):
                continue
            if want and want != e.page:
                moved += 1
                e = replace(e, page=want)
            kept[e.number] = e
        after[owner] = tuple(sorted(kept.values(), key=lambda e: (e.year, e.serial, e.number)))
        for s in mine:
            if final[s.rel] != s.meta.disclosure.index_no:
                changes.append(Change(s.rel, s.meta.disclosure.index_no, final[s.rel]))
    return Plan(tuple(changes), after, moved)


def apply(root: Path, plan_: Plan, sources: Iterable[Source], departments: Mapping[str, DepartmentSpec]) -> None:
    """Write the ledgers first, then the pages: an interrupted run is finished by running it again."""
    by_rel = {s.rel: s for s in sources}
    edits = {c.source: set_number(by_rel[c.source], c.new) for c in plan_.changes}
    for owner, entries in plan_.ledgers.items():
        rel = ledger_rel(owner)
        text = HEADER.format(name=departments[owner].name, owner=owner) + "".join(
            f"{e.year}\t{e.serial}\t{e.number}\t{e.page}\n" for e in entries)
        path = root / rel
        if entries or path.exists():
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                _write(path, text)
    for rel, text in edits.items():
        _write(root / rel, text)


def set_number(source: Source, number: str) -> str:
    """The page's text with its 索引号 set, changing nothing else in the file."""
    rows = source.raw.splitlines(keepends=True)
    ending = "\r\n" if rows and rows[0].endswith("\r\n") else "\n"
    value = json.dumps(number, ensure_ascii=False)   # a JSON string is a valid YAML scalar
    at = source.lines.get(("disclosure", "index_no"))
    if at is not None:
        row = rows[at - 1]
        rows[at - 1] = re.sub(r"^(\s*index_no\s*:).*?(\r?\n)?$", lambda m: f"{m.group(1)} {value}{m.group(2) or ''}",
                              row, count=1)
        return "".join(rows)
    head = source.lines.get(("disclosure",))
    children = [line for key, line in source.lines.items() if len(key) == 2 and key[0] == "disclosure"]
    if head is None or not children or not re.match(r"^\s*disclosure\s*:\s*(#.*)?$", rows[head - 1]):
        raise LedgerError(f"{source.rel}:{head}: disclosure: expected the fields written one per line under "
                          "`disclosure:` (so the 索引号 can be added), found another layout")
    first = min(children)
    indent = re.match(r"^(\s*)", rows[first - 1]).group(1)
    rows.insert(head, f"{indent}index_no: {value}{ending}")
    return "".join(rows)


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
