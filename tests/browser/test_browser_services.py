"""办事服务 pages in real Chromium at 1280 and 375 px: axe-core, Nu, no sideways scroll, the printed checklist."""

from __future__ import annotations

import pytest

import browser_helpers as bh
from browser_helpers import WIDTHS

pytestmark = pytest.mark.browser

SERVICE_PAGES = {
    "guide": "/rsj/bsfw/unemployment-benefit/",
    "department list": "/rsj/bsfw/",
    "portal directory": "/bsfw/",
    "theme": "/bsfw/zt/kbqy/",
    "life event": "/bsfw/sj/txs/",
    "department home": "/jyj/",
}
by_page_and_width = pytest.mark.parametrize("name,width", [(n, w) for n in SERVICE_PAGES for w in WIDTHS])


def _open(open_page, name, width, js=True):
    w, h = WIDTHS[width]
    page, response = open_page(SERVICE_PAGES[name], width=w, height=h, js=js)
    assert response is not None and response.status == 200, SERVICE_PAGES[name]
    return page


@by_page_and_width
def test_axe_no_violations(open_page, name, width):
    page = _open(open_page, name, width)
    violations = bh.run_axe(page)
    assert not violations, bh.format_axe_violations(violations, f"{SERVICE_PAGES[name]} at {WIDTHS[width][0]}px")
    assert page.sitegen_errors == []


@pytest.mark.parametrize("name", SERVICE_PAGES)
def test_vnu_no_errors(vnu_results, site_dir, name):
    file = bh.url_path_to_file(site_dir, SERVICE_PAGES[name]).resolve()
    assert file in vnu_results, f"{SERVICE_PAGES[name]} was not built"
    errors = vnu_results[file]["errors"]
    assert not errors, bh.format_vnu_messages(errors)


@by_page_and_width
def test_no_sideways_scroll(open_page, name, width):
    page = _open(open_page, name, width)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{SERVICE_PAGES[name]} scrolls sideways by {overflow}px at {WIDTHS[width][0]}px"


def test_the_directory_works_without_javascript(open_page):
    page = _open(open_page, "portal directory", "mobile", js=False)
    page.get_by_role("link", name="退休（2）").click()
    page.wait_for_url("**/bsfw/sj/txs/")
    page.get_by_role("link", name="企业职工基本养老保险待遇申领").click()
    page.wait_for_url("**/rsj/bsfw/pension-claim/")
    assert page.locator("h1").inner_text() == "企业职工基本养老保险待遇申领"


def test_the_printed_guide_is_the_checklist_without_the_chrome(open_page):
    page = _open(open_page, "guide", "desktop")
    assert page.locator(".print-button").is_visible()
    page.emulate_media(media="print")
    assert page.locator("#materials .print-only").is_visible()
    assert page.locator("table.materials").is_visible()
    for hidden in (".site-header", ".site-footer", ".guide-toc", ".guide-actions"):
        assert not page.locator(hidden).first.is_visible(), hidden
