"""A citizen filters the 政府信息公开 catalog: static facet pages without JavaScript, instant filter with it."""

from __future__ import annotations

import json

import pytest

import browser_helpers as bh

pytestmark = pytest.mark.browser


def _rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#catalog tbody tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))")


def _catalog(site_dir) -> list[dict]:
    return json.loads((site_dir / "xxgk" / "catalog.json").read_text(encoding="utf-8"))


def test_without_javascript_facet_links_filter_and_pages_paginate(open_page, site_dir):
    page, _ = open_page("/xxgk/", js=False)
    assert not page.locator("#catalog-filter").is_visible()      # the form needs JavaScript
    items = _catalog(site_dir)
    topic = items[0]["topic"]
    page.locator(".xxgk-facets a", has_text=topic).first.click()
    page.wait_for_load_state()
    assert "/xxgk/zt/" in page.url
    expected = [i["title"] for i in items if i["topic"] == topic]
    shown = [r[1] for r in _rows(page)]
    assert shown == expected[: len(shown)] and len(shown) == min(20, len(expected))
    # the unfiltered platform pages through every item, 20 to a page
    page, _ = open_page("/xxgk/", js=False)
    page.locator(".pagination a[rel=next]").click()
    page.wait_for_load_state()
    assert [r[1] for r in _rows(page)] == [i["title"] for i in items[20:40]]


@pytest.mark.parametrize("width", list(bh.WIDTHS))
def test_with_javascript_the_filter_narrows_every_item_at_once(open_page, site_dir, width):
    page, _ = open_page("/xxgk/", width=bh.WIDTHS[width][0], height=bh.WIDTHS[width][1])
    form = page.locator("#catalog-filter")
    form.wait_for(state="visible")
    items = _catalog(site_dir)
    status = page.locator(".filter-status")
    assert status.inner_text() == f"共 {len(items)} 条信息"
    assert not page.locator(".static-pager").is_visible()

    dept = "临江市发展和改革委员会"
    page.select_option("#f-department", label=dept)
    mine = [i for i in items if i["department"] == dept]
    assert status.inner_text() == f"找到 {len(mine)} 条信息"
    assert {r[2] for r in _rows(page)} == {dept}

    void = [i for i in mine if i["validity"] == "废止"]
    page.select_option("#f-validity", "废止")
    assert [r[1] for r in _rows(page)] == [i["title"] for i in void]

    page.select_option("#f-validity", "")
    word = mine[0]["doc_number"] or mine[0]["title"][:6]
    page.fill("#f-text", word)
    expected = [i for i in mine if word in i["title"] or word in i["doc_number"] or word in i["index_no"]
                or any(word in k for k in i["keywords"])]
    assert [r[1] for r in _rows(page)] == [i["title"] for i in expected]

    page.select_option("#f-sort", "written-asc")
    written = [r[3] for r in _rows(page)]
    assert written == sorted(written)

    page.click("#catalog-filter button[type=reset]")
    page.wait_for_function(f"document.querySelector('.filter-status').innerText === '共 {len(items)} 条信息'")
    assert not page.sitegen_errors, "\n".join(page.sitegen_errors)
    # the result opens the document
    page.locator("#catalog tbody a").first.click()
    page.wait_for_load_state()
    assert page.locator("table.doc-meta").is_visible()


def test_a_facet_page_starts_the_filter_where_it_stands(open_page, site_dir):
    page, _ = open_page("/xxgk/nd/2025/")
    page.locator("#catalog-filter").wait_for(state="visible")
    assert page.locator("#f-year").input_value() == "2025"
    years = {r[4][:4] for r in _rows(page)}
    assert years == {"2025"}
    count = sum(1 for i in _catalog(site_dir) if i["published"].startswith("2025"))
    assert page.locator(".filter-status").inner_text() == f"找到 {count} 条信息"


def test_department_catalog_sorts_without_javascript(open_page):
    page, _ = open_page(f"/{bh.DEPT}/xxgk/fdzdgknr/", js=False)
    page.locator(".sort-links a", has_text="按成文日期").click()
    page.wait_for_load_state()
    written = [r[3] for r in _rows(page)]
    assert written == sorted(written, reverse=True) and len(written) > 3


def test_the_by_written_page_keeps_its_order_when_the_filter_starts(open_page):
    page, _ = open_page(f"/{bh.DEPT}/xxgk/fdzdgknr/cwrq/")
    page.locator("#catalog-filter").wait_for(state="visible")
    assert page.locator("#f-sort").input_value() == "written-desc"
    written = [r[3] for r in _rows(page)]
    assert written == sorted(written, reverse=True)
