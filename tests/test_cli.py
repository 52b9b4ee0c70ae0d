"""The sitegen command: what a person types and what they read back."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest
from click.testing import CliRunner

import sitegen.cli
from sitegen.build import build
from sitegen.cli import main

from clusters import page


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_build_prints_counts_per_department_and_the_time(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page()})
    result = run("build", "--root", str(root))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(l.split()[:3] == ["测试市人民政府", "portal", "1"] for l in lines)
    assert any(l.split()[:3] == ["测试市经济和信息化局", "jxj", "3"] for l in lines)
    assert lines[-2].startswith("built 4 pages (51 files) in ") and "(load " in lines[-2]
    assert lines[-1] == f"release r000001 is live at {root / 'build/site'}: 51 rendered, 51 written, 0 unchanged, 0 removed"
    assert (root / "build/site/index.html").is_file()
    again = run("build", "--root", str(root))
    assert again.output.splitlines()[-1] == f"nothing changed: 4 pages (51 files) in {root / 'build/site'} as they were"


def test_the_command_as_run_says_everything_and_exits_with_the_status_of_what_it_did(cluster_root):
    # `python -m sitegen` ends through cli.run(), which exits without tearing the interpreter down:
    # what was printed to a pipe must still arrive, and the status must still be the command's.
    root = cluster_root({"content/jxj/gzdt/a.md": page()})

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sitegen", *args], capture_output=True, text=True, timeout=120)

    built = command("build", "--root", str(root))
    assert built.returncode == 0 and built.stdout.splitlines()[-1].startswith("release r000001 is live at "), built
    unknown = command("no-such-command")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr


def test_a_one_off_build_leaves_the_collector_off_for_the_exit(cluster_root, monkeypatch):
    # A collection after the build would walk every object it made, to free nothing the exit does not.
    root = cluster_root({"content/jxj/gzdt/a.md": page()})
    seen = []
    monkeypatch.setattr(sitegen.cli, "build", lambda *a, **k: seen.append(gc.isenabled()) or build(*a, **k))
    enabled = gc.isenabled()
    try:
        assert run("build", "--root", str(root)).exit_code == 0 and seen == [False] and not gc.isenabled()
    finally:
        if enabled:
            gc.enable()


def test_build_with_problems_prints_each_and_exits_1(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page(date="昨天"), "content/jxj/gzdt/b.md": page(portal="nope")})
    result = run("build", "--root", str(root), "--out", str(root / "web"))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "content/jxj/gzdt/a.md:3: date: expected a date and time as YYYY-MM-DD HH:MM (such as 2024-03-12 09:30), found '昨天'",
        "content/jxj/gzdt/b.md:4: portal: expected true or false, found 'nope'",
        "2 problems; nothing was published (the previous site is unchanged).",
    ]
    assert not (root / "web").exists()


def test_help_on_every_command():
    for args in (["--help"], ["build", "--help"], ["serve", "--help"], ["new", "--help"],
                 ["new", "page", "--help"], ["new", "department", "--help"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage:" in result.output, args


def test_new_page_scaffolds_a_valid_file_for_its_column(cluster_root):
    root = cluster_root()
    result = run("new", "page", "--root", str(root), "--department", "jxj", "--column", "zcwj",
                 "--topic", "工业、交通", "--genre", "通知", "关于“智造”的通知")
    assert result.exit_code == 0, result.output
    assert "sitegen disclosure assign" in result.output
    created = sorted((root / "content/jxj/zcwj").glob("*.md"))
    assert len(created) == 1 and created[0].name.endswith("-1.md")
    text = created[0].read_text(encoding="utf-8")
    assert 'title: "关于“智造”的通知"' in text and "disclosure:" in text and "validity: 有效" in text
    assert run("disclosure", "assign", "--root", str(root)).exit_code == 0
    report = build(root, root / "out")
    assert ("jxj", "测试市经济和信息化局", 3) in report.pages
    again = run("new", "page", "--root", str(root), "-d", "jxj", "-c", "zcwj", "第二份", "--topic", "工业、交通",
                "--genre", "通知")
    assert again.exit_code == 0 and len(list((root / "content/jxj/zcwj").glob("*.md"))) == 2


def test_new_page_in_an_unknown_column_says_which_columns_exist(cluster_root):
    root = cluster_root()
    result = run("new", "page", "--root", str(root), "-d", "jxj", "-c", "xyz", "标题")
    assert result.exit_code == 1
    assert "jxj has no column 'xyz'; its columns are: gzdt (工作动态), tzgg (通知公告), zcwj (政策文件), zcjd (政策解读)" \
        in result.output


def test_new_department_scaffolds_yaml_and_folders_that_build(cluster_root):
    root = cluster_root()
    result = run("new", "department", "--root", str(root), "jtj", "--name", "测试市交通运输局",
                 "--short-name", "市交通局", "--code", "11339900002000097M")
    assert result.exit_code == 0, result.output
    assert (root / "departments/jtj.yaml").is_file() and (root / "content/jtj/gzdt").is_dir()
    report = build(root, root / "out")
    assert ("jtj", "测试市交通运输局", 2) in report.pages   # the drafts of its 信息公开 guide and rules
    assert (root / "out/jtj/index.html").is_file()


def test_new_department_refuses_a_bad_code_with_the_build_message(cluster_root):
    root = cluster_root()
    result = run("new", "department", "--root", str(root), "jtj", "--name", "交通局", "--short-name", "交通局",
                 "--code", "123")
    assert result.exit_code == 1
    assert "departments/jtj.yaml:3: code: expected an 18-character 统一社会信用代码" in result.output
    assert not (root / "departments/jtj.yaml").exists()


@pytest.mark.parametrize("slug", ["search", "Bad_Slug", "zwyw"])
def test_new_department_refuses_taken_or_bad_slugs(cluster_root, slug):
    root = cluster_root()
    result = run("new", "department", "--root", str(root), slug, "--name", "某局", "--short-name", "某局",
                 "--code", "11339900002000097M")
    assert result.exit_code == 1 and not (root / f"departments/{slug}.yaml").exists()
