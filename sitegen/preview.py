"""The preview web app: the built site from disk, with the last build's problems overlaid."""

from __future__ import annotations

import html
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote

Wsgi = Callable[[dict, Callable], Iterable[bytes]]

_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".xml": "application/xml; charset=utf-8",
          ".txt": "text/plain; charset=utf-8", ".json": "application/json", ".csv": "text/csv; charset=utf-8"}


@dataclass
class Status:
    """What the preview knows about the last build; replaced wholesale after each rebuild."""

    messages: tuple[str, ...] = ()    # what went wrong, one line each
    failed: bool = False


@dataclass
class Preview:
    web_root: Path
    status: Status = field(default_factory=Status)
    mounts: dict[str, Wsgi] = field(default_factory=dict)   # URL prefix -> app (the search service)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        for prefix, app in self.mounts.items():
            if path.startswith(prefix):
                return app(environ, start_response)
        target, status = self._resolve(path)
        if target is None:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found"]
        body = target.read_bytes()
        kind = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".html" and self.status.failed:
            body = overlay(body, self.status.messages)
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _resolve(self, path: str) -> tuple[Path | None, str]:
        root = self.web_root.resolve()
        relative = unquote(path).lstrip("/")
        candidate = (root / relative).resolve()
        inside = candidate == root or root in candidate.parents   # no escaping the web root
        if inside and candidate.is_dir():
            candidate = candidate / "index.html"
        if inside and candidate.is_file():
            return candidate, "200 OK"
        missing = root / "404.html"
        return (missing, "404 Not Found") if missing.is_file() else (None, "404 Not Found")


def overlay(page: bytes, messages: Iterable[str]) -> bytes:
    """Show the failed build's problems on top of the last good page."""
    rows = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    box = (
        '<div role="alert" style="position:fixed;inset:auto 0 0 0;z-index:999;max-height:50vh;overflow:auto;'
        'background:#fff4f4;color:#611;border-top:4px solid #a4262c;padding:1rem 1.5rem;font:14px/1.6 monospace">'
        '<strong>构建失败，仍在显示上一次成功的版本。请修正以下问题：</strong>'
        f'<ul style="margin:.5rem 0 0;padding-left:1.25rem">{rows}</ul></div>'
    ).encode()
    marker = b"</body>"
    return page.replace(marker, box + marker, 1) if marker in page else page + box
