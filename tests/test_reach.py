"""An editor's reach ends at their folder: no file leaks, hangs the build, or publishes for someone else."""

from __future__ import annotations

import os
import random
import socket
import time
from pathlib import Path

import pytest

from sitegen import files
from sitegen.assemble import assemble
from sitegen.build import assign, build, load
from sitegen.errors import BuildFailed, errors_in
from sitegen.markup import Markup

from clusters import DEPT_YAML, SITE_YAML, page

REGULAR = ("expected a regular file or folder (not a symbolic link, pipe or device: copy the file itself in), "
           "found ")
TEXT_ONLY = ("expected text without control characters (delete the invisible character: NUL, ESC and the like "
             "are not text), found the control character ")
PORTABLE = ("(file name): expected a name Windows and every web server can serve (no < > : \" \\ | ? * # % or "
            "control characters, no dot or space at the end, not CON, PRN, AUX, NUL, COM1-9 or LPT1-9, "
            "at most 200 bytes), found ")
NO_ALIASES = "expected YAML without aliases (*name): write the value out again, found an alias repeating the value of line "
# Nine levels of nine: 9**8 (43 million) copies of a nine-item list behind 400 bytes.
LAUGHS = "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + LAUGHS
BOMB_SECONDS = 10     # each bomb below is refused in well under a second; before, they ran for minutes


def problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build(root, root / "build" / "site")
    assert not (root / "build" / "site").exists()
    return [str(p) for p in failed.value.problems]


def timed_problems(root: Path) -> list[str]:
    start = time.monotonic()
    found = problems(root)
    assert time.monotonic() - start < BOMB_SECONDS
    return found


# ---------------------------------------------------------------- special files


def test_a_link_to_a_file_outside_is_refused_and_nothing_is_published(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(attachments="[files/passwd.txt]", body="[口令](files/passwd.txt)")})
    (root / "content/jxj/gzdt/files").mkdir()
    os.symlink("/etc/passwd", root / "content/jxj/gzdt/files/passwd.txt")
    assert problems(root) == [
        "content/jxj/gzdt/a.md:4: attachments.0: expected a file next to this page, relative to it "
        "(such as files/plan.pdf), found 'files/passwd.txt', which is not a regular file",
        "content/jxj/gzdt/a.md:6: link: expected a relative path to an existing page (.md) or document, "
        "found 'files/passwd.txt'",
        "content/jxj/gzdt/files/passwd.txt: (file): " + REGULAR + "a symbolic link to '/etc/passwd'",
    ]


def test_a_link_to_dev_zero_is_refused_at_once(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(body="[下载](files/zero.pdf)")})
    (root / "content/jxj/gzdt/files").mkdir()
    os.symlink("/dev/zero", root / "content/jxj/gzdt/files/zero.pdf")
    assert timed_problems(root) == [
        "content/jxj/gzdt/a.md:5: link: expected a relative path to an existing page (.md) or document, "
        "found 'files/zero.pdf'",
        "content/jxj/gzdt/files/zero.pdf: (file): " + REGULAR + "a symbolic link to '/dev/zero'",
    ]


def test_a_linked_folder_is_refused_and_not_entered(cluster_root):
    root = cluster_root({})
    os.symlink("/etc", root / "content/jxj/gzdt")
    assert problems(root) == ["content/jxj/gzdt: (file): " + REGULAR + "a symbolic link to '/etc'"]


def test_a_named_pipe_page_does_not_hang_the_build(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page()})
    os.mkfifo(root / "content/jxj/gzdt/x.md")
    assert timed_problems(root) == ["content/jxj/gzdt/x.md: (file): " + REGULAR + "a named pipe (FIFO)"]


def test_a_socket_is_refused(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page()})
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(root / "content/jxj/gzdt/s.pdf"))
        assert problems(root) == ["content/jxj/gzdt/s.pdf: (file): " + REGULAR + "a socket"]


def test_links_in_departments_themes_and_the_site_folder_are_refused(cluster_root):
    root = cluster_root({"site.yaml": None, "themes/default/static/css/extra.css": "body{}"})
    os.symlink("/etc/hostname", root / "departments/sjj.yaml")
    os.symlink("/etc/shadow", root / "themes/default/static/css/site.css")
    os.mkfifo(root / "themes/default/static/css/pipe.css")
    site = root.parent / "elsewhere.yaml"
    site.write_text(SITE_YAML, encoding="utf-8")
    os.symlink("../elsewhere.yaml", root / "site.yaml")
    assert problems(root) == [
        "departments/sjj.yaml: (file): " + REGULAR + "a symbolic link to '/etc/hostname'",
        "site.yaml: (file): " + REGULAR + "a symbolic link to '../elsewhere.yaml'",
        "themes/default/static/css/pipe.css: (file): " + REGULAR + "a named pipe (FIFO)",
        "themes/default/static/css/site.css: (file): " + REGULAR + "a symbolic link to '/etc/shadow'",
    ]


