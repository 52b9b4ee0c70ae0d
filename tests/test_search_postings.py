"""The whoosh backend's own matcher (search/postings.py) against whoosh's matcher, on a built index.

The index is built by the real build, then updated (pages changed, removed, added), so that it
has the segments of both writers and deleted documents.
For each query, the documents, their order and their scores must be whoosh's own.
"""

from __future__ import annotations

import random
from datetime import datetime, time

import pytest
from clusters import make_cluster, page
from search_pg import Built

from sitegen.search import query as Q
from sitegen.search import whoosh_store
from sitegen.search.index import current_version
from sitegen.search.postings import Evaluation, Postings
from sitegen.search.query import Filters, parse
from sitegen.search.service import Generation
from sitegen.search.whoosh_store import WhooshSearcher, _unit_query
from whoosh import query as wq

PHRASES = ["推进智慧城市建设", "优化营商环境", "关于印发实施方案的通知", "乡村振兴产业发展", "养老服务补贴发放",
           "食品安全监管", "城市更新项目", "公共服务体系", "数字经济发展", "安全生产检查", "就业补贴申报",
           "会议强调", "工作取得新成效", "各单位要高度重视", "确保各项任务落到实处"]
QUERIES = ["智慧城市", "营商环境 优化", "关于印发实施方案的通知", "乡村振兴 产业", "养老服务 补贴",
           "城市", "市", "安全 检查 会议", "就业补贴", '"确保各项任务落到实处"', "数字经济 城市更新 公共服务",
           "城市更新工作取得新成效", "改写后", "n3"]


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PHRASES) + rng.choice("，。；") for _ in range(n))


def _pages(rng: random.Random, count: int, prefix: str) -> dict[str, str]:
    out = {}
    for i in range(count):
        folder = rng.choice(["content/jxj/gzdt", "content/jxj/tzgg", "content/portal/zwyw"])
        day = f"{rng.choice([2023, 2024, 2025])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 09:00"
        out[f"{folder}/{prefix}{i:03d}.md"] = page(rng.choice(PHRASES) + f"（{prefix}{i}）", day,
                                                   _text(rng, rng.randint(1, 40)))
    return out


@pytest.fixture(scope="module")
def index(request, tmp_path_factory):
    rng = random.Random(7)
    root = make_cluster(tmp_path_factory.mktemp("postings") / "site", _pages(rng, 150, "p"))
    built = Built(root, "whoosh", request)
    built.build()
    for name in sorted((root / "content/jxj/gzdt").glob("p*.md"))[:4]:
        name.unlink()
    for name in sorted((root / "content/jxj/tzgg").glob("p*.md"))[:6]:
        name.write_text(page("改写后的" + rng.choice(PHRASES), "2025-12-01 09:00", _text(rng, 5)), encoding="utf-8")
    for path, text in _pages(rng, 5, "n").items():
        (root / path).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(whoosh_store, "MERGE_BELOW", 1)       # the update's segment stays apart
        second = built.build().search
    assert not second.full and second.removed == 4 and second.changed == 6 and second.added == 5
    generation = Generation(current_version(root / "build" / "search"))
    searcher = WhooshSearcher(generation.path / "index")
    reader = searcher.searcher.reader()
    assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
    return generation, searcher


def _query(searcher, generation, q: str, any_unit: bool = False):
    units = list(parse(q, generation.vocab).units)
    parts = [_unit_query(searcher.searcher, u) for u in units]
    return (wq.Or(parts) if any_unit else wq.And(parts)), units


def _same_ranking(ours: dict[int, float], theirs: list[tuple[float, int]]) -> None:
    ranked = sorted(ours, key=lambda d: (-ours[d], d))
    assert ranked == [n for _, n in theirs]
    for score, n in theirs:
        assert ours[n] == pytest.approx(score, rel=1e-12)


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("any_unit", [False, True])
def test_the_same_documents_order_and_scores_as_whoosh(index, q, any_unit):
    generation, searcher = index
    query, _ = _query(searcher, generation, q, any_unit)
    ev = Evaluation(searcher.searcher, Postings())
    theirs = searcher.searcher.search(query, limit=None, terms=False).top_n
    assert theirs, q
    assert set(ev.docs(query)) == {n for _, n in theirs}
    _same_ranking(ev.scores(query, ev.docs(query)), theirs)


