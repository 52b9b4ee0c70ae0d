"""The whoosh schema, and a Page turned into the document that the index holds."""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from whoosh import analysis, fields
from whoosh.system import pack_uint

from ..model import Cluster, Page
from .analysis import CJK, CJK_CHAR, CJK_RUN, WORD, Segmenter, doc_number_keys, fold, gram_counts, grams
from .lexicon import PHRASE

SCHEMA_VERSION = "5"
MAX_TEXT = 200_000     # characters of one page that are indexed; beyond is not searchable


class Grams(fields.TEXT):
    """A text field whose value is already folded; it indexes ``analysis.grams`` with their
    frequencies and no positions.

    Positions would let whoosh check phrases, but it stores them inside every posting block, so
    that every block a query touches costs a decompression and an unpickling of them: most of
    a query's time. Phrases are checked against the stored text instead (``query._checker``),
    which is exact, and runs only on candidates. The analyzer (a whitespace tokenizer) is only
    there for whoosh's own tools; ``index`` does the work without a token object per character.
    """

    def __init__(self, stored: bool = False, field_boost: float = 1.0):
        super().__init__(analyzer=analysis.SpaceSeparatedTokenizer(), phrase=False, stored=stored,
                         field_boost=field_boost)

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        counts = value if isinstance(value, dict) else Counter(grams(value))
        for gram, n in counts.items():
            yield gram.encode("utf-8"), n, n * boost, pack_uint(n)

    def process_text(self, qstring, mode="", **kwargs):
        return iter(grams(qstring))


def schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(unique=True, stored=True),
        title=Grams(stored=True),
        body=Grams(),
        dept=fields.ID(stored=True),
        kind=fields.ID(stored=True),
        topic=fields.ID(stored=True),
        docno=fields.KEYWORD(stored=True),    # 文号 keys: the whole number, and without its leading characters
        index_no=fields.ID(stored=True),
        date=fields.DATETIME(sortable=True, stored=True),
        month=fields.ID(),         # YYYYMM: lets a query read the newest pages first (query._found)
        url=fields.STORED,
        source=fields.STORED,      # the department's name, as results show it
        column=fields.STORED,
        text=fields.STORED,        # the indexed body as written (not folded), zlib-compressed: snippets, checks
        docno_keys=fields.STORED,  # the 文号 keys, to check a candidate without the index
        words=fields.STORED,       # the page's words, so that a re-index can update the lexicon
    )


@dataclass(frozen=True)
class Entry:
    """What the index knows of one page: plain values, taken from the assembled cluster."""

    id: str
    url: str
    title: str
    text: str
    summary: str
    keywords: tuple[str, ...]
    dept: str
    source: str
    column: str
    kind: str
    date: datetime
    topic: str | None
    doc_number: str | None
    index_no: str | None

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes: the page, its department's name, its column."""
        h = hashlib.blake2b(digest_size=12)
        # One update of the values joined, each ended by a NUL: the digest of the same bytes as
        # an update per value and per NUL, at a third of the cost.
        h.update("".join(f"{value}\x00" for value in (
            SCHEMA_VERSION, self.id, self.url, self.title, self.text, self.summary, "\x1f".join(self.keywords),
            self.dept, self.source, self.column, self.kind, self.date.isoformat(), self.topic or "",
            self.doc_number or "", self.index_no or "")).encode("utf-8", "surrogatepass"))
        return h.hexdigest()


def entry(cluster: Cluster, page: Page) -> Entry:
    column = cluster.columns[page.column]
    disclosure = page.disclosure
    return Entry(
        id=page.id, url=page.url, title=page.title, text=page.text[:MAX_TEXT], summary=page.summary,
        keywords=tuple(page.keywords), dept=page.owner, source=cluster.owner_name(page.owner),
        column=column.title, kind=column.kind, date=page.date,
        topic=getattr(disclosure, "topic", None) or None,
        doc_number=getattr(disclosure, "doc_number", None) or None,
        # 索引号 comes with the disclosure ledger; older models have no such field.
        index_no=getattr(disclosure, "index_no", None) or None,
    )


# Words that glue phrases together rather than name things: a learned phrase holds none of them.
GLUE = frozenset("的 了 和 与 及 或 是 在 为 对 将 把 被 从 向 于 也 都 而 并 之 其 等 这 那 个 我 你 他 她 它 们 就 不 要 以 着 "
                 "使 让 由 给 按 经 但 且 如 则 所 各 该 此 已 又 还 更".split())
PHRASE_PIECES = 4      # a learned phrase is 2 to 4 adjacent pieces of the segmenter's cut
PHRASE_CHARS = (3, 6)  # and this long: shorter is a word the dictionary has, longer a clause
QUOTED = re.compile(f"[“《「『]([{CJK}]{{2,8}})[”》」』]")


_WORD, _PART = 1, 2     # a piece is a word of the vocabulary; a piece may be part of a phrase
_KINDS: dict[str, int] = {}


def _kind(piece: str) -> int:
    # Pieces repeat (a page is mostly the dictionary's words): classify each one once.
    kind = _KINDS.get(piece)
    if kind is None:
        kind = (_WORD if WORD.fullmatch(piece) else 0) | (
            _PART if piece not in GLUE and CJK_RUN.fullmatch(piece) else 0)
        if len(_KINDS) < 1_000_000:
            _KINDS[piece] = kind
    return kind


