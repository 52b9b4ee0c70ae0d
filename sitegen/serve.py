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
from .errors import BuildFailed, OutputError, errors_in
from .glance import Built, Glance
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
    """Rebuilds in-process with caches that live as long as the server; one rebuild at a time.

    A save is shown twice: at once by a glance (the saved page rendered against the last build,
    written over its old version), then by the whole rebuild, which brings the lists, neighbours,
    home pages, feeds and search up to date and corrects whatever the glance could not know.
    """

    def __init__(self, root: Path, out: Path, preview: Preview, report: Callable[[BuildReport | Exception], None],
                 reload: Callable[[], None]):
        self.root, self.out, self.preview, self.report, self.reload = root, out, preview, report, reload
        self.cache = Cache(root / "build" / "cache")
        self.lock = threading.Lock()            # one rebuild at a time
        self.wanted = threading.Event()         # a save came after the last rebuild started
        self.glance = Glance()
        self.built: Built | None = None         # the last successful build, for the glance
        self._guard = threading.Lock()          # the glances, between the watcher and the rebuild
        self._glances = 0
        self._glanced: dict[str, tuple[int, bytes]] = {}   # output path -> (glance number, bytes)
        self._since = 0                         # glances before the running rebuild started

    def changed(self, paths: list[Path]) -> None:
        """Files were saved (the watcher's thread): glance at the pages, then ask for a rebuild."""
        built = self.built
        try:
            pages = self.glance.pages(built, paths) if built is not None else []
        except Exception:       # a glance is a courtesy: the rebuild that follows reports what is wrong
            pages = []
        if pages:
            with self._guard:
                self._glances += 1
                self._glanced.update((path, (self._glances, data)) for path, data in pages)
            try:
                PreviewWriter.glance(self.out, pages)
                self.reload()
            except OutputError:
                pass
        self.wanted.set()

    def run(self, stop: threading.Event) -> None:
        """Rebuild whenever asked (the builder's thread); saves during a rebuild make one more."""
        while not stop.is_set():
            if self.wanted.wait(0.2):
                self.wanted.clear()
                self.rebuild()

    def rebuild(self) -> None:
        """On success the new pages are live and browsers reload (before the search index catches
        up); on failure the old pages stay, with the problems overlaid."""
        with self.lock:
            with self._guard:
                self._since = self._glances
            try:
                # The inspection rules read every built page: `sitegen check` and `sitegen build` run
                # them; the preview answers a save without them.
                result = build(self.root, self.out, keep_going=True, cache=self.cache, writer=PreviewWriter,
                               inspect=False, published=self._published, after=self.built)
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
            self.built = result.built
            with self._guard:   # what this build read from disk includes every glance before it began
                self._glanced = {p: (n, d) for p, (n, d) in self._glanced.items() if n > self._since}
            # A department held back stays overlaid with its problems (set here, once build() has them).
            status = Status(tuple(str(p) for _, problems in result.held for p in problems), failed=bool(result.held))
            if status != self.preview.status:
                self.preview.status = status
                self.reload()
            self.report(result)

    def _published(self, info: ReleaseInfo) -> None:
        # A page saved while this build ran was read before its save: show the glance again, not
        # the older page this build just wrote (the next rebuild writes it as it should be).
        with self._guard:
            newer = [(p, d) for p, (n, d) in self._glanced.items() if n > self._since]
        if newer:
            PreviewWriter.glance(self.out, newer)
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
    threading.Thread(target=builder.run, args=(stop,), name="sitegen-build", daemon=True).start()
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
    for changes in watchfiles.watch(*paths, step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=stop,
                                     watch_filter=relevant, raise_interrupt=False):
        builder.changed([Path(path) for change, path in changes if change != watchfiles.Change.deleted])


def relevant(change: watchfiles.Change, path: str) -> bool:
    # Editors' swap and backup files are not sources; hidden files are never published.
    name = Path(path).name
    return not (name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")))
