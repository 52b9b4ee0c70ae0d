"""Building small fixture clusters: what each kind of page holds, parsed from the written HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from sitegen.plan import site as site_plan
from sitegen.build import assign, build

from clusters import DEPT_YAML, SITE_YAML, page

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def html(out: Path, url: str) -> BeautifulSoup:
    path = out / url.lstrip("/")
    path = path / "index.html" if url.endswith("/") else path
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def meta(doc: BeautifulSoup) -> dict[str, str]:
    return {m["name"]: m["content"] for m in doc.find_all("meta", attrs={"name": True})}


POLICY = page(
    "关于印发《智慧城市建设行动计划》的通知", "2024-03-12 09:30", "## 一、总体要求\n\n详见[解读](../zcjd/jd.md)。",
    summary="计划摘要。", keywords="[智慧城市, 数字政府]", portal="true",
    attachments="\n  - {file: files/plan.pdf, title: 行动计划全文}",
    disclosure="\n  doc_number: 测经信发〔2024〕12号\n  written: 2024-03-10\n  topic: 工业、交通\n  genre: 通知\n  validity: 废止\n  invalid_from: 2025-01-01",
)


@pytest.fixture
def site(cluster_root):
    root = cluster_root({
        "content/jxj/zcwj/smart-city.md": POLICY,
        "content/jxj/zcwj/files/plan.pdf": b"%PDF-1.4\n" + b"0" * 2048,
        "content/jxj/zcjd/jd.md": page("《行动计划》解读", "2024-03-13 10:00", interprets="../zcwj/smart-city.md"),
        "content/jxj/tzgg/notice.md": page("关于开展企业走访的通知", "2024-04-01 08:00"),
        **{f"content/jxj/gzdt/n{i:02d}.md": page(f"工作动态第{i}条", f"2024-02-{i:02d} 09:00") for i in range(1, 26)},
        "content/portal/about/lxwm.md": page("联系我们", "2024-01-01 00:00"),
        "content/portal/accepted.yaml": "accepted: [jxj/zcwj/smart-city]\n",   # the portal takes the policy
        "site.yaml": SITE_YAML.replace("page_size: 20", "page_size: 10") + "contact_page: about/lxwm\n",
    })
    out = root / "build" / "site"
    assign(root)
    report = build(root, out)
    return root, out, report


def test_report_counts_pages_per_owner(site):
    _, _, report = site
    assert report.pages == (("portal", "测试市人民政府", 2), ("jxj", "测试市经济和信息化局", 30))
    assert [stage for stage, _ in report.timings] == ["load", "assemble", "theme", "plan", "keys", "render", "write", "index", "check"]


def test_every_page_carries_the_government_meta_tags_and_footer(site):
    _, out, _ = site
    for url in ["/", "/jxj/", "/jxj/gzdt/", "/jxj/gzdt/n01/", "/404.html", "/sitemap/", "/xxgk/"]:
        doc = html(out, url)
        assert doc.html["lang"] == "zh-CN"
        m = meta(doc)
        assert (m["SiteName"], m["SiteDomain"], m["SiteIDCode"]) == ("测试市人民政府", "www.example.gov.cn", "3399000001")
        assert doc.find("link", rel="canonical")["href"].startswith("https://www.example.gov.cn/")
        assert doc.title.text and m["description"]
        assert len(doc.find_all("h1")) == 1, url
        footer = doc.find("footer").get_text(" ", strip=True)
        for text in ["主办单位：测试市人民政府办公室", "承办单位：测试市数据资源管理局", "网站标识码：3399000001",
                     "浙ICP备20240001号-1", "浙公网安备33099902000001号", "网站地图", "联系我们"]:
            assert text in footer, (url, text)
        assert doc.find("footer").find("a", string="联系我们")["href"] == "/about/lxwm/"


def test_list_pages_name_their_column_and_paginate(site):
    _, out, _ = site
    first = html(out, "/jxj/gzdt/")
    assert meta(first)["ColumnName"] == "工作动态" and meta(first)["ColumnType"] == "工作动态"
    rows = first.select("main .item-list li")
    assert len(rows) == 10
    assert rows[0].a.text == "工作动态第25条" and rows[0].time.text == "2024-02-25"
    assert first.find("a", rel="next")["href"] == "/jxj/gzdt/page/2/"
    third = html(out, "/jxj/gzdt/page/3/")
    assert [li.a.text for li in third.select("main .item-list li")] == [f"工作动态第{i}条" for i in range(5, 0, -1)]
    assert not (out / "jxj/gzdt/page/4").exists()


def test_article_page(site):
    _, out, _ = site
    doc = html(out, "/jxj/zcwj/smart-city/")
    m = meta(doc)
    assert m["ArticleTitle"] == "关于印发《智慧城市建设行动计划》的通知"
    assert m["PubDate"] == "2024-03-12 09:30" and m["ContentSource"] == "测试市经济和信息化局"
    assert m["Keywords"] == "智慧城市,数字政府" and m["Description"] == "计划摘要。"
    assert m["Url"] == "https://www.example.gov.cn/jxj/zcwj/smart-city/"
    assert [a.text for a in doc.select("nav.breadcrumbs a")] == ["首页", "测试市经济和信息化局", "政策文件"]
    assert "2024-03-12 09:30" in doc.select_one(".article-meta").text
    assert "来源：测试市经济和信息化局" in doc.select_one(".article-meta").text
    attachment = doc.select_one(".attachments li")
    assert attachment.a["href"] == "/jxj/zcwj/files/plan.pdf" and attachment.a.text == "行动计划全文"
    assert "PDF，2 KB" in attachment.text
    assert (out / "jxj/zcwj/files/plan.pdf").stat().st_size == 2057
    assert "本文件已于 2025-01-01 废止" in doc.select_one(".notice").text
    assert doc.select_one(".related a")["href"] == "/jxj/zcjd/jd/"
    assert doc.select_one(".article-body a")["href"] == "/jxj/zcjd/jd/"
    back = html(out, "/jxj/zcjd/jd/")
    assert back.select_one(".related h2").text == "政策原文"
    assert back.select_one(".related a")["href"] == "/jxj/zcwj/smart-city/"


def test_previous_and_next_run_along_the_column(site):
    _, out, _ = site
    doc = html(out, "/jxj/gzdt/n10/")
    assert doc.find("a", rel="prev")["href"] == "/jxj/gzdt/n11/"
    assert doc.find("a", rel="next")["href"] == "/jxj/gzdt/n09/"
    assert html(out, "/jxj/gzdt/n25/").find("a", rel="prev") is None


def test_portal_home_aggregates_the_cluster(site):
    _, out, _ = site
    doc = html(out, "/")
    blocks = {s.h2.text: [a.text for a in s.select(".item-list a")] for s in doc.select("main section.panel")}
    assert blocks["要闻"][:2] == ["市政府召开常务会议", "关于印发《智慧城市建设行动计划》的通知"]  # featured item
    assert blocks["通知公告"] == ["关于开展企业走访的通知"]
    assert blocks["部门动态"][0] == "工作动态第25条"
    assert blocks["部门导航"] == [] and doc.select_one("#departments a")["href"] == "/jxj/"
    notices = html(out, "/tzgg/")
    assert [a["href"] for a in notices.select("main .item-list a")] == ["/jxj/tzgg/notice/"]
    assert "市经信局" in notices.select_one("main .item-list .item-source").text


def test_department_home(site):
    _, out, _ = site
    doc = html(out, "/jxj/")
    assert doc.h1.text == "测试市经济和信息化局"
    assert [s.h2.text for s in doc.select(".home-grid section")] == ["工作动态", "通知公告", "政策文件", "政策解读"]
    assert len(doc.select(".home-grid section")[0].select("li")) == site_plan.LATEST
    assert "0589-12345030" in doc.select_one(".contact").text
    assert doc.body["data-accent"] == "teal"
    assert [a.text for a in doc.select("#site-nav a")][:3] == ["部门首页", "工作动态", "通知公告"]


def test_feeds_sitemaps_robots_and_hashed_assets(site):
    _, out, _ = site
    for feed in ["feed.xml", "jxj/feed.xml", "jxj/gzdt/feed.xml", "tzgg/feed.xml"]:
        root = ET.parse(out / feed).getroot()
        assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}entry") is not None, feed
    assert len(ET.parse(out / "jxj/gzdt/feed.xml").getroot().findall(f"{ATOM}entry")) == 20
    urls = [u.find(f"{SM}loc").text for u in ET.parse(out / "sitemap.xml").getroot()]
    assert "https://www.example.gov.cn/jxj/zcwj/smart-city/" in urls and "https://www.example.gov.cn/" in urls
    assert "Sitemap: https://www.example.gov.cn/sitemap.xml" in (out / "robots.txt").read_text()
    css = html(out, "/").find("link", rel="stylesheet")["href"]
    assert css.startswith("/static/css/site.") and (out / css.lstrip("/")).is_file()


def test_large_sitemaps_become_an_index_per_department(site, monkeypatch):
    root, out, _ = site
    monkeypatch.setattr(site_plan, "SITEMAP_SPLIT", 20)
    out = root / "build" / "split"      # a web root of its own: the fixture's has the unsplit sitemap
    build(root, out)
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{SM}sitemapindex"
    parts = [s.find(f"{SM}loc").text.removeprefix("https://www.example.gov.cn/") for s in index]
    assert parts == ["sitemap-portal.xml", "jxj/sitemap.xml", "jxj/sitemap-2.xml", "jxj/sitemap-3.xml"]
    assert sum(len(ET.parse(out / p).getroot()) for p in parts) == len(list(out.rglob("index.html")))


def test_a_site_overrides_one_template_without_copying_the_theme(cluster_root):
    root = cluster_root({"templates/404.html": '{% extends "base.html" %}{% block main %}<h1>本站自定义的404</h1>{% endblock %}'})
    build(root, root / "out")
    assert html(root / "out", "/404.html").h1.text == "本站自定义的404"
    assert html(root / "out", "/").select_one("#departments")  # the rest still comes from the theme


def test_a_fragment_of_the_frame_is_rendered_per_view_and_follows_its_template(cluster_root):
    footer = '<footer class="site-footer"><p id="f">{mark}：{{{{ owner.name if owner else site.name }}}}</p></footer>'
    root = cluster_root({"templates/_footer.html": footer.format(mark="页脚一")})
    build(root, root / "out")
    # One fragment per distinct view: the portal's pages and the department's each show their own.
    assert html(root / "out", "/").select_one("#f").text == "页脚一：测试市人民政府"
    assert html(root / "out", "/jxj/").select_one("#f").text == "页脚一：测试市经济和信息化局"
    (root / "templates/_footer.html").write_text(footer.format(mark="页脚二"), encoding="utf-8")
    build(root, root / "out")
    # base.html names the fragment, so every page's key changes with it: nothing old is kept.
    pages = sorted((root / "out").rglob("index.html"))
    assert len(pages) > 10
    assert all("页脚二：" in p.read_text(encoding="utf-8") for p in pages)


def test_a_template_that_names_its_fragment_as_it_renders_depends_on_every_template(cluster_root):
    from sitegen.theme import environment, load_theme, template_digests
    root = cluster_root({"templates/404.html": '{% extends "base.html" %}{% block main %}'
                                              '{{ fragment(site.name ~ ".html") }}{% endblock %}'})
    theme, _ = load_theme(root, "default")
    before = template_digests(environment(theme), theme)
    (root / "templates/_unrelated.html").write_text("新的模板", encoding="utf-8")
    after = template_digests(environment(theme), theme)
    assert before["404.html"] != after["404.html"]
    assert before["article.html"] == after["article.html"]


def test_a_new_department_is_one_yaml_file_and_one_folder(cluster_root):
    root = cluster_root({
        "departments/jtj.yaml": DEPT_YAML.replace("测试市经济和信息化局", "测试市交通运输局")
                                         .replace("市经信局", "市交通局").replace("113399000020000548", "11339900002000097M"),
        "content/jtj/gzdt/road.md": page("国道改造工程开工", "2024-06-01 09:00"),
        "content/jtj/xxgk/zn.md": page("指南"), "content/jtj/xxgk/zd.md": page("制度"),
    })
    build(root, root / "out")
    doc = html(root / "out", "/jtj/")
    assert doc.h1.text == "测试市交通运输局"
    assert html(root / "out", "/jtj/gzdt/road/").h1.text == "国道改造工程开工"
    assert "/jtj/" in [a["href"] for a in html(root / "out", "/").select("#departments a")]


def test_links_in_body_and_escaping_of_titles(cluster_root):
    root = cluster_root({"content/jxj/gzdt/x.md": page('<script>alert("t")</script>标题', body="<b onclick=x>粗</b>")})
    build(root, root / "out")
    raw = (root / "out/jxj/gzdt/x/index.html").read_text()
    assert '<script>alert("t")' not in raw and "&lt;script&gt;" in raw and "onclick" not in raw


def test_the_footer_slot_for_the_party_and_government_site_mark(cluster_root):
    root = cluster_root({
        "site.yaml": SITE_YAML + "gov_mark: {link: 'https://bszs.conac.cn/sitename?method=show&id=1', image: img/mark.png}\n",
        "static/img/mark.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
    })
    build(root, root / "out")
    mark = html(root / "out", "/jxj/").select_one("footer a.gov-mark")
    assert mark["href"] == "https://bszs.conac.cn/sitename?method=show&id=1"
    assert mark.img["alt"] == "党政机关网站标识" and mark.img["src"].startswith("/static/img/mark.")
    assert (root / "out" / mark.img["src"].lstrip("/")).read_bytes().startswith(b"\x89PNG")
