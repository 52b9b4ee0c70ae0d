"""Search over the whole demo cluster (临江市): recall against a substring scan, and real queries."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from clusters import REPO

from sitegen.assemble import assemble
from sitegen.build import build
from sitegen.load import load
from sitegen.search.analysis import fold
from sitegen.search.query import matches
from sitegen.search.service import SearchService

pytestmark = pytest.mark.slow

# Words typed without spaces that jieba cuts in more than one way inside sentences.
RECALL_WORDS = ["信息化", "数字政府", "公共数据", "一网通办", "数字化", "政务服务", "技术改造", "义务教育", "电子政务",
                "智慧城市", "数据资源", "就业补贴", "营商环境", "改革"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "site"
    report = build(REPO, out)
    records, _ = load(REPO)
    cluster, _ = assemble(records)
    return report, cluster, SearchService(out.parent / "search")


def api(app: SearchService, **params) -> dict:
    seen = {}
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/search/api", "QUERY_STRING": urlencode(params)},
                        lambda status, headers: seen.setdefault("status", status)))
    assert seen["status"] == "200 OK"
    return json.loads(body)


def test_every_page_is_indexed(demo):
    report, cluster, _ = demo
    assert report.search.documents == len(cluster.pages) and report.search.full


def test_recall_equals_a_substring_scan_of_the_corpus(demo):
    _, cluster, app = demo
    generation = app.generation()
    texts = {pid: fold(f"{p.title}\n{p.summary}\n{p.text}") for pid, p in cluster.pages.items()}
    lines = []
    for word in RECALL_WORDS:
        scan = {pid for pid, text in texts.items() if fold(word) in text}
        found = matches(generation.searcher(), word, generation.vocab)
        lines.append(f"{word}: {len(found & scan)}/{len(scan)}")
        assert scan <= found, f"{word}: the index misses {sorted(scan - found)[:5]}"
    print("recall against a substring scan of the demo: " + ", ".join(lines))


def test_traditional_query_finds_the_same_pages(demo):
    _, _, app = demo
    simplified = api(app, q="数字政府")
    traditional = api(app, q="數字政府")
    assert simplified["total"] > 0 and traditional["total"] == simplified["total"]
    assert [r["url"] for r in traditional["results"]] == [r["url"] for r in simplified["results"]]


@pytest.mark.parametrize("typed, word", [("yiwangtongban", "一网通办"), ("ywtb", "一网通办"),
                                         ("gonggongshuju", "公共数据"), ("shuzizhengfu", "数字政府")])
def test_pinyin_finds_the_words(demo, typed, word):
    _, _, app = demo
    data = api(app, q=typed)
    assert data["total"] == api(app, q=word)["total"] > 0
    assert any(word in n for n in data["notices"])


def test_synonym_from_site_yaml(demo):
    _, _, app = demo
    assert {r["url"] for r in api(app, q="医疗保障")["results"]} <= {r["url"] for r in api(app, q="医保")["results"]}


def test_doc_number_with_square_brackets(demo):
    _, cluster, app = demo
    target = next(p for p in cluster.pages.values()
                  if p.disclosure is not None and p.disclosure.doc_number == "临发改规〔2024〕2号")
    assert api(app, q="临发改规[2024]2号")["results"][0]["url"] == target.url
    assert api(app, q="发改规〔2024〕2号")["results"][0]["url"] == target.url


def test_department_scope(demo):
    _, cluster, app = demo
    everywhere = api(app, q="公共数据")
    scoped = api(app, q="公共数据", dept="sjj")
    assert 0 < scoped["total"] < everywhere["total"]
    assert {r["department"] for r in scoped["results"]} == {cluster.departments["sjj"].name}


def test_hot_words_on_every_page_find_something(demo):
    report, cluster, app = demo
    for word in cluster.site.search.hot_words:
        assert api(app, q=word)["total"] > 0, word
    home = (report.out / "index.html").read_text(encoding="utf-8")
    assert all(f'value="{w}"' in home for w in cluster.site.search.hot_words)


def test_a_department_with_its_own_hot_words_shows_them_and_they_find_its_pages(demo):
    report, cluster, app = demo
    own = cluster.departments["jxj"].hot_words
    assert own and not set(own) & set(cluster.site.search.hot_words)
    home = (report.out / "jxj" / "index.html").read_text(encoding="utf-8")
    assert all(f'value="{w}"' in home for w in own) and 'value="义务教育"' not in home
    for word in own:
        assert api(app, q=word, dept="jxj")["total"] > 0, word


def test_the_readme_search_examples_work_on_the_demo(demo):
    """The examples of the README's search section, taken from the README itself."""
    _, _, app = demo
    text = (REPO / "README.md").read_text(encoding="utf-8").split("\n## Search\n", 1)[1].split("\n- ", 1)[0]
    full, initials = re.search(r"full, such as\s+`([a-z]+)`, or initials, such as `([a-z]+)`", text).groups()
    typed, number = re.search(r"\(`(\S+号)` finds `(\S+号)`\)", text).groups()
    word = api(app, q=full)["notices"][0]
    assert api(app, q=full)["total"] == api(app, q=initials)["total"] > 0
    assert api(app, q=initials)["notices"][0] == word.replace(full, initials)
    first = api(app, q=typed)["results"][0]
    assert number in json.dumps(first, ensure_ascii=False) or first["title"] in _titles_with_number(number)


def _titles_with_number(number: str) -> set[str]:
    from sitegen.search.analysis import doc_number_key
    titles = set()
    for path in (REPO / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        m = re.search(r"^  doc_number: (.+)$", text, re.M)
        if m and doc_number_key(m.group(1)).endswith(doc_number_key(number)):
            titles.add(re.search(r"^title: (.+)$", text, re.M).group(1).strip())
    return titles
