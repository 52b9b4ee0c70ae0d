"""build/cache: what a build puts is there for the next one."""

from __future__ import annotations

import os

from clusters import make_cluster, page

from sitegen import cache as caching
from sitegen import load as loading
from sitegen.assemble import assemble, markup_key
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.pool import Forked


def test_entries_only_put_are_saved_even_when_they_outgrow_sqlites_page_cache(tmp_path):
    # A kind the session never read (a build's check facts, all put by the render workers) once
    # made save() read it through a second connection while the first held the write lock: with
    # more than SQLite's page cache to write, that waited out the timeout and nothing was saved.
    cache = Cache(tmp_path)
    cache.put("built", "stale", "gone")
    cache.save(prune=())
    cache = Cache(tmp_path)
    for i in range(3000):
        cache.put("built", f"k{i}", f"{i:06d}" * 500)          # about 9 MB in all
    cache.save(prune=("built",))
    again = Cache(tmp_path)
    assert again.get("built", "k2999") == f"{2999:06d}" * 500
    assert again.get("built", "stale") is None


def test_a_cache_file_torn_by_a_crash_is_replaced_not_left_to_make_every_build_slow(tmp_path):
    cache = Cache(tmp_path)
    for i in range(2000):
        cache.put("source", f"k{i}", f"{i:06d}" * 300)
    cache.save()
    # The file is no longer synced as it is written: an operating system's crash can tear it.
    db = tmp_path / "cache.sqlite"
    torn = bytearray(db.read_bytes())
    for at in range(4096, len(torn), 8192):
        torn[at:at + 64] = b"\xff" * 64
    db.write_bytes(bytes(torn))
    damaged = Cache(tmp_path)
    assert damaged.get("source", "k1") is None          # a miss, never a wrong value
    damaged.put("markup", "new", "kept")
    damaged.save()
    again = Cache(tmp_path)
    assert again.get("markup", "new") == "kept"         # stored in a new file
    assert again.get("source", "k1") is None


def test_entries_stored_apart_while_the_build_goes_on_are_saved_with_the_rest(tmp_path, monkeypatch):
    # store() hands what is new to a forked process; save() waits for it, stores what came after
    # and prunes as if all had been stored at once.
    monkeypatch.setattr(caching, "APART_FROM", 1)
    cache = Cache(tmp_path)
    cache.put("source", "old", "edited since")
    cache.save(prune=())
    cache = Cache(tmp_path)
    cache.put("source", "a", "first")
    cache.put("built", "b", "second")
    cache.store()
    assert cache.get("source", "a") == "first"          # still answered while the other process writes
    cache.put("built", "c", "after")
    cache.save(prune=("source",))
    again = Cache(tmp_path)
    assert [again.get("source", "a"), again.get("built", "b"), again.get("built", "c")] == ["first", "second", "after"]
    assert again.get("source", "old") is None
    assert set(cache.stored("source")) == {"a"} and set(cache.stored("built")) == {"b", "c"}


def test_the_forked_store_takes_only_the_cpu_the_build_leaves():
    # Begun while a build assembles and plans, it must not slow them down on a busy machine.
    here = os.nice(0)
    assert Forked(lambda: os.nice(0), idle=True)() == min(19, here + 19)
    assert Forked(lambda: os.nice(0))() == here
    assert os.nice(0) == here


def test_pages_converted_while_loading_end_as_if_converted_after(tmp_path, monkeypatch):
    # With enough pages for a pool, the worker that parses a page converts it too, against the links
    # every page found would have. A link to a page the build then leaves out (its column folder is
    # not declared) must end up broken all the same, and every page's HTML as assemble() makes it.
    root = make_cluster(tmp_path, {
        "content/jxj/gzdt/a.md": page("甲", body="见[乙](b.md)、[丙](../nocol/c.md)与[附件](f.pdf)。"),
        "content/jxj/gzdt/b.md": page("乙", body="回到[甲](a.md#top)。"),
        "content/jxj/nocol/c.md": page("丙"),
        "content/jxj/gzdt/f.pdf": b"%PDF-1.4\n%%EOF\n",
    })

    def built(parallel_from: int):
        monkeypatch.setattr(loading, "PARALLEL_FROM", parallel_from)
        cache = Cache(None)
        records, problems = loading.load(root, cache, workers=1)
        assert records is not None
        converted_on_load = {s.rel for s in records.sources if cache.get("markup", markup_key(s)) is not None}
        cluster, found = assemble(records, cache, workers=1)
        return converted_on_load, cluster, problems + found

    early, fused, fused_problems = built(1)
    late, apart, apart_problems = built(10**6)
    assert "content/jxj/nocol/c.md" in early and "content/jxj/gzdt/a.md" in early and not late
    assert fused_problems == apart_problems
    assert [(p.file, p.field, p.found) for p in fused_problems if p.field == "link"] == \
        [("content/jxj/gzdt/a.md", "link", "'../nocol/c.md'")]
    assert {k: p.body for k, p in fused.pages.items()} == {k: p.body for k, p in apart.pages.items()}
    assert fused.pages["jxj/gzdt/a"].body == \
        '<p>见<a href="/jxj/gzdt/b/">乙</a>、<a href="../nocol/c.md">丙</a>与<a href="/jxj/gzdt/f.pdf">附件</a>。</p>'


def test_a_page_file_unchanged_since_the_first_build_is_not_read_again(tmp_path, monkeypatch):
    # A first build with enough pages for the workers keeps each page file's size, times and inode
    # with what it held: the next build reads only the file that was touched since.
    files = {f"content/jxj/gzdt/n{i:03d}.md": page(f"动态第{i}条", body=f"正文{i}。") for i in range(loading.PARALLEL_FROM + 20)}
    root = make_cluster(tmp_path, files)
    build(root, index=False, workers=2)
    (root / "content/jxj/gzdt/n000.md").touch()
    read: list[str] = []
    real = loading.read_bounded
    monkeypatch.setattr(loading, "read_bounded", lambda path, rel, limit: (read.append(rel), real(path, rel, limit))[1])
    build(root, index=False, workers=1)
    assert read == ["content/jxj/gzdt/n000.md"]
