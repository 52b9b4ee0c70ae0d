"""The letters app through WSGI: citizens' forms, every bad input, CSRF, limits, and staff permissions."""

from __future__ import annotations

import io
import json
import re
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from letters_db import store, store_address  # noqa: F401  (fixtures)

from sitegen.letters.app import LettersApp
from sitegen.letters.security import digest, hash_password
from sitegen.letters.store import EVERY, open_store

MAILBOXES = [["portal", "市长信箱"], ["fgw", "发改委"], ["jyj", "教育局"]]
PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD)       # hashed once: argon2id is slow on purpose
GOOD = {"mailbox": "fgw", "kind": "咨询", "title": "停车难", "body": "小区停车难，怎么办？", "name": "李四",
        "phone": "13900001111", "email": "", "consent": "yes"}


class Client:
    """A browser in miniature: keeps cookies, reads the form token, posts forms."""

    def __init__(self, app: LettersApp, addr: str = "198.51.100.7"):
        self.app, self.addr, self.cookies = app, addr, {}
        self.set_cookies: list[str] = []

    def request(self, method: str, path: str, body: bytes = b"", query: str = "", headers: dict | None = None,
                content_type: str = "application/x-www-form-urlencoded"):
        env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(body),
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type, "REMOTE_ADDR": self.addr,
               "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        env.update(headers or {})
        got = {}

        def start_response(status, headers):
            got["status"], got["headers"] = status, headers
        html = b"".join(self.app(env, start_response)).decode()
        for name, value in got["headers"]:
            if name == "Set-Cookie":
                self.set_cookies.append(value)
                jar = SimpleCookie(value)
                for k, m in jar.items():
                    if m["max-age"] == "0":
                        self.cookies.pop(k, None)
                    else:
                        self.cookies[k] = m.value
        return int(got["status"].split()[0]), dict(got["headers"]), html

    def get(self, path: str, query: str = ""):
        return self.request("GET", path, query=query)

    def token(self, html: str) -> str:
        return BeautifulSoup(html, "html.parser").find("input", {"name": "csrf"})["value"]

    def post(self, path: str, form: dict, token_from: str | None = None):
        if token_from is not None and "csrf" not in form:
            _, _, page = self.get(token_from)
            form = {"csrf": self.token(page), **form}
        return self.request("POST", path, urlencode(form).encode())


def errors(html: str) -> list[str]:
    box = BeautifulSoup(html, "html.parser").find(class_="letters-errors")
    return [li.get_text() for li in box.find_all("li")] if box else []


def code_of(html: str) -> str:
    return BeautifulSoup(html, "html.parser").find(class_="letters-code").get_text()


def web_root(tmp_path: Path) -> Path:
    folder = tmp_path / "site" / "letters" / "_shell"
    folder.mkdir(parents=True)
    (folder / "mailboxes.json").write_text(json.dumps(MAILBOXES, ensure_ascii=False), encoding="utf-8")
    (folder / "portal.html").write_text('<!DOCTYPE html><html lang="zh-CN"><head><title>t</title></head><body>'
                                        '<main><!--sitegen:letters--></main></body></html>', encoding="utf-8")
    return tmp_path / "site"


@pytest.fixture
def sqlite_app(tmp_path):
    s = open_store(str(tmp_path / "letters.sqlite"))
    yield LettersApp(s, web_root(tmp_path)), s
    s.close()


def write(client: Client, **changes):
    return client.post("/letters/write/", {**GOOD, **changes}, token_from="/letters/write/")


# ------------------------------------------------------------------ citizens


def test_the_form_sets_a_secure_token_cookie_and_chooses_the_mailbox_asked_for(sqlite_app):
    app, _ = sqlite_app
    c = Client(app)
    status, headers, html = c.get("/letters/write/", "to=jyj")
    assert status == 200
    assert re.fullmatch(r"sitegen_letters_form=[A-Za-z0-9_-]{43}; Path=/letters/; Secure; HttpOnly; SameSite=Strict",
                        headers["Set-Cookie"])
    assert "form-action 'self'" in headers["Content-Security-Policy"] and headers["Cache-Control"] == "no-store"
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("option", selected=True)["value"] == "jyj"
    assert soup.find("form")["method"] == "post" and not soup.find("script")


