"""Posting lists of a whoosh index decoded from their end, kept per index version, and queries answered from them."""

from __future__ import annotations

import pickle
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from io import BytesIO
from itertools import accumulate

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher as WSearcher

# Postings kept decoded, all terms together (a dictionary slot each, about 50 bytes: 100 MB
# at most). A common bigram of a 50,000-page cluster has 30,000; the 150 queries of
# bench/search.py read a million.
CACHE_POSTINGS = 2_000_000

Docs = dict[int, float]     # a term's documents (global numbers) and their weights


class Postings:
    """The decoded posting lists of one version of the index, shared by the threads' searchers
    (the version never changes, so nothing decoded goes stale): least recently used first out.

    whoosh walks an intersection a posting at a time in Python, each step a skip on every
    other term of the query; here each term's list is decoded a block at a time, and queries
    are answered with C-level set operations on the lists (``Evaluation``). A list is decoded
    from its end, as far down as asked: a common word is read in the newest months only (the
    build adds pages in date order), and the rest of its list is neither read nor kept."""

    def __init__(self, limit: int | None = None):
        self.limit = CACHE_POSTINGS if limit is None else limit
        self._lock = threading.Lock()
        self._terms: OrderedDict[tuple[str, str], _Decoded] = OrderedDict()
        self._held = 0
        self._version: dict[str, object] = {}     # per-version tables: lengths, dates, numbers

    def term(self, searcher: WSearcher, fieldname: str, text: str, low: int = 0) -> Docs:
        """The term's postings of every document numbered ``low`` or more (and maybe others)."""
        key = (fieldname, text)
        with self._lock:
            known = self._terms.get(key)
            if known is not None:
                self._terms.move_to_end(key)
        if known is not None and known.covers(low, searcher):
            return known.docs
        decoded = _read_term(searcher, fieldname, text, low, known, self._numbers(searcher))
        with self._lock:
            old = self._terms.pop(key, None)
            if old is not None:
                self._held -= len(old.docs)
            if len(decoded.docs) <= self.limit:
                self._terms[key] = decoded
                self._held += len(decoded.docs)
                while self._held > self.limit:
                    _, old = self._terms.popitem(last=False)
                    self._held -= len(old.docs)
        return decoded.docs

    def table(self, name: str, make):
        """A per-version table, made once by ``make()``."""
        found = self._version.get(name)
        if found is None:
            found = make()
            with self._lock:
                found = self._version.setdefault(name, found)
        return found

    def _numbers(self, searcher: WSearcher) -> list[int]:
        # One int object per document number, shared by every list decoded: a posting then
        # costs its dictionary slot only.
        return self.table("numbers", lambda: list(range(searcher.doc_count_all())))


@dataclass(frozen=True)
class _Decoded:
    """A term's postings decoded so far, never changed once made (threads read it unlocked):
    for each segment, the first block decoded (all after it are) and the largest document
    number (in the segment) that may be left undecoded below it, -1 when none is."""

    docs: Docs
    tails: tuple[tuple[int, int], ...]

    def covers(self, low: int, searcher: WSearcher) -> bool:
        return all(_covered(low - offset, below, sub) for (_, below), (sub, offset)
                   in zip(self.tails, searcher.leaf_searchers()))


def _covered(local: int, below: int, sub: WSearcher) -> bool:
    """Is every posting of a segment's documents from ``local`` on decoded?"""
    return local > below or local >= sub.reader().doc_count_all()


UNREAD = (1 << 62, 1 << 62)    # a segment's tail before any block is read: nothing is covered


