"""Incremental builds equal cold builds, byte for byte, after any sequence of edits (seeded, so a failure replays)."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import pytest

from sitegen import content
from sitegen.build import assign, build
from sitegen.cache import Cache
from sitegen.errors import BuildFailed
from sitegen.letters.security import digest
from sitegen.letters.store import open_store

from clusters import DEPT_YAML, GUIDE, item, make_cluster, page

# Seeds 1 and 2 (one cache in memory, one on disk) run in the fast tier; 3 and 4 in the slow one, as CI runs both.
SEEDS = (1, 2, pytest.param(3, marks=pytest.mark.slow), pytest.param(4, marks=pytest.mark.slow))
STEPS = 10
# Longer than a summary (120 characters), so that a sentence appended leaves the summary as it was.
LONG = "各单位按照年度计划分解任务、压实责任、加强督导，确保各项措施落地见效。" * 4
WORDS = "数字政府 营商环境 公共数据 一网通办 城市更新 乡村振兴 养老服务 智慧城市".split()

SECOND_DEPT = DEPT_YAML.replace("测试市经济和信息化局", "测试市发展和改革委员会").replace("市经信局", "市发展改革委") \
    .replace("113399000020000548", "11339900002000038J").replace("teal", "indigo")


def tree(out: Path) -> dict[str, str]:
    """Every file under a web root, by path, with a digest of its bytes."""
    out = out.resolve()
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


class Editor:
    """Random edits of the kinds editors and admins make, applied to a site folder."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng, self.n = root, rng, 0

    def pages(self) -> list[Path]:
        return sorted(p for p in (self.root / "content").rglob("*.md") if "/xxgk/" not in p.as_posix())

    def fresh(self) -> str:
        self.n += 1
        return f"p{self.n:03d}-{self.rng.randrange(10**6)}"

    def text(self) -> str:
        """A body, sometimes linking another page (so a move or delete changes what links resolve to)."""
        words = self.rng.sample(WORDS, 3)
        link = ""
        others = [p for p in self.pages() if "/portal/" not in p.as_posix()]
        if others and self.rng.random() < 0.4:
            target = self.rng.choice(others).relative_to(self.root / "content").as_posix()
            link = f"\n\n参见[相关文件](../../{target.split('/', 1)[1]})。" if target.startswith("jxj/") else ""
        return (f"## 一、{words[0]}\n\n围绕{words[1]}推进{words[2]}工作，第{self.rng.randrange(1000)}次部署。"
                f"{LONG}{link}")

    def undo_breakage(self) -> None:
        """Drop the links an edit left dangling, as the editor would after reading the message."""
        for path in self.pages():
            text = path.read_text(encoding="utf-8")
            if "参见[" in text:
                path.write_text(text.split("\n\n参见[")[0] + "\n", encoding="utf-8")

    def date(self) -> str:
        return f"2024-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d} {self.rng.randint(8, 17):02d}:00"

    def step(self) -> str:
        kind = self.rng.choice(["add", "add", "body", "append", "append", "title", "move", "delete", "attach",
                                "department", "rename_department", "site", "template", "assign", "guide", "letter"])
        return getattr(self, kind)() or kind

    def add(self) -> str:
        dept = self.rng.choice([d.stem for d in (self.root / "departments").glob("*.yaml")])
        column = self.rng.choice(["gzdt", "tzgg", "zcjd"])
        path = self.root / f"content/{dept}/{column}/{self.fresh()}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(f"{self.rng.choice(WORDS)}工作动态", self.date(), self.text()), encoding="utf-8")
        return f"add to {dept}/{column}"

    def _some_page(self) -> Path | None:
        pages = [p for p in self.pages() if "/portal/" not in p.as_posix() and "/zcwj/" not in p.as_posix()
                 and "/bsfw/" not in p.as_posix()]
        return self.rng.choice(pages) if pages else None

    def rewrite(self, path: Path, title: str | None = None, date: str | None = None) -> None:
        text = path.read_text(encoding="utf-8")
        head, _, _ = text.partition("\n---\n")
        if title:
            head = "\n".join(f"title: {title}" if l.startswith("title:") else l for l in head.splitlines())
        if date:
            head = "\n".join(f"date: {date}" if l.startswith("date:") else l for l in head.splitlines())
        path.write_text(f"{head}\n---\n{self.text()}\n", encoding="utf-8")

    def body(self) -> str | None:
        path = self._some_page()
        if path:
            self.rewrite(path)
        return None

    def append(self) -> str | None:
        """A sentence added at the end: the summary stays, so a build made from the last one retouches the page."""
        path = self._some_page()
        if path:
            text = path.read_text(encoding="utf-8").rstrip("\n")
            path.write_text(f"{text}\n\n补充说明：{self.rng.choice(WORDS)}第{self.rng.randrange(1000)}项。\n",
                            encoding="utf-8")
        return None

    def title(self) -> str | None:
        path = self._some_page()
        if path:
            self.rewrite(path, title=f"{self.rng.choice(WORDS)}（修订）", date=self.date())
        return None

    def move(self) -> str | None:
        path = self._some_page()
        if path:
            target = path.parent.parent / self.rng.choice(["gzdt", "tzgg"]) / f"{self.fresh()}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
        return None

    def delete(self) -> str | None:
        path = self._some_page()
        if path:
            path.unlink()
        return None

    def attach(self) -> str | None:
        path = self._some_page()
        if path:
            name = f"{self.fresh()}.pdf"
            (path.parent / "files").mkdir(exist_ok=True)
            (path.parent / "files" / name).write_bytes(b"%PDF-1.4\n" + bytes([self.rng.randrange(256)]) * 900)
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("\n---\n", f"\nattachments: [files/{name}]\n---\n", 1)
                            if "attachments:" not in text else text, encoding="utf-8")
        return None

    def department(self) -> str | None:
        if (self.root / "departments/fgw.yaml").exists():
            return self.add()
        make_cluster(self.root, {
            "departments/fgw.yaml": SECOND_DEPT,
            "content/fgw/xxgk/zn.md": page("发展改革委政府信息公开指南", "2024-01-05 09:00", "指南正文。"),
            "content/fgw/xxgk/zd.md": page("发展改革委政府信息公开制度", "2024-01-05 09:00", "制度正文。"),
            "content/fgw/gzdt/first.md": page("发展改革委召开会议", self.date(), self.text()),
        }, defaults=False)
        return None

    def rename_department(self) -> str | None:
        path = self.root / "departments/jxj.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("short_name: 市经信局", f"short_name: 经信局{self.rng.randrange(10)}")
                        .replace(text.split("\n", 1)[0], f"name: 测试市经济和信息化局{self.rng.choice('甲乙丙')}"),
                        encoding="utf-8")
        return None

    def site(self) -> str | None:
        path = self.root / "site.yaml"
        text = path.read_text(encoding="utf-8")
        size = self.rng.choice([2, 3, 20])
        path.write_text("\n".join(f"page_size: {size}" if l.startswith("page_size:") else l
                                  for l in text.splitlines()) + "\n", encoding="utf-8")
        return None

    def template(self) -> str | None:
        mark = self.rng.randrange(1000)
        if self.rng.random() < 0.5:
            make_cluster(self.root, {"templates/404.html": '{% extends "base.html" %}{% block main %}'
                                     f'<h1>页面不存在（{mark}）</h1>{{% endblock %}}'}, defaults=False)
        else:   # a fragment every page renders through fragment(), not an include
            footer = f'<footer><p>页脚（{mark}）{{{{ contact_url }}}}</p></footer>'
            make_cluster(self.root, {"templates/_footer.html": footer}, defaults=False)
        return None

    def guide(self) -> str:
        """A new 办事指南, or an edit to one's elements (its theme, its promised time, its title)."""
        folder = self.root / "content/jxj/bsfw"
        existing = sorted(folder.glob("*.md")) if folder.is_dir() else []
        if existing and self.rng.random() < 0.5:
            path = self.rng.choice(existing)
            text = path.read_text(encoding="utf-8")
            theme = self.rng.choice(["开办企业", "科技创新", "工程建设"])
            text = text.replace(text[text.index("themes: ["):].split("\n", 1)[0], f"themes: [{theme}]")
            text = text.replace(text[text.index("promised_days: "):].split("\n", 1)[0],
                                f"promised_days: {self.rng.randint(0, 5)}")
            text = text.replace(text[text.index("title: "):].split("\n", 1)[0],
                                f"title: {self.rng.choice(WORDS)}事项办理")
            path.write_text(text, encoding="utf-8")
            return "edit a guide"
        make_cluster(self.root, {f"content/jxj/bsfw/{self.fresh()}.md": GUIDE.replace(
            ", sample: files/form.pdf}", "}").replace("工业企业技术改造项目备案", f"{self.rng.choice(WORDS)}项目备案")},
            defaults=False)
        return "add a guide"

    def assign(self) -> str | None:
        make_cluster(self.root, {f"content/jxj/zcwj/{self.fresh()}.md": item(
            f"关于{self.rng.choice(WORDS)}的通知", "2024-06-12 09:30", "2024-06-10")}, defaults=False)
        assign(self.root)
        return None


    def letter(self) -> str:
        """Staff publish an answered letter, or stop publishing one: no file under the site changes."""
        store = open_store(str(self.root / "build" / "letters.sqlite"))
        shown = [x for x in store.letters() if x.publish]
        if shown and self.rng.random() < 0.3:
            store.set_publish(self.rng.choice(shown), "ann", False)
            what = "letter unpublished"
        else:
            x = store.submit(code_hash=digest(self.fresh()), mailbox=self.rng.choice(["jxj", "portal"]),
                             kind=self.rng.choice(["咨询", "建议"]), title=f"关于{self.rng.choice(WORDS)}的来信",
                             body=self.text(), name="王五", phone="13900001111", email="", consent=True)
            store.reply(x, "ann", "已收悉。", x.mailbox)
            store.set_publish(store.letter(x.id), "ann", True)
            what = "letter published"
        store.close()     # the last connection checkpoints the WAL: the file alone is the store
        return what


