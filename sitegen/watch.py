"""`sitegen build --watch`: a new release whenever the sources change, each made from the last build."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import watchfiles

from .build import BuildReport, build
from .cache import Cache
from .glance import Built
from .output import make_spare
from .serve import DEBOUNCE_MS, STEP_MS, WATCHED, relevant


def watch(root: Path, out: Path | None, report: Callable[[BuildReport | Exception], None], *,
          keep_going: bool = False, stop: threading.Event | None = None) -> None:
    """Build, then build again after every burst of changes until ``stop`` (or Ctrl-C).

    The process keeps what the last build read: an edit to a page's text makes the next release
    from it in a fraction of a second at any size (build's ``after``); any other change makes a
    whole build, from the cache as `sitegen build` does. A failed build switches nothing and the
    watch goes on. Only the CLI prints: results go to ``report``.
    """
    root = root.resolve()
    cache = Cache(root / "build" / "cache")
    last: Built | None = None
    # What the watcher named since the last build that succeeded: a failed build took none of it in.
    pending: set[str] = set()

    def once(quiet: bool = False, changed: set[str] | None = None) -> None:
        nonlocal last
        try:
            result = build(root, out, keep_going=keep_going, cache=cache, after=last, resident=True, changed=changed)
        except Exception as e:      # BuildFailed, OutputError, or a bug: the watch lives on to the next change
            report(e)
            return
        pending.clear()
        last = result.built or last
        if result.release is not None or not quiet:
            report(result)
        if last is not None:
            # Between changes, so that the next release need not link every unchanged file itself.
            try:
                make_spare(result.out, last.cluster.site.releases)
            except OSError:
                pass        # the next release starts empty, as it would without a spare

    try:
        once()
        paths = [root / name for name in WATCHED if (root / name).exists()]
        started = False
        # The watcher starts after the first build: its first (empty) yield, once it is listening,
        # builds once more for what was saved while that build ran.
        for changes in watchfiles.watch(*paths, step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=stop,
                                        watch_filter=relevant, raise_interrupt=False, yield_on_timeout=True,
                                        rust_timeout=1000):
            if changes or not started:
                pending.update(path for _, path in changes)
                # What was saved while the first build ran has no events: that once, every file is looked at.
                once(quiet=not changes, changed=set(pending) if started else None)
            started = True
    except KeyboardInterrupt:
        # Ctrl+C is how a watch is stopped, whatever it is doing then: a build cut short before
        # its switch publishes nothing, and a spare cut short is removed.
        pass
