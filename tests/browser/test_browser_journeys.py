"""A citizen's journeys through the built demo cluster, with and without JavaScript,
and the text-size switcher."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

import browser_helpers as bh
from browser_helpers import PAGE_ROLES, WIDTHS

pytestmark = pytest.mark.browser

DEPT_DIRECTORY = "部门导航"
BREADCRUMB = (
    'nav[aria-label*="面包屑"], nav[aria-label*="readcrumb" i], '
    '[class*="breadcrumb"], [id*="breadcrumb"]'
)


def _path(url: str) -> str:
    return urlsplit(url).path


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _hrefs(locator) -> list[str]:
    """Resolved paths of the links inside a locator (one entry per link, in order)."""
    return locator.evaluate_all("els => els.map(a => new URL(a.href, location.href).pathname)")


def _follow(page, link, what: str):
    """Click a link (as a user would) and check the page it leads to."""
    target = link.evaluate("a => new URL(a.href, location.href).pathname")
    if not link.is_visible():
        _open_menu_for(page, link)
    with page.expect_navigation() as nav:
        link.click()
    response = nav.value
    assert response is not None and response.status == 200, (
        f"{what}: following {target} gave HTTP {response and response.status}"
    )
    assert _path(page.url) == target, f"{what}: expected to land on {target}, got {page.url}"
    h1 = page.locator("h1")
    assert h1.count() == 1, f"{what}: {target} has {h1.count()} h1 elements"
    return target


def _open_menu_for(page, link):
    """The link is hidden (collapsed menu on a narrow screen?): press the button that
    controls its nav, if there is one."""
    nav_id = link.evaluate("a => (a.closest('nav[id]') || {}).id || ''")
    button = page.locator(
        f'button[aria-controls="{nav_id}"]' if nav_id else 'header button[aria-expanded="false"]'
    ).first
    if button.count() and button.is_visible():
        button.click()


def _department_directory(page):
    """The portal's 部门导航 directory: a landmark named so, or the block under that heading."""
    for role in ("navigation", "region", "complementary"):
        loc = page.get_by_role(role, name=DEPT_DIRECTORY)
        if loc.count():
            return loc.first
    heading = page.locator(
        "xpath=//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
        f"[contains(normalize-space(.), '{DEPT_DIRECTORY}')]"
    )
    assert heading.count(), f"portal home has no '{DEPT_DIRECTORY}' directory (landmark or heading)"
    return heading.first.locator("xpath=ancestor::*[.//a[@href]][1]")


def _citizen_journey(open_page, width: str, js: bool):
    w, h = WIDTHS[width]
    label = f"{'JS on' if js else 'JS off'}, {w}px"
    page, response = open_page("/", width=w, height=h, js=js)
    assert response.status == 200

    # 1. portal home -> a department from the 部门导航 directory
    directory = _department_directory(page)
    links = directory.locator("a[href]")
    paths = _hrefs(links)
    dept_idx = [i for i, p in enumerate(paths) if len(_segments(p)) == 1]
    assert dept_idx, f"[{label}] no department link (/<dept>/) in '{DEPT_DIRECTORY}': {paths}"
    pick = next((i for i in dept_idx if paths[i] == f"/{bh.DEPT}/"), dept_idx[0])
    dept_path = _follow(page, links.nth(pick), f"[{label}] 部门导航 -> department")
    dept = _segments(dept_path)[0]

    # 2. department home -> a column in the main navigation
    nav_links = page.locator("nav#site-nav a[href]")
    paths = _hrefs(nav_links)
    col_idx = [i for i, p in enumerate(paths) if len(_segments(p)) == 2 and _segments(p)[0] == dept]
    assert col_idx, f"[{label}] nav#site-nav on {dept_path} has no column link /{dept}/<column>/: {paths}"
    pick = next((i for i in col_idx if paths[i] == f"/{dept}/{bh.COLUMN}/"), col_idx[0])
    column_path = _follow(page, nav_links.nth(pick), f"[{label}] nav -> column")

    # 3. column list -> its first article
    main_links = page.locator("main a[href]")
    paths = _hrefs(main_links)
    art_idx = [i for i, p in enumerate(paths) if bh.is_deeper_page(p, column_path)]
    assert art_idx, f"[{label}] no article link inside <main> of {column_path}: {paths}"
    article_path = _follow(page, main_links.nth(art_idx[0]), f"[{label}] list -> first article")

    # 4. the article's breadcrumb leads back to the column
    crumbs = page.locator(BREADCRUMB)
    assert crumbs.count(), f"[{label}] {article_path} has no breadcrumb ({BREADCRUMB})"
    crumb_links = crumbs.first.locator("a[href]")
    trail = _hrefs(crumb_links)
    assert column_path in trail, (
        f"[{label}] breadcrumb of {article_path} does not link to its column {column_path}: {trail}"
    )
    _follow(page, crumb_links.nth(trail.index(column_path)), f"[{label}] breadcrumb -> column")
    return page


