"""Markdown to safe HTML: the extensions editors use, and nothing an attacker can run."""

from __future__ import annotations

import types
from pathlib import Path

import markdown.treeprocessors
from markdown.extensions.toc import TocTreeprocessor
import pytest
from bs4 import BeautifulSoup

from sitegen.markup import Markup


@pytest.fixture(scope="module")
def markup():
    return Markup()


def convert(markup, text, resolve=lambda href: "/resolved/" + href):
    return markup.convert(text, resolve)


def soup(html):
    return BeautifulSoup(html, "html.parser")


ATTACKS = [
    "<script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<iframe src='https://evil.example'></iframe>",
    "<object data='x.swf'></object>",
    "<embed src='x.swf'>",
    "<form action='https://evil.example'><input name=p></form>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<img src=x onerror='alert(1)'>",
    "<p onclick='alert(1)' onmouseover=alert(2)>x</p>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<img src='data:image/svg+xml;base64,PHN2Zy8+'>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "[x](javascript:alert(1))",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_executable_survives(markup, attack):
    html = convert(markup, f"正文\n\n{attack}\n").body
    doc = soup(html)
    assert not doc.find_all(["script", "style", "iframe", "object", "embed", "form", "input", "svg", "math",
                             "base", "meta"])
    for el in doc.find_all(True):
        for name, value in el.attrs.items():
            assert not name.startswith("on"), html
            text = " ".join(value) if isinstance(value, list) else value
            assert "javascript:" not in text.lower() and "data:" not in text.lower(), html
        assert el.name != "div" or "style" not in el.attrs
    assert "alert(1)" not in html or "<" not in html.split("alert(1)")[0][-1:]


def test_tables_footnotes_toc_attr_lists_and_sane_lists(markup):
    text = """\
## 一、总体要求 {: .lead }

| 项目 | 金额 |
|:--|--:|
| 城市大脑 | 1200 |

1. 第一项
2. 第二项

* 不会并入上面的有序列表

说明[^1]

```
GET /api/datasets
```

[^1]: 脚注内容。
"""
    html = convert(markup, text)
    doc = soup(html.body)
    assert doc.find("h2", id="一总体要求")["class"] == ["lead"]
    assert doc.find("table").find("td", style="text-align: right;").text == "1200"
    assert [len(l.find_all("li")) for l in doc.find_all(["ol", "ul"]) if not l.find_parent(class_="footnote")] == [2, 1]
    assert doc.find("a", class_="footnote-ref")["href"] == "#fn:1"
    assert doc.find("pre").text.strip() == "GET /api/datasets"
    assert [h.text for h in html.toc] == ["一、总体要求"]


def test_h1_in_the_body_becomes_h2_so_a_page_keeps_one_h1(markup):
    doc = soup(convert(markup, "# 标题\n\n正文").body)
    assert doc.find("h1") is None and doc.find("h2").text == "标题"


def test_an_editor_cannot_take_the_themes_ids(markup):
    doc = soup(convert(markup, "## 小标题 {: #main }\n").body)
    assert doc.find(id="main") is None and doc.find("h2")["id"] == "c-main"


def test_relative_links_go_through_the_resolver_and_others_do_not(markup):
    html = convert(markup, "[a](../zcwj/x.md#part) [b](https://www.gov.cn/) [c](#note) [d](/xxgk/) [e](missing.md)",
                   lambda href: None if href == "missing.md" else "/jxj/zcwj/x/#part")
    hrefs = [a["href"] for a in soup(html.body).find_all("a")]
    assert hrefs == ["/jxj/zcwj/x/#part", "https://www.gov.cn/", "#note", "/xxgk/", "missing.md"]
    assert html.broken == ("missing.md",)


def test_plain_text_for_descriptions(markup):
    assert convert(markup, "## 标题\n\n正文**加粗**&amp;[链接](https://a.cn)。").text == "标题 正文加粗&链接。"



class _Stock(Markup):
    """The same converter with python-markdown's own inline pass, and its marker search on every page."""

    def _setup(self):
        super()._setup()
        self.md.treeprocessors.register(markdown.treeprocessors.InlineProcessor(self.md), "inline", 20)
        self.md.treeprocessors["toc"].marker = "[TOC]"
        self.md.treeprocessors["toc"].__class__ = TocTreeprocessor     # and its own contents pass
        self.toc = types.SimpleNamespace()      # what convert() sets per page goes nowhere


# Every inline construct, nested in each other and next to Chinese: the fast inline pass must give
# what python-markdown's own gives, byte for byte.
INLINE = [
    "中文**加粗**和*强调*以及_下划线_与__双下划线__，`代码`、\\*转义\\*、[链接](../x.md)、![图](a.png)",
    "***三重*** **嵌套*里面*的** *a **b** c* _a __b__ c_ 2*3*4 snake_case_name",
    "[ref][1] [短引用] ![图引用][1] [^1] <https://example.gov.cn> <a@b.cn> &amp; &#20013; &copy;",
    "行末两个空格  \n换行 <span>内联</span> <!-- 注释 --> <b>粗</b> a < b > c & d",
    "[^1]: 脚注里有**加粗**和[链接](../y.md)\n[1]: https://example.gov.cn \"标题\"",
    "## 标题 *强调* `码` {: #main }\n\n### [链接标题](../z.md)\n\n> 引用 **粗** [链](x.md)\n\n- 列表 *一*\n- 二 `2`",
    "| 表 | *头* |\n|---|:-:|\n| [格](a.md) | **粗** |\n\n```\n*不是强调* [不是链接]\n```",
    "[TOC]\n\n## 一\n\n## 二\n\n\\[TOC\\] 与 &#91;TOC&#93;",
    "没有任何标记的一段中文，只有标点：，。；、！？（）《》“”",
    "only _underscores_ and __strong__ here", "only `code`", "only \\[escaped\\]", "only [a link](x.md)",
    "only <b>html</b>", "only &amp;", "only two spaces  \nbreak", "only <https://example.gov.cn>",
    # Headings of every kind: plain, repeated, empty, with their own id or label, escapes, entities,
    # markup, raw HTML and footnote references, next to one another.
    "## 一、总体要求\n\n## 一、总体要求\n\n### （一）  空格   很多  \n\n## 总体要求_1\n\n##\n\n## \n\n# 一级",
    "## 自定 {: #own }\n\n## own\n\n## 标签 {: data-toc-label=\"短\" }\n\n## 1 < 2 > 0\n\n## A & B\n\n## &copy; 版权",
    "## \\*转义\\*\n\n## *强调* 与 `码`\n\n## <span>内联</span>\n\n## 脚注[^n]\n\n[^n]: 注。\n\n#### 四级\n\n###### 六级",
    "标题一\n===\n\n标题二\n---\n\n## Mixed Case Title 2024\n\n## main\n\n## toc",
]


def test_the_fast_inline_pass_converts_exactly_as_python_markdown_does():
    fast, stock = Markup(), _Stock()
    pages = sorted((Path(__file__).parent.parent / "content").rglob("*.md"))
    assert len(pages) > 100
    texts = INLINE + ["\n\n".join(INLINE)] + [p.read_text(encoding="utf-8") for p in pages]
    for text in texts:
        assert fast.convert(text, lambda href: "/r/" + href) == stock.convert(text, lambda href: "/r/" + href), text[:80]
    assert "<strong>" in fast.convert(INLINE[1], str).body and '<div class="toc">' in fast.convert(INLINE[7], str).body