def test_a_linked_ledger_is_refused(cluster_root):
    root = cluster_root({})
    os.symlink("/etc/passwd", root / "content/jxj/xxgk/index-numbers.tsv")
    assert problems(root) == ["content/jxj/xxgk/index-numbers.tsv: (file): " + REGULAR + "a symbolic link to '/etc/passwd'"]


def test_a_folder_where_a_file_belongs(cluster_root):
    root = cluster_root({"content/jxj/xxgk/index-numbers.tsv/a.txt": "x"})
    assert problems(root) == [
        "content/jxj/xxgk/index-numbers.tsv: (file): expected a file, found a folder",
        "content/jxj/xxgk/index-numbers.tsv/a.txt: (file): expected a file that a page attaches or links to "
        "(files nobody references are not published), found no page referencing it (warning)",
    ]


def test_reading_stops_at_the_bound(tmp_path):
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 5000)
    assert files.read_bounded(big, "big.md", 4096) == (None, [files._too_big("big.md", 4096, 5000)])
    assert str(files.read_bounded(big, "big.md", 4096)[1][0]) == "big.md: (file): expected at most 4 KiB, found 4 KiB"
    os.mkfifo(tmp_path / "pipe.md")      # no writer: a blocking open would never return
    data, found = files.read_bounded(tmp_path / "pipe.md", "pipe.md", 4096)
    assert data is None and [str(p) for p in found] == ["pipe.md: (file): " + REGULAR + "a named pipe (FIFO)"]


def test_the_writers_copy_never_follows_a_link_nor_passes_the_bound(tmp_path):
    source, target = tmp_path / "plan.pdf", tmp_path / "out.pdf"
    source.write_bytes(b"%PDF" + b"0" * 100)
    assert files.copy_regular(source, target, 1000) == 104 and target.read_bytes() == source.read_bytes()
    with pytest.raises(OSError):
        files.copy_regular(source, tmp_path / "small.pdf", 50)
    os.symlink("/dev/zero", tmp_path / "zero.pdf")
    with pytest.raises(OSError):
        files.copy_regular(tmp_path / "zero.pdf", tmp_path / "z.pdf", 1000)
    assert not (tmp_path / "z.pdf").exists()
    os.mkfifo(tmp_path / "pipe.pdf")
    with pytest.raises(OSError):
        files.copy_regular(tmp_path / "pipe.pdf", tmp_path / "p.pdf", 1000)


# ---------------------------------------------------------------- YAML and Markdown bombs


def test_billion_laughs_in_front_matter(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": "---\ntitle: 会议\ndate: 2024-03-12 09:30\n" + LAUGHS + "---\n正文\n"})
    assert timed_problems(root) == ["content/jxj/gzdt/a.md:5: (front matter): " + NO_ALIASES + "4"]


def test_billion_laughs_in_site_yaml(cluster_root):
    root = cluster_root({"site.yaml": SITE_YAML + LAUGHS})
    assert timed_problems(root) == ["site.yaml:16: (yaml): " + NO_ALIASES + "15"]


def test_billion_laughs_in_a_department_yaml(cluster_root):
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML + LAUGHS})
    assert timed_problems(root) == ["departments/jxj.yaml:12: (yaml): " + NO_ALIASES + "11"]


def test_a_merge_key_is_an_alias_too(cluster_root):
    contact = "contact: &c {address: 测试市人民路2号, phone: 0589-12345030}\n"
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML.replace("contact: {address: 测试市人民路2号, phone: 0589-12345030}\n",
                                                                   contact + "banner: *c\n")})
    assert problems(root) == ["departments/jxj.yaml:6: (yaml): " + NO_ALIASES + "5"]


def test_deep_yaml_nesting(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(summary="[" * 30 + "]" * 30)})
    assert timed_problems(root) == [
        "content/jxj/gzdt/a.md:4: (front matter): expected YAML nested at most 20 levels deep, found deeper nesting"
    ]