def test_a_letter_is_received_with_a_code_and_read_back_with_it(sqlite_app):
    app, s = sqlite_app
    c = Client(app)
    status, _, html = write(c, body="<script>alert(1)</script>\n第二行")
    assert status == 200 and "来信已收到" in html
    code = code_of(html)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{12}", code)
    [stored] = s.letters()
    assert stored.body == "<script>alert(1)</script>\n第二行" and stored.code_hash == digest(code)
    status, _, html = c.post("/letters/lookup/", {"code": code.lower()[:6] + "-" + code[6:]}, token_from="/letters/lookup/")
    assert status == 200
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("h1").get_text() == "停车难"
    assert [p.get_text() for p in soup.select(".letters-text p")] == ["<script>alert(1)</script>", "第二行"]
    assert "<script>alert" not in html and "正在办理，尚未答复。" in html


@pytest.mark.parametrize("changes, expected", [
    ({"mailbox": "nope"}, ["请选择收信单位。"]),
    ({"kind": "表扬"}, ["请选择信件类型：咨询、建议、投诉或求助。"]),
    ({"title": "  "}, ["请填写标题。"]),
    ({"title": "长" * 61}, ["标题不能超过 60 个字（现在 61 个字）。"]),
    ({"body": ""}, ["请填写信件内容。"]),
    ({"body": "字" * 5001}, ["信件内容不能超过 5000 个字（现在 5001 个字）。"]),
    ({"name": ""}, ["请填写姓名。"]),
    ({"name": "名" * 21}, ["姓名不能超过 20 个字（现在 21 个字）。"]),
    ({"phone": "", "email": ""}, ["请填写手机号码或电子邮箱，以便答复您。"]),
    ({"phone": "12345"}, ["手机号码应为 11 位数字，如 13800138000。"]),
    ({"email": "a@b"}, ["电子邮箱格式不正确，应如 name@example.com。"]),
    ({"consent": "maybe"}, ["请选择是否同意公开。"]),
    ({"title": "\x00\x07"}, ["请填写标题。"]),          # control characters are not text
    ({k: "" for k in GOOD}, ["请选择收信单位。", "请选择信件类型：咨询、建议、投诉或求助。", "请填写标题。", "请填写信件内容。",
                             "请填写姓名。", "请填写手机号码或电子邮箱，以便答复您。", "请选择是否同意公开。"]),
])
def test_every_bad_field_is_named_and_the_words_are_kept(sqlite_app, changes, expected):
    app, s = sqlite_app
    status, _, html = write(Client(app), **changes)
    assert status == 422 and errors(html) == expected and s.letters() == []
    soup = BeautifulSoup(html, "html.parser")
    if changes.get("body", GOOD["body"]):
        assert soup.find("textarea", {"name": "body"}).get_text() == changes.get("body", GOOD["body"]).strip()
    field = soup.find(attrs={"aria-invalid": "true"})
    assert field is not None and field.get("aria-describedby", "").endswith("-error") or field.name == "fieldset"


def test_a_post_without_the_right_token_stores_nothing_and_keeps_the_words(sqlite_app):
    app, s = sqlite_app
    c = Client(app)
    c.get("/letters/write/")
    status, _, html = c.post("/letters/write/", {**GOOD, "csrf": "forged"})
    assert status == 403 and errors(html) == ["页面已过期。为保护您的信息，请核对后再次点击“提交信件”。"]
    assert BeautifulSoup(html, "html.parser").find("input", {"name": "title"})["value"] == "停车难"
    other = Client(app)      # a token from one browser is no good in another
    _, _, page = c.get("/letters/write/")
    status, _, _ = other.post("/letters/write/", {**GOOD, "csrf": c.token(page)})
    assert status == 403 and s.letters() == []
    status, _, html = c.post("/letters/write/", {**GOOD, "csrf": c.token(html)})   # trying again works
    assert status == 200 and len(s.letters()) == 1


@pytest.mark.parametrize("method, body, content_type, headers, status, text", [
    ("POST", b"title=" + b"x" * (160 * 1024), "application/x-www-form-urlencoded", {}, 413, "提交的内容不能超过 160 KB。"),
    ("POST", b"{}", "application/json", {}, 415, "请使用页面上的表单提交。"),
    ("POST", b"title=%FF%FE", "application/x-www-form-urlencoded", {}, 400, "提交的内容无法识别，请使用页面上的表单提交。"),
    ("POST", b"a=1", "application/x-www-form-urlencoded", {"HTTP_ORIGIN": "https://evil.example"}, 403,
     "请从本网站的页面提交。"),
    ("PUT", b"", "application/x-www-form-urlencoded", {}, 405, "请使用页面上的表单。"),
    ("POST", b"a=1", "application/x-www-form-urlencoded", {"CONTENT_LENGTH": ""}, 411, "请使用页面上的表单提交。"),
])
def test_malformed_requests_are_refused_plainly(sqlite_app, method, body, content_type, headers, status, text):
    app, s = sqlite_app
    got, _, html = Client(app).request(method, "/letters/write/", body, headers=headers, content_type=content_type)
    assert got == status and text in html and "Traceback" not in html and s.letters() == []


