"""A citizen's query: parsed into units of meaning, run against the index, answered with hits."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from .analysis import (
    CJK,
    CJK_RUN,
    DOC_NUMBER,
    Segmenter,
    doc_number_key,
    fold,
    folds_words,
    phrase_grams,
    runs,
)
from .lexicon import Lexicon

MAX_QUERY = 100          # characters a query may have; the search box says so too
MAX_UNITS = 8            # separate words in one query
MAX_EXPAND = 64          # index terms one single-character word may expand to
MAX_TERMS = 192          # index terms one query may read, all its words together (a bigram is one)
MAX_CHECK = 4_000_000    # characters of stored text one query may confirm candidates against
EXACT_UP_TO = 6          # a run of Chinese up to this long must occur as it is typed
PAGE_SIZE = 10
WINDOW = 200             # candidates a query ranks, at least (see _found): the 200 it can show
MAX_PAGE = 20            # the result window: 200 results, which is more than anyone reads
FIRST_READ = 100         # candidates read for the first pages of a query with very many
SNIPPET = 120            # characters of text around the first match
FEW = 3                  # fewer results than this and the answer suggests other words
SORTS = ("relevance", "date")
TITLE_BOOST = 3.0
SYNONYM_WEIGHT = 0.5     # a page with the word asked for ranks above one with only its synonym
_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")


@dataclass(frozen=True)
class Request:
    """What the citizen asked, as text straight from the URL: nothing here is trusted yet."""

    q: str = ""
    dept: str = ""
    kind: str = ""
    topic: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = ""
    page: str = ""


@dataclass(frozen=True)
class Unit:
    """One thing the results must contain: any of its alternatives (folded text; synonyms)."""

    alternatives: tuple[str, ...]
    docno: str | None = None          # a 文号 key, matched exactly as well
    exact: int = 1                    # the first alternatives are what was asked; the rest rank lower
    boost: str | None = None          # a long run matched as a whole ranks higher


@dataclass(frozen=True)
class Plan:
    units: tuple[Unit, ...]
    needles: tuple[str, ...]          # folded strings to highlight
    notices: tuple[str, ...]
    pinyin: tuple[str, ...] = ()      # words a pinyin query stands for (the first is searched)


@dataclass(frozen=True)
class Filters:
    dept: str | None = None
    kind: str | None = None
    topic: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1


@dataclass(frozen=True)
class Hit:
    title: tuple[tuple[str, bool], ...]     # (text, matched) parts
    url: str
    department: str
    dept: str
    date: datetime | None          # stored.get: a document stored without one is shown without a date
    column: str
    kind: str
    snippet: tuple[tuple[str, bool], ...]
    doc_number: str | None

    @property
    def title_text(self) -> str:
        return "".join(t for t, _ in self.title)


@dataclass(frozen=True)
class Answer:
    query: str
    filters: Filters
    total: int
    pages: int
    hits: tuple[Hit, ...]
    suggestions: tuple[str, ...]
    notices: tuple[str, ...]
    searched: tuple[str, ...] = field(default=())    # what was searched, when it differs from the query
    exact: bool = True                               # False: ``total`` is an estimate


@dataclass(frozen=True)
class Vocabulary:
    """What parsing needs besides the query: the segmenter, synonyms and the lexicon."""

    segmenter: Segmenter
    synonyms: Mapping[str, tuple[str, ...]]     # folded word -> its group, folded
    lexicon: Lexicon


def clean(q: str) -> tuple[str, list[str]]:
    """The query bounded and without control characters, and what was done to it."""
    notices = []
    q = _CONTROL.sub(" ", q).strip()
    if len(q) > MAX_QUERY:
        q = q[:MAX_QUERY].rstrip()
        notices.append(f"搜索词过长，只按前{MAX_QUERY}个字搜索。")
    return q, notices


def parse(q: str, vocab: Vocabulary) -> Plan:
    """Units of a query: quoted phrases exact; each word of up to six characters exact as a
    substring; longer runs cut into words; 文号 with any brackets; pinyin mapped to words."""
    q, notices = clean(q)
    units: list[Unit] = []
    pinyin: tuple[str, ...] = ()
    letters = re.sub(r"[\s']+", "", fold(q))
    if re.fullmatch(r"[a-z]{2,60}", letters) and not vocab.lexicon.df(letters):
        pinyin = vocab.lexicon.from_pinyin(letters)
        if pinyin:
            units.append(Unit((pinyin[0], letters, *_synonyms(pinyin[0], vocab).alternatives[1:]), exact=2))
            notices.append(f"已按拼音“{q}”搜索“{pinyin[0]}”。")
    if not units:
        for phrase in _QUOTED.finditer(q):
            text = next(g for g in phrase.groups() if g is not None)
            folded = " ".join(runs(_join_cjk(fold(text))))
            if folded:
                units.append(Unit((folded,)))
        rest = _QUOTED.sub(" ", q)
        for chunk in rest.split():
            if chunk in _OPERATORS:
                continue
            units.extend(_chunk_units(chunk, vocab))
    units = list(dict.fromkeys(units))      # 的 的 的 is one word asked three times
    if len(units) > MAX_UNITS or _terms(units) > MAX_TERMS:
        while len(units) > MAX_UNITS or _terms(units) > MAX_TERMS and len(units) > 1:
            units.pop()
        notices.append(f"搜索词太多，只按前{len(units)}个词搜索。")
    if q and not units:
        notices.append("搜索词中没有可以搜索的文字。")
    needles = tuple(dict.fromkeys(
        run for u in units for alt in (*u.alternatives, u.boost or "") for run in runs(alt)))
    return Plan(tuple(units), needles, tuple(notices), pinyin)


def _terms(units: list[Unit]) -> int:
    """The index terms the units read: each alternative's tokens, and a one-character word its
    expansion (counted at its bound), so that no query reads more than MAX_TERMS."""
    total = 0
    for u in units:
        for alt in (*u.alternatives, u.boost or ""):
            tokens = query_tokens(alt)
            total += MAX_EXPAND if len(tokens) == 1 and len(tokens[0]) == 1 and CJK_RUN.fullmatch(tokens[0]) \
                else len(tokens)
    return total


def query_tokens(alt: str) -> list[str]:
    """The index tokens a page must have to hold one alternative (folded runs, space-separated):
    bigrams of each run of Chinese, the single character at a run's end where another run
    follows, letter and digit runs whole. ``_checker`` confirms the order and adjacency."""
    runs = alt.split()
    tokens: list[str] = []
    for i, run in enumerate(runs):
        if not CJK_RUN.fullmatch(run):
            tokens.append(run)
        elif i + 1 < len(runs):
            tokens.extend(phrase_grams(run) + ([run[-1]] if len(run) > 1 else []))
        else:
            tokens.extend(phrase_grams(run))
    return list(dict.fromkeys(tokens))


def _join_cjk(text: str) -> str:
    # Inside quotes, spaces between Chinese characters are layout, not word breaks.
    return re.sub(f"(?<=[{CJK}])\\s+(?=[{CJK}])", "", text).strip()


def _chunk_units(chunk: str, vocab: Vocabulary) -> list[Unit]:
    if DOC_NUMBER.match(chunk):
        return [Unit((" ".join(runs(fold(chunk))),), docno=doc_number_key(chunk))]
    parts = runs(fold(chunk))
    if not parts:
        return []
    if all(len(r) <= EXACT_UP_TO or not CJK_RUN.fullmatch(r) for r in parts):
        if len(parts) == 1:
            return [_synonyms(parts[0], vocab)]
        return [Unit((" ".join(parts),))]       # 2024年, 5G网络: one phrase across the runs
    units: list[Unit] = []
    for run in parts:
        if CJK_RUN.fullmatch(run) and len(run) > EXACT_UP_TO:
            words = [w for w in vocab.segmenter.cut(run) if len(w) > 1] or [run]
            units.extend(_synonyms(w, vocab) for w in words)
            if len(words) > 1:
                units[-len(words)] = Unit(units[-len(words)].alternatives, boost=run)
        else:
            units.append(_synonyms(run, vocab))
    return units


def _synonyms(word: str, vocab: Vocabulary) -> Unit:
    return Unit((word, *(w for w in vocab.synonyms.get(word, ()) if w != word)))


# ---------------------------------------------------------------- filters


def filters(request: Request, scopes: Mapping[str, str], kinds: Mapping[str, str],
            topics: tuple[str, ...]) -> tuple[Filters, list[str]]:
    """Validated filters, and a notice for each value that was not understood and so ignored."""
    notices = []

    def pick(value: str, known, what: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        if value in known:
            return value
        notices.append(f"没有这样的{what}，已忽略此条件。")
        return None

    start = _day(request.date_from, "起始日期", notices)
    end = _day(request.date_to, "截止日期", notices)
    if start and end and start > end:
        start, end = end, start
        notices.append("起始日期晚于截止日期，已对调。")
    sort = request.sort.strip() or "relevance"
    if sort not in SORTS:
        notices.append("未知的排序方式，已按相关度排序。")
        sort = "relevance"
    digits = request.page.strip()
    # A page number of any length is read, but only its first 12 digits: the window clamps it anyway.
    page = int(digits[:12]) if digits.isascii() and digits.isdigit() else 1
    return Filters(pick(request.dept, scopes, "部门"), pick(request.kind, kinds, "信息类别"),
                   pick(request.topic, topics, "主题分类"), start, end, sort, max(1, page)), notices


def _day(value: str, what: str, notices: list[str]) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1990 <= day.year <= 2100:
        notices.append(f"{what}应写成 YYYY-MM-DD（如 2024-03-12），已忽略此条件。")
        return None
    return day


# ---------------------------------------------------------------- running


def run(searcher: Searcher, plan: Plan, f: Filters, vocab: Vocabulary, notices: list[str]) -> Answer:
    """Search, count, page, highlight; suggest other words when little is found."""
    notices = list(plan.notices) + notices
    if not plan.units:
        return Answer("", f, 0, 0, (), (), tuple(notices))
    units = list(plan.units)
    found = searcher.found(units, f)
    if not found.keys and len(units) > 1:
        looser = searcher.found(units, f, any_unit=True)
        if looser.keys:
            found = looser
            asked = "”“".join(u.alternatives[0].replace(" ", "") for u in units)
            notices.append(f"没有同时包含“{asked}”的结果，以下是包含部分词语的结果。")
    pages = min(MAX_PAGE, math.ceil(len(found.keys) / PAGE_SIZE))
    page = f.page
    if page > max(pages, 1):
        if pages:
            notices.append(f"只能查看前{pages}页结果，已显示最后一页。")
        page = max(pages, 1)
    f = Filters(f.dept, f.kind, f.topic, f.date_from, f.date_to, f.sort, page)
    needles = _needles(plan)
    hits = tuple(_hit(stored, needles) for stored in found.shown(page))
    # Other words are offered only where they may help: few results, none of them a title that
    # holds what was asked (a known item found is not a typo), and each offer finds more.
    titled = any(all(u.alternatives[0].replace(" ", "") in fold(h.title_text) for u in plan.units) for h in hits)
    helpful = found.total < FEW and not titled
    suggestions = _suggest(searcher, plan, vocab, found.total) if helpful else tuple(plan.pinyin[1:])
    return Answer("", f, found.total, pages, hits, suggestions, tuple(notices), plan.pinyin[:1], found.exact)


@dataclass(frozen=True)
class Found:
    """What a backend found for a plan: the candidates in the order shown, and their count."""

    keys: tuple                   # the backend's document keys, at most the result window
    total: int                    # how many pages match
    exact: bool                   # False: ``total`` is estimated (more than WINDOW candidates)
    fetch: Callable[[Sequence], list[dict]]       # stored fields of some keys, in their order
    check: Callable[[dict], bool] | None = None   # candidates still to be checked before showing

    def shown(self, page: int) -> list[dict]:
        """The stored fields of one page of results. Unchecked candidates are checked in order,
        only as far as this page needs: the check reads the stored text, which costs more than
        finding the candidate did."""
        if self.check is None:
            return self.fetch(self.keys[(page - 1) * PAGE_SIZE:page * PAGE_SIZE])
        good: list[dict] = []
        for start in range(0, len(self.keys), PAGE_SIZE):
            for stored in self.fetch(self.keys[start:start + PAGE_SIZE]):
                if self.check(stored):
                    good.append(stored)
            if len(good) >= page * PAGE_SIZE:
                break
        last = max(0, (len(good) - 1) // PAGE_SIZE) * PAGE_SIZE
        return good[min((page - 1) * PAGE_SIZE, last):page * PAGE_SIZE]


class Searcher(Protocol):
    """What a backend answers (whoosh_store, pg_store): the same plan, the same semantics."""

    def found(self, units: list[Unit], f: Filters, any_unit: bool = False) -> Found:
        """Candidates that hold every unit's tokens (any unit's), confirmed by ``Checker``,
        filtered and ordered: relevance (a long run as typed first) or date."""

    def probe(self, units: list[Unit], beat: int) -> bool:
        """Do more than ``beat`` candidates hold every unit's tokens? (Unconfirmed: cheap.)"""

    def ids(self, units: list[Unit]) -> list[tuple[str, dict]]:
        """Every candidate with its stored fields, unranked and unbounded: for measuring recall."""


