"""Preview server: build, serve, watch the sources, rebuild and live-reload on change."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from livereload import Server

from .build import BuildReport, build
from .errors import BuildFailed, OutputError, errors_in
from .preview import Preview, Status
from .search import search_dir
from .search.service import SearchService
from .urls import SEARCH

WATCHED = ("site.yaml", "departments", "content", "themes", "templates", "static")


def rebuild(root: Path, out: Path, preview: Preview, report: Callable[[BuildReport | Exception], None]) -> None:
    """One rebuild: on success the new site is live; on failure the old one stays, with an overlay."""
    try:
        result = build(root, out)
    except BuildFailed as e:
        preview.status = Status(tuple(str(p) for p in errors_in(e.problems)), failed=True)
        report(e)
        return
    except OutputError as e:
        preview.status = Status((str(e),), failed=True)
        report(e)
        return
    preview.status = Status()
    report(result)


def serve(root: Path, host: str, port: int, out: Path | None,
          report: Callable[[BuildReport | Exception], None],
          mounts: dict | None = None) -> None:
    """Build once, then serve until interrupted. Only the CLI prints: results go to ``report``."""
    root = root.resolve()
    out = (out or root / "build" / "site").resolve()
    # /search/ is answered by the search service over the index each rebuild updates.
    preview = Preview(out, mounts={SEARCH: SearchService(search_dir(out)), **(mounts or {})})
    rebuild(root, out, preview, report)
    server = Server(app=preview)
    for name in WATCHED:
        path = root / name
        if path.exists():
            server.watch(str(path), lambda: rebuild(root, out, preview, report), delay=0.3)
    server.serve(host=host, port=port, debug=False, restart_delay=0)