def test_submissions_are_limited_per_client(tmp_path):
    s = open_store(str(tmp_path / "l.sqlite"))
    app = LettersApp(s, web_root(tmp_path), submit_limit=2)
    c = Client(app)
    assert write(c)[0] == 200 and write(c)[0] == 200
    status, _, html = write(c, title="第三封")
    assert status == 429 and errors(html) == ["提交过于频繁，请稍后再试（您填写的内容仍在下方）。"]
    assert BeautifulSoup(html, "html.parser").find("input", {"name": "title"})["value"] == "第三封"
    assert write(Client(app, addr="203.0.113.9"))[0] == 200      # another client is not held back
    assert len(s.letters()) == 3


def test_behind_a_proxy_the_client_is_the_forwarded_address(tmp_path):
    s = open_store(str(tmp_path / "l.sqlite"))
    app = LettersApp(s, web_root(tmp_path), proxied=True, submit_limit=1)
    a, b = Client(app, "127.0.0.1"), Client(app, "127.0.0.1")
    env_a = {"HTTP_X_FORWARDED_FOR": "9.9.9.9, 198.51.100.1"}    # the first entry is the client's own claim
    _, _, page = a.get("/letters/write/")
    assert a.request("POST", "/letters/write/", urlencode({**GOOD, "csrf": a.token(page)}).encode(),
                     headers=env_a)[0] == 200
    _, _, page = b.get("/letters/write/")
    assert b.request("POST", "/letters/write/", urlencode({**GOOD, "csrf": b.token(page)}).encode(),
                     headers={"HTTP_X_FORWARDED_FOR": "198.51.100.2"})[0] == 200
    _, _, page = a.get("/letters/write/")
    assert a.request("POST", "/letters/write/", urlencode({**GOOD, "csrf": a.token(page)}).encode(),
                     headers={"HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.1"})[0] == 429


@pytest.mark.parametrize("code, status, message", [
    ("", 422, "请填写查询码。"),
    ("ABCDEFGHJKLM", 404, "没有找到这个查询码对应的信件，请核对后重试。"),
    ("short", 404, "没有找到这个查询码对应的信件，请核对后重试。"),
])
def test_lookup_with_a_wrong_code(sqlite_app, code, status, message):
    app, _ = sqlite_app
    got, _, html = Client(app).post("/letters/lookup/", {"code": code}, token_from="/letters/lookup/")
    assert got == status and errors(html) == [message]