def test_very_deep_yaml_nesting(cluster_root):
    root = cluster_root({"site.yaml": SITE_YAML + "x: " + "[" * 50000 + "]" * 50000 + "\n"})
    assert timed_problems(root) == [
        "site.yaml:15: (yaml): expected valid YAML, found a syntax error: exceeded maximum nesting depth"
    ]


def test_a_huge_number_is_a_problem_not_a_traceback(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(summary="9" * 5000)})
    [found] = problems(root)
    assert found.startswith("content/jxj/gzdt/a.md: (front matter): expected valid YAML, found a syntax error: "
                            "Exceeds the limit (4300 digits)")


def test_a_list_600_deep(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(body="\n".join("    " * i + "- 条目" for i in range(600)))})
    assert timed_problems(root) == [
        "content/jxj/gzdt/a.md:37: (body): expected lists and quotes nested at most 32 levels deep, found 33 levels"
    ]


@pytest.mark.parametrize("body, line, depth", [
    ("导语\n\n" + "- " * 600 + "条目", 7, 600),
    ("> " * 40 + "引文", 5, 40),
    ("\t" * 20 + "- " * 20 + "条目", 5, 40),
])
def test_nesting_on_one_line(cluster_root, body, line, depth):
    root = cluster_root({"content/jxj/gzdt/a.md": page(body=body)})
    assert timed_problems(root) == [
        f"content/jxj/gzdt/a.md:{line}: (body): expected lists and quotes nested at most 32 levels deep, "
        f"found {depth} levels"
    ]


def test_deep_indentation_inside_a_code_fence_is_code(cluster_root):
    code = "```\n" + "\n".join(" " * 200 + "x" for _ in range(3)) + "\n```"
    root = cluster_root({"content/jxj/gzdt/a.md": page(body=code)})
    records, found = load(root)
    cluster, more = assemble(records)
    assert errors_in(found + more) == [] and "<pre><code>" in cluster.pages["jxj/gzdt/a"].body


# Hostile bodies: whatever an editor writes is a page or a problem, never a traceback.
HOSTILE = [
    "[" * 5000, "*" * 5000 + "x", "<div>" * 3000, "`" * 10000, "|" * 3000 + "\n" + "|-" * 1500,
    "[^1]" * 2000 + "\n\n[^1]: " + "[^1]" * 2000, "{: #main }\n" * 500, "<!--" * 2000,
    "![" * 2000 + "](" * 2000, "> - 1. " * 10 + "x", "\n".join("  " * i + "1. x" for i in range(60)),
    "&#0;&#x1b;&#xffffffff;&#99999999;", "\ufeff\u202e\u2066标题\u2069", "<script>alert(1)</script>",
    "[a](javascript:alert(1)) [b](../../../../etc/passwd) [c](files/%2e%2e/x.pdf)", "#" * 7000,
    # python-markdown is quadratic on these: each took seconds to minutes before the bounds.
    "[x](y " * 4000, "<http://" * 4000, "[a](b [c](d " * 4000, "a\n=\n" * 4000, "[^1]" * 4000 + "\n\n[^1]: x",
]


def test_hostile_bodies_give_pages_or_problems(cluster_root):
    rng = random.Random(9)
    bodies = HOSTILE + ["".join(rng.choice(HOSTILE)[: rng.randint(1, 400)] + rng.choice(["\n", " ", "\n\n    "])
                                for _ in range(8)) for _ in range(40)]
    root = cluster_root({f"content/jxj/gzdt/h{i:02d}.md": page(body=b) for i, b in enumerate(bodies)})
    start = time.monotonic()
    records, found = load(root)
    cluster, more = assemble(records)
    assert time.monotonic() - start < BOMB_SECONDS
    assert len(cluster.pages) + len([p for p in errors_in(found + more) if "/gzdt/h" in p.file]) >= len(bodies)
    assert all("<script" not in p.body for p in cluster.pages.values())


YAML_PIECES = [
    "!!python/object:os.system", "!!binary aGVsbG8=", "!!float x", "!!int 0xZZ", "? [a]\n: b", "!!set {a, b}",
    "9" * 5000, "!!str {a: 1}", "!!timestamp 2024-13-45", "&a", "*a", "<<: {x: 1}", "<<: [1, 2]", "!!merge x", "{",
    '"\\u0000"', '"\\ud800"', ".inf", "!!bool maybe", "1e99999", "!foo bar", "%YAML 1.1\n---", "- - -", "a: b: c",
    "\t", "@", "|\n  x", "!!omap [a: 1]", "!!pairs [a: 1]", "{title: [1], date: {}}", "attachments: [{file: {}}]",
]


