"""Helpers for the browser tier: static server, axe-core, Nu Html Checker, focus checks.

This module has a deliberately unique name (it is imported by conftest.py and the
test modules of tests/browser, whose directory conftest.py puts on sys.path), so it
cannot collide with helpers of other test tiers whatever pytest import mode is used.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]

# Pages under test, by role. The article URL is discovered from the list page (the first
# link inside its <main> that goes deeper than the list itself).
DEPT = "jxj"
COLUMN = "gzdt"
PAGE_PATHS = {
    "portal": "/",
    "department": f"/{DEPT}/",
    "list": f"/{DEPT}/{COLUMN}/",
    "article": None,
    "404": "/404.html",
    "sitemap": "/sitemap/",
    "xxgk": "/xxgk/",                                  # the unified disclosure platform
    "xxgk-section": f"/{DEPT}/xxgk/",                   # a department's 政府信息公开 home
    "xxgk-item": f"/{DEPT}/zcwj/2024-0815-zngc-banfa/",  # a 废止 item: notice and metadata table
    "xxgk-report": f"/{DEPT}/xxgk/nb/2025/",            # an annual report with its counts table
    "xxgk-form": f"/{DEPT}/xxgk/ysqgk/sqb/",            # the printable application form
}
PAGE_ROLES = list(PAGE_PATHS)
WIDTHS = {"desktop": (1280, 800), "mobile": (375, 667)}

# axe: default rules, plus every rule tagged with one of these (some are off by default).
AXE_EXTRA_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# --------------------------------------------------------------------------- server


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a static web root; unknown paths get /404.html with status 404."""

    def log_message(self, format, *args):  # noqa: A002 - keep the test output quiet
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class StaticServer:
    """A ThreadingHTTPServer on 127.0.0.1 (free port) serving `root`, in a daemon thread."""

    def __init__(self, root: Path):
        self.root = Path(root)
        handler = functools.partial(_SiteHandler, directory=str(self.root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name="sitegen-test-server", daemon=True
        )

    def __enter__(self) -> "StaticServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def url_path_to_file(root: Path, path: str) -> Path:
    """Map a site URL path ('/', '/jxj/', '/404.html') to the file in the web root."""
    path = unquote(urlsplit(path).path)
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return Path(root) / rel


def is_deeper_page(path: str, base_path: str) -> bool:
    """`path` is an HTML page strictly below `base_path` (a directory URL or *.html)."""
    return (
        path.startswith(base_path)
        and path != base_path
        and (path.endswith("/") or path.endswith(".html"))
    )


def find_first_deeper_link(html: str, base_path: str) -> str | None:
    """First link inside <main> of `html` whose path lies strictly below `base_path`.

    Links to the page itself or above it (a breadcrumb inside <main>) and links that
    are not HTML pages (e.g. the column's feed.xml) are skipped.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main")
    if main is None:
        return None
    base_url = "http://site.invalid" + base_path
    for a in main.find_all("a", href=True):
        target = urlsplit(urljoin(base_url, a["href"]))
        if target.netloc != "site.invalid":
            continue
        if is_deeper_page(target.path, base_path):
            return target.path
    return None


# --------------------------------------------------------------------------- axe-core


@functools.lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


_AXE_RUN_JS = """
async (tags) => {
  const rules = {};
  for (const r of axe.getRules(tags)) rules[r.ruleId] = { enabled: true };
  const res = await axe.run(document, { rules, resultTypes: ['violations'] });
  return res.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target, html: n.html, failureSummary: n.failureSummary || ''
    }))
  }));
}
"""


def run_axe(page) -> list[dict]:
    """Inject axe-core into a Playwright page and return its violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    return page.evaluate(_AXE_RUN_JS, AXE_EXTRA_TAGS)


