"""The production setup as the README describes it: `sitegen search serve` (waitress) behind the
sample nginx config in deploy/, both on loopback ports, with a real nginx."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from clusters import REPO, make_cluster, page

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited with {proc.returncode}:\n{proc.stdout.read()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {seconds}s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def sample_config(site: Path, listen: int, upstream: int) -> str:
    """deploy/nginx.conf with this test's web root and ports: nothing else changed."""
    text = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    text, n1 = re.subn(r"\n    root [^;]+;", f"\n    root {site};", text)
    text, n2 = re.subn(r"\n    listen [^;]+;", f"\n    listen 127.0.0.1:{listen};", text)
    text, n3 = re.subn(r"server 127\.0\.0\.1:\d+;", f"server 127.0.0.1:{upstream};", text)
    assert (n1, n2, n3) == (1, 1, 1), "deploy/nginx.conf no longer has one root, listen and upstream server"
    return text


@pytest.fixture
def nginx():
    if NGINX is None:
        if in_ci():
            pytest.fail("nginx is not installed (.ci/run installs it; CI is set, so this is a failure)")
        pytest.skip("nginx is not installed: `apt-get install nginx`")
    return NGINX


def test_sample_nginx_config_serves_the_site_and_proxies_search(nginx, tmp_path):
    root = make_cluster(tmp_path / "site", {
        "content/jxj/gzdt/a.md": page("推进一网通办改革", "2024-03-01 09:00", "全面推进一网通办改革，提升政务服务水平。"),
    })
    subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], check=True,
                   capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
    web_root, index = root / "build" / "site", root / "build" / "search"
    search_port, nginx_port = free_port(), free_port()
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "sitegen.conf").write_text(sample_config(web_root, nginx_port, search_port), encoding="utf-8")
    mime = Path("/etc/nginx/mime.types")
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")     # workers must read the test's private folders
        + f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        + (f"  include {mime};\n" if mime.is_file() else "")
        + f"  access_log {prefix}/logs/access.log;\n"
        + "".join(f"  {kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {prefix}/sitegen.conf;\n}}\n", encoding="utf-8")

    service = subprocess.Popen([sys.executable, "-m", "sitegen", "search", "serve", "--port", str(search_port),
                                "--index", str(index)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True, stdin=subprocess.DEVNULL)
    server = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                              stdin=subprocess.DEVNULL)
    try:
        wait_for_port(search_port, service)
        wait_for_port(nginx_port, server)
        base = f"http://127.0.0.1:{nginx_port}"

        status, headers, body = fetch(base + "/jxj/")
        assert status == 200 and "推进一网通办改革" in body.decode()

        status, headers, body = fetch(base + "/search/?q=" + quote("一网通办") + "&dept=jxj")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<mark>一网通办</mark>" in body.decode() and "找到 <strong>1</strong> 条结果" in body.decode()

        status, headers, body = fetch(base + "/search/api?q=" + quote("政务服务"))
        data = json.loads(body)
        assert status == 200 and data["total"] == 1 and data["results"][0]["url"] == "/jxj/gzdt/a/"

        status, headers, _ = fetch(base + "/search?q=x")
        assert status == 200       # the redirect to /search/ is followed

        status, _, body = fetch(base + "/search/?q=" + quote("<script>alert(1)</script>"))
        assert status == 200 and b"<script>alert(1)" not in body

        status, _, body = fetch(base + "/no/such/page/")
        assert status == 404 and "页面未找到" in body.decode()

        css = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', fetch(base + "/")[2].decode()).group(1)
        status, headers, _ = fetch(base + css)
        assert status == 200 and "immutable" in headers["Cache-Control"]

        # A rebuild with a new page is served at once, by nginx and by the running search service.
        (root / "content/jxj/gzdt/b.md").write_text(page("一网通办再提速", "2024-03-02 09:00", "新增内容。"),
                                                    encoding="utf-8")
        subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], check=True,
                       capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
        data = json.loads(fetch(base + "/search/api?q=" + quote("一网通办"))[2])
        assert data["total"] == 2
    finally:
        stop(server)
        stop(service)


def test_preview_server_answers_search(tmp_path):
    """`sitegen serve` mounts the search service: /search/ works in preview, and follows rebuilds."""
    root = make_cluster(tmp_path / "site", {
        "content/jxj/gzdt/a.md": page("推进一网通办改革", "2024-03-01 09:00", "全面推进一网通办改革。"),
    })
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            stdin=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, seconds=60)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:     # the first build may still be writing the index
            status, _, body = fetch(base + "/search/api?q=" + quote("一网通办"))
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert status == 200 and json.loads(body)["total"] == 1
        status, _, body = fetch(base + "/search/?q=" + quote("一网通办") + "&dept=jxj")
        assert status == 200 and "<mark>一网通办</mark>" in body.decode()
        (root / "content/jxj/gzdt/b.md").write_text(page("一网通办再提速", "2024-03-02 09:00", "新增。"),
                                                    encoding="utf-8")
        deadline = time.monotonic() + 30
        while json.loads(fetch(base + "/search/api?q=" + quote("一网通办"))[2])["total"] != 2:
            assert time.monotonic() < deadline, "the preview's rebuild did not reach the search service"
            time.sleep(0.3)
    finally:
        stop(proc)


def _exchange(port: int, request: bytes, seconds: float = 5.0) -> bytes:
    """Send one raw HTTP/1.1 request with `Connection: close`; what comes back until the server
    closes the connection, or the timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as s:
        s.sendall(request)
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except TimeoutError:
            pass
        return data


def test_search_service_answers_expect_100_continue_at_once(tmp_path):
    """A GET with `Expect: 100-continue` gets its answer, not a 100 and then silence; a request
    with a body still gets its 100 before it sends it."""
    root = make_cluster(tmp_path / "site", {"content/jxj/gzdt/a.md": page("推进一网通办改革", "2024-03-01 09:00", "一网通办。")})
    subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "search", "serve", "--port", str(port),
                             "--index", str(root / "build" / "search")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True, stdin=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)
        started = time.monotonic()
        answer = _exchange(port, b"GET /search/api?q=%E4%B8%80%E7%BD%91%E9%80%9A%E5%8A%9E HTTP/1.1\r\nHost: x\r\n"
                                 b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
        assert time.monotonic() - started < 4, "the service waited for a body that never comes"
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["total"] == 1
        answer = _exchange(port, b"POST /search/api HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                 b"Content-Length: 3\r\nConnection: close\r\n\r\nq=a")
        assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 405 Method Not Allowed\r\n")
    finally:
        stop(proc)