def test_lookups_are_limited_per_client(tmp_path):
    app = LettersApp(open_store(str(tmp_path / "l.sqlite")), web_root(tmp_path), lookup_limit=3)
    c = Client(app)
    statuses = [c.post("/letters/lookup/", {"code": "ABCDEFGHJKLM"}, token_from="/letters/lookup/")[0]
                for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


# ------------------------------------------------------------------ staff


def staff_app(address: str, tmp_path: Path, **kw) -> tuple[LettersApp, object]:
    s = open_store(address)
    for name, box in (("ann", "fgw"), ("bob", "jyj"), ("root", EVERY)):
        s.add_user(name, box, HASH)
    return LettersApp(s, web_root(tmp_path), **kw), s


def sign_in(app: LettersApp, name: str, password: str = PASSWORD) -> tuple[Client, int, str]:
    c = Client(app)
    status, headers, html = c.post("/letters/admin/signin", {"user": name, "password": password},
                                   token_from="/letters/admin/")
    return c, status, html


def staff_token(c: Client, path: str = "/letters/admin/") -> str:
    return c.token(c.get(path)[2])


def test_sign_in_sets_a_secure_session_and_sign_out_ends_it(tmp_path):
    app, s = staff_app(str(tmp_path / "l.sqlite"), tmp_path)
    c, status, _ = sign_in(app, "ann")
    assert status == 303
    assert re.fullmatch(r"sitegen_letters_staff=[A-Za-z0-9_-]{43}; Path=/letters/admin/; Secure; HttpOnly; "
                        r"SameSite=Strict", c.set_cookies[-1])
    token = c.cookies["sitegen_letters_staff"]
    assert s.session(token) is None and s.session(digest(token)).user.name == "ann"   # only the hash is kept
    assert "来信办理" in c.get("/letters/admin/")[2]
    assert c.post("/letters/admin/signout", {"csrf": staff_token(c)})[0] == 303
    assert s.session(digest(token)) is None
    c.cookies["sitegen_letters_staff"] = token         # the old cookie opens nothing any more
    assert "工作人员登录" in c.get("/letters/admin/")[2]


@pytest.mark.parametrize("name, password", [("ann", "wrong password"), ("nobody", PASSWORD), ("", "")])
def test_a_wrong_sign_in_says_only_that_and_is_logged(tmp_path, name, password):
    app, s = staff_app(str(tmp_path / "l.sqlite"), tmp_path)
    c, status, html = sign_in(app, name, password)
    assert status == 403 and errors(html) == ["用户名或密码不正确。"] and "sitegen_letters_staff" not in c.cookies
    assert s.audit_log()[-1][1:3] == (name or "(blank)", "sign-in-failed")


def test_sign_in_attempts_are_limited(tmp_path):
    app, _ = staff_app(str(tmp_path / "l.sqlite"), tmp_path, sign_in_limit=2)
    c = Client(app)
    results = [c.post("/letters/admin/signin", {"user": "ann", "password": "x"}, token_from="/letters/admin/")
               for _ in range(3)]
    assert [r[0] for r in results] == [403, 403, 429]
    assert errors(results[-1][2]) == ["登录尝试过于频繁，请稍后再试。"]
    assert c.post("/letters/admin/signin", {"user": "ann", "password": PASSWORD}, token_from="/letters/admin/")[0] == 429


def test_a_staff_form_without_the_session_token_changes_nothing(tmp_path):
    app, s = staff_app(str(tmp_path / "l.sqlite"), tmp_path)
    x = s.submit(code_hash="h", mailbox="fgw", kind="咨询", title="t", body="b", name="n", phone="", email="e@x.cn",
                 consent=True)
    c, _, _ = sign_in(app, "ann")
    status, _, html = c.post(f"/letters/admin/letter/{x.id}", {"do": "reply", "reply": "答复", "csrf": "forged"})
    assert status == 403 and "页面已过期，请返回来信列表重新操作。" in html and s.letter(x.id).reply == ""
    assert s.audit_log()[-1][1:3] == ("ann", "refused-csrf")
    anonymous = Client(app)
    status, _, html = anonymous.post(f"/letters/admin/letter/{x.id}", {"do": "close"})
    assert status == 403 and "登录已过期，请重新登录。" in html and s.letter(x.id).status == "待办"


ACTIONS = [("GET", {}), ("POST", {"do": "reply", "reply": "越权答复"}), ("POST", {"do": "transfer", "to": "portal"}),
           ("POST", {"do": "close"}), ("POST", {"do": "publish"})]


@pytest.mark.parametrize("who, mailbox, allowed", [
    ("ann", "fgw", True), ("ann", "jyj", False), ("bob", "jyj", True), ("bob", "fgw", False),
    ("root", "fgw", True), ("root", "jyj", True), ("ann", "portal", False),
])
def test_permission_matrix(store_address, tmp_path, who, mailbox, allowed):
    """Staff read and act only on their own mailbox's letters; admins on all. Same on both stores."""
    app, s = staff_app(store_address, tmp_path)
    c, _, _ = sign_in(app, who)
    inbox = c.get("/letters/admin/")[2]
    for method, form in ACTIONS:
        x = s.submit(code_hash=f"h{method}{form}", mailbox=mailbox, kind="咨询", title=f"来信{len(s.letters())}",
                     body="b", name="n", phone="", email="e@x.cn", consent=True)
        if form.get("do") == "publish":
            s.reply(x, "seed", "已答复", mailbox)
        before = s.letter(x.id)
        url = f"/letters/admin/letter/{x.id}"
        if method == "GET":
            status, _, html = c.get(url)
        else:
            status, _, html = c.post(url, {**form, "csrf": staff_token(c)})
        after = s.letter(x.id)
        if allowed:
            assert status == 200, (method, form, html)
            assert after != before or method == "GET"
        else:
            assert status == 404 and "没有找到这封信，或它不属于您的信箱。" in html
            assert after == before and "n" not in BeautifulSoup(html, "html.parser").get_text(" ").split()
            assert s.audit_log()[-1][1:4] == (who, "refused-other-mailbox", x.id)
    listed = {a.get_text() for a in BeautifulSoup(c.get("/letters/admin/")[2], "html.parser").select("td a")}
    assert bool(listed) == allowed and "没有来信。" in inbox


def test_staff_answer_transfer_close_and_publish(tmp_path):
    app, s = staff_app(str(tmp_path / "l.sqlite"), tmp_path)
    x = s.submit(code_hash="h1", mailbox="fgw", kind="投诉", title="噪音", body="夜间施工", name="张三", phone="",
                 email="z@x.cn", consent=True)
    private = s.submit(code_hash="h2", mailbox="fgw", kind="咨询", title="私事", body="b", name="n", phone="",
                       email="z@x.cn", consent=False)
    ann, _, _ = sign_in(app, "ann")
    rows = BeautifulSoup(ann.get("/letters/admin/")[2], "html.parser").select("tbody tr")
    assert [r.find("a").get_text() for r in rows] == ["私事", "噪音"]
    assert all(r.find_all("td")[5].get_text() in {str(n) for n in range(0, 11)} for r in rows)   # days left
    url = f"/letters/admin/letter/{x.id}"
    status, _, html = ann.post(url, {"do": "publish", "csrf": staff_token(ann)})
    assert status == 422 and errors(html) == ["请先答复，再选择公开。"]
    status, _, html = ann.post(url, {"do": "reply", "reply": "  ", "csrf": staff_token(ann)})
    assert status == 422 and errors(html) == ["请填写答复内容。"]
    status, _, html = ann.post(url, {"do": "reply", "reply": "长" * 10001, "csrf": staff_token(ann)})
    assert errors(html) == ["答复不能超过 10000 个字（现在 10001 个字）。"]
    status, _, html = ann.post(url, {"do": "reply", "reply": "<b>已责令整改</b>", "csrf": staff_token(ann)})
    assert status == 200 and "答复已保存。" in html and "<b>已责令" not in html
    assert s.letter(x.id).reply == "<b>已责令整改</b>"          # plain text, escaped wherever it is shown
    assert ann.post(url, {"do": "publish", "csrf": staff_token(ann)})[0] == 200 and s.letter(x.id).publish
    assert ann.post(url, {"do": "close", "csrf": staff_token(ann)})[0] == 200 and s.letter(x.id).status == "办结"
    status, _, html = ann.post(f"/letters/admin/letter/{private.id}", {"do": "publish", "csrf": staff_token(ann)})
    assert status == 422 and errors(html) == ["来信人不同意公开，不能公开。"] and not s.letter(private.id).publish
    status, _, html = ann.post(f"/letters/admin/letter/{private.id}", {"do": "transfer", "to": "fgw",
                                                                       "csrf": staff_token(ann)})
    assert errors(html) == ["请选择要转给的单位。"]
    status, _, html = ann.post(f"/letters/admin/letter/{private.id}", {"do": "transfer", "to": "jyj",
                                                                       "csrf": staff_token(ann)})
    assert status == 200 and f"第 {private.number} 号来信已转给教育局。" in html
    assert ann.get(f"/letters/admin/letter/{private.id}")[0] == 404         # no longer hers
    bob, _, _ = sign_in(app, "bob")
    assert bob.get(f"/letters/admin/letter/{private.id}")[0] == 200         # now his
    actions = [a[2] for a in s.audit_log() if a[1] == "ann"]
    assert actions == ["sign-in", "reply", "publish", "close", "transfer", "refused-other-mailbox"]


def test_a_store_that_fails_while_saving_gives_the_words_back(store_address, tmp_path, capsys):
    s = open_store(store_address)
    app = LettersApp(s, web_root(tmp_path))
    c = Client(app)
    _, _, page = c.get("/letters/write/")
    s.close()
    real = s.address
    s.address = real.replace("letters.sqlite", "missing/dir/x.sqlite") if not s.postgres else \
        real.rsplit("/", 1)[0] + "/no_such_database"
    status, _, html = c.post("/letters/write/", {**GOOD, "csrf": c.token(page)})
    assert status == 503 and errors(html) == ["服务暂时无法保存您的信件，请稍后再次点击“提交信件”（您填写的内容仍在下方）。"]
    assert BeautifulSoup(html, "html.parser").find("textarea", {"name": "body"}).get_text() == GOOD["body"]
    s.address = real                          # the database is back: the same words go through
    status, _, html = c.post("/letters/write/", {**GOOD, "csrf": c.token(html)})
    assert status == 200 and len(s.letters()) == 1
