"""`sitegen check`: each inspection rule tripped exactly at its threshold and not one day before."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen import check
from sitegen.assemble import assemble, due
from sitegen.build import assign, build, load
from sitegen.cli import main
from sitegen.errors import errors_in

from clusters import DEPT_YAML, SITE_YAML, item, page

CODE = "113399000020000548"


def cluster_of(root: Path, as_of: datetime, hold_back: bool = True):
    records, problems = load(root)
    assert records is not None, [str(p) for p in problems]
    later = ()
    if hold_back:
        records, later = due(records, as_of)
    cluster, found = assemble(records)
    assert not errors_in(problems + found), [str(p) for p in errors_in(problems + found)]
    return cluster, later


def findings(root: Path, day: str, rule: str | tuple[str, ...], web_root: Path | None = None,
             hold_back: bool = True) -> list[str]:
    """The findings of some rules as a person reads them, checked at the end of ``day``."""
    as_of = datetime.strptime(day, "%Y-%m-%d").replace(hour=23, minute=59)
    cluster, later = cluster_of(root, as_of, hold_back)
    rules = (rule,) if isinstance(rule, str) else rule
    found = check.run(cluster, web_root or root / "build" / "site", as_of, root=root, scheduled=later)
    return [str(f) for f in found if f.rule in rules]


def dept(*columns: str, contact: str = "{address: 测试市人民路2号, phone: 0589-12345030}") -> str:
    """A department YAML with the given column lines ("slug 标题 kind")."""
    rows = "".join(f"  - {{slug: {c.split()[0]}, title: {c.split()[1]}, kind: {c.split()[2]}}}\n" for c in columns)
    return (f"name: 测试市经济和信息化局\nshort_name: 市经信局\ncode: {CODE}\ncontact: {contact}\n"
            f"columns:\n{rows}")


# ---------------------------------------------------------------- freshness


HOME_VETO = ("site.yaml: [单项否决] home-stale: expected a new item on the home page within 14 days (首页栏目信息更新), "
             "found the newest item 2024-05-01 (市政府召开常务会议), 14 days before 2024-05-15. "
             "Publish a new item on this home page (a 工作动态 or 通知公告).")
HOME_WARN = ("site.yaml: [预警] home-stale: expected a new item on the home page within 10 days (early warning; "
             "the veto is at 14), found the newest item 2024-05-01 (市政府召开常务会议), {age} days before {day}. "
             "Publish a new item on this home page (a 工作动态 or 通知公告).")


def test_home_page_without_a_new_item_for_14_days_is_a_veto_and_10_a_warning(cluster_root):
    root = cluster_root({"departments/jxj.yaml": None, "content/jxj/xxgk/zn.md": None, "content/jxj/xxgk/zd.md": None})
    assert findings(root, "2024-05-15", "home-stale") == [HOME_VETO]
    assert findings(root, "2024-05-14", "home-stale") == [HOME_WARN.format(age=13, day="2024-05-14")]
    assert findings(root, "2024-05-11", "home-stale") == [HOME_WARN.format(age=10, day="2024-05-11")]
    assert findings(root, "2024-05-10", "home-stale") == []


def test_a_department_with_no_item_at_all_fails_its_home_page(cluster_root):
    root = cluster_root()
    assert [f for f in findings(root, "2024-05-02", "home-stale") if "jxj" in f] == [
        "departments/jxj.yaml: [单项否决] home-stale: expected a new item on the home page within 14 days "
        "(首页栏目信息更新), found no item at all. Publish a new item on this home page (a 工作动态 or 通知公告)."]


def test_the_early_warning_period_comes_from_site_yaml(cluster_root):
    root = cluster_root({"site.yaml": SITE_YAML + "check:\n  warn: {home_days: 12}\n", "departments/jxj.yaml": None,
                         "content/jxj/xxgk/zn.md": None, "content/jxj/xxgk/zd.md": None})
    assert findings(root, "2024-05-12", "home-stale") == []
    assert findings(root, "2024-05-13", "home-stale") == [HOME_WARN.replace("within 10 days", "within 12 days")
                                                          .format(age=12, day="2024-05-13")]


def five_news_columns(cluster_root, kind: str = "news", count: int = 5, date: str = "2024-05-01 10:00"):
    columns = [f"c{n} 栏目{n} {kind}" for n in range(1, count + 1)]
    files = {"departments/jxj.yaml": dept(*columns)}
    files.update({f"content/jxj/c{n}/a.md": page(f"动态{n}", date) for n in range(1, count + 1)})
    return cluster_root(files)


def test_five_news_columns_past_two_weeks_are_a_veto(cluster_root):
    root = five_news_columns(cluster_root)
    listed = "、".join(f"栏目{n}（jxj/c{n}，{{age}}天）" for n in range(1, 6))
    assert findings(root, "2024-05-15", "columns-stale") == [
        "departments/jxj.yaml: [单项否决] columns-stale: expected fewer than 5 columns past their update period "
        "(动态/要闻 14 days, 通知公告/政策文件 183 days), found 5: " + listed.format(age=14)
        + ". Update these columns, or merge or close the ones nobody keeps up."]
    assert findings(root, "2024-05-14", "columns-stale") == [
        "departments/jxj.yaml: [预警] columns-stale: expected fewer than 3 columns close to their update period "
        "(early warning: 动态/要闻 10 days, 通知公告/政策文件 150 days; the veto is at 5 columns past it), found 5: "
        + listed.format(age=13) + ". Update these columns, or merge or close the ones nobody keeps up."]
    assert findings(root, "2024-05-10", "columns-stale") == []


def test_four_stale_columns_are_no_veto(cluster_root):
    root = five_news_columns(cluster_root, count=4)
    assert [f.split("]")[0] for f in findings(root, "2024-06-30", "columns-stale")] == ["departments/jxj.yaml: [预警"]


def test_notice_columns_are_stale_after_183_days(cluster_root):
    root = five_news_columns(cluster_root, kind="notice")
    day = (datetime(2024, 5, 1) + timedelta(days=183)).strftime("%Y-%m-%d")
    before = (datetime(2024, 5, 1) + timedelta(days=182)).strftime("%Y-%m-%d")
    assert [f.split("]")[0] for f in findings(root, day, "columns-stale")] == ["departments/jxj.yaml: [单项否决"]
    assert [f.split("]")[0] for f in findings(root, before, "columns-stale")] == ["departments/jxj.yaml: [预警"]


def test_ten_columns_not_updated_for_a_year_are_a_veto(cluster_root):
    root = five_news_columns(cluster_root, kind="plan", count=10, date="2023-05-01 10:00")
    listed = "、".join(f"栏目{n}（jxj/c{n}，{{age}}天）" for n in range(1, 11))
    assert findings(root, "2024-04-30", "columns-long-stale") == [
        "departments/jxj.yaml: [单项否决] columns-long-stale: expected fewer than 10 columns not updated for 365 days, "
        "found 10: " + listed.format(age=365) + ". Update these columns, or merge or close the ones nobody keeps up."]
    assert findings(root, "2024-04-29", "columns-long-stale") == [
        "departments/jxj.yaml: [预警] columns-long-stale: expected fewer than 7 columns not updated for 330 days "
        "(early warning; the veto is at 10 columns not updated for 365 days), found 10: " + listed.format(age=364)
        + ". Update these columns, or merge or close the ones nobody keeps up."]


def test_five_blank_columns_are_a_veto_three_a_warning(cluster_root):
    root = cluster_root({"departments/jxj.yaml": dept(*(f"c{n} 栏目{n} news" for n in range(1, 6)))})
    assert findings(root, "2024-05-02", "blank-columns")[-1] == (
        "departments/jxj.yaml: [单项否决] blank-columns: expected fewer than 5 blank columns (空白栏目), found 5: "
        "栏目1（jxj/c1）、栏目2（jxj/c2）、栏目3（jxj/c3）、栏目4（jxj/c4）、栏目5（jxj/c5）. "
        "Publish the columns' first items, or remove the columns from the menu.")
    root = cluster_root({"departments/jxj.yaml": dept(*(f"c{n} 栏目{n} page" for n in range(1, 5))),
                         "content/jxj/c4/a.md": page()})
    assert findings(root, "2024-05-02", "blank-columns")[-1] == (
        "departments/jxj.yaml: [预警] blank-columns: expected fewer than 3 blank columns (early warning; the veto is "
        "at 5), found 3: 栏目1（jxj/c1）、栏目2（jxj/c2）、栏目3（jxj/c3）. "
        "Publish the columns' first items, or remove the columns from the menu.")
    root = cluster_root({"departments/jxj.yaml": dept(*(f"c{n} 栏目{n} page" for n in range(1, 5))),
                         "content/jxj/c4/a.md": page(), "content/jxj/c3/a.md": page()})
    assert [f for f in findings(root, "2024-05-02", "blank-columns") if "jxj" in f] == []


def test_a_page_dated_in_the_future_waits_and_is_listed_as_scheduled(cluster_root):
    root = cluster_root({"content/portal/zwyw/later.md": page("明年的会议", "2024-06-01 09:00")})
    assert findings(root, "2024-05-31", "future-date") == [
        "content/portal/zwyw/later.md:3: [定时发布] future-date: expected a date on or before 2024-05-31 23:59 to be "
        "published, found 2024-06-01 09:00 (明年的会议). Nothing to do: the build publishes it from that time on."]
    cluster, later = cluster_of(root, datetime(2024, 5, 31, 23, 59))
    assert "portal/zwyw/later" not in cluster.pages and [s.rel for s in later] == ["content/portal/zwyw/later.md"]
    assert findings(root, "2024-06-01", "future-date") == []
    assert findings(root, "2024-05-31", "future-date", hold_back=False) == [
        "content/portal/zwyw/later.md:3: [扣分] future-date: expected a page published on or after its date "
        "(2024-06-01 09:00), found it in the built site on 2024-05-31 23:59. "
        "Rebuild: a page dated in the future waits for its time."]


def test_scaffold_placeholders_are_found(cluster_root):
    root = cluster_root({
        "departments/jxj.yaml": DEPT_YAML.replace("address: 测试市人民路2号", "address: 请填写办公地址"),
        "content/portal/zwyw/first-news.md": page("市政府召开常务会议", "2024-05-01 10:00", "会议研究了有关工作。"),
        "content/jxj/gzdt/a.md": page("新闻", body="\n正文。"),
        "content/jxj/tzgg/b.md": page("通知", body="联系电话：请填写咨询电话，工作日受理。"),
        "content/jxj/zcwj/c.md": item("关于印发某办法的通知", number=f"{CODE}/2024-00001", body="办法全文。").replace(
            "keywords: [测试]", "keywords: [关于印发某办法的通知]"),
        "content/jxj/xxgk/index-numbers.tsv": f"2024\t1\t{CODE}/2024-00001\tzcwj/c.md\n",
    })
    assert findings(root, "2024-05-02", "placeholder") == [
        "content/jxj/gzdt/a.md:6: [扣分] placeholder: expected the page's own text, found the scaffold's body '正文。'. "
        "Replace the scaffold's placeholder with the real text.",
        "content/jxj/tzgg/b.md:5: [扣分] placeholder: expected the page's own text, found '请填写咨询电话，工作日受理。'. "
        "Replace the scaffold's placeholder with the real text.",
        "departments/jxj.yaml:5: [扣分] placeholder: expected the department's real contact.address, found '请填写办公地址'. "
        "Replace the scaffold's placeholder with the real text.",
        "content/jxj/zcwj/c.md:4: [预警] placeholder: expected 主题词 that name the subject (the scaffold copies the "
        "title), found the 主题词 '关于印发某办法的通知'. Write the item's real 主题词.",
    ]


# ---------------------------------------------------------------- wording and personal data


def test_a_typo_in_the_country_name_is_a_veto_with_its_sentence_and_line(cluster_root):
    root = cluster_root({"content/portal/zwyw/a.md": page("会议", body="第一段。\n\n根据中华人名共和国有关法律，制定本办法。"
                                                          "截止目前已完成。")})
    assert findings(root, "2024-05-02", "typo") == [
        "content/portal/zwyw/a.md:7: [单项否决] typo: expected '中华人民共和国' (严重表述错误), found '中华人名共和国' in "
        "“根据中华人名共和国有关法律，制定本办法。”. Correct it to '中华人民共和国'.",
        "content/portal/zwyw/a.md:7: [扣分] typo: expected '截至目前' (错别字), found '截止目前' in “截止目前已完成。”. "
        "Correct it to '截至目前'.",
    ]


LEADERS = SITE_YAML + """check:
  leaders:
    - {name: 王建国, title: 市长, misspellings: [王健国], former_titles: [副市长], since: 2024-03-01}
  sensitive_words: [内部资料]