def start(root: Path) -> Path:
    return make_cluster(root, {
        "content/jxj/gzdt/a.md": page("第一篇动态", "2024-03-01 09:00", "开篇。"),
        "content/jxj/tzgg/b.md": page("第一份通知", "2024-03-02 09:00", "通知。"),
        "content/jxj/zcjd/c.md": page("第一篇解读", "2024-03-03 09:00", "解读。"),
    })


@pytest.mark.parametrize("seed", SEEDS)
def test_incremental_builds_equal_cold_builds_after_every_edit(tmp_path: Path, seed: int):
    rng = random.Random(seed)
    root = start(tmp_path / "site")
    editor = Editor(root, rng)
    for path in editor.pages():
        path.write_text(path.read_text(encoding="utf-8") + f"\n{LONG}\n", encoding="utf-8")
    # Even seeds keep one cache in memory between builds and make each build from the last, as the
    # preview server and `sitegen watch` do; odd seeds start each build from build/cache on disk,
    # as the command does.
    shared = Cache(root / "build" / "cache") if seed % 2 == 0 else None
    if seed % 2:
        # Two releases kept: from the third build on, each release is made from the oldest one.
        with open(root / "site.yaml", "a", encoding="utf-8") as f:
            f.write("releases: 2\n")
    out = root / "build" / "site"
    last = build(root, out, index=False, inspect=False, cache=shared, workers=1).built
    built = 0
    for n in range(STEPS):
        before, was = tree(out), out.resolve()
        what = editor.step()
        cold_root = tmp_path / f"cold-{n}"
        shutil.copytree(root, cold_root, ignore=shutil.ignore_patterns("build"))
        if (root / "build" / "letters.sqlite").exists():      # the letters store is an input too
            (cold_root / "build").mkdir()
            shutil.copy2(root / "build" / "letters.sqlite", cold_root / "build" / "letters.sqlite")
        try:
            report = build(root, out, index=False, inspect=False, cache=shared, workers=1,
                           after=last if shared else None)
            last = report.built or last
        except BuildFailed as e:
            # An edit that breaks a link (a move, a delete) fails both ways alike, and publishes nothing.
            with pytest.raises(BuildFailed) as cold:
                build(cold_root, cold_root / "build" / "site", index=False, inspect=False, workers=1)
            assert [str(p) for p in cold.value.problems] == [str(p) for p in e.problems]
            editor.undo_breakage()
            continue
        build(cold_root, cold_root / "build" / "site", index=False, inspect=False, workers=1)
        assert tree(out) == tree(cold_root / "build" / "site"), f"seed {seed}, step {n}: {what}"
        # The release it replaced is kept as it was: nothing was written through a shared file.
        assert tree(was) == before, f"seed {seed}, step {n}: {what}"
        built += 1
        shutil.rmtree(cold_root)
    assert built >= STEPS // 2


