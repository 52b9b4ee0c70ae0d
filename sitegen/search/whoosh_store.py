"""The whoosh backend, embedded and the default: the index as files in the version folder."""

from __future__ import annotations

import math
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from itertools import chain, groupby
from operator import sub
from pickle import dumps
from datetime import datetime, time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.searching import Searcher as WSearcher
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from . import query as Q
from .postings import Evaluation, Postings
from . import workers
from .query import Checker, Filters, Found, Unit, as_typed_check, query_tokens
from .analysis import CJK_RUN, segmenter
from .schema import Entry, Grams, analyse, document, schema

WRITER_MB = 128         # whoosh's in-memory posting buffer
# An update merges the segments of fewer documents into its own: a query pays for every
# segment (a term lookup in each), and whoosh's own policy leaves each update's segment alone
# (even once all its pages are deleted again). Bigger ones stay: merging re-adds every posting
# one at a time (about 0.3 s for 100 pages).
MERGE_BELOW = 200


class WhooshWriter:
    """Changes to the whoosh index of a version folder, made visible by ``commit``: whoosh
    writes new segment files and a new table of contents; the folder is published by index.py.
    A new index is written by worker processes, one segment each (``_write_segment``); an
    update by whoosh's own writer."""

    def __init__(self, folder: Path, previous: Path | None):
        folder.mkdir(parents=True, exist_ok=True)
        self.full = previous is None
        if previous is None:
            self.ix = whoosh_index.create_in(folder, schema())
        else:
            _link_tree(previous, folder)
            self.ix = whoosh_index.open_dir(folder)
        self._writer: SegmentWriter | None = None      # opened by the first change
        self._segments: list = []                       # a new index's, written by add_all

    def words_of(self, ids: Iterable[str]) -> list[str]:
        """The words stored with these pages when they were indexed (for the lexicon's counts)."""
        out: list[str] = []
        with self.ix.searcher() as searcher:
            for pid in ids:
                stored = searcher.document(id=pid)
                if stored:
                    out.extend(stored.get("words", "").split())
        return out

    def _w(self):
        if self._writer is None:
            self._writer = self.ix.writer(limitmb=WRITER_MB)
        return self._writer

    def delete(self, ids: Iterable[str]) -> None:
        for pid in ids:
            self._w().delete_by_term("id", pid)

    def add_all(self, entries: Sequence[Entry], words: tuple[str, ...]) -> Counter:
        """Analyse and add pages, in this order; the words they hold, counted once a page (for the lexicon).

        A new index is written by worker processes, each analysing and writing one segment of
        consecutive pages: the parent only lists the segments. Analysis and posting lists are
        then built where the pages are, and nothing but a segment's name and its word counts
        crosses between processes (sending each page's analysis to one writer process cost as
        much as writing it, and that writer was the bottleneck)."""
        if not self.full:
            counts: Counter = Counter()
            for analysed in workers.analysed(list(entries), words):
                counts.update(analysed.words)
                self._w().add_document(**document(analysed))
            return counts
        if entries:
            # The temporary folder of the workers' writers (whoosh names it after the index):
            # made here, so that they do not race to make it, and removed by commit.
            self.ix.storage.temp_storage(f"{self.ix.indexname}.tmp")
            done = workers.in_slices(partial(_write_segment, self.ix.storage.folder, words), entries,
                                     workers.count(len(entries)))
            self._segments += [segment for segment, _ in done if segment is not None]
            counts = Counter()
            for _, part in done:
                counts.update(part)
            return counts
        return Counter()

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit(mergetype=_merge_small)
            self._writer = None
        elif self.full:
            from whoosh.index import TOC, clean_files
            TOC(self.ix.schema, self._segments, 1).write(self.ix.storage, self.ix.indexname)
            clean_files(self.ix.storage, self.ix.indexname, 1, self._segments)
            self.ix.storage.temp_storage(f"{self.ix.indexname}.tmp").destroy()
        self.ix.close()

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        self.ix.close()


def _merge_small(writer: SegmentWriter, segments: list) -> list:
    """whoosh's merge policy for an update: segments with no page left are dropped, those of
    fewer than MERGE_BELOW pages are merged into the update's own; the rest stay as they are."""
    from whoosh.reading import SegmentReader

    kept = []
    for segment in segments:
        if segment.doc_count() == 0:
            continue
        if segment.doc_count_all() < MERGE_BELOW:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


