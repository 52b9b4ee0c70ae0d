"""The search service: a WSGI application answering /search/ (HTML) and /search/api (JSON)."""

from __future__ import annotations

import dataclasses
import html
import json
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlencode

from ..theme import Theme, environment
from ..urls import PORTAL, SEARCH, xxgk_url
from .analysis import segmenter
from .index import current_version
from .lexicon import Lexicon
from .query import (
    MAX_PAGE,
    MAX_QUERY,
    PAGE_SIZE,
    Answer,
    Filters,
    Hit,
    Request,
    Vocabulary,
    clean,
    filters,
    parse,
    run,
)
from .shell import MARKER, RESULTS
from .postings import Postings
from .whoosh_store import WhooshSearcher

API = SEARCH + "api"
MAX_QUERY_STRING = 128 * 1024     # bytes of URL query; far above any real form, far below harm
MAX_PAIRS = 32
PARAMS = {"q": "q", "dept": "dept", "kind": "kind", "topic": "topic", "from": "date_from", "to": "date_to",
          "sort": "sort", "page": "page"}
HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")),
]


class BadRequest(ValueError):
    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Generation:
    """One published version of the index and everything the service reads from it."""

    def __init__(self, path: Path, dsn: str | None = None):
        self.path = path
        self.dsn = dsn
        self.meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        self.shells = {p.stem: p.read_text(encoding="utf-8") for p in (path / "shells").glob("*.html")}
        self.env = environment(Theme("search", (path / "templates",), {}))
        self.template = self.env.get_template(RESULTS)
        groups = self.meta["synonyms"]
        self.vocab = Vocabulary(segmenter(tuple(self.meta["words"])),
                                {w: tuple(g) for g in groups for w in g}, Lexicon.load(path / "lexicon.json"))
        self.scopes = {slug: name for slug, name in self.meta["scopes"]}
        self.kinds = {kind: label for kind, label in self.meta["kinds"]}
        self.topics = tuple(self.meta["topics"])
        self._local = threading.local()
        self._postings = Postings()     # whoosh's posting lists as decoded, for every thread

    def hot_words(self, scope: str | None) -> list[str]:
        words = self.meta["hot_words"]
        return words.get(scope or PORTAL, words[PORTAL])

    def searcher(self):
        # whoosh searchers keep file positions: one per thread, reused across requests.
        s = getattr(self._local, "searcher", None)
        if s is None:
            if self.meta.get("backend") == "postgres":
                from .pg_store import PgSearcher
                s = self._local.searcher = PgSearcher(self.dsn)
            else:
                s = self._local.searcher = WhooshSearcher(self.path / "index", self._postings)
        return s