def test_a_build_with_nothing_changed_renders_nothing_and_makes_no_release(tmp_path: Path):
    root = start(tmp_path / "site")
    first = build(root, index=False)
    (root / "content/jxj/gzdt/a.md").touch()        # touched, not changed: the pages are the same
    second = build(root, index=False)
    third = build(root, index=False)
    assert first.release is not None and first.rendered == first.files
    assert second.release is None and second.rendered == 0
    assert third.release is None and third.timings == ()      # known unchanged before anything is read


def test_one_edit_rewrites_only_the_outputs_that_show_it(tmp_path: Path):
    root = start(tmp_path / "site")
    build(root, index=False)
    path = root / "content/jxj/gzdt/a.md"
    path.write_text(page("第一篇动态", "2024-03-01 09:00", "开篇，补充一句。"), encoding="utf-8")
    report = build(root, index=False)
    # The page, and the feeds that carry its summary (taken from the body when it has none).
    assert report.release is not None
    assert set(report.release.changed) == {"jxj/gzdt/a/index.html", "feed.xml", "jxj/feed.xml", "jxj/gzdt/feed.xml"}
    path.write_text(page("改过标题的动态", "2024-03-01 09:00", "开篇，补充一句。"), encoding="utf-8")
    changed = set(build(root, index=False).release.changed)
    # The title shows on the page, its column's list, the department home, the portal's
    # 部门动态 block and the feeds; nothing else is rewritten.
    assert changed == {"jxj/gzdt/a/index.html", "jxj/gzdt/index.html", "jxj/index.html", "index.html",
                       "feed.xml", "jxj/feed.xml", "jxj/gzdt/feed.xml"}


