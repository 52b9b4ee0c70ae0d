"""Per-page checks on the built demo cluster in real Chromium, at 1280 px and 375 px.

Pages: portal home, a department home, a column list, an article, the 404 page, the site map.
"""

from __future__ import annotations

import pytest

import browser_helpers as bh
from browser_helpers import PAGE_ROLES, WIDTHS

pytestmark = pytest.mark.browser

by_page_and_width = pytest.mark.parametrize(
    "role,width",
    [(r, w) for r in PAGE_ROLES for w in WIDTHS],
)


def _open(open_page, page_paths, role, width="desktop", js=True):
    w, h = WIDTHS[width]
    path = page_paths[role]
    page, response = open_page(path, width=w, height=h, js=js)
    assert response is not None, f"no response for {path}"
    expected = 404 if role == "404" and path != "/404.html" else 200
    assert response.status == expected, f"{path}: HTTP {response.status}, expected {expected}"
    return page, path


@by_page_and_width
def test_axe_no_violations(open_page, page_paths, role, width):
    page, path = _open(open_page, page_paths, role, width)
    violations = bh.run_axe(page)
    assert not violations, bh.format_axe_violations(violations, f"{path} at {WIDTHS[width][0]}px")


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_vnu_no_errors(vnu_results, site_dir, page_paths, role):
    path = page_paths[role]
    file = bh.url_path_to_file(site_dir, path).resolve()
    assert file in vnu_results, f"{path}: {file} was not built"
    errors = vnu_results[file]["errors"]
    assert not errors, f"Nu Html Checker: {len(errors)} error(s) in {path}:\n" + bh.format_vnu_messages(errors)


def test_vnu_every_built_page(vnu_results, site_dir):
    """Every HTML file the build produced is valid HTML (warnings are allowed)."""
    bad = {f: r["errors"] for f, r in vnu_results.items() if r["errors"]}
    report = []
    for f in sorted(bad, key=str)[:15]:
        rel = f.relative_to(site_dir) if f and f.is_relative_to(site_dir) else f
        report.append(f"{rel}: {len(bad[f])} error(s)\n" + bh.format_vnu_messages(bad[f], 5))
    assert not bad, (
        f"Nu Html Checker: errors in {len(bad)} of {len(vnu_results)} built pages "
        f"(first {min(15, len(bad))} shown):\n" + "\n".join(report)
    )


@by_page_and_width
def test_structure(open_page, page_paths, role, width):
    """Exactly one h1; one main#main; header, nav#site-nav, footer; lang zh."""
    page, path = _open(open_page, page_paths, role, width)
    facts = page.evaluate(
        """() => ({
        h1: Array.from(document.querySelectorAll('h1')).map(h => h.innerText.trim()),
        mains: document.querySelectorAll('main').length,
        mainId: document.querySelector('main') && document.querySelector('main').id,
        header: document.querySelectorAll('header').length,
        nav: !!document.querySelector('nav#site-nav'),
        footer: document.querySelectorAll('footer').length,
        lang: document.documentElement.lang,
        skip: Array.from(document.querySelectorAll('a.skip-link')).map(a => a.getAttribute('href')),
      })"""
    )
    problems = []
    if len(facts["h1"]) != 1:
        problems.append(f"{len(facts['h1'])} h1 elements, expected exactly 1: {facts['h1']}")
    if facts["mains"] != 1 or facts["mainId"] != "main":
        problems.append(f"{facts['mains']} <main> element(s), first has id={facts['mainId']!r} (want one main#main)")
    if not facts["header"]:
        problems.append("no <header>")
    if not facts["nav"]:
        problems.append("no nav#site-nav")
    if not facts["footer"]:
        problems.append("no <footer>")
    if not facts["lang"].lower().startswith("zh"):
        problems.append(f"<html lang={facts['lang']!r}>, expected zh-…")
    if facts["skip"] != ["#main"]:
        problems.append(f"skip links a.skip-link hrefs: {facts['skip']} (want exactly one, to #main)")
    assert not problems, f"{path} at {WIDTHS[width][0]}px:\n- " + "\n- ".join(problems)


