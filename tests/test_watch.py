"""`sitegen build --watch`: the command left running publishes a release after every change."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from clusters import make_cluster, page
from test_incremental import LONG, tree

pytestmark = pytest.mark.slow


class Watching:
    """The command in its own session, its output read line by line as it comes."""

    def __init__(self, root: Path):
        # Ctrl+C reaches it as it reaches a command typed at a terminal, even when these tests run in
        # the background (`cmd &`), where the shell has every child ignore SIGINT.
        self.proc = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--watch", "--root", str(root)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True,
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_result(self, seconds: float = 60.0) -> str:
        """The next line that says what a build did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if " is live: " in line or " nothing changed: " in line or "build failed" in line:
                return line
        raise AssertionError("timed out waiting for `sitegen build --watch`")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)       # Ctrl+C
            self.proc.wait(timeout=20)


def test_the_watch_publishes_each_edit_and_a_text_edit_from_the_last_build(tmp_path: Path):
    root = make_cluster(tmp_path / "site", {
        "content/jxj/gzdt/a.md": page("经信局动态", "2024-03-01 09:00", f"开篇。{LONG}"),
        "content/jxj/gzdt/b.md": page("经信局另一条动态", "2024-03-02 09:00", f"另一篇。{LONG}"),
    })
    watching = Watching(root)
    try:
        assert "release r000001 is live" in watching.next_result()
        live = root / "build/site/jxj/gzdt/a/index.html"
        time.sleep(0.5)     # the watcher is listening once the first build is reported
        # Between changes it readies the folder the next release starts from (output.make_spare).
        spare = root / "build/releases/.spare"
        deadline = time.monotonic() + 30
        while not spare.with_suffix(".json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        spare_inode = spare.stat().st_ino
        # A sentence added to a page: read and rendered alone, from the last build.
        (root / "content/jxj/gzdt/a.md").write_text(
            page("经信局动态", "2024-03-01 09:00", f"开篇。{LONG}\n\n补充说明一项。"), encoding="utf-8")
        line = watching.next_result()
        assert "release r000002 is live" in line and " 1 rendered, 1 written" in line
        assert (root / "build/releases/r000002").stat().st_ino == spare_inode
        assert "assemble" not in line and "补充说明一项" in live.read_text(encoding="utf-8")
        # A new title changes lists and home pages: a whole build.
        (root / "content/jxj/gzdt/a.md").write_text(
            page("经信局动态（更新）", "2024-03-01 09:00", f"开篇。{LONG}\n\n补充说明一项。"), encoding="utf-8")
        line = watching.next_result()
        assert "release r000003 is live" in line and "assemble" in line
        assert "经信局动态（更新）" in (root / "build/site/jxj/gzdt/index.html").read_text(encoding="utf-8")
        # A broken page publishes nothing; the watch goes on, and the fix publishes.
        (root / "content/jxj/gzdt/b.md").write_text(page("坏了", "not a date"), encoding="utf-8")
        assert "build failed" in watching.next_result()
        # Another page's text edit meanwhile is built with the broken page, not from the last
        # release as if that page were still good: the next build looks at both again.
        (root / "content/jxj/gzdt/a.md").write_text(
            page("经信局动态（更新）", "2024-03-01 09:00", f"开篇。{LONG}\n\n补充说明两项。"), encoding="utf-8")
        assert "build failed" in watching.next_result()
        (root / "content/jxj/gzdt/b.md").write_text(page("修好了", "2024-03-02 09:00", LONG), encoding="utf-8")
        assert "release r000004 is live" in watching.next_result()
        assert "补充说明两项" in live.read_text(encoding="utf-8")
    finally:
        watching.stop()
    assert watching.proc.returncode == 0
    # What it published equals a build from nothing of the same files.
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("build"))
    subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(cold)], check=True,
                   stdout=subprocess.DEVNULL)
    assert tree(root / "build/site") == tree(cold / "build/site")


def test_ctrl_c_ends_the_watch_whatever_it_is_doing(tmp_path: Path):
    # Ctrl+C reaches the watch wherever it happens to be: here while it reports its first release,
    # a moment the watcher's own handling of Ctrl+C does not cover. It ends, and nothing is left half made.
    from sitegen.watch import watch

    root = make_cluster(tmp_path / "site", {"content/jxj/gzdt/a.md": page("经信局动态", "2024-03-01 09:00", "正文。")})

    def interrupted(result: object) -> None:
        raise KeyboardInterrupt

    watch(root, None, interrupted)
    assert os.readlink(root / "build/site") == "releases/r000001"
    assert not [p.name for p in (root / "build/releases").iterdir() if ".tmp-" in p.name]