def _write_segment(folder: str, words: tuple[str, ...], entries: Sequence[Entry]) -> tuple:
    """One segment of a new index holding ``entries`` in order (run in a worker process): the
    segment, and the words its pages hold."""
    ix = whoosh_index.open_dir(folder)
    seg = segmenter(words)
    writer = FastSegmentWriter(ix)
    counts: Counter = Counter()
    for e in entries:
        analysed = analyse(e, seg)
        counts.update(analysed.words)
        writer.add_document(**document(analysed))
    return writer.segment(), counts


class FastSegmentWriter(SegmentWriter):
    """whoosh's segment writer for a new index, without its posting pipeline for the Grams
    fields (about 600 postings a page): whoosh sends each posting as a tuple through a pool that
    pickles it into an external sort and merges the runs back, then checks each one on its way
    into the posting blocks (about 25 µs a posting: 80 % of a cold index's time). Here the
    postings of a Grams field gather in memory as two arrays per term (document numbers arrive
    in order, so nothing is sorted but the terms) and are written as whoosh's posting blocks
    (``_write_grams``). The files written are whoosh's own, read by whoosh's own readers; every
    other field still goes through whoosh's pool (a few postings a page)."""

    def __init__(self, ix):
        # No lock: the workers of one new index each write their own segment, and the parent,
        # which holds the version folder alone (index.py), writes the table of contents.
        super().__init__(ix, limitmb=WRITER_MB, _lk=False)
        # field -> gram -> (document numbers, counts)
        self._grams: dict[str, dict[str, tuple[array[int], array[int]]]] = {
            name: {} for name, f in self.schema.items() if isinstance(f, Grams)}
        self._lengths = {name: array("I") for name in self._grams}

    def add_document(self, **fields):
        # whoosh's SegmentWriter.add_document, less what this schema does not use (document and
        # field boosts, spelling, vectors), with the Grams fields' postings kept here.
        self._check_state()
        docnum, perdoc, add_post = self.docnum, self.perdocwriter, self.pool.add
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, names)
        for name in self._grams:
            self._lengths[name].append(sum(fields[name].values()) if fields.get(name) else 0)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = self.schema[name]
                length = 0
                if name in self._grams:
                    store = self._grams[name]
                    for gram, n in value.items():
                        postings = store.get(gram)
                        if postings is None:
                            postings = store[gram] = (array("I"), array("I"))
                        postings[0].append(docnum)
                        postings[1].append(n)
                    length = self._lengths[name][-1]
                elif field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        add_post((name, tbytes, docnum, weight, vbytes))
                custom = fields.get(f"_stored_{name}", value)
                perdoc.add_field(name, field, custom if field.stored else None, length)
                if field.column_type and custom is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(custom))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def segment(self):
        """Write the segment and return it, for the parent to list in the table of contents."""
        self._check_state()
        segment = self._finalize_segment() if self._added else None
        self.is_closed = True
        return segment

    def _flush_segment(self):
        self.perdocwriter.close()
        fw = self.fieldwriter
        pooled = groupby(self.pool.iter_postings(), key=lambda item: item[0])
        pooled_fields = {}
        for name, items in pooled:
            pooled_fields[name] = list(items)
        for name in sorted(set(pooled_fields) | set(self._grams)):
            field = self.schema[name]
            if name in self._grams:
                if self._grams[name]:
                    self._write_grams(fw, name, field)
                continue
            fw.start_field(name, field)
            last = None
            for _, tbytes, docnum, weight, vbytes in pooled_fields[name]:
                if tbytes != last:
                    if last is not None:
                        fw.finish_term()
                    fw.start_term(tbytes)
                    last = tbytes
                fw.add(docnum, weight, vbytes, 0)
            if last is not None:
                fw.finish_term()
            fw.finish_field()
        fw.close()

    def _write_grams(self, fw, name, field) -> None:
        # What whoosh's W3PostingsWriter writes for each term (a header, then blocks of up to
        # _blocklimit postings: their block info and their pickled, compressed ids, weights and
        # values, the last one's length negative) and its W3TermInfo, computed a block at a time
        # with C-level calls instead of a posting at a time: the readers are whoosh's own.
        lengths = self._lengths[name]
        store = self._grams[name]
        boost = field.format.field_boost
        fw.start_field(name, field)
        pw = fw._postwriter
        postfile, limit, level = pw._postfile, pw._blocklimit, pw._compression
        prefix = pack_ushort(fw._fieldid)
        add_term = fw._tindex.add
        for tbytes, gram in sorted((g.encode("utf-8"), g) for g in store):
            docs, freqs = store[gram]
            info = W3TermInfo()
            info._minid, info._maxid = docs[0], docs[-1]
            start = postfile.tell()
            postfile.write(WHOOSH3_HEADER_MAGIC)
            weight_sum = max_weight = 0.0
            least, most = None, 0
            for first in range(0, len(docs), limit):
                ids, counts = docs[first:first + limit], freqs[first:first + limit]
                weights = array("f", counts) if boost == 1.0 else array("f", (n * boost for n in counts))
                values = array("I", counts)
                if sys.byteorder == "little":
                    values.byteswap()     # whoosh's pack_uint is big-endian
                sizes = list(map(lengths.__getitem__, ids))
                low, high, top = min(sizes), max(sizes), max(weights)
                heavy, light = top, min(weights)
                mini = None if heavy == light == 1.0 else heavy if heavy == light else tuple(weights)
                data = dumps((tuple(map(sub, ids, chain((0,), ids))), mini, values.tobytes()), 2)
                if level:
                    data = zlib.compress(data, level)
                head = dumps((len(ids), ids[-1], top, level, length_to_byte(low), length_to_byte(high)), 2)
                last = first + limit >= len(docs)
                postfile.write_int(-(len(head) + len(data)) if last else len(head) + len(data))
                postfile.write(head)
                postfile.write(data)
                weight_sum += sum(weights)
                max_weight = max(max_weight, top)
                least = low if least is None else min(least, low)
                most = max(most, high)
            info._weight, info._df, info._maxweight = weight_sum, len(docs), max_weight
            info._minlength, info._maxlength = least, most
            info.set_extent(start, postfile.tell() - start)
            add_term(prefix + tbytes, info.to_bytes())
        fw.finish_field()


