"""Search: the index a build writes and the service over it, on a small fixture cluster.

Every test asks the real index through the real WSGI application (called in-process) and reads
the HTML or JSON it answers.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from bs4 import BeautifulSoup
from clusters import SITE_YAML, item, make_cluster, page
from search_pg import BACKENDS, Built

from sitegen.build import assign, build
from sitegen.search import whoosh_store, workers
from sitegen.search.analysis import doc_number_key, fold, gram_counts, grams, segmenter
from sitegen.search.index import current_version
from sitegen.search.query import Request
from sitegen.search.schema import Entry, analyse
from sitegen.search.service import Generation, SearchService
from sitegen.search.whoosh_store import WhooshWriter
from whoosh import index as whoosh_index
from whoosh import query as wq

SEARCH_YAML = SITE_YAML + """\
search:
  synonyms:
    - [医保, 医疗保障]
    - [公积金, 住房公积金]
  hot_words: [智慧城市, 医保]
"""

LONG = "本市持续优化营商环境。" * 200   # long text, so a match sits far from the start

PAGES = {
    "site.yaml": SEARCH_YAML,
    "content/jxj/gzdt/smart.md": page(
        "我市推进智慧城市建设", "2024-03-01 09:00",
        LONG + "全市大力推进电子政务和信息化建设，智慧城市取得新进展。", keywords="[智慧城市, 数字政府]"),
    "content/jxj/gzdt/trad.md": page("醫療保障工作會議召開", "2024-04-01 09:00", "會議研究部署醫療保障和電子政務工作。"),
    "content/jxj/tzgg/insurance.md": page("关于做好医保结算工作的通知", "2025-01-05 10:00",
                                          "各单位：请做好医保异地结算工作。联系人：张三<script>alert(1)</script>"),
    "content/jxj/tzgg/fund.md": page("住房公积金缴存基数调整的通知", "2023-07-01 10:00", "各单位：住房公积金缴存基数按规定调整。"),
    "content/jxj/zcwj/plan.md": item("关于印发《测试市智慧城市建设三年行动计划》的通知", "2024-03-12 09:30", "2024-03-10",
                                     body="各区：现将行动计划印发给你们，请认真贯彻落实。",
                                     extra="  doc_number: 测经信发〔2024〕12号\n"),
    "content/portal/zwyw/portal-news.md": page("市政府召开电子政务工作会议", "2022-06-01 09:00", "会议听取电子政务工作汇报。"),
}


@pytest.fixture(scope="module", params=BACKENDS)
def built(request, tmp_path_factory) -> Built:
    """The fixture cluster built once per backend: every test that asks it runs on both."""
    root = make_cluster(tmp_path_factory.mktemp("search") / "site", PAGES)
    assign(root)
    result = Built(root, request.param, request)
    result.build()
    return result


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built.root


@pytest.fixture(scope="module")
def app(built) -> SearchService:
    return built.app


def call(app, path: str = "/search/", query: str = "", method: str = "GET") -> tuple[str, dict, bytes]:
    """One request through the WSGI app: status, headers, body."""
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
               "wsgi.errors": _Errors()}
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


class _Errors:
    """wsgi.errors that fails the test: the service logs there only when it has a fault."""

    def write(self, text):
        raise AssertionError(f"the service logged an error:\n{text}")


def api(app, **params) -> dict:
    status, headers, body = call(app, "/search/api", urlencode(params))
    assert status == "200 OK" and headers["Content-Type"].startswith("application/json")
    return json.loads(body)


def titles(app, **params) -> list[str]:
    return [r["title"] for r in api(app, **params)["results"]]


def results_page(app, **params) -> BeautifulSoup:
    status, headers, body = call(app, "/search/", urlencode(params))
    assert status == "200 OK" and headers["Content-Type"] == "text/html; charset=utf-8"
    return BeautifulSoup(body.decode("utf-8"), "html.parser")


# ---------------------------------------------------------------- analysis


def test_folding_keeps_length_and_makes_traditional_and_full_width_one():
    text = "醫療保障 ＡＢＣ１２３ 電子政務"
    assert fold(text) == "医疗保障 abc123 电子政务" and len(fold(text)) == len(text)


def test_a_text_that_folding_changes_only_in_punctuation_is_told_without_folding_it():
    """The check of a candidate folds its text only if that can change a match: each character
    said not to matter folds from and to something that is neither letter, digit nor Chinese."""
    from sitegen.search.analysis import CJK, _fold_table, folds_words
    word = re.compile(f"[{CJK}a-z0-9]")
    for code, folded in _fold_table().items():
        if not folds_words(chr(code)):
            assert not word.match(folded) and not word.match(chr(code))
    assert not folds_words("各单位：请做好医保（异地）结算工作！")
    assert folds_words("醫療") and folds_words("５G") and folds_words("Abc")


def test_grams_are_bigrams_with_the_run_ends_and_letter_runs_whole():
    assert grams("智慧城市，2024年") == ["智慧", "慧城", "城市", "智", "市", "2024", "年"]


@pytest.mark.parametrize("text", ["", "智", "智慧城市，2024年", "a智b", "5G基站建设a1b2 城", "\U00020000\U00020001x\U00020002",
                                  "一、二。三四五 abc def", "醫療保障 ＡＢＣ１２３"])
def test_gram_counts_are_the_counted_grams(text):
    assert gram_counts(fold(text)) == Counter(grams(fold(text)))


def test_doc_number_keys_ignore_the_kind_of_bracket():
    assert doc_number_key("经信发[2024]12号") == doc_number_key("经信发〔2024〕12号") == doc_number_key("经信发【2024】 12号")


# ---------------------------------------------------------------- the index on disk


def _entry(n: int, text: str) -> Entry:
    return Entry(f"jxj/gzdt/p{n}", f"/jxj/gzdt/p{n}/", f"第{n}篇动态", text, "", (), "jxj", "经信局", "工作动态", "news",
                 datetime(2024, 1 + n % 12, 1 + n % 28, 9), None, None, None)


def test_a_new_whoosh_index_is_written_by_workers_one_segment_each_and_updates_merge_small_segments(
        tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "count", lambda items, least=0: 2)    # two processes even for a few pages
    monkeypatch.setattr(whoosh_store, "MERGE_BELOW", 3)                 # a segment of 6 pages is big here
    entries = sorted((_entry(n, f"第{n}号文件讲{'数据开放' if n % 3 == 0 else '营商环境'}。") for n in range(12)),
                     key=lambda e: (e.date, e.id))
    writer = WhooshWriter(tmp_path / "v1", None)
    counts = writer.add_all(entries, ())
    writer.commit()
    # The words of every page, counted by the workers together as here one page at a time.
    assert counts == Counter(w for e in entries for w in analyse(e, segmenter(())).words) and counts["数据"] == 4
    ix = whoosh_index.open_dir(str(tmp_path / "v1"))
    assert [s.doc_count_all() for s in ix._segments()] == [6, 6]
    with ix.searcher() as searcher:
        # Document numbers follow the order given, across the segments.
        assert [searcher.stored_fields(n)["id"] for n in range(12)] == [e.id for e in entries]
        found = {searcher.stored_fields(n)["id"] for n in searcher.docs_for_query(wq.And(
            [wq.Term("body", "数据"), wq.Term("body", "据开"), wq.Term("body", "开放")]))}
    assert found == {e.id for e in entries if "数据开放" in e.text}
    ix.close()

    previous = tmp_path / "v1"
    for k in range(3):      # three updates, each changing the same page: a segment of one page each
        folder = tmp_path / f"v{k + 2}"
        writer = WhooshWriter(folder, previous)
        writer.delete([entries[0].id])
        writer.add_all([_entry(0, f"改写{k}次的内容讲公共数据。")], ())
        writer.commit()
        previous = folder
    ix = whoosh_index.open_dir(str(previous))
    # The big segments stay; the small ones were merged, and those left empty dropped.
    assert [s.doc_count_all() for s in ix._segments()] == [6, 6, 1]
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 12
        hits = [searcher.stored_fields(n)["id"] for n in searcher.docs_for_query(wq.Term("body", "公共"))]
    assert hits == [entries[0].id]
    ix.close()


def test_index_lives_beside_the_web_root_behind_an_atomic_current_link(built):
    site = built.root
    search = site / "build" / "search"
    assert (search / "current").is_symlink()
    version = current_version(search)
    assert version is not None and version.parent == search
    # The documents are in the database with postgres: the folder keeps the rest.
    assert {p.name for p in version.iterdir()} == {"manifest.json", "lexicon.json", "meta.json", "shells",
                                                   "templates"} | ({"index"} if built.backend == "whoosh" else set())
    assert not list((site / "build" / "site").rglob("*.seg"))      # nothing of the index in the web root
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    assert "jxj/gzdt/smart" in manifest and "portal/zwyw/portal-news" in manifest


# ---------------------------------------------------------------- Chinese that works


def test_a_word_deep_inside_a_long_text_is_found_and_highlighted(app):
    data = api(app, q="信息化")
    assert "我市推进智慧城市建设" in [r["title"] for r in data["results"]]
    snippet = next(r["snippet"] for r in data["results"] if r["title"] == "我市推进智慧城市建设")
    assert "<mark>信息化</mark>" in snippet


@pytest.mark.parametrize("word", ["电子政务", "信息化", "智慧城市", "子政", "医保异地", "保障和電子"])
def test_recall_equals_a_substring_scan(site, app, word):
    """Every page whose text contains the word is found, however a segmenter would cut it."""
    expected = set()
    for path in (site / "content").rglob("*.md"):
        if fold(word) in fold(path.read_text(encoding="utf-8").split("---", 2)[2] + path.read_text(encoding="utf-8")):
            expected.add(path.stem)
    found = {r["url"].rstrip("/").rsplit("/", 1)[-1] for r in api(app, q=word)["results"]}
    assert expected and expected <= found


def test_traditional_and_simplified_find_each_other(app):
    assert "醫療保障工作會議召開" in titles(app, q="医疗保障")
    assert "我市推进智慧城市建设" in titles(app, q="智慧城市")
    assert "我市推进智慧城市建设" in titles(app, q="資訊化") or "我市推进智慧城市建设" in titles(app, q="信息化")
    assert "市政府召开电子政务工作会议" in titles(app, q="電子政務")


@pytest.mark.parametrize("query", ["zhihuichengshi", "zhcs", "zhihui chengshi"])
def test_pinyin_full_or_initials_finds_the_words(app, query):
    data = api(app, q=query)
    assert "我市推进智慧城市建设" in [r["title"] for r in data["results"]]
    assert any("智慧城市" in n for n in data["notices"])


def test_a_synonym_from_site_yaml_finds_the_other_word(app):
    assert "醫療保障工作會議召開" in titles(app, q="医保")
    assert "关于做好医保结算工作的通知" in titles(app, q="医疗保障")
    assert "住房公积金缴存基数调整的通知" in titles(app, q="公积金")


def test_a_doc_number_typed_with_other_brackets_finds_the_document(app):
    for typed in ("测经信发[2024]12号", "测经信发〔2024〕12号", "测经信发（2024）12号"):
        assert titles(app, q=typed)[0] == "关于印发《测试市智慧城市建设三年行动计划》的通知", typed
    assert titles(app, q="经信发[2024]12号")[0] == "关于印发《测试市智慧城市建设三年行动计划》的通知"


def test_quoted_phrase_must_occur_as_typed(app):
    assert "我市推进智慧城市建设" in titles(app, q='"智慧城市取得"')
    assert titles(app, q='"智慧城市会议"') == []


def test_did_you_mean_offers_a_word_of_the_index(app):
    data = api(app, q="智慧成市")
    assert data["total"] == 0 and "智慧城市" in data["suggestions"]
    soup = results_page(app, q="智慧成市")
    link = soup.select_one(".search-suggest a")
    assert link.get_text() == "智慧城市" and "q=%E6%99%BA%E6%85%A7%E5%9F%8E%E5%B8%82" in link["href"]
    assert soup.select_one(".search-empty h2").get_text() == "没有找到相关信息"


# ---------------------------------------------------------------- scope, filters, sorting, pages


def test_department_scope_and_one_click_to_everywhere(app):
    scoped = results_page(app, q="电子政务", dept="jxj")
    found = [a.get_text() for a in scoped.select(".search-results h2 a")]
    assert found and "市政府召开电子政务工作会议" not in found
    assert scoped.select_one("#search-dept option[selected]")["value"] == "jxj"
    everywhere = scoped.select_one("a.search-everywhere")
    assert "dept=" not in everywhere["href"]
    _, _, body = call(app, "/search/", everywhere["href"].split("?", 1)[1])
    soup = BeautifulSoup(body.decode(), "html.parser")
    assert "市政府召开电子政务工作会议" in [a.get_text() for a in soup.select(".search-results h2 a")]
    # The department's own frame: its name in the masthead, its search box scoped to it.
    assert scoped.select_one(".brand-name").get_text() == "测试市经济和信息化局"
    assert scoped.select_one('form.search-form input[name="dept"]')["value"] == "jxj"


def test_filters_kind_topic_and_dates(app):
    assert titles(app, q="通知", kind="notice") and all(
        "通知" in t for t in titles(app, q="通知", kind="notice"))
    assert "关于印发《测试市智慧城市建设三年行动计划》的通知" not in titles(app, q="通知", kind="notice")
    assert titles(app, q="智慧城市", topic="工业、交通") == ["关于印发《测试市智慧城市建设三年行动计划》的通知"]
    in_2024 = titles(app, q="电子政务", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert set(in_2024) == {"我市推进智慧城市建设", "醫療保障工作會議召開"}
    assert titles(app, q="电子政务", to="2023-01-01") == ["市政府召开电子政务工作会议"]


def test_sort_by_date_puts_the_newest_first(app):
    data = api(app, q="电子政务", sort="date")
    dates = [r["date"] for r in data["results"]]
    assert len(dates) == 3 and dates == sorted(dates, reverse=True)


def test_results_page_shows_count_department_date_and_marks(app):
    soup = results_page(app, q="医保")
    assert "找到 2 条结果" in soup.select_one(".search-status").get_text()
    first = soup.select_one(".search-results li")
    assert first.select_one("h2 a mark") or first.select_one(".search-snippet mark")
    meta = first.select_one(".search-meta").get_text(" ")
    assert "测试市经济和信息化局" in meta and first.select_one("time")["datetime"].startswith("20")
    assert soup.title.get_text().startswith("医保 - 搜索结果")


@pytest.mark.parametrize("backend", BACKENDS)
def test_pagination_and_the_result_window(backend, request, tmp_path):
    many = {f"content/jxj/gzdt/n{i:02d}.md": page(f"第{i}期专项工作简报", f"2024-02-{i % 28 + 1:02d} 09:00", "专项工作推进顺利。")
            for i in range(25)}
    index = Built(make_cluster(tmp_path / "site", many), backend, request)
    index.build()
    app = index.app
    assert api(app, q="专项工作")["total"] == 25
    third = api(app, q="专项工作", page="3")
    assert third["page"] == 3 and third["pages"] == 3 and len(third["results"]) == 5
    soup = results_page(app, q="专项工作", page="2")
    assert soup.select_one('.pagination a[rel="next"]')["href"].endswith("page=3")
    assert soup.select_one(".search-results")["start"] == "11"
    for wild in ("0", "-1", "1000000000", "abc", "9" * 400):
        data = api(app, q="专项工作", page=wild)
        assert 1 <= data["page"] <= 3 and data["results"], wild


def test_hot_words_under_every_search_box(site):
    home = BeautifulSoup((site / "build/site/jxj/index.html").read_text(encoding="utf-8"), "html.parser")
    form = home.select_one("form.hot-words")
    assert form["action"] == "/search/" and form.select_one('input[name="dept"]')["value"] == "jxj"
    buttons = form.select('button[name="q"]')
    assert [b["value"] for b in buttons] == [b.get_text() for b in buttons] == ["智慧城市", "医保"]


def test_a_department_yaml_sets_its_own_hot_words(tmp_path):
    """site.yaml's hot words are the default; a department's `search: {hot_words: …}` replaces
    them on its sub-site and its scoped results page, and an empty list shows none."""
    from clusters import DEPT_YAML
    root = make_cluster(tmp_path / "site", {
        "site.yaml": SEARCH_YAML,
        "departments/jxj.yaml": DEPT_YAML + "search:\n  hot_words: [技术改造, 中小企业]\n",
        "departments/jyj.yaml": DEPT_YAML.replace("经济和信息化局", "教育局").replace("市经信局", "市教育局")
        .replace("113399000020000548", "11339900002000059P") + "search: {hot_words: []}\n",
        "content/jyj/gzdt/a.md": page("开学工作", "2024-03-01 09:00", "义务教育学校开学。"),
        "content/jyj/xxgk/zn.md": page("测试市教育局政府信息公开指南", "2024-01-05 09:00", "指南正文。"),
        "content/jyj/xxgk/zd.md": page("测试市教育局政府信息公开工作制度", "2024-01-05 09:00", "制度正文。"),
    })
    build(root, root / "build" / "site")

    def shown(path: str) -> list[str]:
        soup = BeautifulSoup((root / "build/site" / path).read_text(encoding="utf-8"), "html.parser")
        return [b["value"] for b in soup.select("form.hot-words button")]

    assert shown("index.html") == ["智慧城市", "医保"]
    assert shown("jxj/index.html") == ["技术改造", "中小企业"]
    assert shown("jyj/index.html") == []
    app = SearchService(root / "build" / "search")
    assert [a.get_text() for a in results_page(app, dept="jxj").select(".search-hot a")] == ["技术改造", "中小企业"]
    assert [a.get_text() for a in results_page(app).select(".search-hot a")] == ["智慧城市", "医保"]
    assert results_page(app, dept="jyj").select(".search-hot a") == []


def test_a_wrong_search_setting_is_a_clear_problem(tmp_path):
    from clusters import DEPT_YAML

    from sitegen.errors import BuildFailed
    root = make_cluster(tmp_path / "site", {"departments/jxj.yaml": DEPT_YAML + "search: {hot: [a]}\n",
                                            "site.yaml": SITE_YAML + "search: {backend: elastic}\n"})
    with pytest.raises(BuildFailed) as failed:
        build(root, root / "build" / "site")
    assert sorted(str(p) for p in failed.value.problems) == [
        "departments/jxj.yaml:11: search.hot: expected a known field ('hot_words'), found the unknown field 'hot'",
        "departments/jxj.yaml:11: search.hot_words: expected a value (this field is required), found nothing",
        "site.yaml:15: search.backend: expected one of whoosh or postgres, found 'elastic'",
    ]


def test_the_postgres_backend_without_a_connection_string_is_a_clear_error(tmp_path, monkeypatch):
    from sitegen.errors import OutputError
    monkeypatch.delenv("SITEGEN_SEARCH_DSN", raising=False)
    root = make_cluster(tmp_path / "site", {"site.yaml": SITE_YAML + "search: {backend: postgres}\n"})
    with pytest.raises(OutputError) as failed:
        build(root, root / "build" / "site")
    assert str(failed.value) == ("search.backend is postgres in site.yaml, but SITEGEN_SEARCH_DSN is not set: set it "
                                 "to the database's connection string (e.g. postgresql://sitegen@db.internal/sitegen)")
    monkeypatch.setenv("SITEGEN_SEARCH_DSN", "postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(OutputError) as failed:
        build(root, root / "build" / "site")
    assert str(failed.value).startswith("could not connect to the search database (SITEGEN_SEARCH_DSN): ")
    assert not (root / "build" / "search" / "current").exists()


def test_empty_query_shows_the_form_and_hot_words(app):
    soup = results_page(app)
    assert soup.select_one("#search-q")["value"] == "" and not soup.select(".search-results")
    assert [a.get_text() for a in soup.select(".search-hot a")] == ["智慧城市", "医保"]


# ---------------------------------------------------------------- bad input


SCRIPT = '<script>alert("x")</script>'


@pytest.mark.parametrize("query", [
    "", "q=", "q=" + "智" * 10_000, "q=" + quote("AND OR NOT ( ) * ? : \" ~ ^"), "q=*", "q=%2A%3F",
    "q=a*", "q=" + quote("智*"), "q=%E6%99%BA&page=0", "q=x&page=-1", "q=x&page=1000000000",
    "q=x&dept=nosuch&kind=nosuch&topic=nosuch&sort=nosuch", "q=x&from=2024-13-45&to=yesterday",
    "q=x&from=" + "9" * 300, "q=" + quote(SCRIPT), "q=x&dept=" + quote(SCRIPT), "q=%25%", "q=%zz",
    "q=x&q=y&q=z", "&&&=&==", "q=" + quote("\x00\x1b\u202e") + "abc", "q=" + quote('"unclosed'),
])
def test_bad_input_answers_without_a_fault_and_escapes_what_it_reflects(app, query):
    for path in ("/search/", "/search/api"):
        status, _, body = call(app, path, query)
        assert status == "200 OK", (path, query, status)
        text = body.decode("utf-8")
        assert "Traceback" not in text and SCRIPT not in text and "<script>alert" not in text
        if path.endswith("api"):
            data = json.loads(text)
            assert set(data) >= {"total", "page", "results", "suggestions"}
            assert data["page"] >= 1 and len(data["results"]) <= 10
        else:
            assert BeautifulSoup(text, "html.parser").select_one("#search-q") is not None


def test_reflected_script_is_escaped(app):
    status, _, body = call(app, "/search/", "q=" + quote(SCRIPT))
    assert status == "200 OK"
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body.decode() or \
           "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body.decode()
    soup = BeautifulSoup(body.decode(), "html.parser")
    assert soup.select_one("#search-q")["value"] == SCRIPT
    assert soup.title.get_text().startswith(SCRIPT)


def test_a_page_text_with_markup_is_shown_as_text(app):
    data = api(app, q="联系人")
    assert data["results"] and "<script" not in data["results"][0]["snippet"]


def test_invalid_percent_encoding_is_a_clear_400(app):
    status, _, body = call(app, "/search/", "q=%E6%99")
    assert status == "400 Bad Request" and "编码无效" in body.decode()
    status, _, body = call(app, "/search/api", "q=%E6%99")
    assert status == "400 Bad Request" and "编码无效" in json.loads(body)["error"]


def test_a_long_query_is_cut_with_a_notice_and_a_huge_request_is_refused(app):
    data = api(app, q="智慧城市" * 2500)
    assert any("过长" in n for n in data["notices"])
    status, _, body = call(app, "/search/", "q=" + quote("智") * 20_000)
    assert status == "414 URI Too Long" and "过长" in body.decode()


def test_wildcards_do_not_expand_and_one_character_expansion_is_bounded(app):
    assert api(app, q="*")["total"] == 0
    assert api(app, q="市")["total"] >= 1


def test_a_word_asked_many_times_is_asked_once(app):
    assert api(app, q="通知 " * 30) == api(app, q="通知")
    assert api(app, q="的" * 50)["notices"] == []


def test_the_index_terms_one_query_reads_are_bounded(app):
    """Each one-character word reads up to MAX_EXPAND terms: 16 of them are cut to what fits."""
    data = api(app, q="的 一 是 在 不 了 有 和 人 这 中 大 为 上 个 国")
    assert data["notices"][0] == "搜索词太多，只按前3个词搜索。"


def test_the_text_one_query_confirms_against_is_bounded(app, monkeypatch):
    """Past MAX_CHECK characters of stored text, candidates are no longer read: the answer says
    its count is an estimate instead of reading on."""
    from sitegen.search import query
    everything = api(app, q="通知")
    assert everything["total_exact"] and everything["total"] >= 3
    monkeypatch.setattr(query, "MAX_CHECK", 1)
    bounded = api(app, q="通知")
    assert not bounded["total_exact"] and bounded["total"] == 1


def test_other_methods_and_paths(app):
    assert call(app, "/search/", "q=x", method="POST")[0] == "405 Method Not Allowed"
    assert call(app, "/search/nothing")[0] == "404 Not Found"
    status, headers, body = call(app, "/search/", "q=x", method="HEAD")
    assert status == "200 OK" and body == b"" and int(headers["Content-Length"]) > 0


def test_without_an_index_the_service_says_so(tmp_path):
    app = SearchService(tmp_path / "nothing")
    status, _, body = call(app, "/search/api", "q=x")
    assert status == "503 Service Unavailable" and "sitegen build" in json.loads(body)["error"]


# ---------------------------------------------------------------- incremental and atomic


@pytest.mark.parametrize("backend", BACKENDS)
def test_rebuild_reindexes_only_what_changed_and_the_service_switches_without_restart(backend, request, tmp_path):
    root = make_cluster(tmp_path / "site", {
        "content/jxj/gzdt/a.md": page("第一篇动态", "2024-03-01 09:00", "原来的内容讲数据开放。"),
        "content/jxj/gzdt/b.md": page("第二篇动态", "2024-03-02 09:00", "不变的内容。"),
        "content/jxj/gzdt/c.md": page("第三篇动态", "2024-03-03 09:00", "将被删除的内容。"),
    })
    index = Built(root, backend, request)
    first = index.build().search
    assert first.full and first.added == first.documents
    app = index.app
    assert titles(app, q="数据开放") == ["第一篇动态"]
    old_version = current_version(root / "build" / "search")

    (root / "content/jxj/gzdt/a.md").write_text(page("第一篇动态", "2024-03-01 09:00", "改写后的内容讲公共数据。"),
                                                  encoding="utf-8")
    (root / "content/jxj/gzdt/c.md").unlink()
    (root / "content/jxj/gzdt/d.md").write_text(page("第四篇动态", "2024-03-04 09:00", "新增的内容。"), encoding="utf-8")
    second = index.build().search
    assert (second.full, second.added, second.changed, second.removed) == (False, 1, 1, 1)
    assert second.documents == first.documents
    # The same service object answers from the new version at its next request.
    assert titles(app, q="数据开放") == [] and titles(app, q="公共数据") == ["第一篇动态"]
    assert titles(app, q="新增") == ["第四篇动态"] and titles(app, q="删除") == []
    # The previous version is untouched and still complete, for requests that were running on it
    # (whoosh; a database holds its newest commit only, which old and new versions both read).
    assert old_version.is_dir() and (old_version / "meta.json").is_file()
    if backend == "whoosh":
        answer, _ = app.search(Generation(old_version), Request(q="数据开放"))
        assert [h.title_text for h in answer.hits] == ["第一篇动态"]

    third = index.build()       # nothing changed: no release, no new index version
    assert third.release is None and third.search is None
    versions = sorted(p.name for p in (root / "build" / "search").iterdir() if p.name.startswith("v"))
    assert versions == ["v000001", "v000002"]


def test_changing_synonyms_reindexes_everything(tmp_path):
    root = make_cluster(tmp_path / "site", {"site.yaml": SEARCH_YAML})
    build(root, root / "build" / "site")
    (root / "site.yaml").write_text(SEARCH_YAML.replace("[公积金, 住房公积金]", "[公积金, 住房公积金, 公积金贷款]"),
                                    encoding="utf-8")
    assert build(root, root / "build" / "site").search.full


def test_a_broken_results_template_fails_the_build_before_publishing_an_index(tmp_path):
    root = make_cluster(tmp_path / "site", {"templates/search.html": "{% extends 'base.html' %}"})
    with pytest.raises(Exception, match="sitegen:search-results"):
        build(root, root / "build" / "site")
    search = root / "build" / "search"
    assert not search.exists() or not [p for p in search.iterdir() if p.name.startswith("v")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_query_with_more_candidates_than_the_window_is_bounded_newest_first(backend, request, tmp_path, monkeypatch):
    """Above WINDOW candidates, a query reads month by month, newest first: sorting by date stays
    exact, and the count is marked as an estimate."""
    from sitegen.search import query
    many = {f"content/jxj/gzdt/m{i:02d}.md": page(f"第{i}期简报", f"2024-{i % 12 + 1:02d}-{i % 27 + 1:02d} 09:00",
                                                   "数据开放工作推进顺利。") for i in range(36)}
    index = Built(make_cluster(tmp_path / "site", many), backend, request)
    index.build()
    app = index.app
    everything = api(app, q="数据开放", sort="date")
    assert everything["total"] == 36 and everything["total_exact"]
    dates = [r["date"] for n in (1, 2, 3, 4) for r in api(app, q="数据开放", sort="date", page=str(n))["results"]]
    monkeypatch.setattr(query, "WINDOW", 5)
    monkeypatch.setattr(query, "MAX_PAGE", 1)
    bounded = api(app, q="数据开放", sort="date")
    assert not bounded["total_exact"] and 10 <= bounded["total"] <= 72
    assert [r["date"] for r in bounded["results"]] == dates[:10]
    relevance = api(app, q="数据开放")
    assert len(relevance["results"]) == 10 and min(r["date"] for r in relevance["results"]) >= dates[24]
    assert "找到约" in results_page(app, q="数据开放").select_one(".search-status").get_text()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_page_with_the_bigrams_apart_is_not_a_match(backend, request, tmp_path, monkeypatch):
    """All of a word's bigrams, but not next to each other: the stored text rules the page out,
    on the exact path and on the bounded one."""
    from sitegen.search import query
    root = make_cluster(tmp_path / "site", {
        "content/jxj/gzdt/apart.md": page("园区动态", "2024-03-01 09:00", "智慧园区建成，慧城项目启动，城市更新提速。"),
        "content/jxj/gzdt/whole.md": page("建设动态", "2024-03-02 09:00", "智慧城市建设提速。"),
    })
    index = Built(root, backend, request)
    index.build()
    app = index.app
    assert titles(app, q="智慧城市") == ["建设动态"]
    for name, value in (("WINDOW", 0), ("MAX_PAGE", 1), ("PAGE_SIZE", 1), ("FIRST_READ", 1)):
        monkeypatch.setattr(query, name, value)
    bounded = api(app, q="智慧城市")
    assert not bounded["total_exact"] and [r["title"] for r in bounded["results"]] == ["建设动态"]
