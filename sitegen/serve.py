"""Preview server: serve, watch the sources, rebuild what changed in-process, live-reload the browser."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import watchfiles
from livereload import Server
from livereload.handlers import LiveReloadHandler
from tornado.ioloop import IOLoop

from .build import BuildReport, build
from .cache import Cache
from .errors import BuildFailed, errors_in
from .output import Preview as PreviewWriter
from .output import ReleaseInfo
from .preview import Preview, Status
from .search import search_dir
from .search.service import SearchService
from .urls import LETTERS, SEARCH
from .letters import store_address
from .letters.app import LettersApp
from .letters.store import open_store

WATCHED = ("site.yaml", "departments", "content", "themes", "templates", "static")
# A burst of saves (an editor's "save all", `sitegen new department`, a git checkout) becomes one
# rebuild: events are gathered until none has come for STEP ms, for at most DEBOUNCE ms.
STEP_MS = 50
DEBOUNCE_MS = 400


class Builder:
    """Rebuilds in-process with caches that live as long as the server; one rebuild at a time."""

    def __init__(self, root: Path, out: Path, preview: Preview, report: Callable[[BuildReport | Exception], None],
                 reload: Callable[[], None]):
        self.root, self.out, self.preview, self.report, self.reload = root, out, preview, report, reload
        self.cache = Cache(root / "build" / "cache")
        self.lock = threading.Lock()

    def rebuild(self) -> None:
        """On success the new pages are live and browsers reload (before the search index catches
        up); on failure the old pages stay, with the problems overlaid."""
        with self.lock:
            try:
                # The inspection rules read every built page: `sitegen check` and `sitegen build` run
                # them; the preview answers a save without them.
                result = build(self.root, self.out, keep_going=True, cache=self.cache, writer=PreviewWriter,
                               inspect=False, published=self._published)
            except BuildFailed as e:
                self.preview.status = Status(tuple(str(p) for p in errors_in(e.problems)), failed=True)
                self.report(e)
                self.reload()
                return
            except Exception as e:      # an OutputError, or a bug: the watcher must live on to the next save
                self.preview.status = Status((f"{type(e).__name__}: {e}",), failed=True)
                self.report(e)
                self.reload()
                return
            # A department held back stays overlaid with its problems (set here, once build() has them).
            status = Status(tuple(str(p) for _, problems in result.held for p in problems), failed=bool(result.held))
            if status != self.preview.status:
                self.preview.status = status
                self.reload()
            self.report(result)

    def _published(self, info: ReleaseInfo) -> None:
        # The new pages are live: a fixed mistake's overlay goes with the same reload, not after the
        # search index has caught up.
        if not info.held:
            self.preview.status = Status()
        self.reload()


def serve(root: Path, host: str, port: int, out: Path | None,
          report: Callable[[BuildReport | Exception], None],
          mounts: dict | None = None) -> None:
    """Build once, then serve until interrupted. Only the CLI prints: results go to ``report``."""
    root = root.resolve()
    out = (out or root / "build" / "preview").absolute()
    # /search/ is answered by the search service over the index each rebuild updates; /letters/
    # by the letters app over the same store `sitegen letters serve` uses.
    letters = LettersApp(open_store(store_address(root)), out)
    preview = Preview(out, mounts={SEARCH: SearchService(search_dir(out)), LETTERS: letters, **(mounts or {})})
    loop = IOLoop.current()

    def reload() -> None:
        loop.add_callback(LiveReloadHandler.reload_waiters)

    builder = Builder(root, out, preview, report, reload)
    builder.rebuild()
    stop = threading.Event()
    threading.Thread(target=_watch, args=(root, builder, stop), name="sitegen-watch", daemon=True).start()
    server = Server(app=preview)
    # livereload polls what it watches in its own loop; give it one file that never changes, so it
    # does not fall back to polling the whole working directory. Our watcher does the real work.
    server.watch(str(Path(__file__)), delay="forever")
    try:
        server.serve(host=host, port=port, debug=False, restart_delay=0)
    finally:
        stop.set()


def _watch(root: Path, builder: Builder, stop: threading.Event) -> None:
    paths = [root / name for name in WATCHED if (root / name).exists()]
    for _changes in watchfiles.watch(*paths, step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=stop,
                                     watch_filter=_relevant, raise_interrupt=False):
        builder.rebuild()


def _relevant(change: watchfiles.Change, path: str) -> bool:
    # Editors' swap and backup files are not sources; hidden files are never published.
    name = Path(path).name
    return not (name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")))