def _read_term(searcher: WSearcher, fieldname: str, text: str, low: int, known: _Decoded | None,
               numbers: list[int]) -> _Decoded:
    docs: Docs = {}
    tails = []
    leaves = searcher.leaf_searchers()
    for n, (sub, offset) in enumerate(leaves):
        first, below = known.tails[n] if known is not None else UNREAD
        reader = sub.reader()
        local = max(0, low - offset)
        if _covered(local, below, sub):
            tails.append((first, below))
            continue
        try:
            m = reader.postings(fieldname, text)
        except TermNotFound:
            tails.append((0, -1))
            continue
        deleted = m._ids if isinstance(m, FilterMatcher) else ()     # whoosh's own set of them
        while isinstance(m, FilterMatcher):
            m = m.child
        if isinstance(m, W3LeafMatcher):
            # whoosh reads a term's extent back as a 1-tuple (unpack_int), and never uses it.
            length = m._length[0] if isinstance(m._length, tuple) else m._length
            ids, weights, first, below = _blocks(m._postfile.get(m._startoffset, length), local, first)
        else:       # postings inlined in the term's entry: a few
            ids, weights, first, below = [], [], 0, -1
            while m.is_active():
                ids.append(m.id())
                weights.append(m.weight())
                m.next()
        if deleted:
            kept = [i for i, d in enumerate(ids) if d not in deleted]
            ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
        docs.update(zip(map(numbers.__getitem__, map(offset.__add__, ids)), weights))
        tails.append((first, below))
    if known is not None:
        docs.update(known.docs)
    return _Decoded(docs, tuple(tails))


def _blocks(raw: bytes, low: int, before: int) -> tuple[list[int], list[float], int, int]:
    """Document numbers and weights of one term's whoosh W3 postings in one segment, from the
    block before ``before`` down to the block that holds ``low``; and the new first block and
    the largest number below it (-1: none). The postings are a header, then blocks of a length
    (negative for the last), a pickled block info (its last id second), and pickled (maybe
    compressed) data: delta-coded ids restarting at 0 in each block, and weights (None: all
    1.0; a float: all that; else one each). What ``whoosh_store.FastSegmentWriter`` and
    whoosh's writer write."""
    starts = []
    at = 4
    while True:     # the blocks' places, from their lengths: no block is unpickled for it
        starts.append(at)
        length = int.from_bytes(raw[at:at + 4], "big", signed=True)
        at += 4 + abs(length)
        if length < 0:
            break
    ends = starts[1:] + [at]
    ids: list[int] = []
    weights: list[float] = []
    b = min(before, len(starts)) - 1
    while b >= 0:
        f = BytesIO(raw[starts[b] + 4:ends[b]])
        count, last, _, compression, _, _ = pickle.load(f)
        if last < low:
            return ids, weights, b + 1, last
        data = f.read()
        deltas, w, _ = pickle.loads(zlib.decompress(data) if compression else data)
        ids.extend(accumulate(deltas))
        # Whole weights (counts) kept as ints: CPython shares the small ones, where each float
        # would be an object of its own; they score the same (an int converts exactly).
        if w is None:
            weights.extend([1] * count)
        elif isinstance(w, float):
            weights.extend([int(w) if w.is_integer() else w] * count)
        else:
            whole = list(map(int, w))
            weights.extend(whole if whole == list(w) else w)
        b -= 1
    return ids, weights, 0, -1


