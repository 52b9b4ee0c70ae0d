"""Letters: submissions through the WSGI app (commit to disk each), and the build reading the store.

    .venv/bin/python bench/letters.py [--letters 300] [--published 2000] [--dsn postgresql://…]

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from sitegen.letters.app import LettersApp
from sitegen.letters.publish import snapshot
from sitegen.letters.security import digest
from sitegen.letters.store import CHINA, open_store

FORM = {"mailbox": "jxj", "kind": "咨询", "title": "停车难", "body": "小区停车难，电话13800138000。" * 20, "name": "李四",
        "phone": "13900001111", "email": "", "consent": "yes"}


def call(app, method, path, body=b"", cookie=""):
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "wsgi.input": io.BytesIO(body),
           "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/x-www-form-urlencoded",
           "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "x", "HTTP_COOKIE": cookie}
    got = {}
    out = b"".join(app(env, lambda s, h: got.update(status=s, headers=h)))
    return got["status"], dict(got["headers"]), out.decode()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=300)
    ap.add_argument("--published", type=int, default=2000)
    ap.add_argument("--dsn", default=None)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp())
    (folder / "site/letters/_shell").mkdir(parents=True)
    (folder / "site/letters/_shell/mailboxes.json").write_text(json.dumps([["portal", "市长信箱"], ["jxj", "经信局"]]))
    address = args.dsn or str(folder / "letters.sqlite")
    store = open_store(address)
    app = LettersApp(store, folder / "site", submit_limit=10**9)
    _, headers, page = call(app, "GET", "/letters/write/")
    cookie = headers["Set-Cookie"].split(";")[0]
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urlencode({**FORM, "csrf": token}).encode()
    times = []
    for _ in range(args.letters):
        t = time.perf_counter()
        status, _, _ = call(app, "POST", "/letters/write/", body, cookie)
        times.append(time.perf_counter() - t)
        assert status == "200 OK"
    kind = "PostgreSQL" if args.dsn else "SQLite (WAL, synchronous=FULL)"
    print(f"submit via WSGI, {kind}: {args.letters} letters, median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {sorted(times)[int(len(times) * .95)] * 1000:.1f} ms, {args.letters / sum(times):.0f} letters/s")
    for n in range(args.published):
        x = store.submit(code_hash=digest(f"b{n}"), mailbox="jxj", kind="咨询", title=f"来信{n}", body="内容" * 200,
                         name="王五", phone="13900001111", email="", consent=True,
                         received=datetime(2026, 3, 2, 9, 0, tzinfo=CHINA))
        store.reply(x, "ann", "答复" * 100, "jxj", at=datetime(2026, 3, 9, 9, 0, tzinfo=CHINA))
        store.set_publish(store.letter(x.id), "ann", True)
    store.close()
    t = time.perf_counter()
    snap = snapshot(address)
    print(f"build reads the store: {len(snap.letters)} published of {args.letters + args.published} letters "
          f"(masked, with figures) in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
