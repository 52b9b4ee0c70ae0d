"""意见征集 and 在线访谈: content kinds with their own validated fields, shown on the article page."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from clusters import DEPT_YAML, make_cluster

from sitegen.build import build
from sitegen.errors import BuildFailed

DEPT = DEPT_YAML + "  - {slug: yjzj, title: 意见征集, kind: consultation}\n  - {slug: zxft, title: 在线访谈, kind: interview}\n"
CONSULTATION = """consultation:
  opens: 2024-03-01
  closes: 2024-03-31
  how: 发送电子邮件至 yj@example.gov.cn
  received: 12
  summary: 多数意见支持，建议扩大补贴范围。
  adoption: 采纳 8 条，已将补贴范围扩大到中小企业。"""
INTERVIEW = """interview:
  held: 2024-04-10 15:00
  host: 李主持
  guests:
    - {name: 张三, title: 市经信局局长}
    - {name: 李四, title: 市经信局副局长}"""


def build_with(tmp_path: Path, files: dict) -> Path:
    root = make_cluster(tmp_path / "site", {"departments/jxj.yaml": DEPT, **files})
    build(root)
    return root


def problems(tmp_path: Path, files: dict) -> list[str]:
    with pytest.raises(BuildFailed) as e:
        build_with(tmp_path, files)
    return [str(p) for p in e.value.problems if p.is_error]


def test_a_consultation_shows_its_dates_and_after_closing_its_results(tmp_path):
    root = build_with(tmp_path, {"content/jxj/yjzj/subsidy.md": front("补贴办法（征求意见稿）", CONSULTATION)})
    doc = BeautifulSoup((root / "build/site/jxj/yjzj/subsidy/index.html").read_text(encoding="utf-8"), "html.parser")
    rows = {th.get_text(): th.find_next("td").get_text() for th in doc.select(".consultation-meta th")}
    assert rows == {"征集时间": "2024-03-01 至 2024-03-31", "参与方式": "发送电子邮件至 yj@example.gov.cn"}
    results = doc.select_one(".consultation-results")
    assert [p.get_text() for p in results.find_all("p")] == [
        "征集期间共收到意见建议 12 条。", "多数意见支持，建议扩大补贴范围。", "采纳 8 条，已将补贴范围扩大到中小企业。"]
    assert doc.find("meta", attrs={"name": "ColumnType"})["content"] == "意见征集"


def test_an_interview_shows_when_and_who(tmp_path):
    root = build_with(tmp_path, {"content/jxj/zxft/talk.md": front("访谈：数字经济", INTERVIEW)})
    doc = BeautifulSoup((root / "build/site/jxj/zxft/talk/index.html").read_text(encoding="utf-8"), "html.parser")
    rows = {th.get_text(): th.find_next("td").get_text() for th in doc.select(".interview-meta th")}
    assert rows == {"访谈时间": "2024-04-10 15:00", "访谈嘉宾": "市经信局局长 张三；市经信局副局长 李四",
                    "主持人": "李主持"}


def front(title: str, block: str) -> str:
    return f"---\ntitle: {title}\ndate: 2024-03-01 09:00\n{block}\n---\n正文。\n"


def with_block(block: str, column: str = "yjzj") -> dict:
    return {f"content/jxj/{column}/x.md": front("标题", block)}


@pytest.mark.parametrize("block, column, expected", [
    ("consultation:\n  opens: 2024-03-31\n  closes: 2024-03-01", "yjzj",
     "content/jxj/yjzj/x.md:4: consultation: expected a closing date on or after the opening date 2024-03-31 "
     "(found 2024-03-01), found a mapping"),
    ("consultation:\n  opens: 2024-03-01\n  closes: 2024-03-31\n  summary: 意见很多。", "yjzj",
     "content/jxj/yjzj/x.md:4: consultation: expected the results of a closed consultation as summary: (the "
     "opinions received) and adoption: (how they were used), both, found a mapping"),
    ("consultation:\n  opens: 2024-03-01\n  closes: 三月底", "yjzj",
     "content/jxj/yjzj/x.md:6: consultation.closes: expected a date as YYYY-MM-DD (such as 2024-03-10), found '三月底'"),
    ("consultation:\n  opens: 2024-03-01\n  closes: 2024-03-31\n  received: -1", "yjzj",
     "content/jxj/yjzj/x.md:7: consultation.received: expected a number at least 0, found '-1'"),
    ("keywords: [补贴]", "yjzj",
     "content/jxj/yjzj/x.md:1: consultation: expected consultation: fields (every page of a 意见征集 column has "
     "them), found nothing"),
    ("interview:\n  held: 2024-04-10 15:00\n  guests: []", "zxft",
     "content/jxj/zxft/x.md:6: interview.guests: expected at least 1 items, found a list"),
    ("interview:\n  held: 2024-04-10 15:00\n  guests:\n    - {name: 张三}", "zxft",
     "content/jxj/zxft/x.md:7: interview.guests.0.title: expected a value (this field is required), found nothing"),
    ("interview:\n  held: 2024-04-10 15:00\n  guests:\n    - {name: 张三, title: 局长}", "gzdt",
     "content/jxj/gzdt/x.md:4: interview: expected interview: fields only on pages of a 在线访谈 column (kind: "
     "interview), found a page of a column of kind news"),
])
def test_bad_fields_are_named(tmp_path, block, column, expected):
    assert problems(tmp_path, with_block(block, column)) == [expected]
