"""The PostgreSQL backend: the same documents and semantics as whoosh_store, in a database.

One row per page: its index tokens (``analysis.grams``) as a text array under a GIN index, so
that ``grams @> ARRAY[...]`` lists the candidates that hold every bigram of a word; the stored
text then confirms them (``query.Checker``), exactly as with whoosh. A one-character word uses
the array of the page's distinct characters. Filters are plain columns; relevance is a score
computed in SQL (a title match, a 文号 match, each synonym's weight), cruder than whoosh's BM25F.

Writes are transactions: an incremental update deletes and inserts its pages and records the
version it belongs to in one commit; a full re-index loads a new table and swaps it in by two
renames in one short transaction, so readers (and read replicas, which replay the same WAL)
see the old index or the new one, never a mixture.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, time

from ..errors import OutputError
from . import query as Q
from . import workers
from .analysis import CJK_RUN, doc_number_keys, fold
from .query import Checker, Filters, Found, Unit, as_typed_check, query_tokens
from .schema import Analysed, Entry

DSN_ENV = "SITEGEN_SEARCH_DSN"
TABLE = "sitegen_search_docs"
STATE = "sitegen_search_state"
STATEMENT_TIMEOUT_MS = 5_000      # no query may hold a database connection longer
COUNT_UP_TO = 10_000              # candidates counted at most; above, the count is an estimate
COLUMNS = ("id", "grams", "title_grams", "chars", "docno_keys", "dept", "kind", "topic", "date", "title", "url",
           "source", "column_name", "docno", "index_no", "text", "words")
STORED = "id, title, url, source, dept, date, column_name, kind, docno, docno_keys, text"


def dsn(given: str | None = None) -> str:
    """The connection string, from the environment only: it holds a password, the repository must
    not. (``given`` is for tests and tools that hold several databases at once.)"""
    value = (given or os.environ.get(DSN_ENV, "")).strip()
    if not value:
        raise OutputError(f"search.backend is postgres in site.yaml, but {DSN_ENV} is not set: set it to the "
                          "database's connection string (e.g. postgresql://sitegen@db.internal/sitegen)")
    return value


def connect(given: str | None = None, autocommit: bool = False, timeout_ms: int = 0):
    import psycopg

    try:
        conn = psycopg.connect(dsn(given), autocommit=autocommit, connect_timeout=10)
    except psycopg.Error as e:
        raise OutputError(f"could not connect to the search database ({DSN_ENV}): {str(e).strip()}") from e
    # A query is bounded in time too; a load and an index build are not (0: no limit).
    conn.execute(f"SET statement_timeout = {int(timeout_ms)}")
    return conn


def _ddl(table: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS {table} (
            id text PRIMARY KEY, grams text[] NOT NULL, title_grams text[] NOT NULL, chars text[] NOT NULL,
            docno_keys text[] NOT NULL, dept text NOT NULL, kind text NOT NULL, topic text,
            date timestamp NOT NULL, title text NOT NULL, url text NOT NULL, source text NOT NULL,
            column_name text NOT NULL, docno text, index_no text, text bytea NOT NULL, words text NOT NULL)""",
        f"CREATE INDEX IF NOT EXISTS {table}_grams ON {table} USING gin (grams) WITH (fastupdate = off)",
        f"CREATE INDEX IF NOT EXISTS {table}_chars ON {table} USING gin (chars) WITH (fastupdate = off)",
        f"CREATE INDEX IF NOT EXISTS {table}_docno ON {table} USING gin (docno_keys)",
        f"CREATE INDEX IF NOT EXISTS {table}_date ON {table} (date DESC, id)",
        f"CREATE INDEX IF NOT EXISTS {table}_dept ON {table} (dept, date DESC)",
    ]


def row(a: Analysed) -> tuple:
    """One page as the table's columns (the same content as ``schema.document`` gives whoosh)."""
    e = a.entry
    keys = doc_number_keys(e.doc_number) if e.doc_number else []
    return (e.id, sorted(a.title_grams.keys() | a.body_grams.keys()), sorted(a.title_grams), list(a.chars), keys,
            e.dept, e.kind, e.topic, e.date, e.title, e.url, e.source, e.column, e.doc_number,
            fold(e.index_no.strip()) if e.index_no else None, a.text, " ".join(a.words))