@pytest.mark.parametrize("q", ["城市", "安全 检查 会议", "关于印发实施方案的通知"])
def test_filters_department_scope_dates_and_date_order_match_whoosh(index, q):
    generation, searcher = index
    s = searcher.searcher
    query, units = _query(searcher, generation, q)
    dept = wq.Term("dept", "jxj")
    dates = wq.DateRange("date", datetime.combine(datetime(2024, 2, 1), time.min),
                         datetime.combine(datetime(2024, 11, 30), time.max))
    for whoosh_filter, f in ((dept, Filters(dept="jxj")), (wq.Term("kind", "notice"), Filters(kind="notice")),
                             (dates, Filters(date_from=datetime(2024, 2, 1).date(),
                                             date_to=datetime(2024, 11, 30).date()))):
        theirs = [n for _, n in s.search(query, limit=None, terms=False, filter=whoosh_filter).top_n]
        check = Q.Checker(units, False)
        expected = [n for n in theirs if check(s.stored_fields(n))]
        found = searcher.found(units, f)
        assert found.exact and list(found.keys) == expected and found.total == len(expected)
        newest = [n for _, n in s.search(query, limit=None, terms=False, filter=whoosh_filter,
                                          sortedby="date", reverse=True).top_n]
        by_date = searcher.found(units, Filters(f.dept, f.kind, f.topic, f.date_from, f.date_to, "date"))
        assert list(by_date.keys) == [n for n in newest if check(s.stored_fields(n))]


def test_above_the_window_the_newest_by_date_are_exact_and_only_the_newest_months_are_scored(index, monkeypatch):
    generation, searcher = index
    s = searcher.searcher
    query, units = _query(searcher, generation, "城市")
    everything = searcher.found(units, Filters())
    assert everything.exact and everything.total > 60
    monkeypatch.setattr(Q, "WINDOW", 5)
    monkeypatch.setattr(Q, "MAX_PAGE", 1)
    newest = [n for _, n in s.search(query, limit=None, terms=False, sortedby="date", reverse=True).top_n]
    by_date = searcher.found(units, Filters(sort="date"))
    assert not by_date.exact and list(by_date.keys) == newest[:10]
    # Estimated from the share of the months read that matched.
    assert len(newest) / 2 <= by_date.total <= len(newest) * 2

    scored: list[int] = []
    real = Evaluation.scores

    def counting(self, q, among):
        scored.append(len(among))
        return real(self, q, among)
    monkeypatch.setattr(Evaluation, "scores", counting)
    relevance = searcher.found(units, Filters())
    months = [s.doc_frequency("month", m) for m in s.lexicon("month")]
    assert not relevance.exact and relevance.total == by_date.total
    # Candidates of whole months, newest first, until the window's 10: a few months' worth.
    assert len(scored) == 1 and 10 <= scored[0] < len(newest) / 2
    dates = [s.stored_fields(n)["date"] for n in relevance.keys]
    assert min(dates) >= sorted((s.stored_fields(n)["date"] for n in newest), reverse=True)[scored[0] - 1]


def test_the_decoded_lists_are_bounded_and_a_small_cache_answers_the_same(index):
    generation, searcher = index
    small = Postings(limit=300)
    ev_small, ev_big = Evaluation(searcher.searcher, small), Evaluation(searcher.searcher, Postings())
    for q in QUERIES:
        query, _ = _query(searcher, generation, q)
        assert ev_small.docs(query) == ev_big.docs(query)
        assert ev_small.scores(query, ev_small.docs(query)) == ev_big.scores(query, ev_big.docs(query))
        assert small._held <= 300
    assert small._held > 0


