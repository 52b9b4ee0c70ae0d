"""`sitegen serve` on a loopback port: it serves, rebuilds on save, and keeps the last good site."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from clusters import page

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def page_containing(url: str, text: str):
    """A predicate for wait_for: the page body once it contains text."""
    def check():
        body = fetch(url)[1]
        return body if text in body else None
    return check


def wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the preview server")


@pytest.fixture
def server(cluster_root):
    root = cluster_root({"content/jxj/gzdt/a.md": page("第一版标题")})
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return fetch(base + "/")[0] == 200
        except OSError:
            return False

    try:
        wait_for(up)
        yield root, base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


def test_serves_the_site_with_live_reload_and_a_404(server):
    _, base, _ = server
    status, body = fetch(base + "/jxj/gzdt/a/")
    assert status == 200 and "第一版标题" in body and "livereload.js" in body
    status, body = fetch(base + "/no/such/page/")
    assert status == 404 and "页面未找到" in body
    assert fetch(base + "/../../etc/passwd")[0] == 404


def test_saving_a_page_rebuilds_and_a_mistake_keeps_the_last_good_site(server):
    root, base, proc = server
    source = root / "content/jxj/gzdt/a.md"
    source.write_text(page("第二版标题"), encoding="utf-8")
    wait_for(lambda: "第二版标题" in fetch(base + "/jxj/gzdt/a/")[1])

    source.write_text(page("第三版标题", date="2024-02-30 09:00"), encoding="utf-8")
    message = ("content/jxj/gzdt/a.md:3: date: expected a date and time as YYYY-MM-DD HH:MM "
               "(such as 2024-03-12 09:30), found &#x27;2024-02-30 09:00&#x27;")
    body = wait_for(page_containing(base + "/jxj/gzdt/a/", message))
    assert "第二版标题" in body and "第三版标题" not in body and 'role="alert"' in body

    source.write_text(page("第四版标题"), encoding="utf-8")
    # The glance shows the fixed page at once, still under the overlay of the build that failed;
    # the overlay goes with the rebuild that follows it (the test once raced that rebuild).
    body = wait_for(page_containing(base + "/jxj/gzdt/a/", "第四版标题"))
    assert "第三版标题" not in body
    wait_for(lambda: 'role="alert"' not in fetch(base + "/jxj/gzdt/a/")[1])

    os.killpg(proc.pid, signal.SIGTERM)
    output = proc.communicate(timeout=10)[0]
    # The preview keeps going: the department with the mistake keeps its last good pages.
    assert "held back jxj: its last good pages stay; fix:" in output
    assert "content/jxj/gzdt/a.md:3: date: expected a date and time" in output
