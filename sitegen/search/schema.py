"""The whoosh schema, and a Page turned into the document that the index holds."""

from __future__ import annotations

import hashlib
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from whoosh import analysis, fields
from whoosh.system import pack_uint

from ..model import Cluster, Page
from .analysis import CJK_RUN, Segmenter, doc_number_keys, fold, grams

SCHEMA_VERSION = "4"
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
        for gram, n in Counter(grams(value)).items():
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
        for value in (SCHEMA_VERSION, self.id, self.url, self.title, self.text, self.summary, "\x1f".join(self.keywords),
                      self.dept, self.source, self.column, self.kind, self.date.isoformat(),
                      self.topic or "", self.doc_number or "", self.index_no or ""):
            h.update(value.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
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


def page_words(e: Entry, segmenter: Segmenter) -> list[str]:
    """The page's vocabulary: its words, its keywords whole, and pairs of adjacent title words
    (智慧 + 城市 → 智慧城市), which is how names of programmes enter the lexicon."""
    found = set(segmenter.words(fold(e.title + "\n" + e.summary + "\n" + e.text)))
    for keyword in e.keywords:
        k = fold(keyword.strip())
        if CJK_RUN.fullmatch(k) and 2 <= len(k) <= 12:
            found.add(k)
    title = segmenter.words(fold(e.title))
    for a, b in pairwise(title):
        if CJK_RUN.fullmatch(a) and CJK_RUN.fullmatch(b) and len(a + b) <= 8:
            found.add(a + b)
    return sorted(found)


def document(e: Entry, words: list[str]) -> dict:
    """The keyword arguments of ``writer.add_document`` for one entry."""
    extra = " ".join(x for x in (*e.keywords, e.doc_number, e.index_no, e.topic) if x)
    # The text first: a snippet is taken from the first match, and the summary repeats the text.
    body = f"{e.text}\n{e.summary}\n{extra}"
    doc = {
        "id": e.id,
        "title": fold(e.title), "_stored_title": e.title,
        "body": fold(body),
        "dept": e.dept, "kind": e.kind, "date": e.date, "month": e.date.strftime("%Y%m"),
        "url": e.url, "source": e.source, "column": e.column,
        "text": zlib.compress(body.encode("utf-8", "surrogatepass"), 6),
        "words": " ".join(words),
    }
    if e.topic:
        doc["topic"] = e.topic
    if e.doc_number:
        keys = " ".join(doc_number_keys(e.doc_number))
        doc["docno"], doc["_stored_docno"], doc["docno_keys"] = keys, e.doc_number, keys
    if e.index_no:
        doc["index_no"] = fold(e.index_no.strip())
    return doc
