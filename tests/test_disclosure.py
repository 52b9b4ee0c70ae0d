"""政府信息公开: 索引号 numbering, the metadata table, catalogs and facets, exports, reports, and problems."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from sitegen.build import assign, build
from sitegen.cli import main
from sitegen.disclosure import working_days
from sitegen.errors import BuildFailed

from clusters import item, page

CODE = "113399000020000548"
LEDGER = "content/jxj/xxgk/index-numbers.tsv"


def html(out: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url.lstrip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")


def numbers(root: Path) -> dict[str, str]:
    """Page file name -> the 索引号 in its front matter."""
    found = {}
    for path in sorted((root / "content/jxj").rglob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("index_no:"):
                found[path.name] = json.loads(line.split(":", 1)[1].strip())
    return found


def ledger_rows(root: Path) -> list[list[str]]:
    return [row.split("\t") for row in (root / LEDGER).read_text(encoding="utf-8").splitlines()
            if row and not row.startswith("#")]


def problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build(root, root / "build" / "site")
    return [str(p) for p in failed.value.problems]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# ---------------------------------------------------------------- numbering


@pytest.fixture
def numbered(cluster_root):
    root = cluster_root({
        "content/jxj/zcwj/a.md": item("文件甲", "2024-03-12 09:30", "2024-03-11"),
        "content/jxj/zcwj/b.md": item("文件乙", "2024-05-06 09:30", "2024-05-06"),
        "content/jxj/zcwj/c.md": item("文件丙", "2025-02-10 09:30", "2025-02-08"),
    })
    assign(root)
    return root


def test_assign_numbers_items_by_department_year_and_serial(numbered):
    assert numbers(numbered) == {"a.md": f"{CODE}/2024-00001", "b.md": f"{CODE}/2024-00002",
                                 "c.md": f"{CODE}/2025-00001"}
    assert ledger_rows(numbered) == [["2024", "1", f"{CODE}/2024-00001", "zcwj/a.md"],
                                     ["2024", "2", f"{CODE}/2024-00002", "zcwj/b.md"],
                                     ["2025", "1", f"{CODE}/2025-00001", "zcwj/c.md"]]
    text = (numbered / "content/jxj/zcwj/a.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 文件甲\ndate: 2024-03-12 09:30\nkeywords: [测试]\ndisclosure:\n  index_no:")
    build(numbered, numbered / "out")   # and the build accepts them


def test_adding_an_older_document_leaves_every_number_as_it_was(numbered):
    before = numbers(numbered)
    (numbered / "content/jxj/zcwj/old.md").write_text(item("旧文件", "2024-01-05 09:00", "2024-01-03"), encoding="utf-8")
    assign(numbered)
    after = numbers(numbered)
    assert {k: after[k] for k in before} == before
    assert after["old.md"] == f"{CODE}/2024-00003"     # the next serial of its year, not a renumbering


def test_deleting_a_page_leaves_a_gap_that_is_never_reused(numbered):
    (numbered / "content/jxj/zcwj/b.md").unlink()
    (numbered / "content/jxj/zcwj/d.md").write_text(item("文件丁", "2024-06-01 09:00", "2024-05-30"), encoding="utf-8")
    assign(numbered)
    assert numbers(numbered) == {"a.md": f"{CODE}/2024-00001", "c.md": f"{CODE}/2025-00001",
                                 "d.md": f"{CODE}/2024-00003"}
    assert [f"{CODE}/2024-00002", "zcwj/b.md"] in [r[2:] for r in ledger_rows(numbered)]   # the gap stays recorded
    build(numbered, numbered / "out")


def test_moving_a_page_keeps_its_number_and_updates_the_ledger(numbered):
    (numbered / "content/jxj/zcwj/a.md").rename(numbered / "content/jxj/zcwj/a-renamed.md")
    build(numbered, numbered / "out")    # a move is not a problem
    plan = assign(numbered)
    assert plan.changes == () and plan.moved == 1
    assert numbers(numbered)["a-renamed.md"] == f"{CODE}/2024-00001"
    assert ledger_rows(numbered)[0] == ["2024", "1", f"{CODE}/2024-00001", "zcwj/a-renamed.md"]


def test_build_refuses_an_item_without_a_number_unless_told_to_assign(numbered):
    (numbered / "content/jxj/zcwj/e.md").write_text(item("文件戊", "2025-03-03 09:00", "2025-03-01"), encoding="utf-8")
    assert problems(numbered) == [
        "content/jxj/zcwj/e.md:5: disclosure.index_no: expected a 索引号 (run `sitegen disclosure assign`, "
        "or `sitegen build --assign`), found nothing"]
    result = run("build", "--root", str(numbered), "--assign")
    assert result.exit_code == 0, result.output
    assert f"content/jxj/zcwj/e.md: 索引号 {CODE}/2025-00002" in result.output


def test_a_number_edited_by_hand_is_a_problem_that_repair_reverts(numbered):
    path = numbered / "content/jxj/zcwj/b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("2024-00002", "2024-00099"), encoding="utf-8")
    assert problems(numbered) == [
        f"content/jxj/zcwj/b.md:6: disclosure.index_no: expected {CODE}/2024-00002 (recorded for this page in "
        f"{LEDGER}; a published 索引号 never changes), found '{CODE}/2024-00099'; run `sitegen disclosure repair` "
        "to restore it"]
    result = run("disclosure", "repair", "--root", str(numbered))
    assert result.exit_code == 0, result.output
    assert numbers(numbered)["b.md"] == f"{CODE}/2024-00002"
    build(numbered, numbered / "out")


def test_two_branches_merged_give_one_number_twice_and_repair_keeps_the_published_one(numbered):
    out = numbered / "build" / "site"
    build(numbered, out)       # b.md is published as 2024-00002
    # Another branch, cut before b.md was numbered, added x.md and numbered it 2024-00002 too;
    # git's union merge keeps both ledger lines.
    (numbered / "content/jxj/zcwj/x.md").write_text(
        item("文件庚", "2024-05-08 09:00", "2024-05-07", number=f"{CODE}/2024-00002"), encoding="utf-8")
    with (numbered / LEDGER).open("a", encoding="utf-8") as f:
        f.write(f"2024\t2\t{CODE}/2024-00002\tzcwj/x.md\n")
    assert problems(numbered) == [
        f"{LEDGER}:7: 索引号: expected each number recorded once (numbers are never reused), found "
        f"'{CODE}/2024-00002' again, for zcwj/x.md (line 5 gives it to zcwj/b.md); run `sitegen disclosure repair`",
        f"content/jxj/zcwj/x.md:6: disclosure.index_no: expected a 索引号 of its own, found '{CODE}/2024-00002', "
        "which content/jxj/zcwj/b.md also has; run `sitegen disclosure repair` (content/jxj/zcwj/b.md keeps it, "
        "this page gets a new number)"]
    result = run("disclosure", "repair", "--root", str(numbered))
    assert result.exit_code == 0, result.output
    assert f"content/jxj/zcwj/x.md: 索引号 {CODE}/2024-00003 (was {CODE}/2024-00002)" in result.output
    assert numbers(numbered)["b.md"] == f"{CODE}/2024-00002"       # the published number is untouched
    assert [r[2] for r in ledger_rows(numbered)].count(f"{CODE}/2024-00002") == 1
    build(numbered, out)


def test_the_published_catalog_decides_who_keeps_a_contested_number(numbered):
    build(numbered, numbered / "build" / "site")
    # This time the ledger line of the published page is the one a merge lost.
    rows = (numbered / LEDGER).read_text(encoding="utf-8").replace("zcwj/b.md", "zcwj/y.md")
    (numbered / LEDGER).write_text(rows, encoding="utf-8")
    (numbered / "content/jxj/zcwj/y.md").write_text(
        item("文件辛", "2024-05-01 09:00", "2024-04-30", number=f"{CODE}/2024-00002"), encoding="utf-8")
    run("disclosure", "repair", "--root", str(numbered))
    assert numbers(numbered)["b.md"] == f"{CODE}/2024-00002"
    assert numbers(numbered)["y.md"] == f"{CODE}/2024-00003"
    build(numbered, numbered / "out")


def test_a_new_page_at_a_deleted_pages_path_gets_a_new_number(numbered):
    (numbered / "content/jxj/zcwj/a.md").unlink()
    assign(numbered)
    (numbered / "content/jxj/zcwj/a.md").write_text(item("新文件", "2025-06-11 09:00", "2025-06-10"), encoding="utf-8")
    assign(numbered)
    assert numbers(numbered)["a.md"] == f"{CODE}/2025-00002"      # 2024-00001 stays a gap


def test_a_number_edited_to_another_pages_gets_its_own_back(numbered):
    build(numbered, numbered / "build" / "site")
    path = numbered / "content/jxj/zcwj/b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("2024-00002", "2024-00001"), encoding="utf-8")
    assert problems(numbered) == [
        f"content/jxj/zcwj/b.md:6: disclosure.index_no: expected a 索引号 of its own, found '{CODE}/2024-00001', "
        "which content/jxj/zcwj/a.md also has; run `sitegen disclosure repair` (content/jxj/zcwj/a.md keeps it, "
        f"this page gets its recorded number {CODE}/2024-00002 back)"]
    run("disclosure", "repair", "--root", str(numbered))
    assert numbers(numbered) == {"a.md": f"{CODE}/2024-00001", "b.md": f"{CODE}/2024-00002",
                                 "c.md": f"{CODE}/2025-00001"}
    assert len(ledger_rows(numbered)) == 3


def test_a_move_then_a_new_page_at_the_old_path(numbered):
    (numbered / "content/jxj/zcwj/a.md").rename(numbered / "content/jxj/zcwj/a2.md")
    (numbered / "content/jxj/zcwj/a.md").write_text(item("新文件", "2025-06-11 09:00", "2025-06-10"), encoding="utf-8")
    assert problems(numbered) == [
        "content/jxj/zcwj/a.md:5: disclosure.index_no: expected a 索引号 (run `sitegen disclosure assign`, "
        "or `sitegen build --assign`), found nothing"]
    assign(numbered)
    found = numbers(numbered)
    assert found["a2.md"] == f"{CODE}/2024-00001" and found["a.md"] == f"{CODE}/2025-00002"
    build(numbered, numbered / "out")


def test_a_lost_ledger_is_recorded_again_without_renumbering(numbered):
    before = numbers(numbered)
    (numbered / LEDGER).unlink()
    assert problems(numbered)[0] == (
        f"content/jxj/zcwj/a.md:6: disclosure.index_no: expected a 索引号 recorded in {LEDGER}, found "
        f"'{CODE}/2024-00001', which is not (a lost ledger line?); run `sitegen disclosure repair` to record it")
    run("disclosure", "repair", "--root", str(numbered))
    assert numbers(numbered) == before
    assert len(ledger_rows(numbered)) == 3
    (numbered / "content/jxj/zcwj/d.md").write_text(item("文件丁", "2024-06-01 09:00", "2024-05-30"), encoding="utf-8")
    assign(numbered)
    assert numbers(numbered)["d.md"] == f"{CODE}/2024-00003"


def test_a_page_moved_from_another_department_gets_a_number_of_its_new_one(numbered):
    from clusters import DEPT_YAML
    (numbered / "departments/fgw.yaml").write_text(
        DEPT_YAML.replace("测试市经济和信息化局", "测试市发展和改革委员会").replace("市经信局", "市发改委")
        .replace("113399000020000548", "11339900002000038J"), encoding="utf-8")
    (numbered / "content/fgw/xxgk").mkdir(parents=True)
    for name in ("zn", "zd"):
        (numbered / f"content/fgw/xxgk/{name}.md").write_text(page("指南"), encoding="utf-8")
    (numbered / "content/fgw/zcwj").mkdir(parents=True)
    (numbered / "content/jxj/zcwj/c.md").rename(numbered / "content/fgw/zcwj/c.md")
    assert problems(numbered) == [
        "content/fgw/zcwj/c.md:6: disclosure.index_no: expected a 索引号 of this department (a page moved from jxj "
        f"gets a new number), found '{CODE}/2025-00001', recorded in {LEDGER}; run `sitegen disclosure repair`"]
    run("disclosure", "repair", "--root", str(numbered))
    assert (numbered / "content/fgw/zcwj/c.md").read_text(encoding="utf-8").count('"11339900002000038J/2025-00001"') == 1


def test_numbers_are_written_into_crlf_and_bom_files_and_flow_style_is_refused(cluster_root):
    text = item("文件甲", "2024-03-12 09:30", "2024-03-11").replace("\n", "\r\n")
    root = cluster_root({"content/jxj/zcwj/a.md": b"\xef\xbb\xbf" + text.encode()})
    assign(root)
    raw = (root / "content/jxj/zcwj/a.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\n") and f'  index_no: "{CODE}/2024-00001"\r\n'.encode() in raw
    assert raw.count(b"\r\n") == raw.count(b"\n")
    flow = "---\ntitle: 甲\ndate: 2024-03-12 09:30\nkeywords: [测试]\ndisclosure: {topic: 工业、交通, genre: 通知, written: 2024-03-11}\n---\n正文。\n"
    (root / "content/jxj/zcwj/b.md").write_text(flow, encoding="utf-8")
    result = run("disclosure", "assign", "--root", str(root))
    assert result.exit_code == 1
    assert "content/jxj/zcwj/b.md:5: disclosure: expected the fields written one per line" in result.output
    assert (root / "content/jxj/zcwj/b.md").read_text(encoding="utf-8") == flow


def test_a_custom_pattern_and_a_malformed_ledger_line(cluster_root):
    from clusters import SITE_YAML
    root = cluster_root({
        "site.yaml": SITE_YAML + 'xxgk:\n  index_pattern: "{org_code}-{dept}-{year}-{serial:04d}"\n',
        "content/jxj/zcwj/a.md": item("文件甲", "2024-03-12 09:30", "2024-03-11"),
    })
    assign(root)
    assert numbers(root) == {"a.md": "002000054-jxj-2024-0001"}
    with (root / LEDGER).open("a", encoding="utf-8") as f:
        f.write("2024 2 missing-tabs\n")
    assert problems(root) == [f"{LEDGER}:5: (ledger line): expected year<TAB>serial<TAB>索引号<TAB>page.md, as "
                              "`sitegen disclosure assign` writes it, found '2024 2 missing-tabs'"]


def test_a_pattern_without_serial_is_refused(cluster_root):
    from clusters import SITE_YAML
    root = cluster_root({"site.yaml": SITE_YAML + 'xxgk:\n  index_pattern: "{code}/{year}"\n'})
    assert problems(root) == ["site.yaml:16: xxgk.index_pattern: expected a pattern that contains {serial}, "
                              "such as {code}/{year}-{serial:05d}, found '{code}/{year}'"]


# ---------------------------------------------------------------- the pages


@pytest.fixture
def catalog(cluster_root):
    root = cluster_root({
        "content/jxj/zcwj/a.md": item("关于印发智能制造扶持办法的通知", "2024-03-12 09:30", "2024-03-11",
                                      extra="  doc_number: 测经信规〔2024〕1号\n  normative: true\n  validity: 废止\n"
                                            "  invalid_from: 2025-04-01\n  replaced_by: b.md\n"),
        "content/jxj/zcwj/b.md": item("关于印发智能制造扶持办法（修订）的通知", "2025-03-20 10:00", "2025-03-18",
                                      extra="  doc_number: 测经信规〔2025〕2号\n  normative: true\n"),
        "content/jxj/zcjd/jd.md": page("《扶持办法（修订）》解读", "2025-03-21 10:00", interprets="../zcwj/b.md"),
        "content/jxj/gzdt/stats.md": page("2024年工业经济运行情况", "2025-01-20 09:00", keywords="[统计]",
                                          disclosure="\n  category: 统计信息\n  topic: 工业、交通\n  genre: 统计数据\n"
                                                     "  written: 2025-01-18"),
        "content/jxj/xxgk/nb/2025.md": page("2025年政府信息公开工作年度报告", "2026-01-20 09:00",
                                            "## 一、总体情况\n\n概述。\n\n## 二、主动公开政府信息情况\n\n[[主动公开统计]]\n\n"
                                            "## 三、收到和处理政府信息公开申请情况\n\n略。"),
    })
    assign(root)
    out = root / "build" / "site"
    build(root, out)
    return root, out


def test_an_item_shows_the_standard_metadata_table_and_its_replacement(catalog):
    _, out = catalog
    doc = html(out, "/jxj/zcwj/a/")
    cells = {th.text: th.find_next_sibling("td").text for th in doc.select("table.doc-meta th")}
    assert cells == {"索引号": f"{CODE}/2024-00001", "主题分类": "工业、交通", "发布机构": "测试市经济和信息化局",
                     "体裁分类": "通知", "成文日期": "2024-03-11", "发布日期": "2024-03-12", "文号": "测经信规〔2024〕1号",
                     "有效性": "废止", "名称": "关于印发智能制造扶持办法的通知", "主题词": "测试"}
    notice = doc.select_one(".notice-void")
    assert "本文件已于 2025-04-01 废止" in notice.text
    assert notice.a["href"] == "/jxj/zcwj/b/"
    explained = html(out, "/jxj/zcwj/b/").select_one(".related")
    assert explained.h2.text == "相关解读" and explained.a["href"] == "/jxj/zcjd/jd/"


def test_department_section_has_the_five_parts_in_order(catalog):
    _, out = catalog
    for url in ["/jxj/xxgk/", "/jxj/xxgk/zn/", "/jxj/xxgk/fdzdgknr/", "/jxj/xxgk/nb/", "/jxj/xxgk/ysqgk/"]:
        tabs = [(a.text, a["href"]) for a in html(out, url).select(".xxgk-tabs a")]
        assert tabs == [("政府信息公开指南", "/jxj/xxgk/zn/"), ("政府信息公开制度", "/jxj/xxgk/zd/"),
                        ("法定主动公开内容", "/jxj/xxgk/fdzdgknr/"), ("政府信息公开年报", "/jxj/xxgk/nb/"),
                        ("依申请公开", "/jxj/xxgk/ysqgk/")], url
    home = html(out, "/jxj/xxgk/")
    assert home.select_one(".pinned-report a")["href"] == "/jxj/xxgk/nb/2025/"
    assert [a.text for a in home.select(".category-grid a")] == ["法规文件（2）", "统计信息（1）"]
    form = html(out, "/jxj/xxgk/ysqgk/sqb/")
    assert form.h1.text == "测试市经济和信息化局政府信息公开申请表"
    assert "所需信息的名称、文号或者其他特征性描述" in form.select_one("table.form-table").text


def catalog_rows(doc: BeautifulSoup) -> list[list[str]]:
    return [[td.text.strip() for td in tr.find_all("td")] for tr in doc.select("#catalog tbody tr")]


def test_the_catalog_table_sorts_by_either_date_without_javascript(catalog):
    _, out = catalog
    by_published = catalog_rows(html(out, "/jxj/xxgk/fdzdgknr/"))
    assert by_published[0] == [f"{CODE}/2025-00002", "关于印发智能制造扶持办法（修订）的通知", "测试市经济和信息化局",
                               "2025-03-18", "2025-03-20", "测经信规〔2025〕2号", "有效"]
    assert [r[4] for r in by_published] == ["2025-03-20", "2025-01-20", "2024-03-12"]
    by_written = catalog_rows(html(out, "/jxj/xxgk/fdzdgknr/cwrq/"))
    assert [r[3] for r in by_written] == ["2025-03-18", "2025-01-18", "2024-03-11"]


def test_static_facet_pages_filter_the_unified_platform(catalog):
    _, out = catalog
    platform = html(out, "/xxgk/")
    groups = {s.h2.text: [a.text for a in s.select("a")] for s in platform.select(".xxgk-facets section")}
    assert groups["发布机构"] == ["测试市经济和信息化局（3）"]
    assert groups["信息类别"] == ["法规文件（2）", "统计信息（1）"]
    assert groups["发布年份"] == ["2025年（2）", "2024年（1）"]
    assert [r[1] for r in catalog_rows(html(out, "/xxgk/lb/tjxx/"))] == ["2024年工业经济运行情况"]
    assert [r[4] for r in catalog_rows(html(out, "/xxgk/nd/2024/"))] == ["2024-03-12"]
    assert len(catalog_rows(html(out, "/xxgk/zt/gyjt/"))) == 3
    assert html(out, "/xxgk/zt/gyjt/").select_one(".facet-list a[aria-current=page]").text.startswith("工业、交通")


def test_exports_parse_back_as_json_and_as_csv_with_a_bom(catalog):
    _, out = catalog
    rows = json.loads((out / "xxgk/catalog.json").read_text(encoding="utf-8"))
    assert rows[0] == {
        "index_no": f"{CODE}/2025-00002", "title": "关于印发智能制造扶持办法（修订）的通知",
        "url": "https://www.example.gov.cn/jxj/zcwj/b/", "department": "测试市经济和信息化局", "category": "法规文件",
        "topic": "工业、交通", "genre": "通知", "doc_number": "测经信规〔2025〕2号", "written": "2025-03-18",
        "published": "2025-03-20T10:00+08:00", "keywords": ["测试"], "validity": "有效"}
    raw = (out / "xxgk/catalog.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["index_no"] for r in table] == [r["index_no"] for r in rows]
    assert table[2]["validity"] == "废止" and table[2]["written"] == "2024-03-11"
    assert json.loads((out / "jxj/xxgk/catalog.json").read_text(encoding="utf-8")) == rows


def test_the_annual_report_gets_its_counts_from_the_catalog(catalog):
    _, out = catalog
    doc = html(out, "/jxj/xxgk/nb/2025/")
    counts = doc.select_one(".report-counts")
    assert counts.find_previous("h2").text == "二、主动公开政府信息情况"    # where the editor put the mark
    assert counts.find_next("h2").text == "三、收到和处理政府信息公开申请情况"
    by_category, normative = counts.find_all("table")
    assert [[c.text for c in tr.find_all(["th", "td"])] for tr in by_category.tbody.find_all("tr")] == [
        ["法规文件", "1", "2"], ["统计信息", "1", "1"]]
    assert [c.text for c in normative.tbody.find_all(["th", "td"])] == ["行政规范性文件", "1", "1", "1"]
    assert "[[主动公开统计]]" not in doc.text


def test_disclosure_report_lists_policies_without_an_interpretation(catalog):
    root, _ = catalog
    result = run("disclosure", "report", "--root", str(root))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "测试市经济和信息化局（jxj）：政策文件 2 件，已解读 1 件，解读比例 50%"
    assert lines[1].split() == ["未解读", "2024-03-12", "关于印发智能制造扶持办法的通知", "content/jxj/zcwj/a.md"]
    assert lines[-1] == "全市：政策文件 2 件，已解读 1 件，解读比例 50%"


# ---------------------------------------------------------------- problems


def test_working_days_follow_the_holiday_calendar():
    # 2024 National Day: 1-7 October off, Sunday 29 September and Saturday 12 October worked.
    assert working_days(date(2024, 9, 27), date(2024, 10, 8)) == 3     # 29 Sep, 30 Sep and 8 Oct
    assert working_days(date(2024, 3, 11), date(2024, 3, 11)) == 0
    assert working_days(date(2099, 1, 2), date(2099, 1, 9)) == 5        # beyond the calendar: weekends only


@pytest.mark.parametrize("extra, expected", [
    ("", None),
    ("  validity: 废止\n", "content/jxj/zcwj/a.md:10: disclosure.invalid_from: expected the date it stopped "
                                 "applying (YYYY-MM-DD), because validity is 废止, found nothing"),
    ("  replaced_by: nope.md\n  validity: 失效\n  invalid_from: 2025-01-01\n",
     "content/jxj/zcwj/a.md:10: disclosure.replaced_by: expected a relative path to the page that replaced it "
     "(such as ../zcwj/x.md), found 'nope.md', which does not exist"),
    ("  invalid_from: 2025-01-01\n", "content/jxj/zcwj/a.md:10: disclosure.invalid_from: expected only on an "
                                        "item whose validity is 失效 or 废止, found validity 有效"),
    ("  category: 门户专栏\n", "content/jxj/zcwj/a.md:10: disclosure.category: expected one of 机构职能、法规文件、"
                                  "规划计划、统计信息、行政许可、行政处罚、财政预决算、行政事业性收费、政府采购、重大建设项目、"
                                  "民生政策、突发公共事件、监督检查、公务员招考, found '门户专栏'"),
])
def test_item_field_problems(cluster_root, extra, expected):
    root = cluster_root({"content/jxj/zcwj/a.md": item(number=f"{CODE}/2024-00001", extra=extra)})
    (root / LEDGER).write_text(f"2024\t1\t{CODE}/2024-00001\tzcwj/a.md\n", encoding="utf-8")
    if expected is None:
        build(root, root / "out")
    else:
        assert problems(root) == [expected]


def test_topic_genre_keywords_and_dates_are_checked(cluster_root):
    text = item(number=f"{CODE}/2024-00001", date="2024-03-12 09:30", written="2024-03-20")
    text = text.replace("topic: 工业、交通", "topic: 工业").replace("genre: 通知", "genre: 便函").replace(
        "keywords: [测试]\n", "")
    root = cluster_root({"content/jxj/zcwj/a.md": text})
    (root / LEDGER).write_text(f"2024\t1\t{CODE}/2024-00001\tzcwj/a.md\n", encoding="utf-8")
    found = problems(root)
    assert found.pop(0) == ("content/jxj/zcwj/a.md:2: keywords: expected at least one 主题词 (a 政府信息公开 item "
                            "lists its keywords), found none")
    assert found[0].startswith("content/jxj/zcwj/a.md:6: disclosure.topic: expected a 主题分类 from site.yaml "
                               "(one of 综合政务、") and found[0].endswith(", found '工业'")
    assert found[1].startswith("content/jxj/zcwj/a.md:7: disclosure.genre: expected a 体裁分类 from site.yaml "
                               "(one of 决定、") and found[1].endswith(", found '便函'")
    assert found[2:] == [
        "content/jxj/zcwj/a.md:8: disclosure.written: expected a 成文日期 on or before the 发布日期 (2024-03-12), "
        "found 2024-03-20"]


def test_a_page_of_a_disclosure_column_needs_its_block(cluster_root):
    root = cluster_root({"content/jxj/zcwj/a.md": page()})
    assert problems(root) == ["content/jxj/zcwj/a.md:1: disclosure: expected a disclosure block with topic, genre "
                              "and written (pages of this column are 政府信息公开 items of 法规文件), found nothing"]


def test_a_portal_page_cannot_be_an_item(cluster_root):
    root = cluster_root({"content/portal/zwyw/a.md": item(number="x")})
    assert problems(root) == ["content/portal/zwyw/a.md:5: disclosure: expected no 政府信息公开 block on a portal page "
                              "(发布机构 is a department: put the document in the folder of the department that "
                              "issued it), found a disclosure block"]


def test_a_department_without_its_guide_and_a_column_naming_no_category(cluster_root):
    from clusters import DEPT_YAML
    root = cluster_root({"content/jxj/xxgk/zn.md": None,
                         "departments/jxj.yaml": DEPT_YAML.replace("disclosure: 法规文件", "disclosure: true")})
    assert problems(root) == [
        "departments/jxj.yaml:9: columns.2.disclosure: expected the name of the 法定主动公开内容 category its pages "
        "belong to, such as 法规文件 (a column no longer says just true), found 'True'"]
    root = cluster_root({"content/jxj/xxgk/zn.md": None})
    assert problems(root) == [
        "content/jxj/xxgk/zn.md: (file): expected the department's 政府信息公开指南 (every department publishes one; "
        "`sitegen new department` writes a first draft), found no such file"]


def test_an_unknown_file_in_the_xxgk_folder(cluster_root):
    root = cluster_root({"content/jxj/xxgk/guide.md": page()})
    assert problems(root) == [
        "content/jxj/xxgk/guide.md: (path): expected one of zn.md (政府信息公开指南), zd.md (政府信息公开制度), "
        "nb/<year>.md (年报), index-numbers.tsv in content/jxj/xxgk/, found 'guide.md'"]


def test_extra_categories_cannot_repeat_a_category_or_take_a_catalog_path(cluster_root):
    from clusters import SITE_YAML
    root = cluster_root({"site.yaml": SITE_YAML + "xxgk:\n  extra_categories:\n    zfcg2: 政府采购\n"})
    assert problems(root) == ["site.yaml:15: xxgk: expected extra categories that are not already categories "
                              "('zfcg2: 政府采购' is), found a mapping"]


def test_csv_cells_never_start_a_formula(cluster_root):
    root = cluster_root({"content/jxj/zcwj/a.md": item("=HYPERLINK(\"http://x\")", "2024-03-12 09:30", "2024-03-11")})
    assign(root)
    build(root, root / "out")
    table = list(csv.DictReader(io.StringIO((root / "out/xxgk/catalog.csv").read_text(encoding="utf-8-sig"))))
    assert table[0]["title"] == "'=HYPERLINK(\"http://x\")"


def test_items_past_the_holiday_calendar_give_one_warning(cluster_root):
    from sitegen.disclosure import CALENDAR_YEARS
    year = CALENDAR_YEARS.stop
    root = cluster_root({f"content/jxj/zcwj/{n}.md": item(f"文件{n}", f"{year}-03-{n:02d} 09:30", f"{year}-03-{n:02d}")
                         for n in (2, 3)})
    assign(root)
    warnings = [str(w) for w in build(root, root / "out", inspect=False, now=datetime(year, 4, 1)).warnings]
    assert warnings == [f"pyproject.toml: chinesecalendar: expected a holiday calendar that covers {year} (upgrade the "
                        "chinesecalendar package when the State Council publishes the year's holidays), found one "
                        f"that ends with {year - 1}; deadlines in {year} count weekends only (warning)"]