def test_a_build_made_from_the_last_reads_and_renders_only_the_edited_page(tmp_path: Path):
    root = start(tmp_path / "site")
    path = root / "content/jxj/gzdt/a.md"
    opening = "开篇。" + "本月围绕数字政府建设推进各项工作。" * 12       # longer than a summary
    path.write_text(page("第一篇动态", "2024-03-01 09:00", f"{opening}\n\n[方案](files/plan.pdf)"), encoding="utf-8")
    (root / "content/jxj/gzdt/files").mkdir()
    (root / "content/jxj/gzdt/files/plan.pdf").write_bytes(b"%PDF-1.4 plan")
    cache = Cache(root / "build" / "cache")
    first = build(root, index=False, cache=cache)
    path.write_text(page("第一篇动态", "2024-03-01 09:00", f"{opening}\n\n[方案](files/plan.pdf)\n\n补充一句。"),
                    encoding="utf-8")
    second = build(root, index=False, cache=cache, after=first.built)
    stages = [name for name, _ in second.timings]
    assert "assemble" not in stages and "plan" not in stages and "check" in stages
    assert second.rendered == 1 and second.release is not None
    assert second.release.changed == ("jxj/gzdt/a/index.html",)
    assert "补充一句" in (root / "build/site/jxj/gzdt/a/index.html").read_text(encoding="utf-8")
    # What a whole build from nothing makes of the same files, search index aside.
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("build"))
    build(cold, index=False)
    assert tree(root / "build/site") == tree(cold / "build/site")
    # A new title shows in the lists and the home pages: that takes the whole build.
    path.write_text(page("改过标题的动态", "2024-03-01 09:00", f"{opening}\n\n[方案](files/plan.pdf)\n\n补充一句。"),
                    encoding="utf-8")
    third = build(root, index=False, cache=cache, after=second.built)
    assert "assemble" in [name for name, _ in third.timings]
    assert third.release is not None and "jxj/gzdt/index.html" in third.release.changed
    # So does one that drops the only link to a document, which then goes unpublished.
    path.write_text(page("改过标题的动态", "2024-03-01 09:00", f"{opening}\n\n补充一句。"), encoding="utf-8")
    fourth = build(root, index=False, cache=cache, after=third.built)
    assert "assemble" in [name for name, _ in fourth.timings] and fourth.release is not None
    assert not any(p.endswith(".pdf") for p in tree(root / "build/site"))
    # And one that changes the summary taken from the text.
    path.write_text(page("改过标题的动态", "2024-03-01 09:00", "全新的开头。"), encoding="utf-8")
    fifth = build(root, index=False, cache=cache, after=fourth.built)
    assert "assemble" in [name for name, _ in fifth.timings] and "feed.xml" in fifth.release.changed


