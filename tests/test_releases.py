"""Releases: each publish a new one, unchanged files linked, one switch; rollback; a department held back."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.build import build, rollback
from sitegen.cli import main
from sitegen.errors import BuildFailed, OutputError
from sitegen.output import Release, make_spare, releases

from clusters import SITE_YAML, make_cluster, page
from test_incremental import SECOND_DEPT, tree


def two_departments(root: Path) -> Path:
    return make_cluster(root, {
        "departments/fgw.yaml": SECOND_DEPT,
        "content/fgw/xxgk/zn.md": page("发展改革委政府信息公开指南", "2024-01-05 09:00", "指南正文。"),
        "content/fgw/xxgk/zd.md": page("发展改革委政府信息公开制度", "2024-01-05 09:00", "制度正文。"),
        "content/fgw/gzdt/plan.md": page("发展改革委部署年度计划", "2024-04-01 09:00", "见[经信局的动态](../../jxj/gzdt/a.md)。"),
        "content/jxj/gzdt/a.md": page("经信局动态", "2024-03-01 09:00", "正文。"),
    })


def built_from_nothing(root: Path, where: Path) -> dict[str, str]:
    """The web root a first build of a copy of ``root``'s sources writes (see test_incremental.tree)."""
    shutil.copytree(root, where, ignore=shutil.ignore_patterns("build"))
    build(where, index=False)
    return tree(where / "build/site")


def test_each_publish_is_a_release_linking_what_did_not_change(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    out = root / "build" / "site"
    first = build(root, index=False)
    assert out.is_symlink() and os.readlink(out) == "releases/r000001"
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "改过的正文。"), encoding="utf-8")
    second = build(root, index=False)
    assert os.readlink(out) == "releases/r000002"
    assert second.release.linked == first.files - second.release.written
    old, new = root / "build/releases/r000001", root / "build/releases/r000002"
    assert (old / "index.html").stat().st_ino == (new / "index.html").stat().st_ino       # one file, two releases
    assert (old / "jxj/gzdt/a/index.html").read_text() != (new / "jxj/gzdt/a/index.html").read_text()
    assert [r.id for r in releases(out)] == ["r000001", "r000002"] and releases(out)[-1].current


def test_rollback_switches_back_atomically_with_the_matching_search_index(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    out = root / "build" / "site"
    build(root)
    before = tree(out)
    first_index = os.readlink(root / "build/search/current")
    (root / "content/jxj/gzdt/b.md").write_text(page("新的动态", "2024-05-01 09:00", "新增。"), encoding="utf-8")
    build(root)
    assert os.readlink(root / "build/search/current") != first_index
    info, index_back = rollback(out)
    assert info.id == "r000001" and index_back
    assert tree(out) == before and os.readlink(root / "build/search/current") == first_index
    info, _ = rollback(out, "r000002")
    assert "jxj/gzdt/b/index.html" in tree(out)
    with pytest.raises(OutputError, match=r"no release 'r000009' \(kept: r000001, r000002\)"):
        rollback(out, "r000009")


def test_the_cli_lists_releases_and_rolls_back(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    build(root, index=False)
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态（更正）", "2024-03-01 09:00", "正文。"), encoding="utf-8")
    build(root, index=False)
    listed = CliRunner().invoke(main, ["releases", "--root", str(root)]).output.splitlines()
    assert listed[0].startswith("  r000001  ") and listed[-1] == "* the live release"
    current = next(l for l in listed if l.startswith("* r000002"))
    assert "written" in current and "unchanged" in current
    assert "      jxj/gzdt/a/index.html" in listed
    result = CliRunner().invoke(main, ["rollback", "--root", str(root)])
    assert result.exit_code == 0 and result.output.startswith("r000001 (built ")
    assert "is live again; its search index is no longer kept" in result.output     # built without an index


def test_only_the_newest_releases_are_kept(tmp_path: Path):
    root = make_cluster(tmp_path / "site", {"site.yaml": SITE_YAML + "releases: 3\n"})
    (root / "content/jxj/gzdt").mkdir(parents=True)
    for n in range(5):
        (root / f"content/jxj/gzdt/n{n}.md").write_text(page(f"动态{n}", f"2024-03-0{n + 1} 09:00"), encoding="utf-8")
        build(root, index=False)
    assert [r.id for r in releases(root / "build/site")] == ["r000003", "r000004", "r000005"]
    assert sorted(p.name for p in (root / "build/releases").iterdir() if p.name != ".lock") == [
        "r000003", "r000003.json", "r000004", "r000004.json", "r000005", "r000005.json"]
    # Below the limit nothing goes: raised to 10, the next releases are all kept.
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for n in range(5, 9):
        (root / f"content/jxj/gzdt/n{n}.md").write_text(page(f"动态{n}", f"2024-03-0{n + 1} 09:00"), encoding="utf-8")
        build(root, index=False)
    assert [r.id for r in releases(root / "build/site")] == [f"r{n:06d}" for n in range(3, 10)]


def test_a_release_is_made_from_the_oldest_when_that_one_would_go(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    (root / "site.yaml").write_text(SITE_YAML + "releases: 2\n", encoding="utf-8")
    (root / "content/jxj/gzdt/c.md").write_text(page("经信局另一条动态", "2024-03-05 09:00"), encoding="utf-8")
    out = root / "build" / "site"
    build(root, index=False)
    oldest = (root / "build/releases/r000001").stat().st_ino
    (root / "content/jxj/gzdt/c.md").unlink()
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "第二版。"), encoding="utf-8")
    build(root, index=False)
    served = tree(out)
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "第三版。"), encoding="utf-8")
    third = build(root, index=False)
    # r000001 was the release this commit prunes: it became r000003, brought up to date in place.
    assert [r.id for r in releases(out)] == ["r000002", "r000003"]
    assert (root / "build/releases/r000003").stat().st_ino == oldest
    assert third.release.written < 10 and third.release.linked == third.files - third.release.written
    assert tree(root / "build/releases/r000002") == served          # what it shared was never written through
    assert not (root / "build/releases/r000003/jxj/gzdt/c").exists()   # gone since r000001, folder and all
    assert tree(out) == built_from_nothing(root, tmp_path / "cold")


