"""The letters service as it runs in production: `sitegen letters serve` (waitress) behind the sample
nginx config, and a service killed in the middle of submissions that loses nothing it acknowledged."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from clusters import REPO, make_cluster

from sitegen.letters.security import digest
from sitegen.letters.store import open_store

pytestmark = pytest.mark.slow

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PASSWORD = "correct horse battery"
LETTER = {"mailbox": "jxj", "kind": "咨询", "title": "企业补贴怎么申请", "body": "我是王小明，电话13812345678。请问补贴如何申请？",
          "name": "王小明", "phone": "13812345678", "email": "", "consent": "yes"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=10)


class Browser:
    """Cookies by hand: the service's cookies are Secure, which http.cookiejar never sends over HTTP."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}

    def go(self, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        data = urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data, headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **({"Origin": self.base} if data else {})})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=20) as r:
                status, headers, body = r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers, e.read().decode()
        for value in headers.get_all("Set-Cookie") or []:
            for k, m in SimpleCookie(value).items():
                self.cookies[k] = m.value
        return status, body, dict(headers)

    def token(self, path: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.go(path)[1]).group(1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


def built_site(tmp_path: Path) -> Path:
    root = make_cluster(tmp_path / "site", {})
    subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], check=True, capture_output=True,
                   stdin=subprocess.DEVNULL, timeout=300)
    return root


def letters_service(root: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sitegen", "letters", "serve", "--root", str(root), "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, stdin=subprocess.DEVNULL)


def nginx_config(prefix: Path, web_root: Path, listen: int, letters: int) -> Path:
    text = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    text, n1 = re.subn(r"\n    root [^;]+;", f"\n    root {web_root};", text)
    text, n2 = re.subn(r"\n    listen [^;]+;", f"\n    listen 127.0.0.1:{listen};", text)
    text, n3 = re.subn(r"proxy_pass http://127\.0\.0\.1:8002;", f"proxy_pass http://127.0.0.1:{letters};", text)
    assert (n1, n2, n3) == (1, 1, 1), "deploy/nginx.conf no longer has one root, listen and letters proxy_pass"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "sitegen.conf").write_text(text, encoding="utf-8")
    mime = Path("/etc/nginx/mime.types")
    conf = prefix / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\n"
        "events { worker_connections 64; }\nhttp {\n"
        + (f"  include {mime};\n" if mime.is_file() else "")
        + f"  access_log {prefix}/logs/access.log;\n"
        + "".join(f"  {k}_temp_path {prefix}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {prefix}/sitegen.conf;\n}}\n", encoding="utf-8")
    return conf