@pytest.mark.parametrize("width", list(WIDTHS))
def test_citizen_journey(open_page, width):
    page = _citizen_journey(open_page, width, js=True)
    assert not page.sitegen_errors, "\n".join(page.sitegen_errors)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_citizen_journey_without_javascript(open_page, width):
    page = _citizen_journey(open_page, width, js=False)
    switcher = page.locator("button[data-text-size]")
    assert not any(switcher.nth(i).is_visible() for i in range(switcher.count())), (
        "text-size buttons are visible without JavaScript"
    )


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_text_size_switcher_hidden_without_javascript(open_page, page_paths, role):
    page, _ = open_page(page_paths[role], js=False)
    buttons = page.locator("button[data-text-size]")
    assert buttons.count() == 3, f"{page_paths[role]}: expected 3 button[data-text-size], found {buttons.count()}"
    visible = [buttons.nth(i).get_attribute("data-text-size") for i in range(3) if buttons.nth(i).is_visible()]
    assert not visible, f"{page_paths[role]}: without JS these text-size buttons are visible: {visible}"
    hidden_wrapper = page.evaluate(
        "() => !!document.querySelector('button[data-text-size]').closest('[hidden]')"
    )
    assert hidden_wrapper, f"{page_paths[role]}: the text-size buttons are not inside a [hidden] element"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_text_size_switcher(open_page, page_paths, width):
    w, h = WIDTHS[width]
    path = page_paths["article"]
    page, _ = open_page(path, width=w, height=h, js=True)
    buttons = page.locator("button[data-text-size]")
    values = [buttons.nth(i).get_attribute("data-text-size") for i in range(buttons.count())]
    assert sorted(values) == ["large", "normal", "small"], f"{path}: text-size buttons {values}"

    def choose(value):
        button = page.locator(f'button[data-text-size="{value}"]')
        assert button.is_visible(), f"{path} at {w}px: the '{value}' text-size button is not visible with JS on"
        button.click()
        state = page.evaluate(
            "() => [document.documentElement.getAttribute('data-text-size'),"
            " parseFloat(getComputedStyle(document.querySelector('main')).fontSize)]"
        )
        assert state[0] == value, f"{path}: after clicking '{value}', <html data-text-size={state[0]!r}>"
        return state[1]

    size = {v: choose(v) for v in ("small", "normal", "large")}
    assert size["large"] > size["normal"] > size["small"], (
        f"{path} at {w}px: computed font-size of main: {size} (want large > normal > small)"
    )

    page.reload(wait_until="load")
    attr = page.evaluate("document.documentElement.getAttribute('data-text-size')")
    after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert attr == "large" and after == size["large"], (
        f"{path}: 'large' did not survive a reload: data-text-size={attr!r}, main font-size {after}px"
    )
    page.goto(page.url.split(path)[0] + "/", wait_until="load")
    attr = page.evaluate("document.documentElement.getAttribute('data-text-size')")
    assert attr == "large", f"'large' chosen on {path} is not applied on the portal home (data-text-size={attr!r})"
    assert not page.sitegen_errors, "\n".join(page.sitegen_errors)