def _link_tree(source: Path, target: Path) -> None:
    import os
    import shutil
    for path in source.iterdir():
        if path.is_file() and not path.name.endswith("LOCK"):
            try:
                os.link(path, target / path.name)
            except OSError:      # another file system, or no hard links: a copy does the same
                shutil.copy2(path, target / path.name)


class LengthsInMemory(scoring.BM25F):
    """whoosh's BM25F, with each document's field lengths read once into a list instead of
    from the lengths column for every posting scored (a third of a common word's query time).
    The scores are the same."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        if hasattr(scorer, "dfl"):
            scorer.dfl = _lengths(searcher.reader(), fieldname).__getitem__
        return scorer


def _lengths(reader, fieldname: str) -> list[int]:
    cache = reader.__dict__.setdefault("_sitegen_lengths", {})
    if fieldname not in cache:
        cache[fieldname] = [reader.doc_field_length(n, fieldname, 1) for n in range(reader.doc_count_all())]
    return cache[fieldname]


class WhooshSearcher:
    """``query.Searcher`` over a whoosh index; one per thread (whoosh keeps file positions).
    ``postings``: the decoded posting lists of this version, shared by the threads' searchers."""

    def __init__(self, folder: Path, postings: Postings | None = None):
        self.index = whoosh_index.open_dir(str(folder))
        self.searcher = self.index.searcher(weighting=LengthsInMemory())
        self.postings = postings or Postings()

    def found(self, units: list[Unit], f: Filters, any_unit: bool = False) -> Found:
        return _found(Evaluation(self.searcher, self.postings), units, f, any_unit)

    def probe(self, units: list[Unit], beat: int) -> bool:
        q = wq.And([_unit_query(self.searcher, u) for u in units])
        return len(Evaluation(self.searcher, self.postings).docs(q)) > beat

    def ids(self, units: list[Unit]) -> list[tuple[str, dict]]:
        q = wq.And([_unit_query(self.searcher, u) for u in units])
        docs = Evaluation(self.searcher, self.postings).docs(q)
        return [(stored["id"], stored) for n in sorted(docs) if (stored := self.searcher.stored_fields(n))]