class SearchService:
    """The WSGI application. It follows ``search_dir/current`` and switches to a new version
    of the index at the first request after a build has published one."""

    def __init__(self, search_dir: Path, dsn: str | None = None):
        """``dsn``: for the PostgreSQL backend, the database to read (a read replica will do);
        by default the one SITEGEN_SEARCH_DSN names."""
        self.search_dir = Path(search_dir)
        self.dsn = dsn
        self._generation: Generation | None = None
        self._lock = threading.Lock()

    def generation(self) -> Generation | None:
        target = current_version(self.search_dir)
        loaded = self._generation
        if target is None:
            return loaded
        if loaded is None or loaded.path != target:
            with self._lock:
                if self._generation is None or self._generation.path != target:
                    self._generation = Generation(target, self.dsn)
                loaded = self._generation
        return loaded

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            status, headers, body = self.respond(environ)
        except Exception:  # noqa: BLE001 - a fault of ours: logged for the admin, never shown to the citizen
            environ.get("wsgi.errors") and environ["wsgi.errors"].write(traceback.format_exc())
            status, headers, body = _plain("500 Internal Server Error", "搜索服务暂时出现故障，请稍后再试。")
        start_response(status, headers + HEADERS + [("Content-Length", str(len(body)))])
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def respond(self, environ: dict) -> tuple[str, list, bytes]:
        path = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
        api = path.rstrip("/") == API
        if path.rstrip("/") + "/" != SEARCH and not api:
            return _plain("404 Not Found", "没有这个页面。")
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            status, headers, body = _plain("405 Method Not Allowed", "搜索只接受 GET 请求。")
            return status, headers + [("Allow", "GET, HEAD")], body
        generation = self.generation()
        if generation is None:
            message = "搜索服务暂不可用：索引尚未建立（请先运行 sitegen build）。"
            return _json("503 Service Unavailable", {"error": message}) if api else _plain(
                "503 Service Unavailable", message)
        try:
            request = parse_query_string(environ.get("QUERY_STRING", ""))
        except BadRequest as e:
            if api:
                return _json(e.status, {"error": e.message})
            return e.status, _HTML, self.page(generation, Request(), e.message)
        answer, request = self.search(generation, request)
        if api:
            return _json("200 OK", api_body(answer))
        return "200 OK", _HTML, self.page(generation, request, None, answer)

    def search(self, g: Generation, request: Request) -> tuple[Answer, Request]:
        q, cut = clean(request.q)
        request = Request(q, *(getattr(request, f) for f in ("dept", "kind", "topic", "date_from", "date_to",
                                                              "sort", "page")))
        f, notices = filters(request, g.scopes, g.kinds, g.topics)
        notices = cut + notices
        if not q:
            return Answer("", f, 0, 0, (), (), tuple(notices)), request
        plan = parse(request.q, g.vocab)
        answer = run(g.searcher(), plan, f, g.vocab, notices)
        return dataclasses.replace(answer, query=q), request

    def page(self, g: Generation, request: Request, error: str | None, answer: Answer | None = None) -> bytes:
        f = answer.filters if answer else Filters()
        scope = f.dept if f.dept and f.dept != PORTAL else PORTAL
        shell = g.shells.get(scope) or g.shells[PORTAL]
        view = make_view(g, request, answer, error)
        fragment = g.template.render(v=view)
        if answer and answer.query:
            shell = shell.replace("<title>", f"<title>{html.escape(answer.query[:40])} - ", 1)
        return shell.replace(MARKER, fragment, 1).encode("utf-8")


_HTML = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-cache")]


def _plain(status: str, message: str) -> tuple[str, list, bytes]:
    body = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>搜索</title></head>'
            f'<body><main><h1>搜索</h1><p>{html.escape(message)}</p><p><a href="/">返回首页</a></p></main></body></html>')
    return status, list(_HTML), body.encode("utf-8")


def _json(status: str, data: dict) -> tuple[str, list, bytes]:
    # "<" escaped too, so that no browser ever takes the answer for markup.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return status, [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-cache")], \
        text.encode("utf-8")


def parse_query_string(qs: str) -> Request:
    """The URL's parameters, strictly decoded as UTF-8; repeated names keep the first value."""
    try:
        raw = qs.encode("latin-1")      # PEP 3333: the server hands over bytes as latin-1
    except UnicodeEncodeError:
        raw = qs.encode("utf-8")
    if len(raw) > MAX_QUERY_STRING:
        raise BadRequest("414 URI Too Long", f"搜索请求过长，请把搜索词控制在{MAX_QUERY}个字以内。")
    values: dict[str, str] = {}
    for pair in raw.split(b"&")[: MAX_PAIRS * 4]:
        if not pair:
            continue
        key, _, value = pair.partition(b"=")
        try:
            name = unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8")
            text = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("400 Bad Request", "搜索请求的编码无效，请重新输入搜索词。") from None
        if name in PARAMS and PARAMS[name] not in values and len(values) < MAX_PAIRS:
            values[PARAMS[name]] = text[: MAX_QUERY * 4]
    return Request(**values)


# ---------------------------------------------------------------- what the template shows