def test_behind_nginx_a_citizen_writes_staff_answer_and_the_build_publishes(tmp_path):
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (.ci/run installs it)")
        pytest.skip("nginx is not installed")
    root = built_site(tmp_path)
    subprocess.run([sys.executable, "-m", "sitegen", "letters", "user", "add", "ann", "--mailbox", "jxj",
                    "--password-stdin", "--root", str(root)], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True)
    port, front = free_port(), free_port()
    service = letters_service(root, port)
    conf = nginx_config(tmp_path / "nginx", root / "build" / "site", front, port)
    server = subprocess.Popen([NGINX, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                              stdin=subprocess.DEVNULL)
    try:
        wait_for_port(port, service)
        wait_for_port(front, server)
        base = f"http://127.0.0.1:{front}"
        citizen = Browser(base)
        status, body, headers = citizen.go("/letters/write/?to=jxj")
        assert status == 200 and "我要写信" in body and '<option value="jxj" selected>' in body
        assert "Secure; HttpOnly; SameSite=Strict" in headers["Set-Cookie"]
        assert "测试市经济和信息化局" in body            # the department's themed frame, from the build
        status, body, _ = citizen.go("/letters/write/", {**LETTER, "csrf": citizen.token("/letters/write/")})
        assert status == 200 and "来信已收到" in body
        code = re.search(r'letters-code">([A-Z0-9]{12})<', body).group(1)
        assert citizen.go("/letters/write/", {**LETTER, "csrf": "forged"})[0] == 403
        assert citizen.go("/letters", None)[0] == 301
        assert citizen.go("/letters/_shell/portal.html")[0] == 404     # the frames are never served

        staff = Browser(base)
        status, _, _ = staff.go("/letters/admin/signin", {"user": "ann", "password": PASSWORD,
                                                          "csrf": staff.token("/letters/admin/")})
        assert status == 303
        inbox = staff.go("/letters/admin/")[1]
        letter_url = re.search(r'href="(/letters/admin/letter/\d+)">企业补贴怎么申请<', inbox).group(1)
        csrf = staff.token(letter_url)
        assert "答复已保存。" in staff.go(letter_url, {"do": "reply", "reply": "王小明您好：请登录惠企平台申请。",
                                                   "csrf": csrf})[1]
        assert "已选择公开" in staff.go(letter_url, {"do": "publish", "csrf": csrf})[1]

        subprocess.run([sys.executable, "-m", "sitegen", "build", "--root", str(root)], check=True,
                       capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
        status, body, _ = citizen.go("/jxj/hdjl/")
        assert status == 200 and "企业补贴怎么申请" in body and "收到来信</dt><dd>1 件" in body
        number = re.search(r'href="/jxj/hdjl/(\d{10})/"', body).group(1)
        status, body, _ = citizen.go(f"/jxj/hdjl/{number}/")
        assert status == 200 and "王**您好：请登录惠企平台申请。" in body and "138****5678" in body
        assert "王小明" not in body and "13812345678" not in body
        status, body, _ = citizen.go("/letters/lookup/", {"code": code, "csrf": citizen.token("/letters/lookup/")})
        assert status == 200 and "王小明您好：请登录惠企平台申请。" in body      # the writer sees it unmasked
    finally:
        stop(server)
        stop(service)


def test_a_service_killed_during_submissions_loses_nothing_it_acknowledged(tmp_path):
    """Letters are committed before the answer says so: kill -9 mid-burst, restart, find every code."""
    root = built_site(tmp_path)
    port = free_port()
    service = letters_service(root, port)
    wait_for_port(port, service)
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    failed = []
    lock = threading.Lock()

    def citizen(n: int) -> None:
        b = Browser(base)
        try:
            token = b.token("/letters/write/")
            status, body, _ = b.go("/letters/write/", {**LETTER, "title": f"第{n}封", "csrf": token})
            code = re.search(r'letters-code">([A-Z0-9]{12})<', body).group(1) if status == 200 else None
        except (OSError, http.client.HTTPException, AttributeError):
            # Killed mid-answer (a cut connection, a body cut short): not acknowledged.
            code = None
        with lock:
            (acknowledged.append(code) if code else failed.append(n))

    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    while len(acknowledged) < 5:
        time.sleep(0.01)
    stop(service, signal.SIGKILL)          # no shutdown, no flush: the process is gone
    for t in threads:
        t.join()
    assert acknowledged and len(acknowledged) + len(failed) == 40
    service = letters_service(root, port)
    try:
        wait_for_port(port, service)
        store = open_store(str(root / "build" / "letters.sqlite"))
        stored = store.letters()
        assert {x.code_hash for x in stored} >= {digest(c) for c in acknowledged}
        assert all(x.number and x.title.startswith("第") for x in stored)       # no half-written letter
        for code in acknowledged[:3]:
            b = Browser(base)
            status, body, _ = b.go("/letters/lookup/", {"code": code, "csrf": b.token("/letters/lookup/")})
            assert status == 200 and "企业补贴怎么申请" not in body and "正在办理，尚未答复。" in body
    finally:
        stop(service)


def test_the_preview_server_mounts_the_letters_service(tmp_path):
    root = make_cluster(tmp_path / "site", {})
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            stdin=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, seconds=60)
        b = Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while "测试市经济和信息化局" not in (page := b.go("/letters/write/?to=jxj"))[1]:
            assert time.monotonic() < deadline, "the preview's build never gave the letters service its frames"
            time.sleep(0.3)
        assert page[0] == 200 and '<option value="jxj" selected>' in page[1]
        status, body, _ = b.go("/letters/write/", {**LETTER, "csrf": b.token("/letters/write/")})
        assert status == 200 and "来信已收到" in body
        assert len(open_store(str(root / "build" / "letters.sqlite")).letters()) == 1
        assert b.go("/jxj/hdjl/")[0] == 200
    finally:
        stop(proc)