def _found(ev: Evaluation, units: list[Unit], f: Filters, any_unit: bool = False) -> Found:
    """The matching documents in order, with their count.

    Candidates (pages with every token of the query) are found with set operations on the
    terms' posting lists (``postings``). Work is bounded, because a common word in a big
    cluster has tens of thousands of candidates, and each costs in every set operation, in
    scoring and in confirming against its stored text:

    - a query that the posting lists bound to Q.WINDOW candidates or fewer (filters counted,
      as if independent) is evaluated over the whole index; if it has that few, every
      candidate is scored and confirmed: exact count;
    - otherwise the candidates of the newest months are taken first (a month is one term's
      posting list; the build numbers the newest pages last, so that few blocks of each list
      are decoded), reading more months only until the page asked for has enough candidates;
      candidates are confirmed only as they are shown. Relevance ranks the candidates read,
      the newest matches; sorting by date stays exact (whole months are read, newest first);
      the count is the candidates' own if they were all found, else estimated from the share
      of the months read that matched.
    """
    searcher = ev.searcher
    parts = [_unit_query(searcher, u) for u in units]
    q = wq.Or(parts) if any_unit else wq.And(parts)
    narrow = [wq.Term(name, value) for name, value in (("dept", f.dept), ("kind", f.kind), ("topic", f.topic))
              if value]
    window = max(Q.WINDOW, Q.MAX_PAGE * Q.PAGE_SIZE)
    shown = Q.MAX_PAGE * Q.PAGE_SIZE
    dates = ev.dates() if f.date_from or f.date_to or f.sort == "date" else []
    field = searcher.schema["date"]
    low = field.to_column_value(datetime.combine(f.date_from, time.min)) if f.date_from else -math.inf
    high = field.to_column_value(datetime.combine(f.date_to, time.max)) if f.date_to else math.inf

    def among(within: AbstractSet[int] | None) -> AbstractSet[int]:
        """The candidates of ``within`` (None: of the whole index) that the filters allow."""
        found = ev.docs(wq.And([*narrow, q]), within)
        if f.date_from or f.date_to:
            found = {d for d in found if low <= dates[d] <= high}
        return found

    sizes = ev.postings.table("months", lambda: {m: len(ev.term("month", m)) for m in _months(ev)})
    everything = max(sum(sizes.values()), 1)
    # Only the months the date filter allows are read at all.
    first = f.date_from.strftime("%Y%m") if f.date_from else "000000"
    last = f.date_to.strftime("%Y%m") if f.date_to else "999999"
    months = [m for m in sizes if first <= m <= last]
    # The share of pages the filters leave (as if they were independent), to estimate how
    # many candidates the query has once filtered.
    kept = sum(sizes[m] for m in months) / everything
    for t in narrow:
        kept *= ev.bound(t) / everything
    check = Checker(units, any_unit)
    fetch = lambda keys: [searcher.stored_fields(n) for n in keys]   # noqa: E731
    # whoosh's order: by date, newest first, then the later document; by score, the best
    # first, then the earlier document.
    newest = lambda d: (dates[d], d)     # noqa: E731

    def exact(matched: AbstractSet[int]) -> Found:
        """Every candidate scored (or sorted by date) and confirmed."""
        if f.sort == "date":
            order = sorted(matched, key=newest, reverse=True)
            as_typed = None
        else:
            scores = ev.scores(q, matched)
            order = sorted(matched, key=lambda d: (-scores[d], d))
            as_typed = as_typed_check(units)
        confirmed: list[tuple[bool, int]] = []
        for n in order:
            stored = searcher.stored_fields(n)
            if check(stored):
                confirmed.append((as_typed is not None and not as_typed(stored), n))
        # A long run typed without spaces: the pages that hold it as typed come first (a stable
        # sort keeps the score order within each group), then those with its words apart.
        docnums = tuple(n for _, n in sorted(confirmed, key=lambda pair: pair[0]))
        return Found(docnums[:shown], len(docnums), not check.spent, fetch)

    # Every candidate, when the query's bound says there are few: filters that go with the
    # words (a department and its subjects) can leave more than the window all the same.
    whole: AbstractSet[int] | None = None
    if ev.bound(q) * kept <= window:
        whole = among(None)
        if len(whole) <= window:
            return exact(whole)
    # The share of pages expected to match, its words taken as independent, so that one pass
    # reads enough months: each pass costs a set operation per term, more than its length.
    shares = [min(1.0, ev.bound(p) / everything) for p in parts]
    share = min(1.0, sum(shares)) if any_unit else math.prod(shares)
    share = min(1.0, max(share * kept if whole is None else len(whole) / everything, 1e-4))
    # Enough candidates for the page asked for; more months are read only for later pages.
    needed = min(window, max(f.page * Q.PAGE_SIZE + Q.PAGE_SIZE, Q.FIRST_READ))
    found: set[int] = set()
    read = taken = 0
    while taken < len(months) and len(found) < needed:
        batch: list[str] = []
        wanted = (needed - len(found)) / share * 1.5
        while taken < len(months) and (not batch or sum(sizes[m] for m in batch) < wanted):
            batch.append(months[taken])
            taken += 1
        newest_months = set().union(*(ev.term("month", m).keys() for m in batch))
        found |= among(newest_months) if whole is None else whole & newest_months
        read += sum(sizes[m] for m in batch)
        share = max(share / 4, 1e-4) if len(found) < needed else share
    if taken >= len(months) and len(found) <= window:
        return exact(found)      # the estimate was wrong: every candidate is read, and few
    in_range = sum(sizes[m] for m in months)
    total = len(whole) if whole is not None else len(found) if taken >= len(months) \
        else round(len(found) * in_range / max(read, 1))
    if f.sort == "date":
        order = sorted(found, key=newest, reverse=True)
    else:
        # Without the bonus for a long run found whole, which the exact path gets from the
        # confirmation, not done here for every candidate.
        plain = [_unit_query(searcher, u, boost=False) for u in units]
        scores = ev.scores(wq.Or(plain) if any_unit else wq.And(plain), found)
        order = sorted(found, key=lambda d: (-scores[d], d))
    return Found(tuple(order[:shown]), max(total, len(found)), False, fetch, check)


