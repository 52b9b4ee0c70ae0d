"""Take the README's screenshots from a real build of the demo cluster, in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from sitegen.build import build

REPO = Path(__file__).resolve().parent.parent
SHOTS = [  # (file, path, width, height)
    ("portal-desktop.png", "/", 1280, 900),
    ("portal-phone.png", "/", 375, 812),
    ("department-desktop.png", "/jxj/", 1280, 900),
    ("department-phone.png", "/jxj/", 375, 812),
    ("xxgk-desktop.png", "/xxgk/", 1280, 900),
    ("xxgk-phone.png", "/jxj/xxgk/", 375, 812),
]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        web_root = Path(tmp) / "site"
        build(REPO, web_root)
        handler = functools.partial(_Quiet, directory=str(web_root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for name, path, width, height in SHOTS:
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(base + path)
                    page.screenshot(path=str(REPO / "docs" / "screenshots" / name))
                    page.close()
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
