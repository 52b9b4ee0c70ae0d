"""External links (`sitegen check --external`): bounded concurrency, timeouts, a dated cache of results."""

from __future__ import annotations

import html
import json
import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .context import Context
from .finding import Finding
from .links import HREF

WORKERS = 8
TIMEOUT = 10.0             # seconds per request
CACHE_DAYS = 7             # a result younger than this is not asked again
MAX_LINKS = 5000           # per check: a bound on what one run may ask of the network
USER_AGENT = "sitegen-check/1 (government website link check)"


@dataclass(frozen=True)
class Result:
    url: str
    status: int | None     # HTTP status, None when no answer came
    error: str             # why there was no answer, or ""
    checked: date

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def fetch(url: str, timeout: float = TIMEOUT) -> tuple[int | None, str]:
    """HEAD the URL (GET when the server refuses HEAD); redirects are followed."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, ""
        except urllib.error.HTTPError as e:
            if method == "HEAD" and e.code in (403, 405, 501):
                continue
            return e.code, ""
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            return None, str(reason) or type(e).__name__
    return None, "no answer"


def load_cache(path: Path) -> dict[str, Result]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {r["url"]: Result(r["url"], r["status"], r["error"], date.fromisoformat(r["checked"])) for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}     # no cache yet, or one from another version: ask again


def save_cache(path: Path, results: dict[str, Result]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"url": r.url, "status": r.status, "error": r.error, "checked": r.checked.isoformat()}
            for r in sorted(results.values(), key=lambda r: r.url)]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    os.replace(tmp, path)


def check_urls(urls: list[str], cache: dict[str, Result], today: date, workers: int = WORKERS,
               timeout: float = TIMEOUT) -> dict[str, Result]:
    """Results for every URL: fresh cache entries as they are, the rest asked with ``workers`` at a time."""
    fresh = {u: cache[u] for u in urls if u in cache and today - cache[u].checked < timedelta(days=CACHE_DAYS)}
    todo = [u for u in urls if u not in fresh]

    def one(url: str) -> Result:
        status, error = fetch(url, timeout)
        return Result(url, status, error, today)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(one, todo):
            fresh[result.url] = result
    return fresh


def external_links(ctx: Context, cache_path: Path, workers: int = WORKERS, timeout: float = TIMEOUT) -> list[Finding]:
    """Every http(s) link to another site answers with a status below 400."""
    own = urlsplit(ctx.cluster.site.base_url).netloc
    uses: dict[str, list] = {}
    for p in ctx.visible:
        body = ctx.body(p)
        for href in HREF.findall(body) if "href=" in body else ():
            url = html.unescape(href).strip()
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc and parts.netloc != own:
                uses.setdefault(url.split("#")[0], []).append((p, href))
    urls = sorted(uses)[:MAX_LINKS]
    cache = load_cache(cache_path)
    results = check_urls(urls, cache, ctx.today, workers, timeout)
    save_cache(cache_path, {**cache, **results})
    out = []
    for url in urls:
        r = results[url]
        if r.ok:
            continue
        found = f"'{url}' answering {r.status}" if r.status is not None else f"'{url}' not answering ({r.error})"
        for p, href in uses[url]:
            out.append(Finding("external-link", "deduction", f"a working link to another site (checked {r.checked})",
                               found, "Correct or remove the link.", p.owner, p.column, p.source,
                               ctx.body_line(p, href)))
    return out