def page_words(e: Entry, segmenter: Segmenter, title: str, body: str) -> list[str]:
    """The page's vocabulary, for pinyin and did-you-mean: the segmenter's words, its keywords
    and its column's name whole, pairs of adjacent title words (智慧 + 城市 → 智慧城市), and phrases marked with
    ``lexicon.PHRASE``: runs of 2-4 adjacent pieces that the page repeats (物 + 联网 → 物联网,
    两 + 化 + 融合 → 两化融合), words in quotes or 《》, and the title's short runs. A general
    dictionary splits a cluster's own terms (一网通办, 最多跑一次); the corpus names them, and
    ``lexicon.served`` offers a phrase once its weight across pages reaches PHRASE_DF. The list
    is what the index stores and counts for the page, so a re-index subtracts exactly it.
    ``title`` and ``body``: the folded title and ``body_of(e)``."""
    # Folding keeps lengths, so the folded text and summary are where body_of put them.
    text, summary = body[:len(e.text)], body[len(e.text) + 1:len(e.text) + 1 + len(e.summary)]
    pieces = segmenter.pieces(title + "\n" + summary + "\n" + text)
    kinds = {p: _kind(p) for p in set(pieces)}
    found = {p for p, k in kinds.items() if k & _WORD}
    for keyword in (*e.keywords, e.column):
        k = fold(keyword.strip())
        if CJK_RUN.fullmatch(k) and 2 <= len(k) <= 12:
            found.add(k)
    title_words = segmenter.words(title)
    for a, b in pairwise(title_words):
        if CJK_RUN.fullmatch(a) and CJK_RUN.fullmatch(b) and len(a + b) <= 8:
            found.add(a + b)
    # Windows of n adjacent pieces are counted first (in C, by zip and Counter) and judged after,
    # once per distinct window: a Python loop over every piece costs more than the segmenter.
    # A piece that may not be part of a phrase is None, so that a window holding one is told
    # by ``None in window``, in C too.
    low, high = PHRASE_CHARS
    title_pieces = segmenter.pieces(title)
    stops = {p for p, k in kinds.items() if not k & _PART} | {p for p in title_pieces if not _kind(p) & _PART}
    repeated: Counter = Counter()
    for source, least in ((pieces, 2), (title_pieces, 1)):
        marked = [None if p in stops else p for p in source]
        for n in range(2, PHRASE_PIECES + 1):
            for window, count in Counter(zip(*(marked[k:] for k in range(n)))).items():
                if count >= least and None not in window and low <= sum(map(len, window)) <= high:
                    repeated["".join(window)] += count
    # A phrase weighs 2 in a page that repeats it, 1 in one that names it in its title or quotes:
    # lexicon.served offers it from 2, so a term that a page repeats, or two pages name, is offered.
    weight = {p: 2 for p, n in repeated.items() if n >= 2}
    for p in [*(m.group(1) for m in QUOTED.finditer(text + title)),
              *(r for r in CJK_RUN.findall(title) if 2 <= len(r) <= 8),
              *(p for p in repeated if p in title)]:
        weight.setdefault(p, 1)
    return sorted(found) + sorted(PHRASE + p for p, n in weight.items() for _ in range(n) if p not in found)


@dataclass(frozen=True)
class Analysed:
    """Everything a backend writes for one page, computed once (in a worker process for a big
    index): its words for the lexicon, its tokens with their counts, its stored text."""

    entry: Entry
    words: tuple[str, ...]
    title_grams: dict[str, int]
    body_grams: dict[str, int]      # the title's tokens are not in it
    text: bytes                     # the indexed body as written, zlib-compressed
    chars: tuple[str, ...]          # the distinct Chinese characters of title and body


def body_of(e: Entry) -> str:
    extra = " ".join(x for x in (*e.keywords, e.doc_number, e.index_no, e.topic) if x)
    # The text first: a snippet is taken from the first match, and the summary repeats the text.
    return f"{e.text}\n{e.summary}\n{extra}"


def analyse(e: Entry, segmenter: Segmenter) -> Analysed:
    body = body_of(e)
    folded_title, folded_body = fold(e.title), fold(body)
    chars = sorted(set(CJK_CHAR.findall(folded_title)) | set(CJK_CHAR.findall(folded_body)))
    return Analysed(e, tuple(page_words(e, segmenter, folded_title, folded_body)), gram_counts(folded_title),
                    gram_counts(folded_body), zlib.compress(body.encode("utf-8", "surrogatepass"), 6), tuple(chars))


def document(a: Analysed) -> dict:
    """The keyword arguments of ``writer.add_document`` for one page (the Grams fields take
    their token counts as they are)."""
    e = a.entry
    doc = {
        "id": e.id,
        "title": a.title_grams, "_stored_title": e.title,
        "body": a.body_grams,
        "dept": e.dept, "kind": e.kind, "date": e.date, "month": e.date.strftime("%Y%m"),
        "url": e.url, "source": e.source, "column": e.column,
        "text": a.text,
        "words": " ".join(a.words),
    }
    if e.topic:
        doc["topic"] = e.topic
    if e.doc_number:
        keys = " ".join(doc_number_keys(e.doc_number))
        doc["docno"], doc["_stored_docno"], doc["docno_keys"] = keys, e.doc_number, keys
    if e.index_no:
        doc["index_no"] = fold(e.index_no.strip())
    return doc
