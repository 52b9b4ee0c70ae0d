"""The letters WSGI app: citizens write and look up replies; staff sign in, answer, transfer, close, publish."""

from __future__ import annotations

import json
import re
import threading
import traceback
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl

from . import LETTERS, SHELLS, pages
from .security import (CODE_LENGTH, RateLimit, check_password, csrf_for, digest, hash_password, needs_rehash,
                       new_code, new_token, normal_code, same)
from .store import CLOSED, KINDS, Store, User, now
from .workdays import ANSWER_DAYS, left

MARKER = "<!--sitegen:letters-->"
WRITE, LOOKUP, ADMIN = LETTERS + "write/", LETTERS + "lookup/", LETTERS + "admin/"
SIGN_IN, SIGN_OUT = ADMIN + "signin", ADMIN + "signout"
MAX_BODY = 160 * 1024         # bytes of a form POST: a 10,000-character reply is 90 KB URL-encoded
LIMITS = {"title": 60, "body": 5000, "name": 20, "email": 120, "reply": 10000}
SESSION = timedelta(hours=8)
FORM_COOKIE, STAFF_COOKIE = "sitegen_letters_form", "sitegen_letters_staff"
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                 "form-action 'self'; frame-ancestors 'none'")),
]
_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_LETTER_URL = re.compile(re.escape(ADMIN) + r"letter/([0-9]{1,12})$")


class Refused(Exception):
    def __init__(self, status: str, title: str, text: str, headers: list | None = None):
        super().__init__(text)
        self.status, self.title, self.text, self.headers = status, title, text, headers or []


@dataclass
class Request:
    environ: dict
    method: str
    path: str
    form: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    client: str = ""


@dataclass
class Response:
    status: str
    html: str
    headers: list[tuple[str, str]] = field(default_factory=list)


def clean(text: str) -> str:
    """Text as a person typed it, without control characters (newlines and tabs stay)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C").strip()


def check_letter(form: dict[str, str], mailboxes: dict[str, str]) -> list[tuple[str, str]]:
    """Every problem with a citizen's letter, as (field, message); none means it can be stored."""
    errors = []
    if form["mailbox"] not in mailboxes:
        errors.append(("mailbox", "请选择收信单位。"))
    if form["kind"] not in KINDS:
        errors.append(("kind", "请选择信件类型：咨询、建议、投诉或求助。"))
    for name, label in (("title", "标题"), ("body", "信件内容"), ("name", "姓名")):
        if not form[name]:
            errors.append((name, f"请填写{label}。"))
        elif len(form[name]) > LIMITS[name]:
            errors.append((name, f"{label}不能超过 {LIMITS[name]} 个字（现在 {len(form[name])} 个字）。"))
    phone, email = form["phone"].replace(" ", "").replace("-", ""), form["email"]
    if not phone and not email:
        errors.append(("phone", "请填写手机号码或电子邮箱，以便答复您。"))
    if phone and not _MOBILE.fullmatch(phone):
        errors.append(("phone", "手机号码应为 11 位数字，如 13800138000。"))
    if email and (len(email) > LIMITS["email"] or not _EMAIL.fullmatch(email)):
        errors.append(("email", "电子邮箱格式不正确，应如 name@example.com。"))
    if form["consent"] not in ("yes", "no"):
        errors.append(("consent", "请选择是否同意公开。"))
    return errors


class Frames:
    """The themed frames the build rendered (one per owner) and the mailboxes, re-read when rebuilt."""

    def __init__(self, web_root: Path):
        self.folder = Path(web_root) / SHELLS
        self._seen: tuple | None = None
        self._shells: dict[str, str] = {}
        self._mailboxes: dict[str, str] = {}
        self._lock = threading.Lock()

    def _load(self) -> None:
        meta = self.folder / "mailboxes.json"
        try:
            st = meta.stat()
            key = (str(meta.resolve()), st.st_mtime_ns, st.st_ino)
        except OSError:
            key = None
        with self._lock:
            if key == self._seen:
                return
            if key is None:
                self._shells, self._mailboxes = {}, {}
            else:
                self._mailboxes = dict(json.loads(meta.read_text(encoding="utf-8")))
                self._shells = {p.stem: p.read_text(encoding="utf-8") for p in self.folder.glob("*.html")}
            self._seen = key

    def mailboxes(self) -> dict[str, str]:
        self._load()
        return self._mailboxes

    def page(self, owner: str, fragment: str) -> str:
        self._load()
        shell = self._shells.get(owner) or self._shells.get("portal")
        if shell is None or MARKER not in shell:
            # No build yet: a plain page, so the service still answers.
            return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>互动交流</title>'
                    f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
                    f'<body><main id="main">{fragment}</main></body></html>')
        return shell.replace(MARKER, fragment, 1)


