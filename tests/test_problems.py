"""Every kind of bad input gives the exact message a person sees, and publishes nothing."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from sitegen import content
from sitegen.build import build
from sitegen.errors import BuildFailed

from clusters import DEPT_YAML, SITE_YAML, page


def problems(root: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failed:
        build(root, root / "build" / "site")
    return [str(p) for p in failed.value.problems]


def test_malformed_yaml_in_front_matter(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": "---\ntitle: 会议\ndate: [2024-03-12\n---\n正文\n"})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:4: (front matter): expected valid YAML, "
        "found a syntax error: did not find expected ',' or ']'"
    ]


def test_malformed_department_yaml(cluster_root):
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML.replace("accent: teal", "accent: teal: blue")})
    assert problems(root) == [
        "departments/jxj.yaml:4: (yaml): expected valid YAML, found a syntax error: mapping values are not allowed in this context"
    ]


def test_missing_field(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": "---\ndate: 2024-03-12 09:30\n---\n正文\n"})
    assert problems(root) == ["content/jxj/gzdt/a.md:2: title: expected a value (this field is required), found nothing"]


def test_mistyped_field_names_the_closest_valid_key(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": "---\ntitle: 会议\ndate: 2024-03-12 09:30\nsumary: 摘要\n---\n正文\n"})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:4: sumary: expected a known field ('summary'), found the unknown field 'sumary'"
    ]


def test_mistyped_key_in_department_yaml(cluster_root):
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML.replace("short_name:", "shortname:")})
    assert problems(root) == [
        "departments/jxj.yaml:1: short_name: expected a value (this field is required), found nothing",
        "departments/jxj.yaml:2: shortname: expected a known field ('short_name'), found the unknown field 'shortname'",
    ]


def test_wrong_type(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(portal="maybe")})
    assert problems(root) == ["content/jxj/gzdt/a.md:4: portal: expected true or false, found 'maybe'"]


def test_bad_date(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(date="2024-13-01 09:30")})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:3: date: expected a date and time as YYYY-MM-DD HH:MM (such as 2024-03-12 09:30), "
        "found '2024-13-01 09:30'"
    ]


def test_bad_disclosure_date_and_validity(cluster_root):
    body = page(disclosure="\n  topic: 工业、交通\n  genre: 通知\n  written: 2024/03/10\n  validity: 作废")
    root = cluster_root({"content/jxj/zcwj/a.md": body})
    assert problems(root) == [
        "content/jxj/zcwj/a.md:7: disclosure.written: expected a date as YYYY-MM-DD (such as 2024-03-10), found '2024/03/10'",
        "content/jxj/zcwj/a.md:8: disclosure.validity: expected one of 有效 | 失效 | 废止, found '作废'",
    ]


def test_a_date_is_read_as_editors_write_it():
    # The usual form is read without strptime; what strptime took before, and only that, it still takes.
    assert content._date("2024-03-10") == date(2024, 3, 10) and content._date(" 2024-3-1 ") == date(2024, 3, 1)
    for bad in ("2024-02-30", "2024/03/10", "２０２４-０３-１０", "2024-03-10T00:00"):
        with pytest.raises(ValueError, match="a date as YYYY-MM-DD"):
            content._date(bad)


def test_unknown_column_kind(cluster_root):
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML.replace("kind: news", "kind: nesw")})
    assert problems(root) == [
        "departments/jxj.yaml:7: columns.0.kind: expected one of news, notice, policy, interpretation, personnel, "
        "plan, page, consultation or interview, found 'nesw'"
    ]


def test_column_folder_the_department_does_not_declare(cluster_root):
    root = cluster_root({"content/jxj/gzdtt/a.md": page()})
    assert problems(root) == [
        "content/jxj/gzdtt: (column folder): expected one of the columns declared in departments/jxj.yaml "
        "(gzdt, tzgg, zcwj, zcjd), found 'gzdtt'"
    ]


def test_content_folder_without_a_department(cluster_root):
    root = cluster_root({"content/jxjj/gzdt/a.md": page()})
    assert problems(root) == [
        "content/jxjj: (folder): expected content/portal or a department declared in departments/<slug>.yaml "
        "(did you mean 'jxj'?), found no departments/jxjj.yaml"
    ]


def test_page_naming_another_department(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(department="fgw")})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:4: department: expected 'jxj' (the folder this page is in; a page may not name "
        "another department), found 'fgw'"
    ]


def test_two_sources_writing_one_url(cluster_root):
    root = cluster_root({"content/jxj/gzdt/Report.md": page("甲"), "content/jxj/gzdt/report.md": page("乙")})
    assert problems(root) == [
        "content/jxj/gzdt/report.md: (file name): expected one source for the URL /jxj/gzdt/report/, "
        "found content/jxj/gzdt/Report.md writes it too"
    ]


def test_department_colliding_with_a_portal_column(cluster_root):
    root = cluster_root({"departments/zwyw.yaml": DEPT_YAML, "content/zwyw/xxgk/zn.md": page("指南"),
                         "content/zwyw/xxgk/zd.md": page("制度")})
    assert problems(root) == [
        "site.yaml: columns.zwyw: expected a portal column slug that no department and no reserved path "
        "(404, bsfw, feed, hdjl, letters, page, portal, search, sitemap, static, xxgk) uses, found 'zwyw' is also the department "
        "departments/zwyw.yaml"
    ]


@pytest.mark.parametrize("name", ["search", "static", "xxgk", "bsfw", "hdjl", "letters"])
def test_department_on_a_reserved_path(cluster_root, name):
    root = cluster_root({f"departments/{name}.yaml": DEPT_YAML})
    assert problems(root) == [
        f"departments/{name}.yaml: (file name): expected a department slug of 2-31 lowercase letters, digits or '-', "
        "not 404, bsfw, feed, hdjl, letters, page, portal, search, sitemap, static, xxgk, found a reserved name"
    ]


def test_portal_column_on_a_reserved_path(cluster_root):
    site = SITE_YAML.replace("slug: zwyw", "slug: search")
    root = cluster_root({"site.yaml": site, "content/portal/zwyw/first-news.md": None})
    assert problems(root) == [
        "site.yaml: columns.search: expected a portal column slug that no department and no reserved path "
        "(404, bsfw, feed, hdjl, letters, page, portal, search, sitemap, static, xxgk) uses, found 'search' is also a reserved path"
    ]


def test_file_that_is_not_utf8(cluster_root):
    text = page("会议").encode("gbk")
    root = cluster_root({"content/jxj/gzdt/a.md": text})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:2: (file): expected text encoded as UTF-8 (save the file as UTF-8), "
        "found the byte 0xbb at byte 8 of the line"
    ]


def test_file_over_the_size_bound(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(body="很长的正文。" * 70_000)})
    assert problems(root) == ["content/jxj/gzdt/a.md: (file): expected at most 1024 KiB, found 1230 KiB"]


def test_broken_internal_link_names_its_line(cluster_root):
    body = "第一段。\n\n第二段见[计划](../zcwj/no-such-plan.md)。\n"
    root = cluster_root({"content/jxj/gzdt/a.md": page(body=body)})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:7: link: expected a relative path to an existing page (.md) or document, "
        "found '../zcwj/no-such-plan.md'"
    ]


def test_missing_attachment(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(attachments="[files/plan.pdf]")})
    assert problems(root) == [
        "content/jxj/gzdt/a.md:4: attachments.0: expected a file next to this page, relative to it "
        "(such as files/plan.pdf), found 'files/plan.pdf', which does not exist"
    ]


def test_attachment_of_a_dangerous_type(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(attachments="[files/x.html]"),
                         "content/jxj/gzdt/files/x.html": "<script>alert(1)</script>"})
    assert problems(root)[0].startswith("content/jxj/gzdt/a.md:4: attachments.0: expected a document or image type (")


def test_interpretation_of_a_missing_policy(cluster_root):
    root = cluster_root({"content/jxj/zcjd/a.md": page(interprets="../zcwj/gone.md")})
    assert problems(root) == [
        "content/jxj/zcjd/a.md:4: interprets: expected a relative path to the policy page this explains "
        "(such as ../zcwj/x.md), found '../zcwj/gone.md', which does not exist"
    ]


def test_bad_credit_code_names_the_right_check_character(cluster_root):
    root = cluster_root({"departments/jxj.yaml": DEPT_YAML.replace("113399000020000548", "113399000020000549")})
    assert problems(root) == [
        "departments/jxj.yaml:3: code: expected a valid check character (the last character should be 8), "
        "found '113399000020000549'"
    ]


def test_every_problem_is_reported_not_just_the_first(cluster_root):
    root = cluster_root({
        "content/jxj/gzdt/a.md": page(date="tomorrow"),
        "content/jxj/gzdt/b.md": "---\ntitle: 会议\n---\n",
        "content/jxj/nope/c.md": page(),
    })
    assert len(problems(root)) == 3


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def test_failed_build_leaves_the_previous_site_exactly_as_it_was(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page("会议")})
    out = root / "build" / "site"
    build(root, out)
    before = tree_digest(out)
    (root / "content/jxj/gzdt/b.md").write_text(page(date="not a date"), encoding="utf-8")
    (root / "content/jxj/gzdt/a.md").write_text(page("改过的标题"), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(root, out)
    assert tree_digest(out) == before
    # build/ holds the web root, its releases, the search index and the cache, and no staging folder
    assert sorted(p.name for p in out.parent.iterdir()) == ["cache", "releases", "search", "site"]
    assert sorted(p.name for p in (out.parent / "releases").iterdir() if p.name != ".lock") == ["r000001", "r000001.json"], \
        "no staging folder may be left behind"


def test_a_broken_template_is_a_problem_with_its_file_and_line_not_a_traceback(cluster_root):
    root = cluster_root({"templates/404.html": '{% extends "base.html" %}{% block main %}\n<h1>{{ no_such_thing.title }}</h1>\n'
                                               '{% endblock %}'})
    with pytest.raises(BuildFailed) as e:
        build(root, root / "out", index=False)
    assert [str(p) for p in e.value.problems] == [
        f"{root / 'templates/404.html'}:2: (template): expected a template that renders /404.html, "
        "found UndefinedError: 'no_such_thing' is undefined"]
    assert not (root / "out").exists()