def test_a_spare_made_between_builds_is_where_the_next_release_starts(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    out, folder = root / "build" / "site", root / "build" / "releases"
    first = build(root, index=False)
    assert make_spare(out, 10) and not make_spare(out, 10)        # one spare at a time
    spare = (folder / ".spare").stat().st_ino
    assert (folder / ".spare/index.html").stat().st_ino == (folder / "r000001/index.html").stat().st_ino
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "第二版。"), encoding="utf-8")
    second = build(root, index=False)
    # The spare became r000002, brought up to date in place: its unchanged files were already there.
    assert (folder / "r000002").stat().st_ino == spare and not (folder / ".spare").exists()
    assert not (folder / ".spare.json").exists() and [r.id for r in releases(out)] == ["r000001", "r000002"]
    assert second.release.written < 10 and second.release.linked == first.files - second.release.written
    assert "第二版" not in (folder / "r000001/jxj/gzdt/a/index.html").read_text(encoding="utf-8")
    assert tree(out) == built_from_nothing(root, tmp_path / "cold")
    # With a release due to be pruned, the next one starts from it: no spare is made, and one made
    # while more releases were kept is removed.
    assert not make_spare(out, 2) and not (folder / ".spare").exists()
    assert make_spare(out, 10)
    (root / "site.yaml").write_text(SITE_YAML + "releases: 2\n", encoding="utf-8")
    build(root, index=False)
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "r000002", "r000002.json", "r000003", "r000003.json"]


def test_a_spare_older_than_the_live_release_still_makes_the_right_release(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    out, folder = root / "build" / "site", root / "build" / "releases"
    build(root, index=False)
    first = tree(out)
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "第二版。"), encoding="utf-8")
    (root / "content/jxj/gzdt/c.md").write_text(page("经信局另一条动态", "2024-03-05 09:00"), encoding="utf-8")
    build(root, index=False)
    assert make_spare(out, 10)                  # a copy of r000002 ...
    rollback(out, "r000001")                    # ... while r000001 is live again
    (root / "content/jxj/gzdt/c.md").unlink()
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "第三版。"), encoding="utf-8")
    (root / "content/fgw/gzdt/new.md").write_text(page("新的动态", "2024-05-01 09:00", "新增。"), encoding="utf-8")
    build(root, index=False)
    assert os.readlink(out) == "releases/r000003" and not (folder / ".spare").exists()
    assert not (folder / "r000003/jxj/gzdt/c").exists()        # the spare had it, the release has not
    assert tree(folder / "r000001") == first
    assert tree(out) == built_from_nothing(root, tmp_path / "cold")


def test_a_spare_left_half_made_is_cleaned_away(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    out, folder = root / "build" / "site", root / "build" / "releases"
    build(root, index=False)
    (folder / ".spare/jxj").mkdir(parents=True)               # renamed into place, its manifest never written
    (folder / ".spare/jxj/stale.html").write_text("旧", encoding="utf-8")
    (folder / ".spare.tmp-999999999").mkdir()                  # its maker died while linking
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "第二版。"), encoding="utf-8")
    build(root, index=False)
    assert sorted(p.name for p in folder.iterdir()) == [".lock", "r000001", "r000001.json", "r000002", "r000002.json"]
    assert not (out / "jxj/stale.html").exists()
    (folder / ".spare.json").write_text('{"files": {}}', encoding="utf-8")    # its folder gone by hand
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "第三版。"), encoding="utf-8")
    build(root, index=False)
    assert os.readlink(out) == "releases/r000003" and not (folder / ".spare.json").exists()


