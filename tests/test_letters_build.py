"""The build publishes answered, consented letters from the store: pages, lists, figures, search."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from clusters import make_cluster, page

from sitegen.build import build
from sitegen.errors import BuildFailed
from sitegen.letters.security import digest
from sitegen.letters.store import CHINA, open_store
from sitegen.search.service import SearchService


def soup(root: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((root / "build" / "site" / url.strip("/") / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def add(store, n: int, mailbox="jxj", kind="咨询", consent=True, reply="已答复。", publish=True, year=2026, **kw):
    x = store.submit(code_hash=digest(f"code{n}"), mailbox=mailbox, kind=kind, title=kw.get("title", f"来信{n}"),
                     body=kw.get("body", f"第{n}封来信。"), name="赵六", phone="13900001111", email="",
                     consent=consent, received=datetime(year, 3, 2, 9, 0, tzinfo=CHINA))
    if reply:
        store.reply(x, "ann", reply, mailbox, at=datetime(year, 3, 4, 9, 0, tzinfo=CHINA))
    if publish and consent:
        store.set_publish(store.letter(x.id), "ann", True)
    return store.letter(x.id)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = make_cluster(tmp_path_factory.mktemp("letters") / "site",
                        {"content/jxj/gzdt/a.md": page("推进一网通办", "2024-03-01 09:00", "正文。")})
    store = open_store(str(root / "build" / "letters.sqlite"))
    shown = add(store, 1, title="工业园区道路积水", body="赵六反映：园区道路积水，电话13900001111。",
                reply="赵六您好：已安排疏浚。")
    add(store, 2, kind="建议", year=2025)
    add(store, 3, mailbox="portal", kind="投诉")
    add(store, 4, consent=False)                  # no consent: never published
    add(store, 5, reply="")                       # not answered yet
    add(store, 6, publish=False)                  # answered, not chosen for publication
    store.close()
    build(root)
    return root, shown


def test_letter_pages_are_published_masked_with_who_replied_and_when(published):
    root, shown = published
    doc = soup(root, f"/jxj/hdjl/{shown.number}/")
    assert doc.find("h1").get_text() == "工业园区道路积水"
    cells = {th.get_text(): th.find_next("td").get_text() for th in doc.select(".doc-meta th")}
    assert cells == {"编号": shown.number, "类型": "咨询", "收信单位": "测试市经济和信息化局", "来信人": "赵*",
                     "来信日期": "2026-03-02", "答复日期": "2026-03-04"}
    text = doc.find("main").get_text()
    assert "赵*反映：园区道路积水，电话139****1111。" in text and "赵*您好：已安排疏浚。" in text
    assert "答复单位：测试市经济和信息化局" in text and "赵六" not in text and "13900001111" not in text
    assert doc.find("a", attrs={"aria-current": "page"}, string="互动交流") is not None     # the nav knows it


def test_the_list_has_figures_and_filters_by_type_and_year(published):
    root, shown = published
    doc = soup(root, "/jxj/hdjl/")
    assert [a.get_text() for a in doc.select(".item-list a")] == ["工业园区道路积水", "来信2"]
    figures = [dd.get_text() for dd in doc.select(".letters-figures dd")]
    assert figures == ["5 件", "4 件", "2.0 个工作日"]          # 3/2 (Mon) -> 3/4: two working days each
    facets = [a.get_text() for a in doc.select(".letters-filters a")]
    assert facets == ["全部（2）", "咨询（1）", "建议（1）", "2026年（1）", "2025年（1）"]
    assert [a.get_text() for a in soup(root, "/jxj/hdjl/jy/").select(".item-list a")] == ["来信2"]
    assert [a.get_text() for a in soup(root, "/jxj/hdjl/2026/").select(".item-list a")] == ["工业园区道路积水"]
    assert [a.get_text() for a in soup(root, "/hdjl/").select(".item-list a")] == ["来信3"]     # 市长信箱
    assert soup(root, "/hdjl/").find("h2").get_text() == "市长信箱办理情况"
    assert not (root / "build/site/jxj/hdjl/ts").exists()        # no empty filter pages
    sitemap = (root / "build/site/sitemap.xml").read_text(encoding="utf-8")
    assert f"/jxj/hdjl/{shown.number}/</loc>" in sitemap


def test_the_letter_app_gets_its_frames_and_mailboxes(published):
    root, _ = published
    shells = root / "build/site/letters/_shell"
    assert json.loads((shells / "mailboxes.json").read_text(encoding="utf-8")) == [
        ["portal", "市长信箱"], ["jxj", "测试市经济和信息化局"]]
    frame = (shells / "jxj.html").read_text(encoding="utf-8")
    assert frame.count("<!--sitegen:letters-->") == 1 and "测试市经济和信息化局" in frame


def test_published_letters_are_found_by_search(published):
    root, shown = published
    app = SearchService(root / "build" / "search")
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/search/api", "QUERY_STRING": urlencode({"q": "疏浚"}),
           "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()}
    got = {}
    body = b"".join(app(env, lambda status, headers: got.update(status=status)))
    results = json.loads(body)["results"]
    assert got["status"] == "200 OK" and [r["url"] for r in results] == [f"/jxj/hdjl/{shown.number}/"]


def test_a_letter_published_since_the_last_build_is_built_though_no_file_changed(tmp_path):
    root = make_cluster(tmp_path / "site", {})
    build(root)
    store = open_store(str(root / "build" / "letters.sqlite"))
    x = add(store, 1)
    report = build(root)
    assert report.release is not None and (root / f"build/site/jxj/hdjl/{x.number}/index.html").is_file()
    store.set_publish(x, "ann", False)
    build(root)
    assert not (root / f"build/site/jxj/hdjl/{x.number}/index.html").exists()
    store.close()


def test_an_unreadable_store_fails_the_build_and_publishes_nothing(tmp_path, monkeypatch):
    root = make_cluster(tmp_path / "site", {})
    bad = tmp_path / "broken.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("SITEGEN_LETTERS_DB", str(bad))
    with pytest.raises(BuildFailed) as e:
        build(root)
    assert [str(p) for p in e.value.problems] == [
        f"SITEGEN_LETTERS_DB: letters store: expected a letters store the build can read, found cannot read the "
        f"letters in {bad}: file is not a database"]
    assert not (root / "build" / "site").exists()
