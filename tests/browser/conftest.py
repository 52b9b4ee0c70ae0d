"""Session fixtures for the browser tier (marked `browser`).

- builds the demo cluster once (`python -m sitegen build --root REPO --out TMP`),
  or uses a ready web root given in SITEGEN_TEST_SITE_DIR;
- serves it on 127.0.0.1 (free port), unknown paths -> /404.html with status 404;
- launches system Chromium (/usr/bin/chromium) through Playwright;
- runs the Nu Html Checker once over every built HTML page.

Outside CI a missing Chromium / Playwright / Java / node_modules skips the tier with a
reason; with CI set, the same situation fails instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import browser_helpers as bh  # noqa: E402

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: real-browser tests (Chromium, axe-core, vnu.jar); slow"
    )


def _unavailable(reason: str):
    """Skip outside CI, fail in CI."""
    if bh.in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- the site


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """A built web root of the demo cluster."""
    given = os.environ.get("SITEGEN_TEST_SITE_DIR")
    if given:
        root = Path(given).resolve()
        if not (root / "index.html").is_file():
            pytest.fail(f"SITEGEN_TEST_SITE_DIR={given} has no index.html", pytrace=False)
        return root
    out = tmp_path_factory.mktemp("site")
    cmd = [sys.executable, "-m", "sitegen", "build", "--root", str(bh.REPO_ROOT), "--out", str(out)]
    t0 = time.monotonic()
    proc = subprocess.run(
        cmd, cwd=bh.REPO_ROOT, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
    )
    if proc.returncode != 0:
        pytest.fail(
            f"`{' '.join(cmd)}` exited {proc.returncode} after {time.monotonic() - t0:.1f}s\n"
            f"--- stdout (tail) ---\n{proc.stdout[-3000:]}\n"
            f"--- stderr (tail) ---\n{proc.stderr[-3000:]}",
            pytrace=False,
        )
    if not (out / "index.html").is_file():
        pytest.fail(f"the build succeeded but {out}/index.html does not exist", pytrace=False)
    return out


@pytest.fixture(scope="session")
def page_paths(site_dir) -> dict[str, str]:
    """URL path for each page role; the article is the first deeper link in the list's <main>."""
    paths = dict(bh.PAGE_PATHS)
    list_file = bh.url_path_to_file(site_dir, paths["list"])
    if not list_file.is_file():
        pytest.fail(f"list page {paths['list']} was not built ({list_file} missing)", pytrace=False)
    article = bh.find_first_deeper_link(list_file.read_text(encoding="utf-8"), paths["list"])
    if article is None:
        pytest.fail(f"no article link inside <main> of {paths['list']}", pytrace=False)
    paths["article"] = article
    return paths


@pytest.fixture(scope="session")
def server(site_dir):
    with bh.StaticServer(site_dir) as srv:
        yield srv


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.base_url


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser():
    if not bh.CHROMIUM.exists():
        _unavailable(f"{bh.CHROMIUM} not found: `apt-get install chromium chromium-driver`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: `pip install -e '.[test]'`")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(bh.CHROMIUM), args=bh.CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def open_page(browser, base_url):
    """open_page(path, width=1280, height=800, js=True) -> (page, response).

    Each call gets a fresh browser context (fresh localStorage); all are closed afterwards.
    page.sitegen_errors collects uncaught JS errors, console errors and failed or 4xx/5xx
    subresource requests (the page's own document status is not included).
    """
    contexts = []

    def _open(path, width=1280, height=800, js=True):
        ctx = browser.new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=js,
            bypass_csp=True,  # so axe-core can be injected into pages with a CSP
            locale="zh-CN",
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.sitegen_errors = errors
        page.on("pageerror", lambda exc: errors.append(f"uncaught JS error: {exc}"))
        page.on(
            "console",
            lambda msg: errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None,
        )

        def _on_response(resp):
            req = resp.request
            if req.is_navigation_request() or resp.status < 400:
                return
            if resp.url.split("?")[0].endswith("/favicon.ico") and req.resource_type == "other":
                return  # the browser's implicit favicon probe, not something the page asked for
            errors.append(f"{resp.status} for {req.resource_type} {resp.url}")

        page.on("response", _on_response)
        page.on(
            "requestfailed",
            lambda req: errors.append(f"request failed: {req.url} ({req.failure})"),
        )
        response = page.goto(base_url + path, wait_until="load")
        return page, response

    yield _open
    for ctx in contexts:
        ctx.close()


# --------------------------------------------------------------------------- vnu


@pytest.fixture(scope="session")
def vnu_results(site_dir):
    """Nu Html Checker results for every .html file in the built site (one run per session)."""
    if bh.java_executable() is None:
        _unavailable("java not found: `apt-get install default-jre-headless` (vnu.jar needs it)")
    if not bh.VNU_JAR.is_file():
        _unavailable(f"{bh.VNU_JAR} not found: run `npm ci --ignore-scripts`")
    files = sorted(site_dir.rglob("*.html"))
    return bh.run_vnu(files)
