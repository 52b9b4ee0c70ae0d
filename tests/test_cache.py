"""build/cache: what a build puts is there for the next one."""

from __future__ import annotations

from sitegen.cache import Cache


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