def as_typed_check(units: list[Unit]):
    """A test for the long runs of the query as typed (7+ characters, searched as their words),
    or None when the query has none."""
    whole = [Unit((u.boost,)) for u in units if u.boost]
    return _checker(whole, False) if whole else None


class Checker:
    """A test of a page's stored fields: does it really contain the units (as the exact phrase
    query would have found them)? Runs of one alternative may be apart by punctuation only.

    It reads at most ``budget`` characters of stored text in all: past that, candidates are
    refused unread and ``spent`` is set, so that the answer says its count is an estimate. A
    query's cost is then bounded whatever its words and the pages they hit.
    """

    def __init__(self, units: list[Unit], any_unit: bool, budget: int | None = None):
        self.test = _checker(units, any_unit)
        self.left = MAX_CHECK if budget is None else budget
        self.spent = False

    def __call__(self, stored: dict) -> bool:
        if self.left <= 0:
            self.spent = True
            return False
        self.left -= len(stored.get("text") or b"") * 4 + len(stored.get("title", ""))   # ~4 characters a compressed byte
        return self.test(stored)


def _checker(units: list[Unit], any_unit: bool):
    sep = f"[^{CJK}a-z0-9]*"
    patterns = [re.compile("|".join(sep.join(re.escape(r) for r in alt.split()) for alt in u.alternatives))
                for u in units]
    docnos = [u.docno for u in units]

    def check(stored: dict) -> bool:
        raw = stored.get("title", "") + "\n" + _text(stored)
        keys = set((stored.get("docno_keys") or "").split())
        text = None

        def has(pattern: re.Pattern, docno: str | None) -> bool:
            nonlocal text
            if (docno is not None and docno in keys) or pattern.search(raw):
                return True     # most pages are Simplified and half-width already: no folding
            if text is None:
                # Folded only if that can change a match: most pages are not read twice.
                text = fold(raw) if folds_words(raw) else ""
            return bool(text) and bool(pattern.search(text))

        found = (has(p, d) for p, d in zip(patterns, docnos))
        return any(found) if any_unit else all(found)

    return check