def format_axe_violations(violations: list[dict], where: str = "", max_nodes: int = 5) -> str:
    if not violations:
        return "no axe violations"
    lines = [f"{len(violations)} axe violation(s){' on ' + where if where else ''}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        lines.append(f"    {v['helpUrl']}")
        for n in v["nodes"][:max_nodes]:
            target = " ".join(
                " >> ".join(t) if isinstance(t, list) else str(t) for t in n["target"]
            )
            lines.append(f"    * {target}")
            html = " ".join(n["html"].split())
            lines.append(f"      html: {html[:160]}")
            summary = [s.strip() for s in n["failureSummary"].splitlines() if s.strip()]
            # "Fix any of the following:" / "Fix all of the following:" + the first reason
            if summary:
                lines.append("      " + " ".join(summary[:2])[:300])
        if len(v["nodes"]) > max_nodes:
            lines.append(f"    ... and {len(v['nodes']) - max_nodes} more element(s)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- Nu Html Checker


def java_executable() -> str | None:
    return shutil.which("java")


def run_vnu(files, chunk: int = 400, timeout: float = 900) -> dict[Path, dict[str, list[dict]]]:
    """Check HTML files with vnu.jar; return {file: {"errors": [...], "warnings": [...]}}.

    One JVM per `chunk` files (JVM start-up dominates, so call this once per session).
    Plain "info" messages are dropped; "warning" infos are kept but do not count as errors;
    "error" and "non-document-error" messages are errors.
    """
    java = java_executable()
    if java is None:
        raise RuntimeError("java is not installed (vnu.jar needs a Java runtime)")
    if not VNU_JAR.is_file():
        raise RuntimeError(f"{VNU_JAR} is missing: run `npm ci --ignore-scripts`")
    files = [Path(f).resolve() for f in files]
    results: dict[Path, dict[str, list[dict]]] = {
        f: {"errors": [], "warnings": []} for f in files
    }
    for start in range(0, len(files), chunk):
        batch = files[start : start + chunk]
        proc = subprocess.run(
            [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always"]
            + [str(f) for f in batch],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        raw = proc.stderr.strip() or proc.stdout.strip()
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RuntimeError(
                f"vnu.jar gave no JSON (exit {proc.returncode}):\n{raw[-2000:]}"
            ) from exc
        for msg in data.get("messages", []):
            url = msg.get("url", "")
            path = Path(unquote(urlsplit(url).path)).resolve() if url else None
            slot = results.setdefault(path, {"errors": [], "warnings": []})
            kind = msg.get("type")
            if kind == "info":
                if msg.get("subType") == "warning":
                    slot["warnings"].append(msg)
            else:  # "error" (incl. subType "fatal") or "non-document-error"
                slot["errors"].append(msg)
    return results


def format_vnu_messages(messages: list[dict], max_messages: int = 20) -> str:
    lines = []
    for m in messages[:max_messages]:
        loc = f"line {m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}"
        extract = " ".join((m.get("extract") or "").split())
        lines.append(f"- {loc}: {m.get('message', '').strip()}")
        if extract:
            lines.append(f"    near: {extract[:160]}")
    if len(messages) > max_messages:
        lines.append(f"... and {len(messages) - max_messages} more")
    return "\n".join(lines)


# --------------------------------------------------------------------------- focus / layout


DESCRIBE_ACTIVE_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el);
  const transparent = c => /^rgba\\(.*,\\s*0\\)$/.test(c) || c === 'transparent';
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0
                  && !transparent(cs.outlineColor);
  const shadow = cs.boxShadow && cs.boxShadow !== 'none';
  const navLinks = Array.from(document.querySelectorAll('#site-nav a[href]'));
  let sel = el.tagName.toLowerCase();
  if (el.id) sel += '#' + el.id;
  if (el.classList.length) sel += '.' + Array.from(el.classList).join('.');
  const parents = [];
  for (let p = el.parentElement; p && parents.length < 3; p = p.parentElement) {
    let s = p.tagName.toLowerCase();
    if (p.id) s += '#' + p.id;
    parents.unshift(s);
  }
  return {
    selector: parents.concat([sel]).join(' > '),
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
    href: el.getAttribute('href'),
    navIndex: navLinks.indexOf(el),
    inNav: !!el.closest('#site-nav'),
    isSkipLink: el.matches('a.skip-link'),
    expandsNav: el.matches('button[aria-expanded="false"]') && (() => {
      const ids = (el.getAttribute('aria-controls') || '').split(/\\s+/).filter(Boolean);
      const nav = document.getElementById('site-nav');
      return !!el.closest('#site-nav') ||
        ids.some(id => { const t = document.getElementById(id);
                         return t && nav && (t === nav || t.contains(nav) || nav.contains(t)); });
    })(),
    focusVisible: outline || shadow,
    outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
    boxShadow: cs.boxShadow,
  };
}
"""

VISIBLE_NAV_LINKS_JS = """
() => Array.from(document.querySelectorAll('#site-nav a[href]')).map((a, i) => {
  const r = a.getBoundingClientRect(); const cs = getComputedStyle(a);
  return { i, text: a.innerText.trim(), href: a.getAttribute('href'),
           visible: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' };
})
"""

OVERFLOWING_ELEMENTS_JS = """
(limit) => {
  const w = document.documentElement.clientWidth; const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 0.5) {
      // report the outermost offenders only
      if (out.some(o => o.el.contains(el))) continue;
      let sel = el.tagName.toLowerCase();
      if (el.id) sel += '#' + el.id;
      if (el.classList.length) sel += '.' + Array.from(el.classList).join('.');
      out.push({ el, sel, right: Math.round(r.right), width: Math.round(r.width) });
      if (out.length >= limit) break;
    }
  }
  return out.map(o => `${o.sel} (right edge ${o.right}px, width ${o.width}px)`);
}
"""