def test_the_service_shares_one_cache_between_threads(index):
    generation, _ = index
    import threading
    seen = []
    thread = threading.Thread(target=lambda: seen.append(generation.searcher()))
    thread.start()
    thread.join()
    assert seen[0] is not generation.searcher() and seen[0].postings is generation.searcher().postings
    assert isinstance(whoosh_store.WhooshSearcher(generation.path / "index").postings, Postings)


def test_a_filter_that_goes_with_the_words_is_bounded_too_and_counted(request, tmp_path, monkeypatch):
    """A department whose every page holds the word: the bound, with the filters taken as
    independent, says few, yet there are more than the window. The candidates are then all
    counted (not confirmed: the count is marked as an estimate) and only the newest ranked."""
    pages = {f"content/jxj/gzdt/d{i:02d}.md": page(f"工作简报{i}", f"2024-{i % 12 + 1:02d}-{i % 27 + 1:02d} 09:00",
                                                   "数据开放工作推进顺利。") for i in range(40)}
    pages.update({f"content/portal/zwyw/o{i:03d}.md": page(f"要闻{i}", "2024-05-01 09:00", "全市经济运行平稳。")
                  for i in range(200)})
    index = Built(make_cluster(tmp_path / "site", pages), "whoosh", request)
    index.build()
    generation = Generation(current_version(tmp_path / "site" / "build" / "search"))
    searcher = WhooshSearcher(generation.path / "index")
    units = list(parse("数据开放", generation.vocab).units)
    assert searcher.found(units, Filters(dept="jxj")).total == 40
    monkeypatch.setattr(Q, "WINDOW", 5)
    monkeypatch.setattr(Q, "MAX_PAGE", 1)
    by_date = searcher.found(units, Filters(dept="jxj", sort="date"))
    s = searcher.searcher
    dates = sorted((stored["date"] for _, stored in searcher.ids(units)), reverse=True)
    assert not by_date.exact and by_date.total == 40
    assert [s.stored_fields(n)["date"] for n in by_date.keys] == dates[:10]
    relevance = searcher.found(units, Filters(dept="jxj"))
    assert not relevance.exact and relevance.total == 40 and len(relevance.keys) == 10
    # The newest months until 10 candidates: December to June hold 21 (and May is read whole);
    # the 16 older candidates are not ranked.
    assert min(s.stored_fields(n)["date"] for n in relevance.keys) >= datetime(2024, 5, 1)


def test_a_common_word_is_decoded_only_as_far_back_as_its_newest_months(request, tmp_path, monkeypatch):
    """Posting lists are decoded from their end: a query with many candidates, which reads the
    newest months, decodes the newest blocks of its terms (128 postings each) and not the rest;
    what it answers is what the whole lists answer."""
    pages = {f"content/portal/zwyw/p{i:03d}.md": page(f"要闻{i}", f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} 09:00",
                                                      "全市经济运行平稳。") for i in range(1200)}
    index = Built(make_cluster(tmp_path / "site", pages), "whoosh", request)
    index.build()
    generation = Generation(current_version(tmp_path / "site" / "build" / "search"))
    units = list(parse("经济运行", generation.vocab).units)
    tail, whole = (WhooshSearcher(generation.path / "index", Postings()) for _ in range(2))
    reader = whole.searcher.reader()
    for fieldname, text in reader.all_terms():
        if fieldname == "body":
            whole.postings.term(whole.searcher, "body", text.decode())        # every list whole
    assert len(whole.postings._terms[("body", "经济")].docs) == 1200
    for f in (Filters(), Filters(sort="date"), Filters(page=3)):
        ours, theirs = tail.found(units, f), whole.found(units, f)
        assert ours.keys == theirs.keys and ours.total == theirs.total and not ours.exact
    # The newest two months are 200 pages, the last ones of the last segment: their blocks.
    decoded = tail.postings._terms[("body", "经济")].docs
    assert 200 <= len(decoded) < 200 + 128 and reader.doc_frequency("body", "经济") == 1200