def _text(stored: dict) -> str:
    data = stored.get("text")
    return zlib.decompress(data).decode("utf-8", "surrogatepass") if data else ""


# ---------------------------------------------------------------- hits


def _needles(plan: Plan) -> re.Pattern | None:
    needles = sorted({n for n in plan.needles if len(n) > 1 or CJK_RUN.fullmatch(n)}, key=len, reverse=True)
    if not needles:
        return None
    return re.compile("|".join(re.escape(n) for n in needles[:64]))


def _marked(text: str, needles: re.Pattern | None) -> tuple[tuple[str, bool], ...]:
    """Text split into (part, matched) pieces; matching runs on folded text of the same length."""
    if needles is None:
        return ((text, False),) if text else ()
    parts, last = [], 0
    for m in needles.finditer(fold(text)):
        if m.start() > last:
            parts.append((text[last:m.start()], False))
        parts.append((text[m.start():m.end()], True))
        last = m.end()
    if last < len(text):
        parts.append((text[last:], False))
    return tuple(parts)


def _snippet(text: str, needles: re.Pattern | None) -> tuple[tuple[str, bool], ...]:
    text = " ".join(text.split())
    first = needles.search(fold(text)) if needles is not None else None
    if first is None:
        return _marked(text[:SNIPPET] + ("…" if len(text) > SNIPPET else ""), None)
    start = max(0, first.start() - SNIPPET // 4)
    end = min(len(text), start + SNIPPET)
    window = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return _marked(window, needles)


def _hit(stored: dict, needles: re.Pattern | None) -> Hit:
    text = _text(stored)
    return Hit(_marked(stored.get("title", ""), needles), stored.get("url", ""), stored.get("source", ""),
               stored.get("dept", ""), stored.get("date"), stored.get("column", ""), stored.get("kind", ""),
               _snippet(text, needles), stored.get("docno"))


# ---------------------------------------------------------------- suggestions


def _suggest(searcher: Searcher, plan: Plan, vocab: Vocabulary, beat: int = 0, limit: int = 5) -> tuple[str, ...]:
    """Whole queries that differ from this one in one word and that find more than ``beat`` pages
    (candidates, unconfirmed: a probe must stay cheap)."""
    found: list[str] = list(plan.pinyin[1:])
    words = [u.alternatives[0] for u in plan.units]
    for i, word in enumerate(words):
        for other in vocab.lexicon.similar(word.replace(" ", "")):
            candidate = " ".join(words[:i] + [other] + words[i + 1:])
            if candidate not in found:
                found.append(candidate)
    good: list[str] = []
    for candidate in found[:2 * limit]:      # each is one probe of the index: bounded too
        if len(good) >= limit:
            break
        if searcher.probe([Unit((w,)) for w in candidate.split()], beat):
            good.append(candidate)
    return tuple(good)


def matches(searcher: Searcher, q: str, vocab: Vocabulary) -> set[str]:
    """The id of every page a query matches, unranked and unbounded: for measuring recall."""
    plan = parse(q, vocab)
    if not plan.units:
        return set()
    check = _checker(list(plan.units), False)
    return {pid for pid, stored in searcher.ids(list(plan.units)) if check(stored)}
