"""The shipped demo cluster: it builds, it is as large as promised, and no link in it is broken."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from datetime import datetime

from sitegen.build import build
from sitegen.urls import LETTERS

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


# The day the demo's content was last brought up to date: its freshness is judged as of then.
AS_OF = datetime(2026, 11, 30, 12, 0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "site"
    return build(REPO, out, now=AS_OF), out


def test_demo_is_a_whole_cluster(demo):
    report, out = demo
    # No problem of any kind but the inspection rules' early warnings (预警), which a live
    # cluster always has some of; no veto and no deduction.
    assert [str(w) for w in report.warnings if not w.field.startswith("check ")] == []
    assert [str(w) for w in report.warnings if "[预警]" not in w.expected] == []
    departments = [row for row in report.pages if row[0] != "portal"]
    assert len(departments) >= 6 and report.total_pages >= 150
    for slug, _, count in departments:
        nav = (out / slug / "index.html").read_text(encoding="utf-8")
        for column in ("工作动态", "通知公告", "政策文件", "政策解读"):
            assert f">{column}</a>" in nav, (slug, column)
        assert count >= 15, (slug, count)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for name in ("href", "src"):
            if a.get(name) and not (tag == "link" and a.get("rel") == "canonical"):
                self.links.append(a[name])


def test_no_internal_link_or_fragment_is_broken(demo):
    _, out = demo
    pages = {p: _parse(p) for p in out.rglob("*.html")}
    broken = []
    for path, parser in pages.items():
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or parts.path.startswith(LETTERS):
                continue        # /letters/ is the run-time letters service (tests/test_letters_*.py)
            target = (out / unquote(parts.path).lstrip("/")) if parts.path.startswith("/") \
                else (path.parent / unquote(parts.path))
            if parts.path == "":
                target = path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path.relative_to(out)} -> {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target.resolve()].ids if target.resolve() in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(out)} -> {link} (no such id)")
    assert broken == []


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_is_in_the_sitemap(demo):
    _, out = demo
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = {u.find(f"{ns}loc").text for u in ET.parse(out / "sitemap.xml").getroot()}
    pages = {"https://www.linjiang.gov.cn/" + p.parent.relative_to(out).as_posix() + "/"
             for p in out.rglob("index.html")}
    pages = {p.replace(".cn/./", ".cn/") for p in pages}
    assert pages == locs


def test_attachments_are_published_with_their_pages(demo):
    _, out = demo
    attachments = [p for p in (REPO / "content").rglob("files/*") if p.is_file()]
    assert len(attachments) >= 5
    for source in attachments:
        rel = source.relative_to(REPO / "content").as_posix().removeprefix("portal/")
        assert (out / rel).read_bytes() == source.read_bytes(), rel