def _months(ev: Evaluation) -> list[str]:
    """The months of the index, newest first."""
    return sorted((m.decode() for m in ev.searcher.reader().lexicon("month")), reverse=True)


def _unit_query(searcher: WSearcher, unit: Unit, boost: bool = True) -> wq.Query:
    """Any alternative of the unit in the title (ranked higher) or the body, or its 文号: the
    candidates that have all of an alternative's tokens (``_checker`` then tells which really
    contain it)."""
    options: list[wq.Query] = []
    for n, alt in enumerate(unit.alternatives):
        for fieldname, weight in (("title", Q.TITLE_BOOST), ("body", 1.0)):
            q = _alternative(searcher, fieldname, alt)
            if q is not None:
                weight *= 1.0 if n < unit.exact else Q.SYNONYM_WEIGHT
                options.append(q.with_boost(weight) if weight != 1.0 else q)
    if unit.docno:
        # An ID field scores its weight (1) times the boost: far above any text score, so the
        # document that carries the 文号 comes before the ones that mention it.
        options.append(wq.Term("docno", unit.docno, boost=1000.0))
    matched = wq.Or(options) if options else wq.NullQuery
    if unit.boost and boost:
        whole = [q for f, b in (("title", Q.TITLE_BOOST), ("body", 1.0))
                 if (q := _alternative(searcher, f, unit.boost)) is not None]
        return wq.AndMaybe(matched, wq.Or(whole)) if whole else matched
    return matched


def _alternative(searcher: WSearcher, fieldname: str, alt: str) -> wq.Query | None:
    """Query for one alternative in one field: all its tokens (bigrams, letter and digit runs)."""
    tokens = query_tokens(alt)
    if not tokens:
        return None
    if len(tokens) == 1:
        token = tokens[0]
        if len(token) == 1 and CJK_RUN.fullmatch(token):
            # One character: every bigram that starts with it, and it alone at the end of a run.
            expanded = [t.decode("utf-8") for t in _bounded(searcher.reader().expand_prefix(fieldname, token))]
            return wq.Or([wq.Term(fieldname, t) for t in expanded]) if expanded else None
        return wq.Term(fieldname, token)
    return wq.And([wq.Term(fieldname, t) for t in tokens])


def _bounded(terms, limit: int | None = None):
    limit = Q.MAX_EXPAND if limit is None else limit
    for n, term in enumerate(terms):
        if n >= limit:
            return
        yield term
