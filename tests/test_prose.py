"""Plain prose converted directly: byte for byte what python-markdown makes, or refused."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sitegen import prose
from sitegen.markup import Markup

DEMO = sorted((Path(__file__).parent.parent / "content").rglob("*.md"))


@pytest.fixture(scope="module")
def markup():
    return Markup()


def resolve(href: str) -> str | None:
    """Some links lead nowhere, some to addresses the serializer has to escape."""
    if "missing" in href:
        return None
    return f'/to/{href}?a=1&b="2"' if href.startswith("q") else f"/to/{href}"


def both(markup: Markup, text: str):
    """The text converted by sitegen (prose when it takes it) and by python-markdown alone, with
    the links each asked about, in order."""
    asked: tuple[list[str], list[str]] = ([], [])
    direct = markup.convert(text, lambda href: (asked[0].append(href), resolve(href))[1])
    full = markup.full(text, lambda href: (asked[1].append(href), resolve(href))[1])
    return (direct, asked[0]), (full, asked[1])


def test_every_demo_page_converts_as_python_markdown_converts_it(markup):
    taken = 0
    for path in DEMO:
        text = path.read_text(encoding="utf-8")
        text = text.split("---\n", 2)[2] if text.startswith("---\n") else text     # the body, after front matter
        direct, full = both(markup, text)
        assert direct == full, path
        taken += prose.render(text, lambda href: href) is not None
    # Most government pages are plain prose; if this falls, prose.py has stopped taking them.
    assert taken > len(DEMO) * 0.6, (taken, len(DEMO))


# Pieces of lines: plain ones, and many on the edge of a rule, which prose must read as python-markdown
# does or refuse. Most picks are plain, so that most texts hold only one or two edges.
PLAIN = ["根据工作安排", "现将有关事项通知如下：", "2024年", "a", "Main", "一、总体要求", "（一）", "第#1号", "1.5亿元",
         "**重点**", "**二、主要任务**", "a**b**c", "[通知](../gzdt/a.md)", "[附件](file.pdf)", "[断链](missing.md)",
         "[转义](q.md#s)", "[外链](https://www.gov.cn/a)", "[**加粗链接**](b.md)", "**[链接加粗](b.md)**", "(括号)", "！",
         "[ 空格在前](b.md)", "**[ 加粗空格](b.md)**", "a↩b",
         "\u3000", "\xa0", ":", "，"]
EDGES = ["2. ", "- ", "+ ", "=", "-", "#", "!", " ", "x_y", "** 空格**", "**a **b**", "*强调*", "***三***", "**", "*",
         "[^1]", "![图](a.png)", "[短]", "[a] [b](c.md)", "[a](b c)", "[a](<b>)", '[a](b "t")', "[](a.md)",
         "[a](b.md)(c)", "|", "_", "  ", "&", "<b>", "`码`", "\\*", "{: #id}", "~", "[a|b](c.md)", "[a](b_c.md)", "[a\nb](c.md)"]
STARTS = ["# ", "## ", "### ", "#### ", "#", "####### ", "## ## ", "1. ", "2. ", "10. ", "01. ", "1.", "1.  ", "- ",
          "+ ", "* ", "-", "--- ", " ", "  ", "    ", "\u3000", "\u3000\u3000", "> ", "|", "| ", "=", "===", "---",
          "***", "**", "[TOC]", "~~~", "```"]
ENDS = [" ", "  ", "  ", "   ", "|", "#", " #", "\u3000", ":"]
ALIGNS = [" --- ", "---", ":--", "--:", ":-:", " - "]
SEPARATORS = ["|---|---", "| a | b |", "|  | --- |", "|---|", "| --- | --- | --- |"]
GAPS = ["\n", "\n\n", "\n\n", "\n\n", "\n\n", "\n\n\n", "\n  \n", "\n \n", "\n\u3000\n"]


def _words(rng: random.Random) -> str:
    return "".join(rng.choice(EDGES if rng.random() < 0.04 else PLAIN) for _ in range(rng.randint(1, 4)))


def _line(rng: random.Random, start: str = "", words: str = "") -> str:
    start = rng.choice(STARTS) if rng.random() < 0.05 else start
    return start + (words or _words(rng)) + (rng.choice(ENDS) if rng.random() < 0.05 else "")


def _block(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:      # a paragraph
        return "\n".join(_line(rng) for _ in range(rng.randint(1, 3)))
    if kind < 0.55:     # a list
        marker = rng.choice(["1. ", "3. ", "- ", "+ "])
        return "\n".join(_line(rng, marker) for _ in range(rng.randint(1, 4)))
    if kind < 0.75:     # a heading
        # plain words mostly: a heading with a link or **strong** in it goes to python-markdown
        words = _words(rng) if rng.random() < 0.2 else rng.choice(["一、总体要求", "Main", "（一）工作目标", "a  b"])
        return _line(rng, rng.choice(["# ", "## ", "### ", "#### ", "##"]), words)
    cells = rng.choice([1, 2, 2, 3])      # a table, rows of varying widths
    rows = ["|" + "|".join(_words(rng) for _ in range(rng.choice([cells, cells, cells, 1, cells + 1])))
            + rng.choice(["|", "|", "|", "", " |"]) for _ in range(rng.randint(0, 3))]
    header = "| " + " | ".join(_words(rng) for _ in range(cells)) + " |"
    separator = ("|" + "|".join(rng.choice(ALIGNS) for _ in range(cells)) + "|" if rng.random() < 0.85
                 else rng.choice(SEPARATORS))
    return "\n".join([header, separator, *rows])


def test_generated_texts_convert_as_python_markdown_converts_them_or_are_refused(markup):
    rng = random.Random(20261130)
    taken = refused = 0
    for n in range(3000):
        text = "".join(_block(rng) + rng.choice(GAPS) for _ in range(rng.randint(1, 5)))
        if prose.render(text, lambda href: href) is None:
            refused += 1
            continue
        taken += 1
        direct, full = both(markup, text)
        assert direct == full, f"text {n}: {text!r}"
    # Both sides of every rule are reached: many texts taken, many refused.
    assert taken > 600 and refused > 600, (taken, refused)


def test_the_shapes_of_a_government_page_are_taken():
    page = ("各区县（市）人民政府，市直各单位：\n\n为进一步做好**政务公开**工作，现将有关事项通知如下。\n\n"
            "## 一、总体要求\n\n1. 坚持问题导向。\n2. 详见[实施方案](../zcwj/fa.md)。\n\n- 要点一\n- 要点二\n\n"
            "| 处室 | 联系电话 |\n| :--- | ---: |\n| 办公室 | 0599-12345678 |\n\n"
            "临江市人民政府办公室  \n2024年7月21日\n")
    made = prose.render(page, lambda href: "/zcwj/fa/")
    assert made is not None
    html, headings, broken, words = made
    assert '<h2 id="一总体要求">一、总体要求</h2>' in html
    assert '<ol>\n<li>坚持问题导向。</li>\n<li>详见<a href="/zcwj/fa/">实施方案</a>。</li>\n</ol>' in html
    assert '<th style="text-align: left;">处室</th>' in html and "<strong>政务公开</strong>" in html
    assert "临江市人民政府办公室<br>\n2024年7月21日" in html
    assert [h["id"] for h in headings] == ["一总体要求"] and broken == []
    assert words.startswith("各区县（市）人民政府，市直各单位： 为进一步做好政务公开工作，") and "详见实施方案。" in words


@pytest.mark.parametrize("text", [
    "*强调*", "`代码`", "> 引用", "    缩进代码", "标题\n===", "- a\n\n- b", "1. a\n\n2. b", "正文  ", "a   \nb",
    "[TOC]", "脚注[^1]", "![图](a.png)", "<b>粗</b>", "a & b", "## 标题 {: #main }", "正文\n1. 不是列表", "| 一列 |\n|---|",
])
def test_anything_else_goes_to_python_markdown(text):
    assert prose.render(text, lambda href: href) is None