class PgWriter:
    """Changes to the PostgreSQL index in one transaction; ``commit`` makes them visible together
    with the version they belong to. ``full``: a new table, swapped in at commit."""

    def __init__(self, full: bool, version: str, given_dsn: str | None = None):
        self.conn = connect(given_dsn)
        self.full = full
        self.version = version
        self.table = f"{TABLE}_new" if full else TABLE
        self._rows: list[tuple] = []
        with self.conn.cursor() as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {STATE} (key text PRIMARY KEY, value text NOT NULL)")
            if full:
                cur.execute(f"DROP TABLE IF EXISTS {self.table}")
                # Indexes after the load: building a GIN index at once costs far less than
                # inserting into it row by row.
                cur.execute(_ddl(self.table)[0])
            else:
                for statement in _ddl(TABLE):
                    cur.execute(statement)

    def version_in_database(self) -> str | None:
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT value FROM {STATE} WHERE key = 'version'")
            found = cur.fetchone()
            return found[0] if found else None

    def words_of(self, ids: Iterable[str]) -> list[str]:
        if self.full:
            return []       # a new table: nothing was counted yet
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT words FROM {TABLE} WHERE id = ANY(%s)", (list(ids),))
            return [w for (words,) in cur.fetchall() for w in words.split()]

    def delete(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids and not self.full:
            self.conn.execute(f"DELETE FROM {TABLE} WHERE id = ANY(%s)", (ids,))

    def add_all(self, entries: Sequence[Entry], words: tuple[str, ...]) -> Counter:
        """Analyse (in worker processes for many) and add pages; the words they hold, for the lexicon."""
        counts: Counter = Counter()
        for analysed in workers.analysed(list(entries), words):
            counts.update(analysed.words)
            self._rows.append(row(analysed))
            if len(self._rows) >= 500:
                self._flush()
        return counts

    def _flush(self) -> None:
        if not self._rows:
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {self.table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for r in self._rows:
                copy.write_row(r)
        self._rows = []

    def commit(self) -> None:
        self._flush()
        with self.conn.cursor() as cur:
            if self.full:
                for statement in _ddl(self.table)[1:]:
                    cur.execute(statement)
                cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
                cur.execute(f"ALTER TABLE {self.table} RENAME TO {TABLE}")
                for suffix in ("grams", "chars", "docno", "date", "dept"):
                    cur.execute(f"ALTER INDEX {self.table}_{suffix} RENAME TO {TABLE}_{suffix}")
                cur.execute(f"ALTER TABLE {TABLE} RENAME CONSTRAINT {self.table}_pkey TO {TABLE}_pkey")
            cur.execute(f"INSERT INTO {STATE} VALUES ('version', %s) ON CONFLICT (key) DO UPDATE SET value = "
                        "excluded.value", (self.version,))
        self.conn.commit()
        self.conn.close()

    def cancel(self) -> None:
        self.conn.rollback()
        self.conn.close()


# ---------------------------------------------------------------- queries


def _alternative(alt: str, title: bool = False) -> tuple[str, list] | None:
    """SQL that is true for a candidate of one alternative, and its parameters."""
    tokens = query_tokens(alt)
    if not tokens:
        return None
    if len(tokens) == 1 and len(tokens[0]) == 1 and CJK_RUN.fullmatch(tokens[0]):
        # One character: the page's characters hold it (the title, for the score, as written).
        return ("strpos(title, %s) > 0" if title else "chars @> %s"), [tokens[0] if title else tokens]
    return ("title_grams @> %s" if title else "grams @> %s"), [tokens]


def _unit(unit: Unit) -> tuple[str, list]:
    sql, params = [], []
    for alt in unit.alternatives:
        found = _alternative(alt)
        if found:
            sql.append(found[0])
            params += found[1]
    if unit.docno:
        sql.append("docno_keys @> %s")
        params.append([unit.docno])
    return ("(" + " OR ".join(sql) + ")" if sql else "false"), params


def _score(units: list[Unit]) -> tuple[str, list]:
    """Relevance: per unit, a 文号 match far above a title match far above a body match; a
    synonym counts SYNONYM_WEIGHT of the word asked for."""
    parts, params = [], []
    for unit in units:
        if unit.docno:
            parts.append("(CASE WHEN docno_keys @> %s THEN 1000 ELSE 0 END)")
            params.append([unit.docno])
        for n, alt in enumerate(unit.alternatives):
            found = _alternative(alt, title=True)
            if found:
                weight = Q.TITLE_BOOST * (1.0 if n < unit.exact else Q.SYNONYM_WEIGHT)
                parts.append(f"(CASE WHEN {found[0]} THEN {weight} ELSE 0 END)")
                params += found[1]
    return (" + ".join(parts) or "0"), params


def _filters(f: Filters) -> tuple[str, list]:
    sql: list[str] = []
    params: list[str | datetime] = []
    for column, value in (("dept", f.dept), ("kind", f.kind), ("topic", f.topic)):
        if value:
            sql.append(f"{column} = %s")
            params.append(value)
    if f.date_from:
        sql.append("date >= %s")
        params.append(datetime.combine(f.date_from, time.min))
    if f.date_to:
        sql.append("date <= %s")
        params.append(datetime.combine(f.date_to, time.max))
    return " AND ".join(sql), params


def _where(units: list[Unit], f: Filters, any_unit: bool) -> tuple[str, list]:
    parts = [_unit(u) for u in units]
    sql = (" OR " if any_unit else " AND ").join(p[0] for p in parts)
    params = [x for p in parts for x in p[1]]
    narrow, more = _filters(f)
    if narrow:
        return f"({sql}) AND {narrow}", params + more
    return f"({sql})", params


def _stored(r: tuple) -> dict:
    pid, title, url, source, dept, date, column, kind, docno, keys, text = r
    return {"id": pid, "title": title, "url": url, "source": source, "dept": dept, "date": date, "column": column,
            "kind": kind, "docno": docno, "docno_keys": " ".join(keys), "text": bytes(text)}


class PgSearcher:
    """``query.Searcher`` over the PostgreSQL index; one connection per thread."""

    def __init__(self, given_dsn: str | None = None):
        self.conn = connect(given_dsn, autocommit=True, timeout_ms=STATEMENT_TIMEOUT_MS)

    def fetch(self, keys: Sequence[str]) -> list[dict]:
        if not keys:
            return []
        rows = self.conn.execute(f"SELECT {STORED} FROM {TABLE} WHERE id = ANY(%s)", (list(keys),)).fetchall()
        by_id = {r[0]: _stored(r) for r in rows}
        return [by_id[k] for k in keys if k in by_id]

    def found(self, units: list[Unit], f: Filters, any_unit: bool = False) -> Found:
        """Candidates from the GIN index, confirmed by their stored text, as whoosh_store does:
        up to WINDOW candidates all confirmed (exact count); more are read newest first, only
        as many as the result window, ranked among themselves, confirmed as they are shown."""
        where, params = _where(units, f, any_unit)
        score, score_params = _score(units)
        window = max(Q.WINDOW, Q.MAX_PAGE * Q.PAGE_SIZE)
        count = self.conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {where} LIMIT %s) c",
                                  params + [COUNT_UP_TO]).fetchone()[0]
        check = Checker(units, any_unit)
        by_date = f.sort == "date"
        if count <= window:
            order = "date DESC, id" if by_date else "score DESC, date DESC, id"
            rows = self.conn.execute(
                f"SELECT {STORED}, {score} AS score FROM {TABLE} WHERE {where} ORDER BY {order}",
                score_params + params).fetchall()
            as_typed = None if by_date else as_typed_check(units)
            confirmed: list[tuple[bool, str]] = []
            for r in rows:
                stored = _stored(r[:-1])
                if check(stored):
                    confirmed.append((as_typed is not None and not as_typed(stored), stored["id"]))
            keys = tuple(k for _, k in sorted(confirmed, key=lambda pair: pair[0]))
            return Found(keys[:Q.MAX_PAGE * Q.PAGE_SIZE], len(keys), not check.spent, self.fetch)
        needed = min(window, max(f.page * Q.PAGE_SIZE + Q.PAGE_SIZE, Q.FIRST_READ))
        order = "date DESC, id" if by_date else "score DESC, date DESC, id"
        rows = self.conn.execute(
            f"SELECT id, {score} AS score, date FROM (SELECT id, date, title_grams, docno_keys FROM {TABLE} "
            f"WHERE {where} ORDER BY date DESC, id LIMIT %s) newest ORDER BY {order}",
            score_params + params + [needed]).fetchall()
        return Found(tuple(r[0] for r in rows), count, False, self.fetch, check)

    def probe(self, units: list[Unit], beat: int) -> bool:
        where, params = _where(units, Filters(), False)
        n = self.conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {where} LIMIT %s) c",
                              params + [beat + 1]).fetchone()[0]
        return n > beat

    def ids(self, units: list[Unit]) -> list[tuple[str, dict]]:
        where, params = _where(units, Filters(), False)
        rows = self.conn.execute(f"SELECT {STORED} FROM {TABLE} WHERE {where}", params).fetchall()
        return [(r[0], _stored(r)) for r in rows]

    def close(self) -> None:
        self.conn.close()