def test_a_build_after_a_watchers_changes_looks_again_at_those_files_alone(tmp_path: Path, monkeypatch):
    """`build --watch` names what changed: the stats of those files (and their folders) taken again
    are what statting every file gives, for a page saved in place or renamed over, added or deleted."""
    import sitegen.build
    from sitegen.build import input_stats, restat

    walks = []
    monkeypatch.setattr(sitegen.build, "input_stats", lambda root: walks.append(root) or input_stats(root))
    root = start(tmp_path / "site")
    path = root / "content/jxj/gzdt/a.md"
    path.write_text(page("第一篇动态", "2024-03-01 09:00", LONG), encoding="utf-8")     # its summary stays
    cache = Cache(root / "build" / "cache")
    first = build(root, index=False, cache=cache, resident=True)
    path.write_text(page("第一篇动态", "2024-03-01 09:00", f"{LONG}\n\n补充一句。"), encoding="utf-8")
    assert restat(first.built.stats, {str(path)}) == input_stats(root)
    second = build(root, index=False, cache=cache, after=first.built, changed={str(path)})
    assert "assemble" not in [name for name, _ in second.timings] and second.rendered == 1
    assert len(walks) == 1      # the first build's
    assert "补充一句" in (root / "build/site/jxj/gzdt/a/index.html").read_text(encoding="utf-8")
    # Saved as editors often save: a new file renamed over the page (its folder's times change too).
    saved = path.with_name("a.md.tmp")
    saved.write_text(page("第一篇动态", "2024-03-01 09:00", f"{LONG}\n\n再补充一句。"), encoding="utf-8")
    os.replace(saved, path)
    assert restat(second.built.stats, {str(path)}) == input_stats(root)
    third = build(root, index=False, cache=cache, after=second.built, changed={str(path)})
    assert third.rendered == 1 and "再补充一句" in (root / "build/site/jxj/gzdt/a/index.html").read_text(encoding="utf-8")
    # A page added, then one deleted: each takes the whole build, which looks at every file.
    added = root / "content/jxj/gzdt/d.md"
    added.write_text(page("新增的动态", "2024-03-05 09:00", "新增。"), encoding="utf-8")
    assert restat(third.built.stats, {str(added)}) == input_stats(root)
    fourth = build(root, index=False, cache=cache, after=third.built, changed={str(added)})
    assert "assemble" in [name for name, _ in fourth.timings] and (root / "build/site/jxj/gzdt/d/index.html").exists()
    assert len(walks) == 2      # and the whole build's
    added.unlink()
    assert restat(fourth.built.stats, {str(added)}) == input_stats(root)
    fifth = build(root, index=False, cache=cache, after=fourth.built, changed={str(added)})
    assert not (root / "build/site/jxj/gzdt/d/index.html").exists()
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("build"))
    build(cold, index=False)
    assert fifth.release is not None and tree(root / "build/site") == tree(cold / "build/site")


def test_a_page_only_written_again_is_read_but_not_parsed_again(tmp_path: Path, monkeypatch):
    root = start(tmp_path / "site")
    build(root, index=False)
    parsed: list[str] = []
    parse = content.parse
    monkeypatch.setattr(content, "parse", lambda root, path, raw=None: parsed.append(path.name) or parse(root, path, raw))
    # A checkout writes every file again with the same text: new times and inodes, the same pages.
    for path in (root / "content").rglob("*.md"):
        text = path.read_bytes()
        path.unlink()
        path.write_bytes(text)
    build(root, index=False)
    assert parsed == []
    # An edited page is parsed again, and so is a text moved to another file (its path is its place).
    (root / "content/jxj/gzdt/a.md").write_text(page("第一篇动态", "2024-03-01 09:00", "开篇，改过。"), encoding="utf-8")
    (root / "content/jxj/tzgg/b.md").rename(root / "content/jxj/tzgg/b2.md")
    build(root, index=False)
    assert sorted(parsed) == ["a.md", "b2.md"]
    assert "开篇，改过。" in (root / "build/site/jxj/gzdt/a/index.html").read_text(encoding="utf-8")
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("build"))
    build(cold, index=False)
    assert tree(root / "build/site") == tree(cold / "build/site")


