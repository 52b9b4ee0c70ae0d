"""Search recall against a plain substring scan (digits, Latin letters and single characters
next to Chinese, where a bigram index is weakest), and precision for long runs typed without spaces."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from clusters import make_cluster, page
from search_pg import BACKENDS, Built

from sitegen.search.analysis import fold
from sitegen.search.service import SearchService

# Each character after the digits or letters starts a run of Chinese here and ends none: the
# case that the index used to miss (年 in 2012年度 is followed by 度; 多 in 6000多家).
BODIES = {
    "years": "本市2012年度信息化投入增长，2015年以后持续加大。",
    "count": "全市共有6000多家企业完成上云，其中23.5万人参与培训。",
    "grade": "新增A级景区三家，5G基站覆盖全部乡镇。",
    "quarter": "第3季度完成网站群整合，Q2报告另行发布。",
    "mixed": "2012年召开会议；6000余人参加；gov平台上线。",
    # The words of a long run apart, and often (a higher score), and the run as typed, once.
    "apart": "信息化工作有序开展。项目管理规范，项目建设进展顺利，信息化水平提升，进展明显，项目验收完成。",
    "typed": "本单位信息化项目进展良好。",
}
TITLES = {"apart": "信息化项目建设进展"}    # its words in the title too: the higher score
QUERIES = ["2012年", "6000多", "23.5万", "a级", "A级景区", "5g基站", "5G", "第3季度", "3季", "q2报告", "gov平台",
           "2015年以后", "6000余", "年度信", "多家"]


@pytest.fixture(scope="module", params=BACKENDS)
def recall_site(request, tmp_path_factory) -> tuple[Path, SearchService]:
    files = {f"content/jxj/gzdt/{name}.md": page(TITLES.get(name, f"动态{n}"), f"2024-03-{n + 1:02d} 09:00", body)
             for n, (name, body) in enumerate(BODIES.items())}
    index = Built(make_cluster(tmp_path_factory.mktemp("recall") / "site", files), request.param, request)
    index.build()
    return index.root, index.app


def scan(root: Path, query: str) -> set[str]:
    """The pages whose folded text holds the query, spaces aside, not starting or ending inside a
    run of letters or digits (that is a different word: 5g is not in 25g)."""
    needle = re.escape(fold(query))
    pattern = re.compile(f"(?<![a-z0-9]){needle}" if query[0].isascii() else needle)
    if query[-1].isascii():
        pattern = re.compile(pattern.pattern + "(?![a-z0-9])")
    return {path.stem for path in (root / "content").rglob("*.md")
            if pattern.search(fold(path.read_text(encoding="utf-8")))}


def found(app: SearchService, query: str) -> set[str]:
    seen = {}
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/search/api", "QUERY_STRING": urlencode({"q": query})},
                        lambda status, headers: seen.setdefault("status", status)))
    assert seen["status"] == "200 OK"
    return {r["url"].rstrip("/").rsplit("/", 1)[-1] for r in json.loads(body)["results"]}


@pytest.mark.parametrize("query", QUERIES)
def test_digits_letters_and_one_character_next_to_chinese_are_found(recall_site, query):
    root, app = recall_site
    expected = scan(root, query)
    assert expected, f"{query} is in no page: the test would prove nothing"
    assert found(app, query) == expected


def api(app: SearchService, query: str) -> dict:
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/search/api", "QUERY_STRING": urlencode({"q": query})},
                        lambda status, headers: None))
    return json.loads(body)


def test_a_long_run_as_typed_ranks_before_its_words_apart(recall_site):
    _, app = recall_site
    data = api(app, "信息化项目进展")
    assert [r["title"] for r in data["results"]] == ["动态6", "信息化项目建设进展"] and data["notices"] == []


def test_a_fallback_to_any_word_says_so(recall_site):
    _, app = recall_site
    data = api(app, "景区 季度 培训")
    assert data["notices"] == ["没有同时包含“景区”“季度”“培训”的结果，以下是包含部分词语的结果。"]
    assert {r["title"] for r in data["results"]} == {"动态1", "动态2", "动态3"}