def test_one_build_at_a_time_makes_a_release(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    build(root, index=False)
    out = root / "build" / "site"
    second: list[str] = []

    def another() -> None:
        with Release(out) as release:
            second.append(release.id)

    with Release(out) as first:
        waiting = threading.Thread(target=another)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and second == []          # waits for the first to finish
        info = first.commit((("portal", "测试市人民政府", 1),))
    waiting.join(5)
    assert info.id == "r000002" and second == ["r000003"]     # it numbered its release after the first's


def test_a_failed_build_switches_nothing(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    build(root, index=False)
    (root / "content/jxj/gzdt/bad.md").write_text(page(date="yesterday"), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(root, index=False)
    assert os.readlink(root / "build/site") == "releases/r000001"
    assert sorted(p.name for p in (root / "build/releases").iterdir() if p.name != ".lock") == ["r000001", "r000001.json"]


def test_keep_going_publishes_everyone_else_and_keeps_the_broken_department_as_it_was(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    build(root, index=False)
    before = tree(root / "build/site")
    # 经信局 breaks a page; 发展改革委 publishes a new one the same day.
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态（改坏了）", "not a date"), encoding="utf-8")
    (root / "content/jxj/gzdt/c.md").write_text(page("经信局新动态", "2024-06-01 09:00"), encoding="utf-8")
    (root / "content/fgw/gzdt/news.md").write_text(page("发展改革委新动态", "2024-06-02 09:00"), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(root, index=False)
    report = build(root, index=False, keep_going=True)
    assert [slug for slug, _ in report.held] == ["jxj"]
    assert [str(p) for p in report.held[0][1]] == [
        "content/jxj/gzdt/a.md:3: date: expected a date and time as YYYY-MM-DD HH:MM (such as 2024-03-12 09:30), "
        "found 'not a date'"]
    after = tree(root / "build/site")
    assert "fgw/gzdt/news/index.html" in after                         # the healthy department published
    assert "jxj/gzdt/c/index.html" not in after                        # the held one is as it was
    assert after["jxj/gzdt/a/index.html"] == before["jxj/gzdt/a/index.html"]
    assert '<a href="/jxj/gzdt/a/">经信局的动态</a>' in (root / "build/site/fgw/gzdt/plan/index.html").read_text()
    assert report.release.held == ("jxj",)
    # Fixed, the department publishes again.
    (root / "content/jxj/gzdt/a.md").write_text(page("经信局动态", "2024-03-01 09:00", "正文。"), encoding="utf-8")
    fixed = build(root, index=False, keep_going=True)
    assert fixed.held == () and "jxj/gzdt/c/index.html" in tree(root / "build/site")


def test_keep_going_never_holds_back_the_whole_cluster(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    build(root, index=False)
    (root / "site.yaml").write_text(SITE_YAML.replace("page_size: 20", "page_size: lots"), encoding="utf-8")
    with pytest.raises(BuildFailed) as e:
        build(root, index=False, keep_going=True)
    assert str(e.value.problems[0]).startswith("site.yaml:")


def test_the_cli_says_which_department_was_held_back(tmp_path: Path):
    root = two_departments(tmp_path / "site")
    build(root, index=False)
    (root / "content/fgw/gzdt/plan.md").write_text(page("发展改革委部署年度计划", "2024-04-01 09:00", "[坏链接](nope.md)"),
                                                   encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--root", str(root), "--keep-going"])
    assert result.exit_code == 0
    assert "held back fgw: 1 problem; its pages stay as the previous release had them:" in result.output
    assert "  content/fgw/gzdt/plan.md:5: link: expected a relative path to an existing page (.md) or document, " \
           "found 'nope.md'" in result.output


@pytest.mark.slow
def test_a_killed_build_leaves_nothing_behind_and_the_web_root_always_exists(tmp_path: Path):
    files = {f"content/jxj/gzdt/n{i:03d}.md": page(f"动态{i}", f"2024-02-{i % 28 + 1:02d} 09:00") for i in range(300)}
    root = make_cluster(tmp_path / "site", files)
    build(root, index=False)
    live = tree(root / "build/site")
    for n in range(6):
        (root / f"content/jxj/gzdt/extra{n}.md").write_text(page(f"新增{n}", "2024-05-01 09:00"), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--root", str(root)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.4 + 0.25 * n)       # somewhere in load, render or write
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert (root / "build/site/index.html").is_file()        # the web root never disappears
    build(root, index=False)
    leftovers = [p.name for p in (root / "build").iterdir() if p.name.startswith(".")]
    leftovers += [p.name for p in (root / "build/releases").iterdir() if p.name.startswith(".") and p.name != ".lock"]
    assert leftovers == []
    assert set(live) <= set(tree(root / "build/site"))