class Evaluation:
    """The queries that ``whoosh_store`` builds (Term, And, Or, AndMaybe, with boosts) answered
    from decoded posting lists: which documents match, as sets, and then the scores of only the
    documents asked, by whoosh's BM25F with the same statistics and lengths, so the same
    scores. One per query: it remembers the bounds of the parts it has evaluated."""

    def __init__(self, searcher: WSearcher, postings: Postings):
        self.searcher = searcher
        self.postings = postings
        self._bounds: dict[int, tuple[wq.Query, int]] = {}     # by id, with the query, so no id is reused
        weighting = searcher.weighting
        self.K1, self.B = weighting.K1, weighting.B

    def term(self, fieldname: str, text: str, within: AbstractSet[int] | None = None) -> Docs:
        """The term's postings, at least of the documents numbered from the least of ``within``."""
        return self.postings.term(self.searcher, fieldname, text, min(within) if within else 0)

    def bound(self, q: wq.Query) -> int:
        """At least as many documents as ``q`` matches: a term's own count, the smallest part's
        for And, the sum for Or. Evaluating the parts of And in this order keeps the sets small."""
        known = self._bounds.get(id(q))
        if known is not None:
            return known[1]
        if isinstance(q, wq.Term):
            # whoosh's count from the term table, deleted documents too: nothing decoded.
            found = self.searcher.doc_frequency(q.fieldname, q.text)
        elif isinstance(q, wq.AndMaybe):
            found = self.bound(q.a)
        elif isinstance(q, wq.And):
            found = min((self.bound(p) for p in q.subqueries), default=0)
        elif isinstance(q, wq.Or):
            found = sum(self.bound(p) for p in q.subqueries)
        else:
            found = 0
        self._bounds[id(q)] = (q, found)
        return found

    def docs(self, q: wq.Query, within: AbstractSet[int] | None = None) -> AbstractSet[int]:
        """The documents that match ``q``, of ``within`` if given (a set, or a term's keys:
        read, never changed). Each step is a C-level set operation whose cost is the smaller
        side's size: the parts of And go smallest first, each within what the others left."""
        if within is not None and not within:
            return set()        # nothing to look within: no list is decoded for it
        if isinstance(q, wq.Term):
            keys = self.term(q.fieldname, q.text, within).keys()
            return keys if within is None else within & keys
        if isinstance(q, wq.AndMaybe):
            return self.docs(q.a, within)
        if isinstance(q, wq.And):
            found = within
            for part in sorted(q.subqueries, key=self.bound):
                found = self.docs(part, found)
                if not found:
                    break
            return set() if found is None else found
        if isinstance(q, wq.Or):
            return set().union(*(self.docs(p, within) for p in q.subqueries))
        if q is wq.NullQuery:
            return set()
        raise TypeError(f"no evaluation of {type(q).__name__}")

    def scores(self, q: wq.Query, among: Iterable[int]) -> dict[int, float]:
        """The score of each of ``among`` that ``q`` matches: a term's BM25F times its boost, the
        sum of the parts that match for And, Or and AndMaybe, times their boost."""
        return self._scores(q, among if isinstance(among, (set, frozenset)) else set(among))

    def _scores(self, q: wq.Query, among: AbstractSet[int]) -> dict[int, float]:
        if not among:
            return {}
        if isinstance(q, wq.Term):
            return self._term_scores(q, among)
        if isinstance(q, wq.AndMaybe):
            out = self._scores(q.a, among)
            bonus = self._scores(q.b, among & out.keys())
            for d, s in bonus.items():
                out[d] += s
            return out
        if isinstance(q, (wq.And, wq.Or)):
            matched = self.docs(q, among)
            out = dict.fromkeys(matched, 0.0)
            for part in q.subqueries:
                for d, s in self._scores(part, matched).items():
                    out[d] += s
            if q.boost != 1.0:
                out = {d: s * q.boost for d, s in out.items()}
            return out
        return {}

    def _term_scores(self, q: wq.Term, among: AbstractSet[int]) -> dict[int, float]:
        docs = self.term(q.fieldname, q.text, among)
        hit = among & docs.keys()
        if not hit:
            return {}
        field = self.searcher.schema[q.fieldname]
        boost = q.boost
        if not field.scorable:          # whoosh's WeightScorer: the weight
            return {d: docs[d] * boost for d in hit}
        # whoosh.scoring.bm25, term by term in the same order, so the same floats.
        idf = self.searcher.idf(q.fieldname, field.to_bytes(q.text))
        K1, B = self.K1, self.B
        avgfl = self.searcher.avg_field_length(q.fieldname) or 1
        lengths = self.lengths(q.fieldname)
        out = {d: idf * ((docs[d] * (K1 + 1)) / (docs[d] + K1 * ((1 - B) + B * lengths[d] / avgfl))) for d in hit}
        if boost != 1.0:
            out = {d: s * boost for d, s in out.items()}
        return out

    def lengths(self, fieldname: str) -> list[int]:
        """Each document's length in a field, as whoosh's scorer reads it (``LengthsInMemory``)."""
        from .whoosh_store import _lengths

        def make() -> list[int]:
            out: list[int] = []
            for sub, _ in self.searcher.leaf_searchers():
                out.extend(_lengths(sub.reader(), fieldname))
            return out
        return self.postings.table("lengths:" + fieldname, make)

    def dates(self) -> list[int]:
        """Each document's date as whoosh's date column holds it (what ``sortedby`` sorts by)."""
        return self.postings.table("dates", lambda: list(
            self.searcher.reader().column_reader("date", translate=False)))