"""


def test_a_leaders_outdated_title_is_a_veto_from_the_day_it_changed(cluster_root):
    body = "副市长王建国出席会议。市长王建国讲话。"
    root = cluster_root({"site.yaml": LEADERS, "content/portal/zwyw/a.md": page("会议", "2024-03-01 09:00", body)})
    assert findings(root, "2024-05-02", ("leader-title", "leader-name")) == [
        "content/portal/zwyw/a.md:5: [单项否决] leader-title: expected '市长王建国' (the leader's name and title in "
        "site.yaml), found '副市长王建国' in “副市长王建国出席会议。”. Correct it to '市长王建国'."]
    root = cluster_root({"site.yaml": LEADERS, "content/portal/zwyw/a.md": page("会议", "2024-02-29 09:00", body)})
    assert findings(root, "2024-05-02", ("leader-title", "leader-name")) == []


def test_a_misspelt_leader_and_a_sensitive_word(cluster_root):
    root = cluster_root({"site.yaml": LEADERS, "content/portal/zwyw/a.md": page("会议", body="王健国出席。本文为内部资料。")})
    assert findings(root, "2024-05-02", ("leader-name", "sensitive-word")) == [
        "content/portal/zwyw/a.md:5: [单项否决] leader-name: expected '王建国' (the leader's name and title in "
        "site.yaml), found '王健国' in “王健国出席。”. Correct it to '王建国'.",
        "content/portal/zwyw/a.md:5: [扣分] sensitive-word: expected no word from the admin's sensitive list, found "
        "'内部资料' in “本文为内部资料。”. Reword or remove it.",
    ]


def test_personal_data_is_found_and_masked(cluster_root):
    body = ("申请人张某，身份证号11010519491231002X，银行卡6222021234567890128，手机13812345678。\n\n"
            "编号110105194912310021不是身份证号，卡号6222021234567890129也不是。")
    root = cluster_root({"content/portal/zwyw/a.md": page("公示", body=body)})
    veto = "Remove it, or mask it (keep the first 3 and the last 4 digits); if it was published by mistake, " \
           "also ask the search engines to drop the page."
    assert findings(root, "2024-05-02", ("id-number", "bank-card", "mobile-number")) == [
        f"content/portal/zwyw/a.md:5: [单项否决] bank-card: expected no bank card number of a person in public text, "
        f"found bank card number 622************0128. {veto}",
        f"content/portal/zwyw/a.md:5: [单项否决] id-number: expected no 身份证号 of a person in public text, "
        f"found 身份证号 110***********002X. {veto}",
        "content/portal/zwyw/a.md:5: [预警] mobile-number: expected no mobile number of a person in public text, "
        "found mobile number 138****5678. Keep it only if it is an official contact number meant to be public.",
    ]


# ---------------------------------------------------------------- links and accessibility


def test_raw_html_links_and_anchors_that_lead_nowhere(cluster_root):
    body = ('<p><a href="/jxj/nowhere/">旧栏目</a> <a href="/zwyw/b/#di-yi-jie">第一节</a> '
            '<a href="/zwyw/b/#nothing">不存在</a> <a href="https://www.example.gov.cn/zwyw/b/">全称</a></p>')
    root = cluster_root({"content/portal/zwyw/a.md": page("会议", body=body),
                         "content/portal/zwyw/b.md": page("另一篇", body="## 第一节 {: #di-yi-jie }\n\n内容。")})
    assert findings(root, "2024-05-02", ("broken-link", "broken-anchor")) == [
        "content/portal/zwyw/a.md:5: [扣分] broken-anchor: expected an element with id 'nothing' on /zwyw/b/, found "
        "the link '/zwyw/b/#nothing' to no such anchor. Link an existing heading, or drop the #part.",
        "content/portal/zwyw/a.md:5: [扣分] broken-link: expected a link to a page or file of the site, found "
        "'/jxj/nowhere/', which is not in the built site. Correct the address, or link the page's source file "
        "(../zcwj/x.md) so the build checks it.",
    ]


def test_accessibility_the_build_can_see(cluster_root):
    body = ("#### 小节\n\n![](https://img.example.org/photo.png)\n\n"
            "<table><tr><td>1</td></tr></table>\n\n详见[点击这里](https://www.example.org/)。")
    root = cluster_root({"content/portal/zwyw/a.md": page("会议", body=body)})
    assert findings(root, "2024-05-02", ("heading-order", "image-alt", "table-headers", "link-text")) == [
        "content/portal/zwyw/a.md:5: [预警] heading-order: expected headings that go down one level at a time from ## "
        "(the page title is the only level 1), found level 4 after level 1: '小节'. Use ## for sections and ### "
        "inside them.",
        "content/portal/zwyw/a.md:7: [预警] image-alt: expected alt text on every image (GB/T 37668), found the image "
        "photo.png without it. Describe the image: ![说明](图片.png).",
        "content/portal/zwyw/a.md:9: [预警] table-headers: expected a header row on every table (GB/T 37668), found a "
        "table without <th> cells. Give the table a header row (the first row of a Markdown table, above the |---| "
        "line).",
        "content/portal/zwyw/a.md:11: [预警] link-text: expected link text that names its target (GB/T 37668), found "
        "'点击这里'. Write what the link opens, such as [实施细则全文](...).",
    ]


# ---------------------------------------------------------------- identity


def test_site_identity_warnings(cluster_root):
    root = cluster_root({"site.yaml": SITE_YAML.replace("https://www.example.gov.cn", "https://www.example.com")
                         .replace('"3399000001"', '"bm12345678"')})
    assert findings(root, "2024-05-02", ("gov-mark", "gov-domain")) == [
        "site.yaml: [预警] gov-mark: expected the 党政机关网站标识 (site.yaml: gov_mark with its link and image), "
        "found none. Add gov_mark: {link: …, image: …} with what the 机构编制 office issued.",
        "site.yaml:2: [预警] gov-domain: expected a base_url under .gov.cn, found 'www.example.com'. "
        "Use the site's registered .gov.cn address as base_url.",
    ]


def test_the_site_id_code_takes_ten_digits_or_bm_and_eight(cluster_root):
    from sitegen.config import load_site
    site, problems = load_site(cluster_root({"site.yaml": SITE_YAML.replace('"3399000001"', '"bm1234567"')}))
    assert [str(p) for p in problems] == [
        "site.yaml:4: site_id_code: expected a 网站标识码 of 10 digits, or bm and 8 digits (quote it in YAML: "
        "\"3302000001\"), found 'bm1234567'"]


REPORTS = SITE_YAML.replace("  - {slug: about, title: 关于本站, kind: page}",
                            "  - {slug: about, title: 关于本站, kind: page}\n"
                            "  - {slug: ndbb, title: 政府网站工作年度报表, kind: page}") + "check: {website_reports: ndbb}\n"


def test_the_website_report_column_must_be_declared(cluster_root):
    root = cluster_root({"site.yaml": SITE_YAML + "check: {website_reports: ndbb}\n"})
    assert findings(root, "2025-01-02", "website-report") == [
        "site.yaml:15: [预警] website-report: expected check.website_reports naming a portal column of site.yaml, "
        "found 'ndbb', which is not one. Declare it: columns: - {slug: ndbb, title: 政府网站工作年度报表, kind: page}."]


def test_last_years_website_report_is_due_by_31_january(cluster_root):
    root = cluster_root({"site.yaml": REPORTS})
    expected = "expected the 2024 政府网站工作年度报表 published by 2025-01-31 (国办函〔2018〕12号), found "
    assert findings(root, "2025-01-20", "website-report") == []
    assert findings(root, "2025-01-21", "website-report") == [
        f"content/portal/ndbb/2024.md: [预警] website-report: {expected}none yet, 10 days before the deadline. "
        "Publish it as content/portal/ndbb/2024.md."]
    assert findings(root, "2025-01-31", "website-report")[0].startswith("content/portal/ndbb/2024.md: [预警]")
    assert findings(root, "2025-02-01", "website-report") == [
        f"content/portal/ndbb/2024.md: [扣分] website-report: {expected}none yet. "
        "Publish it as content/portal/ndbb/2024.md."]


# ---------------------------------------------------------------- 信息公开


def test_publication_after_20_working_days_is_a_warning(cluster_root):
    # 2024-09-27 (Friday) to 2024-10-31: the National Day week and its 调休 Saturday counted.
    files = {"content/jxj/zcwj/a.md": item(number=f"{CODE}/2024-00001", date="2024-10-31 09:00", written="2024-09-27"),
             "content/jxj/zcwj/b.md": item("另一文件", number=f"{CODE}/2024-00002", date="2024-10-30 09:00",
                                           written="2024-09-27"),
             "content/jxj/xxgk/index-numbers.tsv": f"2024\t1\t{CODE}/2024-00001\tzcwj/a.md\n"
                                                   f"2024\t2\t{CODE}/2024-00002\tzcwj/b.md\n"}
    root = cluster_root(files)
    assert findings(root, "2024-11-02", "xxgk-deadline") == [
        "content/jxj/zcwj/a.md:3: [预警] xxgk-deadline: expected publication within 20 working days of the 成文日期 "
        "2024-09-27 (条例第二十六条), found 2024-10-31, 21 working days later. Publish items within the deadline; "
        "the date of this one stays as it was."]


def test_the_deadline_is_a_build_warning_through_as_problems(cluster_root):
    root = cluster_root({"content/jxj/zcwj/a.md": item(number=f"{CODE}/2024-00001", date="2024-10-31 09:00",
                                                       written="2024-09-27"),
                         "content/jxj/xxgk/index-numbers.tsv": f"2024\t1\t{CODE}/2024-00001\tzcwj/a.md\n"})
    as_of = datetime(2024, 11, 2)
    cluster, _ = cluster_of(root, as_of)
    late = [f for f in check.run(cluster, root / "out", as_of, root=root) if f.rule == "xxgk-deadline"]
    assert [str(p) for p in check.as_problems(late)] == [
        "content/jxj/zcwj/a.md:3: check xxgk-deadline: expected publication within 20 working days of the 成文日期 "
        "2024-09-27 (条例第二十六条) [预警], found 2024-10-31, 21 working days later. Publish items within the "
        "deadline; the date of this one stays as it was. (warning)"]


NB = "## 一、总体情况\n\n## 二、主动公开政府信息情况\n\n[[主动公开统计]]\n\n## 三、收到和处理政府信息公开申请情况\n\n" \
     "## 四、政府信息公开行政复议、行政诉讼情况\n\n## 五、存在的主要问题及改进情况\n\n## 六、其他需要报告的事项\n"


def test_last_years_annual_report_is_due_by_31_january_with_its_six_parts(cluster_root):
    root = cluster_root()
    expected = "expected the 2024 政府信息公开年报 published by 2025-01-31 (条例第四十九条), found "
    assert findings(root, "2025-01-20", "xxgk-annual-report") == []
    assert findings(root, "2025-01-21", "xxgk-annual-report") == [
        f"content/jxj/xxgk/nb/2024.md: [预警] xxgk-annual-report: {expected}none yet, 10 days before the deadline. "
        "Publish it as content/jxj/xxgk/nb/2024.md."]
    assert findings(root, "2025-02-01", "xxgk-annual-report") == [
        f"content/jxj/xxgk/nb/2024.md: [扣分] xxgk-annual-report: {expected}none yet. "
        "Publish it as content/jxj/xxgk/nb/2024.md."]
    root = cluster_root({"content/jxj/xxgk/nb/2024.md": page("2024年年报", "2025-01-31 17:00", NB)})
    assert findings(root, "2025-02-01", "xxgk-annual-report") == []
    root = cluster_root({"content/jxj/xxgk/nb/2024.md": page("2024年年报", "2025-02-01 09:00",
                                                             NB.split("## 四")[0])})
    assert findings(root, "2025-02-01", "xxgk-annual-report") == [
        "content/jxj/xxgk/nb/2024.md: [扣分] xxgk-annual-report: expected a 年报 with its six parts, statistics "
        "included (## 一、总体情况 … ## 六、其他需要报告的事项), found no part 行政复议、行政诉讼情况、"
        "存在的主要问题及改进情况、其他需要报告的事项. Add the missing parts as ## headings, with their tables.",
        f"content/jxj/xxgk/nb/2024.md:3: [扣分] xxgk-annual-report: {expected}it published 2025-02-01. "
        "Publish next year's on time."]


def test_a_guide_older_than_the_configured_age(cluster_root):
    root = cluster_root({"site.yaml": SITE_YAML + "check: {guide_max_days: 365}\n",
                         "content/jxj/xxgk/zd.md": page("制度", "2024-06-01 09:00")})
    assert findings(root, "2025-01-03", "xxgk-guide") == []
    assert findings(root, "2025-01-04", "xxgk-guide") == [
        "content/jxj/xxgk/zn.md:3: [扣分] xxgk-guide: expected a 政府信息公开指南 revised within 365 days, found one "
        "dated 2024-01-05, 365 days old. Review it against the department's current 职能, address and procedures, "
        "and republish it with today's date."]


def test_interpretation_ratio_against_the_target(cluster_root):
    files = {f"content/jxj/zcwj/p{n}.md": item(f"政策{n}", f"2024-0{n}-10 09:00", f"2024-0{n}-09",
                                               number=f"{CODE}/2024-0000{n}") for n in (1, 2)}
    files["content/jxj/xxgk/index-numbers.tsv"] = "".join(f"2024\t{n}\t{CODE}/2024-0000{n}\tzcwj/p{n}.md\n"
                                                          for n in (1, 2))
    files["content/jxj/zcjd/j1.md"] = page("政策1解读", "2024-01-11 09:00", interprets="../zcwj/p1.md")
    root = cluster_root({**files, "site.yaml": SITE_YAML + "check: {interpretation_target: 0.6}\n"})
    assert findings(root, "2024-05-02", "xxgk-interpretation") == [
        "departments/jxj.yaml: [扣分] xxgk-interpretation: expected 解读比例 of at least 60% for the policies published "
        "since 2023-05-04, found 1 of 2 interpreted (50%). Publish interpretations (interprets: ../zcwj/<policy>.md) "
        "of: 政策2."]
    root = cluster_root({**files, "site.yaml": SITE_YAML + "check: {interpretation_target: 0.5}\n"})
    assert findings(root, "2024-05-02", "xxgk-interpretation") == []


def test_a_valid_item_citing_a_repealed_one(cluster_root):
    extra = "  validity: 废止\n  invalid_from: 2024-04-01\n"
    root = cluster_root({
        "content/jxj/zcwj/old.md": item("旧办法", "2024-01-10 09:00", "2024-01-09", number=f"{CODE}/2024-00001",
                                        extra=extra),
        "content/jxj/zcwj/new.md": item("执行通知", "2024-04-10 09:00", "2024-04-09", number=f"{CODE}/2024-00002",
                                        body="按照[旧办法](old.md)执行。"),
        "content/jxj/xxgk/index-numbers.tsv": f"2024\t1\t{CODE}/2024-00001\tzcwj/old.md\n"
                                              f"2024\t2\t{CODE}/2024-00002\tzcwj/new.md\n"})
    assert findings(root, "2024-05-02", "xxgk-cites-void") == [
        "content/jxj/zcwj/new.md: [预警] xxgk-cites-void: expected a 有效 item that cites documents in force, found "
        "a link to 旧办法, 废止 since 2024-04-01. Cite the document that replaced it, or say why the old one still "
        "matters."]


# ---------------------------------------------------------------- the built HTML (one build per module)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from clusters import make_cluster
    root = make_cluster(tmp_path_factory.mktemp("check") / "site", {
        "site.yaml": REPORTS,
        "content/portal/ndbb/2024.md": page("2024年政府网站工作年度报表", "2025-01-20 09:00", "报表。"),
        "content/jxj/gzdt/a.md": page("新闻", "2025-01-10 09:00", "内容。"),
        "content/jxj/zcwj/old.md": item("旧办法", "2024-01-10 09:00", "2024-01-09",
                                        extra="  validity: 失效\n  invalid_from: 2024-12-31\n"),
    })
    assign(root)
    build(root, root / "build" / "site")
    return root


def test_the_built_pages_carry_the_required_metadata(built):
    from bs4 import BeautifulSoup
    assert findings(built, "2025-02-01", ("metadata", "visible-date", "xxgk-validity-notice", "website-report")) == []
    soup = BeautifulSoup((built / "build/site/jxj/gzdt/index.html").read_text(encoding="utf-8"), "html.parser")
    meta = {m["name"]: m["content"] for m in soup.find_all("meta", attrs={"name": True})}
    assert (meta["ColumnDescription"], meta["ColumnKeywords"]) == ("测试市经济和信息化局工作动态栏目", "工作动态,市经信局")
    soup = BeautifulSoup((built / "build/site/jxj/gzdt/a/index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find("meta", attrs={"name": "ColumnKeywords"})["content"] == "工作动态,市经信局"


def test_a_built_page_missing_metadata_a_date_or_a_notice(built, tmp_path):
    import shutil
    web = tmp_path / "site"
    shutil.copytree(built / "build/site", web)
    article = web / "jxj/gzdt/a/index.html"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace('<meta name="ColumnKeywords"', '<meta name="X"').replace("<time", "<span"),
                       encoding="utf-8")
    old = web / "jxj/zcwj/old/index.html"
    old.write_text(old.read_text(encoding="utf-8").replace('class="notice notice-', 'class="x-'), encoding="utf-8")
    home = web / "index.html"
    home.write_text(home.read_text(encoding="utf-8").replace('href="/ndbb/"', 'href="/x/"'), encoding="utf-8")
    assert findings(built, "2025-02-01", ("metadata", "visible-date", "xxgk-validity-notice", "website-report"),
                    web_root=web) == [
        "content/portal/ndbb/2024.md: [扣分] website-report: expected a link from the portal home page to the 2024 "
        "report (/ndbb/2024/) or to its column, found no such link on /. Link the column from the home page (the "
        "theme's portal.html shows it when check.website_reports is set).",
        "content/jxj/gzdt/a.md: [扣分] metadata: expected the meta tags SiteName, SiteDomain, SiteIDCode, ColumnName, "
        "ColumnDescription, ColumnKeywords, ColumnType, ArticleTitle, PubDate, ContentSource on /jxj/gzdt/a/, found "
        "none for ColumnKeywords. Emit the missing <meta> tags from the theme's base.html (chrome.meta), then rebuild.",
        "content/jxj/gzdt/a.md: [扣分] visible-date: expected a visible publish date on the article, found no <time> "
        "element in /jxj/gzdt/a/. Show the date in the theme's article.html (发布日期), then rebuild.",
        "content/jxj/zcwj/old.md: [扣分] xxgk-validity-notice: expected a notice that the item is 失效 on its page, "
        "found none on /jxj/zcwj/old/. Keep the theme's validity notice in article.html, then rebuild.",
    ]


def test_check_before_any_build_says_so(cluster_root):
    root = cluster_root()
    assert findings(root, "2024-05-02", "metadata") == [
        f"site.yaml: [扣分] metadata: expected a built site in {root / 'build' / 'site'}, found no such folder. "
        "Build the site (sitegen build) before checking it."]


# ---------------------------------------------------------------- the command


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_command_writes_text_json_and_the_html_scorecard_outside_the_web_root(built):
    result = run("check", "--root", str(built), "--as-of", "2025-02-01")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "测试市人民政府 as of 2025-02-01 23:59: 1 单项否决, 3 扣分, 2 预警, 0 定时发布"
    assert run("check", "--root", str(built), "--as-of", "2025-02-01", "--strict").exit_code == 1
    data = json.loads(run("check", "--root", str(built), "--as-of", "2025-02-01", "--format", "json").output)
    assert data["scorecard"][1] == {"department": "jxj", "name": "测试市经济和信息化局", "veto": 1, "deduction": 2,
                                    "warning": 0, "scheduled": 0}
    assert {"rule", "level", "expected", "found", "todo", "department", "column", "file", "line"} == set(data["findings"][0])
    result = run("check", "--root", str(built), "--as-of", "2025-02-01", "--format", "html")
    report = built / "build/reports/check.html"
    assert result.output == f"wrote {report}\n"
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in soup.find("table").find_all("tr")]
    assert rows[2] == ["测试市经济和信息化局（jxj）", "1", "2", "0", "0"]
    result = CliRunner().invoke(main, ["check", "--root", str(built), "--format", "html", "--report",
                                       str(built / "build/site/check.html")])
    assert result.exit_code == 1
    assert f"the report {built / 'build/site/check.html'} would be published" in result.output


def test_an_unreadable_as_of_date(built):
    result = CliRunner().invoke(main, ["check", "--root", str(built), "--as-of", "2025-13-01"])
    assert result.exit_code == 2
    assert "expected a date as YYYY-MM-DD (such as 2026-11-30), found '2025-13-01'" in result.output


def test_new_page_is_dated_in_china_time_on_a_utc_server(cluster_root):
    import os
    import subprocess
    import sys
    from sitegen.model import CST
    root = cluster_root()
    env = {**os.environ, "TZ": "UTC"}
    subprocess.run([sys.executable, "-m", "sitegen", "new", "page", "--root", str(root), "-d", "jxj", "-c", "gzdt",
                    "--slug", "tz", "时区测试"], check=True, env=env, capture_output=True)
    written = (root / "content/jxj/gzdt/tz.md").read_text(encoding="utf-8").split("\n")[2]
    stamp = datetime.strptime(written, "date: %Y-%m-%d %H:%M")
    beijing = datetime.now(CST).replace(tzinfo=None)
    assert abs((beijing - stamp).total_seconds()) < 180


# ---------------------------------------------------------------- external links (a loopback server)


@pytest.fixture
def loopback():
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            asked.append(self.path)
            if self.path == "/no-head":
                self.send_response(405)
            else:
                self.send_response(200 if self.path in ("/ok", "/no-head-get") else 404)
            self.end_headers()

        def do_GET(self):
            asked.append("GET " + self.path)
            self.send_response(200 if self.path == "/no-head" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()


def test_external_links_are_checked_once_and_cached_with_their_date(cluster_root, loopback):
    base, asked = loopback
    body = f"[好的]({base}/ok) [拒绝HEAD]({base}/no-head) [坏的]({base}/gone)"
    root = cluster_root({"content/portal/zwyw/a.md": page("链接", body=body)})
    cache = root / "build/reports/links.json"
    as_of = datetime(2024, 5, 2, 12, 0)
    cluster, _ = cluster_of(root, as_of)
    found = [str(f) for f in check.run(cluster, root / "out", as_of, root=root, external_cache=cache)
             if f.rule == "external-link"]
    assert found == [f"content/portal/zwyw/a.md:5: [扣分] external-link: expected a working link to another site "
                     f"(checked 2024-05-02), found '{base}/gone' answering 404. Correct or remove the link."]
    assert sorted(asked) == ["/gone", "/no-head", "/ok", "GET /no-head"]
    rows = json.loads(cache.read_text(encoding="utf-8"))
    assert [(r["url"].removeprefix(base), r["status"], r["checked"]) for r in rows] == [
        ("/gone", 404, "2024-05-02"), ("/no-head", 200, "2024-05-02"), ("/ok", 200, "2024-05-02")]
    asked.clear()
    check.run(cluster, root / "out", as_of + timedelta(days=6), root=root, external_cache=cache)
    assert asked == []      # six days later every answer comes from the cache
    check.run(cluster, root / "out", as_of + timedelta(days=7), root=root, external_cache=cache)
    assert len(asked) == 4


def test_an_external_server_that_does_not_answer(cluster_root):
    import socket
    with socket.socket() as s:       # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = cluster_root({"content/portal/zwyw/a.md": page("链接", body=f"[坏的](http://127.0.0.1:{port}/x)")})
    as_of = datetime(2024, 5, 2, 12, 0)
    cluster, _ = cluster_of(root, as_of)
    found = [str(f) for f in check.run(cluster, root / "out", as_of, root=root,
                                       external_cache=root / "links.json") if f.rule == "external-link"]
    assert found == [f"content/portal/zwyw/a.md:5: [扣分] external-link: expected a working link to another site "
                     f"(checked 2024-05-02), found 'http://127.0.0.1:{port}/x' not answering ([Errno 111] Connection "
                     "refused). Correct or remove the link."]


def test_a_column_can_name_its_own_description_and_keywords(cluster_root):
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML.replace(
        "{slug: gzdt, title: 工作动态, kind: news}",
        "{slug: gzdt, title: 工作动态, kind: news, description: 经信系统工作动态, keywords: [工业, 信息化]}")})
    cluster, _ = cluster_of(root, datetime(2024, 5, 2))
    gzdt, tzgg = cluster.columns["jxj/gzdt"], cluster.columns["jxj/tzgg"]
    assert (gzdt.description, gzdt.keywords) == ("经信系统工作动态", ("工业", "信息化"))
    assert (tzgg.description, tzgg.keywords) == ("测试市经济和信息化局通知公告栏目", ("通知公告", "市经信局"))


# ---------------------------------------------------------------- the demo


@pytest.mark.slow
def test_the_demo_passes_with_no_veto_and_no_deduction_as_of_2026_11_30(tmp_path):
    from clusters import REPO
    out = tmp_path / "site"
    # The build shows the same rules as warnings: early warnings (预警) only, nothing else.
    warnings = build(REPO, out, now=datetime(2026, 11, 30, 12, 0)).warnings
    assert [str(w) for w in warnings if not w.field.startswith("check ") or "[预警]" not in w.expected] == []
    result = run("check", "--root", str(REPO), "--out", str(out), "--as-of", "2026-11-30", "--strict",
                 "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [f for f in data["findings"] if f["level"] in ("veto", "deduction")] == []
    # Warnings stay: the 党政机关网站标识 is issued by the 编办, not invented for a demo.
    assert "gov-mark" in {f["rule"] for f in data["findings"]}


def test_the_command_reads_bodies_from_the_built_files_and_finds_the_same(cluster_root):
    """`sitegen check` loads the cluster from the build's cache and reads each body from the built
    page; the build hands run() its own cluster. Both must find the same."""
    from sitegen.check import cluster as clusters
    body = ("#### 小节\n\n根据中华人名共和国有关法律。身份证号11010519491231002X。\n\n"
            "<p><a href=\"/jxj/nowhere/\">旧栏目</a></p>\n\n![](https://img.example.org/p.png)\n\n详见[点击这里](b.md)。")
    root = cluster_root({"content/portal/zwyw/a.md": page("会议", "2024-05-01 10:00", body),
                         "content/portal/zwyw/b.md": page("另一篇", "2024-05-01 11:00", "正文。"),
                         "content/jxj/xxgk/nb/2023.md": page("2023年年报", "2024-01-20 09:00", NB.split("## 五")[0])})
    build(root, root / "build" / "site")
    as_of = datetime(2024, 5, 2, 23, 59)
    full, _ = cluster_of(root, as_of)
    skimmed, later, problems = clusters.load(root, as_of)
    assert not errors_in(problems) and skimmed.pages["portal/zwyw/a"].body == full.pages["portal/zwyw/a"].body
    web = root / "build" / "site"
    expected = [str(f) for f in check.run(full, web, as_of, root=root)]
    assert [str(f) for f in check.run(skimmed, web, as_of, root=root, scheduled=later)] == expected
    assert {f.split("] ")[1].split(":")[0] for f in expected} >= {
        "typo", "id-number", "broken-link", "image-alt", "link-text", "heading-order", "placeholder",
        "xxgk-annual-report"}


# ---------------------------------------------------------------- 互动交流


def test_letters_without_a_reply_warn_after_10_working_days_and_a_consultation_is_a_veto_after_3_months(cluster_root):
    from dataclasses import replace

    from sitegen.check.context import Context
    from sitegen.check.letters import unanswered
    from sitegen.letters.publish import EMPTY, Waiting

    root = cluster_root({})
    cluster, _ = cluster_of(root, datetime(2024, 6, 1))
    waiting = (Waiting("20240304001", "jxj", "建议", datetime(2024, 3, 4, 9, 0)),
               Waiting("20240304002", "portal", "咨询", datetime(2024, 3, 4, 10, 0)))
    cluster = replace(cluster, letters=replace(EMPTY, waiting=waiting))

    def found(day: str) -> list[str]:
        ctx = Context(cluster, root / "build" / "site", datetime.strptime(day, "%Y-%m-%d").replace(hour=23, minute=59))
        return [str(f) for f in unanswered(ctx)]

    # Received Monday 4 March 2024: the 10th working day after it is Monday 18 March.
    assert found("2024-03-18") == []
    assert found("2024-03-19") == [
        "jxj: [预警] letter-unanswered: expected a reply within 10 working days, found letter 20240304001 (建议) to "
        "the 测试市经济和信息化局信箱, received 2024-03-04, 11 working days without a reply. Answer it in "
        "/letters/admin/, or transfer it to the department it belongs to.",
        "portal: [预警] letter-unanswered: expected a reply within 10 working days, found letter 20240304002 (咨询) "
        "to the 测试市人民政府市长信箱, received 2024-03-04, 11 working days without a reply. Answer it in "
        "/letters/admin/, or transfer it to the department it belongs to."]
    # Three months run to 4 June: a 咨询 still open on 5 June fails the site.
    assert found("2024-06-04")[1].startswith("portal: [预警] letter-unanswered")
    assert found("2024-06-05")[1] == (
        "portal: [单项否决] letter-unanswered: expected a reply to every 政务咨询 within 3 months, found letter "
        "20240304002 to the 测试市人民政府市长信箱, received 2024-03-04, unanswered. Answer it now in /letters/admin/ "
        "(staff of the mailbox, or an admin).")


def test_a_build_reads_no_page_again_its_check_has_the_facts_from_rendering_and_the_cache(cluster_root, monkeypatch):
    root = cluster_root({"content/jxj/gzdt/a.md": page("新闻甲", "2025-01-10 09:00", "内容。"),
                         "content/jxj/gzdt/b.md": page("新闻乙", "2025-01-11 09:00", "内容。")})
    now = datetime(2025, 2, 1, 12, 0)
    build(root, now=now, index=False)
    read: list[str] = []
    original = check.Context.read
    monkeypatch.setattr(check.Context, "read", lambda self, url: read.append(url) or original(self, url))
    (root / "content/jxj/gzdt/a.md").write_text(page("新闻甲", "2025-01-10 09:00", "改过的内容。"), encoding="utf-8")
    report = build(root, now=now, index=False)
    # The changed page's facts come from its rendering, the unchanged one's from the cache.
    assert report.rendered > 0 and "/jxj/gzdt/a/" not in read and "/jxj/gzdt/b/" not in read
    # What the cached facts found is what a check reading every file finds.
    cluster, later = cluster_of(root, now)
    fresh = check.as_problems(check.run(cluster, root / "build" / "site", now, root=root, scheduled=later))
    assert fresh and [str(w) for w in report.warnings if w.field.startswith("check ")] == [str(p) for p in fresh]
    assert "/jxj/gzdt/b/" in read


def test_the_rules_on_the_cluster_alone_run_forked_while_the_build_renders_and_find_the_same(cluster_root, monkeypatch,
                                                                                             tmp_path):
    body = ("根据中华人名共和国有关法律。身份证号11010519491231002X。\n\n详见[点击这里](b.md)。\n\n"
            "<p><a href=\"/jxj/nowhere/\">旧栏目</a></p>\n\n![](https://img.example.org/p.png)")
    root = cluster_root({"content/jxj/gzdt/a.md": page("新闻甲", "2025-01-10 09:00", body),
                         "content/jxj/gzdt/b.md": page("新闻乙", "2025-01-11 09:00", "请填写正文。")})
    now = datetime(2025, 2, 1, 12, 0)
    pids = tmp_path / "pids"

    def where(ctx):         # a rule on the cluster alone that says which process ran it
        with open(pids, "a") as f:
            f.write(f"{os.getpid()}\n")
        return []

    monkeypatch.setattr(check, "RULES", check.RULES + (where,))
    here = build(root, root / "here", now=now, index=False)
    monkeypatch.setattr(check, "PARALLEL_FROM", 1)
    apart = build(root, root / "apart", now=now, index=False)
    said = {str(w).replace("/apart", "/here") for w in apart.warnings}
    assert said == {str(w) for w in here.warnings}
    assert {"check id-number", "check typo", "check broken-link", "check image-alt"} <= {w.field for w in here.warnings}
    assert [int(p) != os.getpid() for p in pids.read_text().split()] == [False, True]


def test_a_rule_on_the_cluster_alone_cannot_read_the_web_root(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page("新闻甲", "2025-01-10 09:00", "内容。")})
    cluster, _ = cluster_of(root, datetime(2025, 2, 1))
    ctx = check.Context(cluster, None, datetime(2025, 2, 1))
    with pytest.raises(RuntimeError, match="READS_OUTPUT"):
        ctx.read("/")
    # ...and a rule that reads it is listed: begin() runs only the others, with no web root.
    assert check.begin(cluster, datetime(2025, 2, 1))() is not None