class LettersApp:
    """WSGI app for everything under /letters/. ``proxied``: behind nginx, the client is the last
    X-Forwarded-For address (the one nginx saw), not the loopback peer."""

    def __init__(self, store: Store, web_root: Path, *, proxied: bool = False, submit_limit: int = 5,
                 lookup_limit: int = 30, sign_in_limit: int = 10, window: float = 600.0):
        self.store, self.frames, self.proxied = store, Frames(web_root), proxied
        self.secret = store.secret()
        self.limits = {"submit": RateLimit(submit_limit, window), "lookup": RateLimit(lookup_limit, window),
                       "signin": RateLimit(sign_in_limit, window)}

    # ------------------------------------------------------------ WSGI
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            response = self.handle(self._request(environ))
        except Refused as e:
            response = Response(e.status, self.frames.page("portal", pages.MESSAGE.render(
                title=e.title, text=e.text, link=WRITE, link_text="返回我要写信")), e.headers)
        except Exception:
            # Nothing a person types reaches here; if the store fails, say so and log the rest.
            traceback.print_exc()
            response = Response("503 Service Unavailable", self.frames.page("portal", pages.MESSAGE.render(
                title="暂时无法处理", text="服务暂时不可用，您的操作没有完成，请稍后再试。", link=None, link_text="")))
        body = response.html.encode("utf-8")
        start_response(response.status, HEADERS + response.headers + [("Content-Length", str(len(body)))])
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _request(self, environ: dict) -> Request:
        method = environ.get("REQUEST_METHOD", "GET")
        client = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if self.proxied and forwarded:
            client = forwarded.split(",")[-1].strip()
        cookies: dict[str, str] = {}
        try:
            jar = SimpleCookie(environ.get("HTTP_COOKIE", ""))
            cookies = {k: m.value for k, m in jar.items()}
        except CookieError:
            pass
        request = Request(environ, method, environ.get("PATH_INFO", "/"), {}, cookies, client)
        if method == "POST":
            request.form = self._form(environ)
        elif method not in ("GET", "HEAD"):
            raise Refused("405 Method Not Allowed", "不支持的请求", "请使用页面上的表单。", [("Allow", "GET, HEAD, POST")])
        return request

    def _form(self, environ: dict) -> dict[str, str]:
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            raise Refused("415 Unsupported Media Type", "无法处理", "请使用页面上的表单提交。")
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            raise Refused("411 Length Required", "无法处理", "请使用页面上的表单提交。") from None
        if length < 0 or length > MAX_BODY:
            raise Refused("413 Content Too Large", "内容过长", f"提交的内容不能超过 {MAX_BODY // 1024} KB。")
        raw = environ["wsgi.input"].read(length)
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=40, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise Refused("400 Bad Request", "无法处理", "提交的内容无法识别，请使用页面上的表单提交。") from None
        form: dict[str, str] = {}
        for k, v in pairs:
            form.setdefault(k, v)        # the first value of a repeated field
        origin = environ.get("HTTP_ORIGIN")
        host = environ.get("HTTP_HOST", "")
        if origin and origin != "null" and origin.split("://", 1)[-1] != host:
            raise Refused("403 Forbidden", "无法处理", "请从本网站的页面提交。")
        return form

    # ------------------------------------------------------------ routes
    def handle(self, r: Request) -> Response:
        if r.path in (LETTERS, LETTERS.rstrip("/")):
            return Response("303 See Other", "", [("Location", WRITE)])
        if r.path == WRITE:
            return self.submit(r) if r.method == "POST" else self.write_form(r, _empty(r), [])
        if r.path == LOOKUP:
            return self.lookup(r) if r.method == "POST" else self.lookup_form(r, "", [])
        if r.path.startswith(ADMIN):
            return self.admin(r)
        raise Refused("404 Not Found", "页面不存在", "没有这个页面。")

    # ---- citizens
    def _form_token(self, r: Request) -> tuple[str, list]:
        """The CSRF token for a form, and the cookie to set when the client has none yet."""
        seed = r.cookies.get(FORM_COOKIE, "")
        if re.fullmatch(r"[A-Za-z0-9_-]{43}", seed):
            return csrf_for(self.secret, seed), []
        seed = new_token()
        return csrf_for(self.secret, seed), [("Set-Cookie", _cookie(FORM_COOKIE, seed, LETTERS))]

    def _form_token_ok(self, r: Request) -> bool:
        seed = r.cookies.get(FORM_COOKIE, "")
        return bool(seed) and same(r.form.get("csrf", ""), csrf_for(self.secret, seed))

    def write_form(self, r: Request, form: dict, errors: list, status: str = "200 OK") -> Response:
        token, headers = self._form_token(r)
        mailboxes = self.frames.mailboxes()
        html = pages.WRITE.render(action=WRITE, csrf=token, mailboxes=list(mailboxes.items()), kinds=KINDS,
                                  form=form, errors=errors, limits=LIMITS, days=ANSWER_DAYS, lookup=LOOKUP)
        owner = form["mailbox"] if form["mailbox"] in mailboxes else "portal"
        return Response(status, self.frames.page(owner, html), headers)

    def submit(self, r: Request) -> Response:
        form = {k: clean(r.form.get(k, "")) for k in ("mailbox", "kind", "title", "body", "name", "phone", "email",
                                                      "consent")}
        if not self._form_token_ok(r):
            # The citizen's words are kept in the form shown again: nothing typed is lost.
            return self.write_form(r, form, [("csrf", "页面已过期。为保护您的信息，请核对后再次点击“提交信件”。")],
                                   "403 Forbidden")
        errors = check_letter(form, self.frames.mailboxes())
        if errors:
            return self.write_form(r, form, errors, "422 Unprocessable Content")
        if not self.limits["submit"].allow(r.client):
            return self.write_form(r, form, [("title", "提交过于频繁，请稍后再试（您填写的内容仍在下方）。")],
                                   "429 Too Many Requests")
        code = new_code()
        try:
            letter = self.store.submit(code_hash=digest(code), mailbox=form["mailbox"], kind=form["kind"],
                                       title=form["title"], body=form["body"], name=form["name"],
                                       phone=form["phone"].replace(" ", "").replace("-", ""), email=form["email"],
                                       consent=form["consent"] == "yes")
        except self.store.errors():
            traceback.print_exc()
            # Not stored: say so, and give the words back so that submitting again loses nothing.
            return self.write_form(r, form, [("title", "服务暂时无法保存您的信件，请稍后再次点击“提交信件”"
                                                       "（您填写的内容仍在下方）。")], "503 Service Unavailable")
        # Only now, with the letter committed, does the page say it was received.
        mailboxes = self.frames.mailboxes()
        html = pages.RECEIVED.render(letter=letter, code=code, mailbox=mailboxes.get(letter.mailbox, letter.mailbox),
                                     lookup=LOOKUP)
        return Response("200 OK", self.frames.page(letter.mailbox, html))

    def lookup_form(self, r: Request, code: str, errors: list, status: str = "200 OK") -> Response:
        token, headers = self._form_token(r)
        html = pages.LOOKUP.render(action=LOOKUP, csrf=token, code=code, errors=errors, write=WRITE)
        return Response(status, self.frames.page("portal", html), headers)

    def lookup(self, r: Request) -> Response:
        code = normal_code(clean(r.form.get("code", "")))[:40]
        if not self._form_token_ok(r):
            return self.lookup_form(r, code, [("code", "页面已过期，请再次点击“查询”。")], "403 Forbidden")
        if not self.limits["lookup"].allow(r.client):
            return self.lookup_form(r, code, [("code", "查询过于频繁，请稍后再试。")], "429 Too Many Requests")
        if not code:
            return self.lookup_form(r, code, [("code", "请填写查询码。")], "422 Unprocessable Content")
        letter = self.store.by_code(digest(code)) if len(code) == CODE_LENGTH else None
        if letter is None:
            return self.lookup_form(r, code, [("code", "没有找到这个查询码对应的信件，请核对后重试。")],
                                    "404 Not Found")
        mailboxes = self.frames.mailboxes()
        html = pages.LETTER.render(letter=letter, mailbox=mailboxes.get(letter.mailbox, letter.mailbox),
                                   replied_by=mailboxes.get(letter.replied_by, letter.replied_by))
        return Response("200 OK", self.frames.page(letter.mailbox, html))

    # ---- staff
    def _session(self, r: Request):
        token = r.cookies.get(STAFF_COOKIE, "")
        return (self.store.session(digest(token)), token) if token else (None, "")

    def admin(self, r: Request) -> Response:
        if r.path == SIGN_IN and r.method == "POST":
            return self.sign_in(r)
        session, token = self._session(r)
        if session is None:
            if r.method == "POST":
                raise Refused("403 Forbidden", "请先登录", "登录已过期，请重新登录。")
            return self.sign_in_form(r, "", [])
        if r.method == "POST" and not same(r.form.get("csrf", ""), session.csrf):
            self.store.note(session.user.name, "refused-csrf", None, r.path)
            raise Refused("403 Forbidden", "无法处理", "页面已过期，请返回来信列表重新操作。")
        if r.path == SIGN_OUT and r.method == "POST":
            self.store.end_session(digest(token), session.user.name)
            return Response("303 See Other", "", [("Location", ADMIN),
                                                  ("Set-Cookie", _cookie(STAFF_COOKIE, "", ADMIN, expire=True))])
        if r.path == ADMIN:
            return self.inbox(session, r.environ.get("QUERY_STRING", ""))
        match = _LETTER_URL.match(r.path)
        if match:
            return self.staff_letter(r, session, int(match.group(1)))
        raise Refused("404 Not Found", "页面不存在", "没有这个页面。")

    def sign_in_form(self, r: Request, user: str, errors: list, status: str = "200 OK") -> Response:
        token, headers = self._form_token(r)
        html = pages.SIGN_IN.render(action=SIGN_IN, csrf=token, user=user, errors=errors)
        return Response(status, self.frames.page("portal", html), headers)

    def sign_in(self, r: Request) -> Response:
        name = clean(r.form.get("user", ""))[:40]
        password = r.form.get("password", "")[:200]
        if not self._form_token_ok(r):
            return self.sign_in_form(r, name, [("user", "页面已过期，请重新登录。")], "403 Forbidden")
        if not self.limits["signin"].allow(r.client):
            return self.sign_in_form(r, name, [("user", "登录尝试过于频繁，请稍后再试。")], "429 Too Many Requests")
        user = self.store.user(name)
        if not check_password(user.password_hash if user else None, password) or user is None:
            self.store.note(name or "(blank)", "sign-in-failed", None, r.client)
            return self.sign_in_form(r, name, [("user", "用户名或密码不正确。")], "403 Forbidden")
        if needs_rehash(user.password_hash):
            self.store.rehash(user.name, hash_password(password))
        token = new_token()
        self.store.open_session(digest(token), user, new_token(), now() + SESSION)
        return Response("303 See Other", "", [("Location", ADMIN),
                                              ("Set-Cookie", _cookie(STAFF_COOKIE, token, ADMIN))])

    def _scope(self, user: User) -> str:
        return "全部信箱" if user.admin else self.frames.mailboxes().get(user.mailbox, user.mailbox)

    def inbox(self, session, query: str, notice: str = "") -> Response:
        user = session.user
        today = now().date()
        mailboxes = self.frames.mailboxes()
        letters = self.store.letters(user.mailbox)
        rows: list[dict[str, Any]] = [{"letter": x, "url": f"{ADMIN}letter/{x.id}", "mailbox": mailboxes.get(x.mailbox, x.mailbox),
                 "left": None if x.reply or x.status == CLOSED else left(x.received.date(), today)}
                for x in letters]
        rows.sort(key=lambda row: (row["left"] is None, row["left"] if row["left"] is not None else 0,
                                   -row["letter"].id))
        html = pages.INBOX.render(user=user, scope=self._scope(user), rows=rows, csrf=session.csrf,
                                  signout=SIGN_OUT, notice=notice)
        return Response("200 OK", self.frames.page("portal", html))

    def staff_letter(self, r: Request, session, id_: int) -> Response:
        user = session.user
        letter = self.store.letter(id_)
        if letter is None or not user.may(letter):
            if letter is not None:
                self.store.note(user.name, "refused-other-mailbox", id_, r.method)
            # The same answer whether it exists or belongs to someone else: nothing to learn.
            raise Refused("404 Not Found", "没有这封信", "没有找到这封信，或它不属于您的信箱。")
        mailboxes = self.frames.mailboxes()
        notice, errors, reply = "", [], letter.reply
        if r.method == "POST":
            action = r.form.get("do", "")
            if action == "reply":
                reply = clean(r.form.get("reply", ""))
                if not reply:
                    errors.append(("reply", "请填写答复内容。"))
                elif len(reply) > LIMITS["reply"]:
                    errors.append(("reply", f"答复不能超过 {LIMITS['reply']} 个字（现在 {len(reply)} 个字）。"))
                else:
                    self.store.reply(letter, user.name, reply, letter.mailbox)
                    notice = "答复已保存。"
            elif action == "transfer":
                to = r.form.get("to", "")
                if to not in mailboxes or to == letter.mailbox:
                    errors.append(("to", "请选择要转给的单位。"))
                else:
                    self.store.transfer(letter, user.name, to)
                    if not user.admin:
                        # It is another department's letter now: back to the list.
                        return self.inbox(session, "", f"第 {letter.number} 号来信已转给{mailboxes[to]}。")
                    notice = f"已转给{mailboxes[to]}。"
            elif action == "close":
                self.store.close_letter(letter, user.name)
                notice = "已标记办结。"
            elif action in ("publish", "unpublish"):
                if action == "publish" and not letter.consent:
                    errors.append(("publish", "来信人不同意公开，不能公开。"))
                elif action == "publish" and not letter.reply:
                    errors.append(("publish", "请先答复，再选择公开。"))
                else:
                    self.store.set_publish(letter, user.name, action == "publish")
                    notice = "已选择公开，下次构建后发布。" if action == "publish" else "已取消公开。"
            else:
                errors.append(("do", "未知的操作。"))
            letter = self.store.letter(id_) or letter
        status = "422 Unprocessable Content" if errors else "200 OK"
        html = pages.STAFF_LETTER.render(
            user=user, scope=self._scope(user), letter=letter, mailbox=mailboxes.get(letter.mailbox, letter.mailbox),
            mailboxes=list(mailboxes.items()), csrf=session.csrf, signout=SIGN_OUT, inbox=ADMIN,
            action=f"{ADMIN}letter/{letter.id}", notice=notice, errors=errors, reply=reply, limit=LIMITS["reply"],
            left=None if letter.reply or letter.status == CLOSED else left(letter.received.date(), now().date()))
        return Response(status, self.frames.page("portal", html))


def _empty(r: Request) -> dict[str, str]:
    to = r.environ.get("QUERY_STRING", "")
    mailbox = dict(parse_qsl(to)).get("to", "portal") if to else "portal"
    return {"mailbox": mailbox[:40], "kind": "", "title": "", "body": "", "name": "", "phone": "", "email": "",
            "consent": ""}


def _cookie(name: str, value: str, path: str, expire: bool = False) -> str:
    # Secure + HttpOnly + SameSite=Strict: never sent over plain HTTP (browsers treat localhost as
    # secure for the preview), never readable by scripts, never sent with another site's request.
    tail = "; Max-Age=0" if expire else ""
    return f"{name}={value}; Path={path}; Secure; HttpOnly; SameSite=Strict{tail}"
