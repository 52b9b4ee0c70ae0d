"""The preview's glance: a saved page shown at once is the page the rebuild then writes, or no glance at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.cache import Cache
from sitegen.glance import Glance
from sitegen.output import Preview, ReleaseInfo
from sitegen.preview import Preview as PreviewApp
from sitegen.serve import Builder

from clusters import GUIDE, make_cluster, page

FILES = {
    "content/jxj/gzdt/a.md": page("第一篇动态", "2024-03-10 09:00", "正文一。"),
    "content/jxj/gzdt/b.md": page("第二篇动态", "2024-03-11 09:00", "正文二，参见[第一篇](a.md)。"),
    "content/jxj/gzdt/c.md": page("第三篇动态", "2024-03-12 09:00", "正文三。"),
    "content/jxj/tzgg/n.md": page("关于开展检查的通知", "2024-03-13 09:00", "通知正文。",
                                  attachments="[{file: files/list.csv, title: 检查名单}]"),
    "content/jxj/tzgg/files/list.csv": "单位,地址\n甲,人民路\n",
    "content/jxj/bsfw/xmba.md": GUIDE,
    "content/jxj/bsfw/files/form.pdf": b"%PDF-1.4\n%%EOF\n",
    "content/jxj/gzdt/files/draft.csv": "单位\n乙\n",      # published only once a page links it
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_cluster(tmp_path_factory.mktemp("glance") / "site", FILES)
    out = root / "build" / "preview"
    cache = Cache(root / "build" / "cache")
    built = build(root, out, keep_going=True, cache=cache, writer=Preview, inspect=False, index=False).built
    return root, out, cache, built


def written(root: Path, cache: Cache, out: Path, rel: str) -> bytes:
    """The page as the whole rebuild writes it."""
    build(root, out, keep_going=True, cache=cache, writer=Preview, inspect=False, index=False)
    return (out / rel).read_bytes()


@pytest.mark.parametrize("rel, text, url", [
    ("content/jxj/gzdt/b.md", page("第二篇动态", "2024-03-11 09:00", "改过的正文，参见[第三篇](c.md)。"),
     "jxj/gzdt/b/index.html"),
    ("content/jxj/gzdt/a.md", page("改过标题的第一篇", "2024-03-10 09:00", "## 一、要点\n\n正文一。"),
     "jxj/gzdt/a/index.html"),
    ("content/jxj/tzgg/n.md", page("关于开展检查的通知", "2024-03-13 09:00", "见附件[名单](files/list.csv)。",
                                   attachments="[{file: files/list.csv, title: 检查名单（修订）}]"),
     "jxj/tzgg/n/index.html"),
])
def test_a_glanced_page_is_the_page_the_rebuild_writes(site, rel, text, url):
    root, out, cache, built = site
    original = (root / rel).read_text(encoding="utf-8")
    try:
        (root / rel).write_text(text, encoding="utf-8")
        shown = Glance().pages(built, [root / rel])
        assert [path for path, _ in shown] == [url]
        assert shown[0][1] == written(root, cache, out, url)
    finally:
        (root / rel).write_text(original, encoding="utf-8")
        written(root, cache, out, url)


@pytest.mark.parametrize("rel, text", [
    ("content/jxj/gzdt/a.md", page("第一篇动态", "2024-03-15 09:00", "正文一。")),        # re-dated: lists reorder
    ("content/jxj/gzdt/a.md", page("第一篇动态", "2024-03-10 09:00", "[断链](nowhere.md)")),
    ("content/jxj/gzdt/a.md", "---\ntitle: [\n---\n正文。\n"),                             # invalid front matter
    ("content/jxj/gzdt/a.md", page("第一篇动态", "2024-03-10 09:00", "[表格](files/draft.csv)")),  # unpublished file
    ("content/jxj/bsfw/xmba.md", GUIDE.replace("实行备案管理", "实行告知备案管理")),        # planned by services
    ("content/jxj/gzdt/new.md", page("新的一篇", "2024-03-14 09:00")),                     # not in the last build
])
def test_no_glance_where_only_the_rebuild_can_tell(site, rel, text):
    root, _, _, built = site
    path = root / rel
    original = path.read_bytes() if path.exists() else None
    try:
        path.write_text(text, encoding="utf-8")
        assert Glance().pages(built, [path]) == []
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


def test_a_save_during_a_rebuild_is_not_undone_by_it(cluster_root):
    """The glance outlives a rebuild that read the file before the save; a reverted page is rewritten."""
    root = cluster_root({"content/jxj/gzdt/a.md": page("第一版", "2024-03-10 09:00", "第一版正文。")})
    out = root / "build" / "preview"
    reloads = []
    builder = Builder(root, out, preview=PreviewApp(out), report=lambda r: None, reload=lambda: reloads.append(1))
    builder.rebuild()
    source, html = root / "content/jxj/gzdt/a.md", out / "jxj/gzdt/a/index.html"

    source.write_text(page("第二版", "2024-03-10 09:00", "第二版正文。"), encoding="utf-8")
    builder.changed([source])
    assert "第二版正文" in html.read_text(encoding="utf-8") and reloads

    # A rebuild that began before the save writes the first version; the glance is shown again.
    builder._since = -1
    source.write_text(page("第一版", "2024-03-10 09:00", "第一版正文。"), encoding="utf-8")
    html.write_text("第一版正文", encoding="utf-8")
    builder._published(ReleaseInfo("preview", 0.0, 1, 1, 1, 0, 0, (), (), None, True))
    assert "第二版正文" in html.read_text(encoding="utf-8")

    # The save is then undone: the rebuild writes the first version again, although its key is the
    # one the record held before the glance.
    builder.rebuild()
    assert "第一版正文" in html.read_text(encoding="utf-8")