@dataclass(frozen=True)
class Result:
    title: tuple[tuple[str, bool], ...]
    url: str
    department: str
    column: str
    doc_number: str | None
    iso: str
    day: str
    snippet: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class View:
    action: str
    query: str
    max_query: int
    dept: str
    kind: str
    topic: str
    date_from: str
    date_to: str
    sort: str
    scopes: tuple[tuple[str, str], ...]
    kinds: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]
    hot_words: tuple[tuple[str, str], ...]
    notices: tuple[str, ...]
    searched: str
    scope_name: str
    total: int
    exact: bool
    page: int
    pages: int
    first: int
    everywhere: str | None
    suggestions: tuple[tuple[str, str], ...]
    results: tuple[Result, ...]
    pager: tuple[tuple[int, str], ...]
    previous: str | None
    next: str | None
    xxgk: str


def href(q: str, f: Filters, **change) -> str:
    """The results URL for a query and filters, with some of them changed."""
    params = {"q": q, "dept": f.dept, "kind": f.kind, "topic": f.topic,
              "from": f.date_from.isoformat() if f.date_from else None,
              "to": f.date_to.isoformat() if f.date_to else None,
              "sort": f.sort if f.sort != "relevance" else None, "page": f.page if f.page > 1 else None}
    params.update(change)
    return SEARCH + "?" + urlencode({k: v for k, v in params.items() if v})


def make_view(g: Generation, request: Request, answer: Answer | None, error: str | None) -> View:
    f = answer.filters if answer else Filters()
    q = answer.query if answer else ""
    pages = answer.pages if answer else 0
    window = range(max(1, f.page - 4), min(pages, f.page + 4) + 1) if pages > 1 else ()
    notices = ((error,) if error else ()) + (answer.notices if answer else ())
    return View(
        action=SEARCH, query=q, max_query=MAX_QUERY,
        dept=f.dept or "", kind=f.kind or "", topic=f.topic or "",
        date_from=f.date_from.isoformat() if f.date_from else "",
        date_to=f.date_to.isoformat() if f.date_to else "", sort=f.sort,
        scopes=tuple((s, n) for s, n in g.scopes.items()), kinds=tuple(g.kinds.items()), topics=g.topics,
        hot_words=tuple((w, href(w, Filters(dept=f.dept))) for w in g.hot_words(f.dept)),
        notices=notices, searched="".join(answer.searched) if answer else "",
        scope_name=g.scopes.get(f.dept, "") if f.dept else "",
        total=answer.total if answer else 0, exact=answer.exact if answer else True, page=f.page, pages=pages,
        first=(f.page - 1) * PAGE_SIZE + 1,
        everywhere=href(q, f, dept=None, page=None) if f.dept and q else None,
        suggestions=tuple((s, href(s, f, page=None)) for s in (answer.suggestions if answer else ())),
        results=tuple(_result(h) for h in (answer.hits if answer else ())),
        pager=tuple((n, href(q, f, page=n)) for n in window),
        previous=href(q, f, page=f.page - 1) if pages > 1 and f.page > 1 else None,
        next=href(q, f, page=f.page + 1) if f.page < pages else None,
        xxgk=xxgk_url(f.dept or PORTAL),
    )


def _result(h: Hit) -> Result:
    return Result(h.title, h.url, h.department, h.column, h.doc_number,
                  h.date.strftime("%Y-%m-%dT%H:%M:%S+08:00") if h.date else "",
                  h.date.strftime("%Y-%m-%d") if h.date else "", h.snippet)


def api_body(answer: Answer) -> dict:
    """The JSON answer; ``snippet`` is HTML: escaped text with the matches in <mark>."""
    def marked(parts) -> str:
        return "".join(f"<mark>{html.escape(t)}</mark>" if hit else html.escape(t) for t, hit in parts)

    return {
        "total": answer.total,
        "total_exact": answer.exact,
        "page": answer.filters.page,
        "pages": answer.pages,
        "per_page": PAGE_SIZE,
        "max_pages": MAX_PAGE,
        "results": [{"title": h.title_text, "url": h.url, "department": h.department,
                     "date": h.date.strftime("%Y-%m-%d") if h.date else None, "snippet": marked(h.snippet)}
                    for h in answer.hits],
        "suggestions": list(answer.suggestions),
        "notices": list(answer.notices),
    }
