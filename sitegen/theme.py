"""The Jinja2 environment: template search path, hashed static assets, filters."""

from __future__ import annotations

import hashlib
import importlib.resources
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, MutableMapping

import jinja2
import jinja2.meta
from jinja2 import nodes
from markupsafe import Markup

from . import files, urls
from .cache import digest
from .errors import Problem

MAX_ASSET_BYTES = 16 * 2**20      # a stylesheet, a script, a logo: never a video
MAX_FRAGMENTS = 4096              # distinct fragment views kept per process (a cluster has a few hundred)


def _builtin_themes() -> Path:
    """The themes shipped with sitegen: the package's copy when installed, the repository's in a checkout."""
    checkout = Path(__file__).resolve().parent.parent / "themes"
    if (checkout / "default" / "templates").is_dir():
        return checkout
    # sitegen.themes is a folder of data, not a module: with no __init__.py it is a namespace
    # package, whose files() is a MultiplexedPath over its (single) folder.
    installed = importlib.resources.files("sitegen.themes")
    return Path(str(next(iter(installed.iterdir())))).parent if hasattr(installed, "iterdir") else checkout


BUILTIN_THEMES = _builtin_themes()


@dataclass(frozen=True)
class Asset:
    url: str
    data: bytes


@dataclass(frozen=True)
class Theme:
    name: str
    template_dirs: tuple[Path, ...]      # searched in order: the site's overrides first
    assets: Mapping[str, Asset]          # logical path ("css/site.css") -> hashed URL and bytes


def load_theme(root: Path, name: str) -> tuple[Theme | None, list[Problem]]:
    """Find the theme and hash its assets; a site's templates/ and static/ override single files."""
    bases = [p for p in (root / "themes" / name, BUILTIN_THEMES / name) if p.is_dir()]
    if not bases:
        return None, [Problem("site.yaml", None, "theme", f"a folder themes/{name}/ with templates/ and static/",
                              "no such folder")]
    layers = [root] + bases
    template_dirs = tuple(dict.fromkeys(p / "templates" for p in layers if (p / "templates").is_dir()))
    assets: dict[str, Asset] = {}
    problems: list[Problem] = []
    for layer in reversed(layers):  # later (site) layers replace earlier (theme) files
        static = layer / "static"
        for entry in files.walk(static) if static.is_dir() else ():
            if entry.name.startswith(".") or not files.regular(entry):
                continue    # a special file is the loader's problem (files.scan); never read here
            path = Path(entry.path)
            logical = path.relative_to(static).as_posix()
            data, found = files.read_bounded(path, _shown_path(root, path), MAX_ASSET_BYTES)
            problems += found
            if data is not None:
                short = hashlib.sha256(data).hexdigest()[:10]
                stem, dot, ext = logical.rpartition(".")
                hashed = f"{stem}.{short}.{ext}" if dot else f"{logical}.{short}"
                assets[logical] = Asset(f"/static/{hashed}", data)
    return Theme(name, template_dirs, MappingProxyType(assets)), problems


