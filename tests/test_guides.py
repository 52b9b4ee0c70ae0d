"""办事指南: every element's validation message, the pages and directory without JavaScript, exports, JSON-LD."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sitegen.assemble import assemble
from sitegen.build import build, load

from clusters import DEPT_YAML, GUIDE, SITE_YAML, make_cluster

PATH = "content/jxj/bsfw/project-filing.md"


def guide(old: str = "", new: str = "") -> str:
    assert old in GUIDE, old
    return GUIDE.replace(old, new, 1)


def problems(root: Path) -> list[str]:
    records, found = load(root)
    assert records is not None, found
    _, more = assemble(records, workers=1)
    return [str(p) for p in found + more if p.severity == "error"]


def check(tmp_path: Path, text: str, files: dict | None = None) -> list[str]:
    return problems(make_cluster(tmp_path, {PATH: text, "content/jxj/bsfw/files/form.pdf": b"%PDF-1.4\n",
                                            **(files or {})}))


def test_a_valid_guide_has_no_problem(tmp_path):
    assert check(tmp_path, GUIDE) == []


# Each element: the edit that breaks it and the exact message an editor reads.
CASES = {
    "missing block": (GUIDE.split("guide:\n")[0] + "---\n正文。\n",
                      f"{PATH}:1: guide: expected a guide block with the matter's elements (type, audience, themes, "
                      "basis, conditions, materials, steps, legal_days, promised_days, fee, place, hours, phone, "
                      "complaint_phone, result, delivery, visits), found nothing"),
    "事项编码": (guide('code: "330217006000"', 'code: "33 02"'),
             f"{PATH}:6: guide.code: expected the 事项编码 the province assigns: 6-40 letters, digits or '-' "
             "(such as 330217006000), found '33 02'"),
    "事项类型": (guide("type: 行政确认", "type: 审批"),
             f"{PATH}:7: guide.type: expected one of 行政许可 | 行政确认 | 行政给付 | 行政奖励 | 行政裁决 | 其他行政权力 | "
             "公共服务, found '审批'"),
    "服务对象": (guide("audience: [法人]", "audience: [企业]"),
             f"{PATH}:8: guide.audience.0: expected one of 自然人 | 法人, found '企业'"),
    "服务对象 missing": (guide("  audience: [法人]\n"),
                     f"{PATH}:5: guide.audience: expected a value (this field is required), found nothing"),
    "主题": (guide("themes: [开办企业]", "themes: [招商引资]"),
           f"{PATH}:9: guide.themes.0: expected a theme from site.yaml (个人: 教育、社会保障、就业创业、医疗卫生、户籍、"
           "婚育收养、住房保障、养老服务、交通出行、证件办理; 法人: 开办企业、工程建设、资质认证、人力资源、科技创新、"
           "纳税缴费、知识产权、医疗药品), found '招商引资'"),
    "主题 for the audience": (guide("themes: [开办企业]", "themes: [教育]"),
                           f"{PATH}:9: guide.themes.0: expected a theme for the guide's audience (法人), "
                           "found '教育', a 个人 theme"),
    "人生事件": (guide("events: []", "events: [毕业]"),
             f"{PATH}:10: guide.events.0: expected a life event from site.yaml (one of 出生、上学、就业、婚育、购房、退休、"
             "身后事), found '毕业'"),
    "设定依据": (guide("  basis:\n    - 《企业投资项目核准和备案管理条例》第三条\n", "  basis: []\n"),
             f"{PATH}:11: guide.basis: expected at least 1 items, found a list"),
    "受理条件": (guide("  conditions:\n    - 在本市登记注册的企业\n"),
             f"{PATH}:5: guide.conditions: expected a value (this field is required), found nothing"),
    "申请材料": (guide("form: 原件", "form: 扫描件"),
             f"{PATH}:16: guide.materials.0.form: expected one of 原件 | 复印件 | 原件和复印件 | 电子文件, found '扫描件'"),
    "申请材料 copies": (guide("copies: 1, required: true", "copies: 0, required: true"),
                    f"{PATH}:16: guide.materials.0.copies: expected a number at least 1, found '0'"),
    "申请材料 name": (guide("{name: 项目备案申请表, ", "{"),
                  f"{PATH}:16: guide.materials.0.name: expected a value (this field is required), found nothing"),
    "空白表格": (guide("sample: files/form.pdf", "sample: files/blank.pdf"),
             f"{PATH}:16: guide.materials.0.sample: expected a file next to this page, relative to it (such as "
             "files/plan.pdf), found 'files/blank.pdf', which does not exist"),
    "办理流程": (guide("  steps:\n    - {name: 申请, detail: 登录投资项目在线审批监管平台填报。}\n"
                   "    - {name: 备案, detail: 信息齐全的即时备案。}\n", "  steps: []\n"),
             f"{PATH}:18: guide.steps: expected at least 1 items, found a list"),
    "办理流程 detail": (guide("{name: 备案, detail: 信息齐全的即时备案。}", "{name: 备案}"),
                    f"{PATH}:20: guide.steps.1.detail: expected a value (this field is required), found nothing"),
    "法定时限": (guide("legal_days: 5", "legal_days: 五天"),
             f"{PATH}:21: guide.legal_days: expected a whole number, found '五天'"),
    "承诺时限": (guide("promised_days: 1", "promised_days: 9"),
             f"{PATH}:22: guide.promised_days: expected at most the legal time limit (5 working days), found 9"),
    "收费依据": (guide("fee: 不收费", "fee: 每件20元"),
             f"{PATH}:23: guide.fee_basis: expected the basis of the charge (the document that sets it), "
             "or fee: 不收费, found nothing"),
    "收费依据 when free": (guide("fee: 不收费", "fee: 不收费\n  fee_basis: 浙价费〔2020〕1号"),
                       f"{PATH}:24: guide.fee_basis: expected no fee basis when fee is 不收费, found '浙价费〔2020〕1号'"),
    "办理地点": (guide("  place: 测试市民中心三楼投资项目窗口\n"),
             f"{PATH}:5: guide.place: expected a value (this field is required), found nothing"),
    "办理时间": (guide("hours: 工作日 8:30-12:00 14:00-17:30", "hours: ''"),
             f"{PATH}:25: guide.hours: expected a non-empty value, found ''"),
    "咨询电话": (guide("phone: 0589-12345031", "phone: 请致电窗口"),
             f"{PATH}:26: guide.phone: expected a phone number with its area code, such as 0589-12345678 "
             "(or 12345), found '请致电窗口'"),
    "监督投诉电话": (guide('complaint_phone: "12345"', "complaint_phone: 0589-123"),
               f"{PATH}:27: guide.complaint_phone: expected a phone number with its area code, such as "
               "0589-12345678 (or 12345), found '0589-123'"),
    "办理结果": (guide("  result: 项目备案信息表\n"),
             f"{PATH}:5: guide.result: expected a value (this field is required), found nothing"),
    "送达方式": (guide("delivery: [网上查询, 窗口领取]", "delivery: []"),
             f"{PATH}:29: guide.delivery: expected at least 1 items, found a list"),
    "到现场次数": (guide("visits: 0", "visits: 9"),
              f"{PATH}:30: guide.visits: expected a number at most 5, found '9'"),
    "网上办理": (guide("online: https://www.zjzwfw.gov.cn/test/jxj/xmba", "online: javascript:alert(1)"),
             f"{PATH}:31: guide.online: expected the address of the online service hall's page for this matter, "
             "such as https://www.zjzwfw.gov.cn/..., found 'javascript:alert(1)'"),
    "网上办理 for no visit": (guide("  online: https://www.zjzwfw.gov.cn/test/jxj/xmba\n"),
                          f"{PATH}:30: guide.online: expected the online service hall's address (a matter with no "
                          "visit is handled online), found nothing"),
    "实施主体 is never typed": (guide("type: 行政确认", "type: 行政确认\n  agency: 测试市经信局"),
                           f"{PATH}:8: guide.agency: expected a known field ('audience'), found the unknown field "
                           "'agency'"),
}


@pytest.mark.parametrize("case", CASES)
def test_each_element_says_what_is_wrong(tmp_path, case):
    text, message = CASES[case]
    assert check(tmp_path, text) == [message]


def test_a_guide_block_outside_bsfw(tmp_path):
    root = make_cluster(tmp_path, {"content/jxj/gzdt/a.md": GUIDE, "content/jxj/bsfw/files/form.pdf": b"%PDF"})
    assert problems(root)[0] == ("content/jxj/gzdt/a.md:5: guide: expected a guide block only on a 办事指南 in "
                                 "content/<department>/bsfw/, found a guide block in content/jxj/gzdt/")


def test_featured_guides_must_exist(tmp_path):
    site = SITE_YAML + "services:\n  featured:\n    - jxj/project-filing\n    - jxj/nothing-here\n"
    found = check(tmp_path, GUIDE, {"site.yaml": site,
                                    "departments/jxj.yaml": DEPT_YAML + "featured_services: [missing]\n"})
    assert found == [
        "site.yaml:18: services.featured.1: expected a guide as <department>/<file name> "
        "(content/<department>/bsfw/<file name>.md), found 'jxj/nothing-here', which does not exist",
        "departments/jxj.yaml:11: featured_services.0: expected a guide file name in content/jxj/bsfw/ "
        "(without .md), found 'missing', which does not exist",
    ]


def test_a_featured_guide_is_named_by_department_and_file(tmp_path):
    root = make_cluster(tmp_path, {"site.yaml": SITE_YAML + "services:\n  featured: [失业保险金申领]\n"})
    _, found = load(root)
    assert [str(p) for p in found] == [
        "site.yaml:16: services.featured.0: expected a guide as <department>/<file name> "
        "(such as rsj/unemployment-benefit), found '失业保险金申领'"]


def test_site_yaml_themes_are_one_list(tmp_path):
    site = SITE_YAML + "services:\n  personal: {jy: 教育}\n  corporate: {jy: 开办企业}\n"
    root = make_cluster(tmp_path, {"site.yaml": site})
    records, found = load(root)
    assert [str(p) for p in found] == [
        "site.yaml:15: services: expected 法人 themes that are not also 个人 themes ('jy: 开办企业' is), found a mapping"]


def test_a_department_cannot_declare_a_bsfw_column(tmp_path):
    root = make_cluster(tmp_path, {"departments/jxj.yaml": DEPT_YAML.replace("slug: zcjd", "slug: bsfw")})
    _, found = load(root)
    assert [str(p) for p in found] == [
        "departments/jxj.yaml:6: columns: expected column slugs other than 'xxgk' and 'bsfw' (every department's "
        "政府信息公开 and 办事服务 sections live there), not 'bsfw', found a list"]


# ---------------------------------------------------------------- the built pages, read back

SECOND = GUIDE.replace("工业企业技术改造项目备案", "=HYPERLINK(\"x\")企业技术中心认定").replace(
    "themes: [开办企业]", "themes: [科技创新]").replace("visits: 0", "visits: 1").replace(
    "  online: https://www.zjzwfw.gov.cn/test/jxj/xmba\n", "").replace("fee: 不收费", "fee: 每件20元\n  fee_basis: 测价〔2024〕3号")
PERSON = GUIDE.replace("工业企业技术改造项目备案", "高校毕业生就业见习补贴申领").replace(
    "audience: [法人]", "audience: [自然人]").replace("themes: [开办企业]", "themes: [就业创业]").replace(
    "events: []", "events: [就业]").replace("type: 行政确认", "type: 行政给付").replace(
    "</script>", "").replace("summary: 企业投资的技术改造项目实行备案管理。", "summary: 见习补贴</script><script>alert(1)</script>")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = make_cluster(tmp_path_factory.mktemp("guides") / "site", {
        PATH: GUIDE, "content/jxj/bsfw/tech-centre.md": SECOND, "content/jxj/bsfw/trainee.md": PERSON,
        "content/jxj/bsfw/files/form.pdf": b"%PDF-1.4\n",
        "site.yaml": SITE_YAML.replace("page_size: 20", "page_size: 2") + "services:\n  featured: [jxj/trainee]\n",
        "departments/jxj.yaml": DEPT_YAML + "featured_services: [tech-centre]\n",
    })
    out = root / "build" / "site"
    build(root, out)
    return out


def html(out: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_the_guide_page_shows_the_elements_in_order(site):
    doc = html(site, "/jxj/bsfw/project-filing/")
    assert [h.get_text() for h in doc.select("article.guide section[id] > h2")] == [
        "基本信息", "设定依据", "受理条件", "申请材料", "办理流程", "办理时限", "收费标准", "办理地点和时间", "办理结果",
        "咨询与投诉"]
    basic = {tr.th.get_text(): tr.td.get_text() for tr in doc.select(".guide-basic tr")}
    assert basic["实施主体"] == "测试市经济和信息化局" and basic["事项类型"] == "行政确认"
    assert [li.get_text() for li in doc.select("ol.steps li")] == ["申请：登录投资项目在线审批监管平台填报。",
                                                                  "备案：信息齐全的即时备案。"]
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")][2:6] for tr in doc.select("table.materials tbody tr")]
    assert rows == [["项目备案申请表", "原件", "1", "必要"], ["营业执照", "复印件", "1", "非必要"]]
    sample = doc.select_one("table.materials a")
    assert sample["href"] == "/jxj/bsfw/files/form.pdf" and (site / "jxj/bsfw/files/form.pdf").is_file()
    assert doc.select_one("main h2#notes-h") is None and "备案信息发生较大变更" in doc.select_one(".guide-notes").get_text()


def test_the_checklist_prints(site):
    css = next((site / "static").rglob("site*.css")).read_text(encoding="utf-8")
    printing = css[css.index("/* ------------------------------------------------------------------ 办事服务 */"):]
    assert "@media print" in printing and ".print-only { display: block; }" in printing
    assert html(site, "/jxj/bsfw/project-filing/").select_one("#materials .print-only")


def test_json_ld_is_a_government_service(site):
    for url, name, channels in (("/jxj/bsfw/project-filing/", "工业企业技术改造项目备案", 2),
                                ("/jxj/bsfw/trainee/", "高校毕业生就业见习补贴申领", 2)):
        script = html(site, url).select_one('script[type="application/ld+json"]')
        data = json.loads(script.string)
        assert data["@type"] == "GovernmentService" and data["name"] == name
        assert data["provider"] == {"@type": "GovernmentOrganization", "name": "测试市经济和信息化局",
                                    "url": "https://www.example.gov.cn/jxj/", "address": "测试市人民路2号",
                                    "telephone": "0589-12345030"}
        assert len(data["availableChannel"]) == channels
    raw = (site / "jxj/bsfw/trainee/index.html").read_text(encoding="utf-8")
    assert "</script><script>alert(1)" not in raw
    data = json.loads(html(site, "/jxj/bsfw/trainee/").select_one('script[type="application/ld+json"]').string)
    assert data["description"] == "见习补贴</script><script>alert(1)</script>"


def test_department_list_and_home_entry_without_javascript(site):
    first, second = html(site, "/jxj/bsfw/"), html(site, "/jxj/bsfw/page/2/")
    names = [a.get_text() for d in (first, second) for a in d.select(".service-list li > a")]
    assert sorted(names) == sorted(["工业企业技术改造项目备案", "=HYPERLINK(\"x\")企业技术中心认定", "高校毕业生就业见习补贴申领"])
    assert first.select_one('.pagination a[rel="next"]')["href"] == "/jxj/bsfw/page/2/"
    home = html(site, "/jxj/")
    assert [a.get_text() for a in home.select("#bsfw-title ~ ul a, section:has(#bsfw-title) .service-list a")] \
        == ["=HYPERLINK(\"x\")企业技术中心认定"]
    portal = html(site, "/")
    assert [a["href"] for a in portal.select("section:has(#bsfw-title) .service-list a")] == ["/jxj/bsfw/trainee/"]


def test_portal_directory_by_department_theme_and_event(site):
    doc = html(site, "/bsfw/")
    groups = {s.h2.get_text(): [(a.get_text(), a["href"]) for a in s.select("a")] for s in doc.select(".bsfw-groups section")}
    assert groups == {
        "按部门": [("测试市经济和信息化局（3）", "/jxj/bsfw/")],
        "个人办事": [("就业创业（1）", "/bsfw/zt/jycy/")],
        "法人办事": [("开办企业（1）", "/bsfw/zt/kbqy/"), ("科技创新（1）", "/bsfw/zt/kjcx/")],
        "按人生事件": [("就业（1）", "/bsfw/sj/jy/")],
    }
    theme = html(site, "/bsfw/zt/kjcx/")
    assert [a["href"] for a in theme.select(".service-list a")] == ["/jxj/bsfw/tech-centre/"]
    assert theme.select_one('.bsfw-facets a[aria-current="page"]').get_text() == "科技创新（1）"
    event = html(site, "/bsfw/sj/jy/")
    assert [a["href"] for a in event.select(".service-list a")] == ["/jxj/bsfw/trainee/"]
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/bsfw/zt/kjcx/" in sitemap and "/jxj/bsfw/project-filing/" in sitemap


def test_exports_parse_back_with_the_same_fields(site):
    dept = json.loads((site / "jxj/bsfw/catalog.json").read_text(encoding="utf-8"))
    portal = json.loads((site / "bsfw/catalog.json").read_text(encoding="utf-8"))
    assert dept == portal and len(dept) == 3
    filing = next(r for r in dept if r["name"] == "工业企业技术改造项目备案")
    assert filing["agency"] == "测试市经济和信息化局" and filing["promised_days"] == 1
    assert filing["materials"][0] == {"name": "项目备案申请表", "form": "原件", "copies": 1, "required": True,
                                      "note": "", "sample": "https://www.example.gov.cn/jxj/bsfw/files/form.pdf"}
    for path in ("jxj/bsfw/catalog.csv", "bsfw/catalog.csv"):
        raw = (site / path).read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert list(rows[0]) == list(dept[0]) and len(rows) == 3
        by_name = {r["name"].lstrip("'"): r for r in rows}
        assert by_name["工业企业技术改造项目备案"]["materials"] == "项目备案申请表（原件×1，必要）；营业执照（复印件×1，非必要）"
        assert by_name["=HYPERLINK(\"x\")企业技术中心认定"]["name"].startswith("'=")
        assert by_name["=HYPERLINK(\"x\")企业技术中心认定"]["fee_basis"] == "测价〔2024〕3号"


# ---------------------------------------------------------------- search: a "服务" kind


def api(out: Path, **params) -> dict:
    from urllib.parse import urlencode

    from sitegen.search.service import SearchService

    app, seen = SearchService(out.parent / "search"), {}
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/search/api", "QUERY_STRING": urlencode(params)},
                        lambda status, headers: seen.setdefault("status", status)))
    assert seen["status"] == "200 OK"
    return json.loads(body)


def test_guides_are_a_service_kind_in_search(site):
    meta = json.loads((site.parent / "search" / "current" / "meta.json").read_text(encoding="utf-8"))
    assert ["service", "服务"] in meta["kinds"]
    assert api(site, q="项目备案")["results"][0]["url"] == "/jxj/bsfw/project-filing/"
    services = api(site, q="备案", kind="service")
    assert services["total"] == 3 and not services["notices"]
    assert {r["url"] for r in services["results"]} == {"/jxj/bsfw/project-filing/", "/jxj/bsfw/tech-centre/",
                                                      "/jxj/bsfw/trainee/"}
    # Found by an element that is not in the body: a material's name.
    assert api(site, q="营业执照", kind="service")["total"] == 3
    assert api(site, q="营业执照", kind="news")["total"] == 0