def test_hostile_yaml_gives_problems_not_tracebacks():
    from sitegen.acceptance import AcceptedSpec
    from sitegen.config import DepartmentSpec, SiteSpec, YamlError, parse_yaml, validate
    from sitegen.content import PageMeta

    rng = random.Random(9)
    for _ in range(800):
        text = "\n".join(rng.choice(YAML_PIECES) if rng.random() < 0.5 else
                         f"{rng.choice(['title', 'date', 'name', 'columns'])}: {rng.choice(YAML_PIECES)}"
                         for _ in range(rng.randint(1, 5)))
        try:
            data, lines = parse_yaml(rng.choice(["", SITE_YAML, DEPT_YAML]) + text)
        except YamlError as e:
            assert e.expected and e.found
            continue
        for model in (PageMeta, SiteSpec, DepartmentSpec, AcceptedSpec):
            assert all(str(p) for p in validate(model, data, "x.yaml", lines)[1])


def test_markup_reports_any_recursion_it_cannot_finish():
    import inspect
    import sys
    markup, limit = Markup(), sys.getrecursionlimit()
    # As if python-markdown recursed past the stack on some construct the line count lets through.
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        html = markup.convert("\n".join("    " * i + "- 条目" for i in range(30)), lambda href: href)
    finally:
        sys.setrecursionlimit(limit)
    assert html.refused == "nesting deeper than the Python stack allows" and html.body == ""


def test_markup_stops_a_page_that_takes_too_long(monkeypatch):
    from sitegen import markup
    monkeypatch.setattr(markup, "PAGE_SECONDS", 0.05)
    # Emphasis, so that python-markdown converts it (plain prose is converted in one linear pass).
    html = Markup().convert(("中文段落*内容*，" * 20 + "\n\n") * 7000, lambda href: href)
    assert html.refused == "a page that takes longer than 0.05 s to convert" and html.body == ""


@pytest.mark.parametrize("body, line, expected", [
    ("导语\n\n" + "[x](y " * 201, 7, "at most 200 '[' and '<' in one paragraph (python-markdown re-reads it for "
     "each: split it, or put code in a ``` block)"),
    ("\n\n".join(["[x](y) " * 150] * 14), 31, "at most 2000 '[' and '<' in one page (split the page)"),
    ("\n\n".join(["[^1]"] * 501) + "\n\n[^1]: 注", 1005, "at most 500 footnote references ([^…]) in one page"),
    ("\n".join(["标题", "==="] * 1001), 2006, "at most 1000 headings in one page (split the page)"),
    ("<a " * 100 + "\n\n" + "正文" * 20000, 5, "a '>' on the same line for each '<' that opens a tag (each one "
     "left open makes the build re-read the rest of the page; write &lt; for a '<' that is text)"),
])
def test_constructs_python_markdown_is_slow_on_are_bounded(cluster_root, body, line, expected):
    root = cluster_root({"content/jxj/gzdt/a.md": page(body=body)})
    [found] = timed_problems(root)
    assert found.startswith(f"content/jxj/gzdt/a.md:{line}: (body): expected {expected}, found ")



def test_the_whole_page_shortcut_agrees_with_the_line_by_line_bounds():
    from sitegen.content import costly, first_past

    rng = random.Random(3)
    near = ["[x](y) " * 100, "<b>粗</b>" * 60, "[^1] " * 250, "    " * 8 + "- 条目", "\t" * 20 + "- " * 13 + "x",
            "> " * 16 + "引文", "1. " * 33 + "x", "\t" * 32 + "x", "\t" * 33 + "x", "\t- " * 17,
            "```\n" + "    " * 40 + "x\n```", "<a " * 3 + "正文" * 400, "标题\n===", "|" + "[a]|" * 50]
    bodies = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "content").rglob("*.md"))]
    bodies += HOSTILE + ["\n".join(rng.choice(near) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    assert {first_past(b) is None for b in bodies} == {True, False}
    for body in bodies:
        assert costly(body) == first_past(body)


# ---------------------------------------------------------------- control characters and names


def test_nul_in_a_title(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(title="会议\x00通知")})
    assert problems(root) == ["content/jxj/gzdt/a.md:2: (file): " + TEXT_ONLY + "U+0000 at character 10 of the line"]


def test_an_escaped_control_character_in_a_quoted_value(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(keywords='["会议", "\\x1b[31m"]')})
    assert problems(root) == ["content/jxj/gzdt/a.md:4: (front matter): " + TEXT_ONLY + "U+001B"]