@by_page_and_width
def test_skip_link(open_page, page_paths, role, width):
    """Tab from the top focuses the skip link first (visibly); Enter moves focus to main."""
    page, path = _open(open_page, page_paths, role, width)
    where = f"{path} at {WIDTHS[width][0]}px"
    page.keyboard.press("Tab")
    first = page.evaluate(bh.DESCRIBE_ACTIVE_JS)
    assert first and first["isSkipLink"], (
        f"{where}: the first Tab focused "
        f"{first['selector'] + ' ' + repr(first['text']) if first else 'nothing'}, not a.skip-link"
    )
    box = page.evaluate(
        """() => { const r = document.activeElement.getBoundingClientRect();
                   return {x: r.left, y: r.top, w: r.width, h: r.height,
                           vw: innerWidth, vh: innerHeight}; }"""
    )
    on_screen = (
        box["w"] > 1 and box["h"] > 1 and box["x"] >= 0 and box["y"] >= 0
        and box["x"] + box["w"] <= box["vw"] and box["y"] + box["h"] <= box["vh"]
    )
    assert on_screen, f"{where}: focused skip link is not visible on screen: {box}"
    assert first["focusVisible"], f"{where}: focused skip link has no focus indicator: {first}"

    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'", timeout=3000)
    in_main = page.evaluate(
        """() => { const m = document.getElementById('main'), a = document.activeElement;
                   return !!m && (a === m || m.contains(a)); }"""
    )
    if not in_main:
        # Focus may stay on <body> while the sequential-navigation start point moved to
        # #main (main without tabindex): then the next Tab must land in or after main.
        page.keyboard.press("Tab")
        after = page.evaluate(
            """() => { const m = document.getElementById('main'), a = document.activeElement;
                       if (!m || !a || a === document.body) return false;
                       return m.contains(a) ||
                         !!(m.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING); }"""
        )
        assert after, (
            f"{where}: after Enter on the skip link, focus is not in #main and the next Tab "
            f"went to {page.evaluate(bh.DESCRIBE_ACTIVE_JS)} (before main)"
        )


@by_page_and_width
def test_no_horizontal_scroll(open_page, page_paths, role, width):
    page, path = _open(open_page, page_paths, role, width)
    vw = WIDTHS[width][0]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > vw:
        culprits = page.evaluate(bh.OVERFLOWING_ELEMENTS_JS, 8)
        pytest.fail(
            f"{path} at {vw}px: horizontal scrolling, scrollWidth={scroll_width}px > {vw}px; "
            f"elements sticking out: {culprits}",
            pytrace=False,
        )


@by_page_and_width
def test_keyboard_reaches_nav_with_visible_focus(open_page, page_paths, role, width):
    """Tab alone reaches every visible link of nav#site-nav (opening a menu button if
    needed), and every element focused on the way shows a focus indicator."""
    page, path = _open(open_page, page_paths, role, width)
    where = f"{path} at {WIDTHS[width][0]}px"
    nav_links = page.evaluate(bh.VISIBLE_NAV_LINKS_JS)
    assert nav_links, f"{where}: nav#site-nav has no links"
    focusable = page.evaluate(
        "document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]').length"
    )
    reached: set[int] = set()
    no_indicator: list[dict] = []
    seen_selectors = []
    opened_menu = False
    for _ in range(focusable + 10):
        page.keyboard.press("Tab")
        el = page.evaluate(bh.DESCRIBE_ACTIVE_JS)
        if el is None:  # wrapped around to the browser UI / body
            break
        seen_selectors.append(el["selector"])
        if not el["focusVisible"]:
            no_indicator.append(el)
        if el["navIndex"] >= 0:
            reached.add(el["navIndex"])
        if el["expandsNav"] and not opened_menu:
            page.keyboard.press("Enter")
            opened_menu = True
            nav_links = page.evaluate(bh.VISIBLE_NAV_LINKS_JS)
        visible = {l["i"] for l in nav_links if l["visible"]}
        if visible and visible <= reached:
            break
    visible = [l for l in nav_links if l["visible"]]
    assert visible, f"{where}: no nav#site-nav link is visible (even after a menu button): {nav_links}"
    missed = [l for l in visible if l["i"] not in reached]
    assert not missed, (
        f"{where}: Tab never reached these nav#site-nav links: {missed}; "
        f"tab order was: {seen_selectors[:30]}"
    )
    assert not no_indicator, f"{where}: focused element(s) without a visible focus indicator " + "".join(
        f"\n- {e['selector']} {e['text']!r} href={e['href']!r}: outline={e['outline']!r} box-shadow={e['boxShadow']!r}"
        for e in no_indicator[:10]
    )


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_resources_load_without_errors(open_page, page_paths, role):
    """Every stylesheet/script/image loads (no 4xx/5xx/failed requests), no JS errors."""
    page, path = _open(open_page, page_paths, role)
    page.wait_for_load_state("networkidle")
    assert not page.sitegen_errors, f"{path}:\n- " + "\n- ".join(page.sitegen_errors)


def test_missing_url_serves_404_page(open_page):
    """A missing nested URL gets the 404 page (status 404) and its assets still load,
    i.e. 404.html does not depend on relative asset paths."""
    page, response = open_page("/no/such/page/")
    assert response.status == 404
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1, "404 page served for /no/such/page/ has no single h1"
    assert not page.sitegen_errors, "/no/such/page/ (404.html):\n- " + "\n- ".join(page.sitegen_errors)
    links = page.evaluate("Array.from(document.querySelectorAll('main a[href]')).map(a => a.getAttribute('href'))")
    assert links, "the 404 page has no link in <main> back into the site"
