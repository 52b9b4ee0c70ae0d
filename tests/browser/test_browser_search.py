"""Search in headless Chromium: the results page served by the search service inside the preview
app, checked with axe-core and the Nu Html Checker, and a citizen's search from a department page."""

from __future__ import annotations

import socketserver
import threading
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import urlopen
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import browser_helpers as bh
import pytest
from browser_helpers import WIDTHS

from sitegen.preview import Preview
from sitegen.search import search_dir
from sitegen.search.service import SearchService
from sitegen.urls import SEARCH

pytestmark = pytest.mark.browser

DEPT = "jxj"
WORD = "节能降碳"         # in the demo: pages of 市经信局 and of two other departments on the first page
RESULT_PAGES = {
    "results": {"q": WORD},
    "department": {"q": WORD, "dept": DEPT},
    "filters": {"q": "公共数据", "kind": "policy", "from": "2024-01-01", "sort": "date"},
    "no-results": {"q": "智慧成市"},
    "empty": {},
    "bad-input": {"q": "<script>alert(1)</script>", "page": "-1", "from": "yesterday", "dept": "nosuch"},
}


class _Threading(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def search_base(site_dir):
    """The preview app (static web root + the search service at /search/) on a loopback port."""
    index = search_dir(site_dir)
    if not (index / "current").exists():
        pytest.fail(f"no search index beside the web root ({index}): the build writes one", pytrace=False)
    app = Preview(site_dir, mounts={SEARCH: SearchService(index)})
    server = make_server("127.0.0.1", 0, app, server_class=_Threading, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_search(browser, search_base):
    contexts = []

    def _open(path: str, width: int = 1280, height: int = 800, js: bool = True):
        ctx = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=js,
                                  bypass_csp=True, locale="zh-CN")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        response = page.goto(search_base + path, wait_until="load")
        return page, response

    yield _open
    for ctx in contexts:
        ctx.close()


def _url(params: dict) -> str:
    return SEARCH + ("?" + urlencode(params) if params else "")


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", list(RESULT_PAGES))
def test_results_page_has_no_axe_violations(open_search, role, width):
    w, h = WIDTHS[width]
    page, response = open_search(_url(RESULT_PAGES[role]), w, h)
    assert response.status == 200
    violations = bh.run_axe(page)
    assert not violations, bh.format_axe_violations(violations, f"{role} at {w}px")
    overflow = page.evaluate(bh.OVERFLOWING_ELEMENTS_JS, 5)
    assert not overflow, f"{role} at {w}px is wider than the screen: {overflow}"


def test_results_pages_are_valid_html(search_base, tmp_path):
    if bh.java_executable() is None or not bh.VNU_JAR.is_file():
        pytest.skip("the Nu Html Checker needs java and node_modules/vnu-jar")
    files = []
    for role, params in RESULT_PAGES.items():
        with urlopen(search_base + _url(params)) as r:
            path = tmp_path / f"{role}.html"
            path.write_bytes(r.read())
            files.append(path)
    results = bh.run_vnu(files)
    errors = {f.name: results[f.resolve()]["errors"] for f in files if results[f.resolve()]["errors"]}
    assert not errors, "\n".join(f"{name}:\n{bh.format_vnu_messages(msgs)}" for name, msgs in errors.items())


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_citizen_searches_from_a_department_page(open_search, js):
    page, _ = open_search(f"/{DEPT}/", js=js)
    dept_name = page.locator(".brand-name").inner_text().strip()
    page.fill("#q", WORD)
    with page.expect_navigation():
        page.press("#q", "Enter")
    # The department's box searches the department first.
    assert urlsplit(page.url).path == SEARCH and parse_qs(urlsplit(page.url).query)["dept"] == [DEPT]
    results = page.locator(".search-results > li")
    assert results.count() > 0
    departments = {t.strip() for t in page.locator(".search-meta span:first-child").all_inner_texts()}
    assert departments == {dept_name}
    assert page.locator(".search-results mark").count() > 0

    # One click searches everywhere ...
    with page.expect_navigation():
        page.click("a.search-everywhere")
    assert "dept" not in parse_qs(urlsplit(page.url).query)
    everywhere = {t.strip() for t in page.locator(".search-meta span:first-child").all_inner_texts()}
    assert len(everywhere) > 1

    # ... and the filter narrows it to the department again.
    page.select_option("#search-dept", DEPT)
    with page.expect_navigation():
        page.click("button.search-apply")
    assert parse_qs(urlsplit(page.url).query)["dept"] == [DEPT]
    assert {t.strip() for t in page.locator(".search-meta span:first-child").all_inner_texts()} == {dept_name}

    first = page.locator(".search-results > li h2 a").first
    title = first.inner_text().strip()
    with page.expect_navigation() as nav:
        first.click()
    assert nav.value.status == 200 and urlsplit(page.url).path.startswith(f"/{DEPT}/")
    assert page.locator("h1").inner_text().strip() == title