def test_a_control_character_in_the_body(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(body="第一行\n第二\x07行")})
    assert problems(root) == ["content/jxj/gzdt/a.md:6: (file): " + TEXT_ONLY + "U+0007 at character 3 of the line"]


def test_a_line_break_in_a_title(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(title='"会议\\n通知"')})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:2: title: expected text on one line (names, titles and codes have no line breaks), "
        "found '会议⏎通知'"
    ]


def test_a_department_name_with_a_newline_is_refused_at_its_yaml_and_assign_writes_nothing(cluster_root):
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML.replace("name: 测试市经济和信息化局",
                                                                   'name: "测试市经济\\n和信息化局"')})
    message = ("departments/jxj.yaml:1: name: expected text on one line (names, titles and codes have no line "
               "breaks), found '测试市经济⏎和信息化局'")
    with pytest.raises(BuildFailed) as failed:
        assign(root)
    assert [str(p) for p in failed.value.problems] == [message]
    assert not (root / "content/jxj/xxgk/index-numbers.tsv").exists()
    assert problems(root) == [message]


def test_unportable_file_names(cluster_root):
    names = ["files/CON.pdf", "files/a:b.pdf", "files/q?.pdf", "files./x.pdf", "files/lpt1.tar.zip"]
    root = cluster_root({"content/jxj/gzdt/a.md": page(attachments="[" + ", ".join(f'"{n}"' for n in names) + "]"),
                         **{f"content/jxj/gzdt/{n}": b"%PDF" for n in names}})
    assert problems(root) == [
        "content/jxj/gzdt/files./x.pdf: " + PORTABLE + "'files.', a dot or space at an end: rename it, such as 'files'",
        "content/jxj/gzdt/files/CON.pdf: " + PORTABLE + "'CON.pdf', a device name on Windows: rename it, "
        "such as 'CON-1.pdf'",
        "content/jxj/gzdt/files/a:b.pdf: " + PORTABLE + "'a:b.pdf', the character ':': rename it, such as 'a-b.pdf'",
        "content/jxj/gzdt/files/lpt1.tar.zip: " + PORTABLE + "'lpt1.tar.zip', a device name on Windows: rename it, "
        "such as 'lpt1-1.tar.zip'",
        "content/jxj/gzdt/files/q?.pdf: " + PORTABLE + "'q?.pdf', the character '?': rename it, such as 'q-.pdf'",
    ]


def test_names_equal_but_for_case(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(body="[甲](files/Plan.pdf) [乙](files/plan.pdf)"),
                         "content/jxj/gzdt/files/Plan.pdf": b"%PDF-1", "content/jxj/gzdt/files/plan.pdf": b"%PDF-2"})
    assert problems(root) == [
        "content/jxj/gzdt/files/plan.pdf: (file name): expected a name that differs from every other published "
        "file in more than letter case (Windows and macOS keep one of the two), found 'plan.pdf' beside "
        "content/jxj/gzdt/files/Plan.pdf"
    ]


# ---------------------------------------------------------------- the portal's acceptance


def featured(root: Path) -> tuple[list[str], list[str]]:
    records, found = load(root)
    cluster, more = assemble(records)
    return sorted(p.id for p in cluster.pages.values() if p.featured), [str(p) for p in found + more]


def test_a_department_item_waits_for_the_portal(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(portal="true"), "content/jxj/gzdt/b.md": page(portal="true"),
                         "content/portal/accepted.yaml": "accepted:\n  - jxj/gzdt/b\n"})
    assert featured(root) == (["jxj/gzdt/b"], [
        "content/jxj/gzdt/a.md:4: portal: expected acceptance by the portal's editors (they add jxj/gzdt/a to "
        "content/portal/accepted.yaml), found a request for the portal home, waiting (warning)"
    ])


def test_the_portal_accepts_only_what_was_asked(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(),
                         "content/portal/accepted.yaml": "accepted:\n  - jxj/gzdt/a\n  - jxj/gzdt/gone\n"})
    assert featured(root) == ([], [
        "content/portal/accepted.yaml:2: accepted: expected a page that asks for the portal (portal: true), "
        "found 'jxj/gzdt/a', which does not ask (warning)",
        "content/portal/accepted.yaml:3: accepted: expected the id of a department page, "
        "<department>/<column>/<slug>, found 'jxj/gzdt/gone', no such department page (warning)",
    ])


def test_the_portals_own_pages_need_no_acceptance(cluster_root):
    root = cluster_root({"content/portal/zwyw/b.md": page(portal="true")})
    assert featured(root) == (["portal/zwyw/b"], [])