def _shown_path(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals a plain dict rather than a ChainMap.

    Every render copies its template's globals into a new context, and every `{% from %}` compares
    them with the imported template's: over a ChainMap both iterate in Python, about a fifth of an
    article's rendering. The globals are all set before a template is loaded (as Jinja asks of
    them) and never change after, so a copy sees the same values.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def environment(theme: Theme, site: object = None, cache: Path | None = None) -> jinja2.Environment:
    """The templates of ``theme``; ``site`` is what every template sees as ``site``; ``cache`` keeps
    compiled templates between builds (Jinja's bytecode cache, keyed by each template's source)."""
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    env = _Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)) if cache else None,
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Each build makes its own environment, so a template cannot change under it: without this,
        # every get_template asks the file system for the template's time again.
        auto_reload=False,
    )

    def asset(logical: str) -> str:
        try:
            return theme.assets[logical].url
        except KeyError:
            raise jinja2.TemplateRuntimeError(f"the theme has no static file {logical!r}") from None

    # Parts that thousands of pages share (a department's header, nav and footer; a catalog's panels)
    # were a seventh of an article's rendering and a fifth of a catalog page's: each distinct set of
    # values is rendered once per process. Values compare by equality, as the views' dataclasses do.
    fragments: dict[tuple, Markup] = {}

    def fragment(name: str, **view: Any) -> Markup:
        """Template ``name`` rendered with ``view`` alone (and the globals), each distinct view once.

        The fragment cannot see its caller's variables, so what it writes depends on ``view`` only:
        equal views give equal bytes. A view that cannot be hashed is rendered every time."""
        key = (name, tuple(view.items()))
        try:
            made = fragments.get(key)
        except TypeError:       # a value that cannot be hashed
            return Markup(env.get_template(name).render(view))
        if made is None:
            if len(fragments) >= MAX_FRAGMENTS:
                fragments.clear()
            made = fragments[key] = Markup(env.get_template(name).render(view))
        return made

    env.globals["asset"] = asset
    env.globals["fragment"] = fragment
    env.globals["site"] = site
    # Templates ask urls.py for addresses rather than spelling the URL scheme out themselves.
    env.globals["url"] = {"search": urls.SEARCH, "sitemap": urls.SITEMAP_HTML, "xxgk": urls.xxgk_url,
                          "bsfw": urls.bsfw_url, "feed": urls.feed_url, "home": urls.home_url,
                          "portal_home": urls.home_url(urls.PORTAL), "platform": urls.xxgk_url(urls.PORTAL),
                          "services": urls.bsfw_url(urls.PORTAL)}
    env.filters["datetime"] = _datetime
    env.filters["date"] = _date
    env.filters["iso"] = _iso
    env.filters["filesize"] = filesize
    return env


def template_digests(env: jinja2.Environment, theme: Theme) -> dict[str, str]:
    """Template name -> digest of its source and of every template it extends, includes, imports or
    renders as a fragment."""
    assert env.loader is not None
    sources: dict[str, str] = {}
    refs: dict[str, set[str]] = {}
    for name in env.loader.list_templates():
        source = env.loader.get_source(env, name)[0]
        sources[name] = source
        try:
            refs[name] = _referenced(env.parse(source))
        except jinja2.TemplateSyntaxError:
            refs[name] = set()      # reported when it is rendered
    digests = {}
    for name in sources:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in seen and current in sources:
                seen.add(current)
                todo.extend(sources if ANY in refs[current] else refs[current])
        digests[name] = digest(*(f"{part}\0{sources[part]}" for part in sorted(seen)))
    return digests


ANY = "\0any"     # no template's name: what a template names by a value computed as it renders


def _referenced(ast: nodes.Template) -> set[str]:
    """The templates one extends, includes or imports, and those it renders with fragment("name", …);
    ANY when it names one by a value computed as it renders (any template, then)."""
    found = {r or ANY for r in jinja2.meta.find_referenced_templates(ast)}
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "fragment":
            named = call.args[0] if call.args else None
            found.add(named.value if isinstance(named, nodes.Const) and isinstance(named.value, str) else ANY)
    return found


# Every list item shows a date or two: isoformat writes the same text as strftime in a third of
# the time, for the dates it writes alike (no time zone, a four-digit year).
def _plain(d: date) -> bool:
    return d.year >= 1000 and (not isinstance(d, datetime) or d.tzinfo is None)


def _datetime(d: datetime) -> str:
    return d.isoformat(" ", "minutes") if _plain(d) else d.strftime("%Y-%m-%d %H:%M")


def _date(d: object) -> str:
    if isinstance(d, datetime):
        return d.date().isoformat() if _plain(d) else d.strftime("%Y-%m-%d")
    return (d.isoformat() if _plain(d) else d.strftime("%Y-%m-%d")) if isinstance(d, date) else ""


def _iso(d: date | datetime) -> str:
    # Government sites publish in China Standard Time; the feeds and sitemaps say so.
    if isinstance(d, datetime):
        return d.isoformat("T", "seconds") + "+08:00" if _plain(d) else d.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    return d.isoformat()


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
