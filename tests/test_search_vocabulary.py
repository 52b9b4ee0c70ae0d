"""Search vocabulary learned from the cluster's own pages: pinyin (full and initials) and
did-you-mean for terms that a general dictionary splits (物 + 联网, 两 + 化 + 融合)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from clusters import make_cluster, page
from search_pg import BACKENDS, Built

from sitegen.search.service import SearchService

# Each term is repeated on two pages or more, as a cluster's own vocabulary is; 研究所 is named once,
# so the initials yjs belong to 云计算.
FILES = {
    "content/jxj/gzdt/iot.md": page("物联网产业加快发展", "2024-03-01 09:00",
                                    "本市物联网企业增至两百家。物联网与云计算深度融合，云计算平台服务全市。"),
    "content/jxj/gzdt/cloud.md": page("政务云平台扩容", "2024-03-02 09:00",
                                      "政务云计算中心扩容，云计算资源按需分配。物联网感知设备统一接入，物联网平台上线。"),
    "content/jxj/gzdt/fusion.md": page("两化融合贯标工作推进", "2024-03-03 09:00",
                                       "推进两化融合贯标，两化融合水平持续提升。网站群集约化建设完成，网站群统一运维。"),
    "content/jxj/gzdt/design.md": page("加强顶层设计", "2024-03-04 09:00",
                                       "强化顶层设计，顶层设计引领数字化改革。打通信息孤岛，信息孤岛逐步消除；"
                                       "两化融合再上台阶，网站群建设继续推进。"),
    "content/jxj/gzdt/island.md": page("数据共享工作会议召开", "2024-03-05 09:00",
                                       "会议指出，要打破信息孤岛，杜绝信息孤岛。顶层设计要先行，顶层设计要落地。"),
    "content/jxj/gzdt/lab.md": page("市研究所来访", "2024-03-06 09:00", "某研究所一行来访交流。"),
}


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory) -> SearchService:
    index = Built(make_cluster(tmp_path_factory.mktemp("vocabulary") / "site", FILES), request.param, request)
    index.build()
    return index.app


def api(app: SearchService, q: str) -> dict:
    seen = {}
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/search/api", "QUERY_STRING": urlencode({"q": q})},
                        lambda status, headers: seen.setdefault("status", status)))
    assert seen["status"] == "200 OK"
    return json.loads(body)


@pytest.mark.parametrize(("typed", "word"), [
    ("wulianwang", "物联网"), ("wlw", "物联网"), ("yunjisuan", "云计算"), ("yjs", "云计算"),
    ("lianghuaronghe", "两化融合"), ("lhrh", "两化融合"), ("wangzhanqun", "网站群"), ("dingcengsheji", "顶层设计"),
    ("xinxigudao", "信息孤岛"), ("xxgd", "信息孤岛"),
])
def test_pinyin_reaches_terms_learned_from_the_pages(app, typed, word):
    data = api(app, typed)
    assert data["notices"] == [f"已按拼音“{typed}”搜索“{word}”。"]
    assert data["total"] == api(app, word)["total"] >= 2


@pytest.mark.parametrize(("typo", "word"), [
    ("物连网", "物联网"), ("云记算", "云计算"), ("两化容合", "两化融合"), ("网站裙", "网站群"), ("顶层设记", "顶层设计"),
    ("信息孤到", "信息孤岛"),
])
def test_a_typo_of_a_learned_term_gets_it_suggested(app, typo, word):
    data = api(app, typo)
    assert data["total"] == 0 and data["suggestions"][0] == word


def test_no_suggestion_when_the_query_found_its_title(app):
    data = api(app, "市研究所来访")
    assert data["total"] == 1 and data["suggestions"] == []