def test_parallel_and_serial_builds_write_the_same_bytes(tmp_path: Path):
    files = {f"content/jxj/gzdt/n{i:03d}.md": page(f"动态第{i}条", f"2024-02-{i % 28 + 1:02d} 09:00",
                                                   f"## 第{i}条\n\n正文{i}，[相关](n{(i + 1) % 450:03d}.md)。")
             for i in range(450)}
    serial = make_cluster(tmp_path / "serial", files)
    parallel = make_cluster(tmp_path / "parallel", files)
    a = build(serial, index=False, workers=1)
    b = build(parallel, index=False, workers=2)
    assert a.rendered == b.rendered > 400
    # Each stage's CPU, the workers' apart: what the bench prints of a cold build.
    assert [stage for stage, _, _ in b.cpu] == [stage for stage, _ in b.timings]
    assert {stage: workers for stage, _, workers in a.cpu}["render"] == 0
    assert {stage: workers for stage, _, workers in b.cpu}["render"] > 0
    assert tree(serial / "build/site") == tree(parallel / "build/site")
    # The check's facts of each page come from whichever process rendered it: the same findings.
    assert [str(w) for w in a.warnings] == [str(w) for w in b.warnings] != []
    # A first build keys each output where it renders it; the keys pass of the next build (a page
    # touched, so that it reads and plans again) finds every one of them unchanged.
    (parallel / "content/jxj/gzdt/n000.md").touch()
    again = build(parallel, index=False, workers=2)
    assert [stage for stage, _ in again.timings][:2] == ["load", "assemble"]
    assert again.release is None and again.rendered == 0


@pytest.mark.slow
def test_render_workers_write_over_a_recycled_release(tmp_path: Path):
    """The workers write what they render; in a release made from the oldest one, each file they
    write is another release's inode first, which must be replaced, never written through."""
    files = {f"content/jxj/gzdt/n{i:03d}.md": page(f"动态第{i}条", f"2024-02-{i % 28 + 1:02d} 09:00", f"正文{i}。")
             for i in range(450)}
    root = make_cluster(tmp_path / "site", files)
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "releases: 2\n", encoding="utf-8")
    build(root, index=False, workers=2)
    second = {}
    for name in ("测试市人民政府门户", "测试市政府"):     # the name is on every page: all re-rendered
        text = site.read_text(encoding="utf-8")
        site.write_text(text.replace(text.splitlines()[0], f"name: {name}"), encoding="utf-8")
        report = build(root, index=False, workers=2)
        assert report.rendered > 400
        second = second or tree(root / "build/releases/r000002")
    assert report.release is not None and report.release.id == "r000003"
    assert not (root / "build/releases/r000001").exists()    # it became r000003
    assert tree(root / "build/releases/r000002") == second    # and r000003's writes left r000002 alone
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("build"))
    build(cold, index=False, workers=1)
    assert tree(root / "build/site") == tree(cold / "build/site")


def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path: Path):
    root = start(tmp_path / "site")
    build(root, index=False)
    expected = tree(root / "build/site")
    db = root / "build/cache/cache.sqlite"
    db.write_bytes(b"not a database" * 100)
    (root / "content/jxj/gzdt/a.md").write_text(page("第一篇动态", "2024-03-01 09:00", "开篇。"), encoding="utf-8")
    build(root, index=False)
    assert tree(root / "build/site") == expected
    # A cache signed with another secret (copied from elsewhere) is never unpickled.
    (root / "build/cache/secret").write_bytes(b"x" * 32)
    shutil.rmtree(root / "build/releases")
    (root / "build/site").unlink()
    build(root, index=False)
    assert tree(root / "build/site") == expected


def test_an_article_body_is_keyed_by_what_makes_its_html(tmp_path: Path):
    """An output's key holds its page's HTML by the digest of what made it: the Markdown, the
    converter and what each link resolved to. The same text linking the same relative path from
    two departments makes two HTMLs, and two keys."""
    from sitegen.assemble import assemble
    from sitegen.cache import digest as text_digest
    from sitegen.load import load
    from sitegen.model import Long

    same = "详见[有关通知](../tzgg/n.md)。"
    root = make_cluster(tmp_path, {
        "content/portal/zwyw/a.md": page("门户转载", body=same), "content/portal/tzgg/n.md": page("门户通知"),
        "content/jxj/gzdt/a.md": page("部门转载", body=same), "content/jxj/tzgg/n.md": page("部门通知")})

    def pages():
        records, problems = load(root)
        assert records is not None and not problems
        cluster, problems = assemble(records)
        assert not problems
        return cluster.pages["portal/zwyw/a"], cluster.pages["jxj/gzdt/a"]

    portal, department = pages()
    assert 'href="/tzgg/n/"' in portal.body and 'href="/jxj/tzgg/n/"' in department.body
    assert repr(portal.body) != repr(department.body)
    again, _ = pages()
    assert repr(again.body) == repr(portal.body) == repr(Long(portal.body))     # a Long made of it keeps it
    plain = Long(str(portal.body))          # a text with nothing known of it: keyed by the text itself
    assert repr(plain) == f"Long({text_digest(str(portal.body))})" != repr(portal.body)
