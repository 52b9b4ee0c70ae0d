"""The results page's frame: one themed shell per scope, rendered by the build, filled in per query."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..model import Cluster
from ..theme import Theme
from ..urls import PORTAL, SEARCH
from ..views import KIND_NAMES, Link, chrome, crumbs_for
from .analysis import fold
from .index import extra_words
from .letters import KIND, KIND_NAME

MARKER = "<!--sitegen:search-results-->"
SHELL = "search.html"
RESULTS = "search_results.html"
# How the search filter names kinds where it differs from the page tags' ColumnType (views.KIND_NAMES):
# 办事指南 (a citizen looks for 服务), and letters, which are no column.
MORE_KINDS = {"service": "服务", KIND: KIND_NAME}


def render_shells(cluster: Cluster, env: jinja2.Environment) -> dict[str, str]:
    """The frame of the results page for the portal and for each department, by file name."""
    template = env.get_template(SHELL)
    shells = {}
    for owner in (PORTAL, *cluster.departments):
        name = cluster.owner_name(owner)
        frame = chrome(cluster, owner, SEARCH, "搜索结果", f"在{name}网站中搜索政务信息。",
                       crumbs_for(cluster, owner, Link("搜索结果", SEARCH, True)))
        html = template.render(site=cluster.site, chrome=frame)
        if MARKER not in html:
            raise jinja2.TemplateError(f"{SHELL} must contain {MARKER} where the results go")
        shells[f"{owner}.html"] = html
    return shells


def theme_templates(theme: Theme) -> dict[str, str]:
    """The results template's source, from the first folder of the theme's search path that has it."""
    for folder in theme.template_dirs:
        path = Path(folder) / RESULTS
        if path.is_file():
            return {RESULTS: path.read_text(encoding="utf-8")}
    raise jinja2.TemplateNotFound(RESULTS)


def hot_words(cluster: Cluster, owner: str) -> tuple[str, ...]:
    """The hot words of a scope: the department's own if its YAML sets them, else site.yaml's."""
    dept = cluster.departments.get(owner)
    own = dept.hot_words if dept is not None else None
    return cluster.site.search.hot_words if own is None else own


def meta(cluster: Cluster) -> dict:
    """What the service shows and checks besides the index: scopes, filter values, hot words."""
    spec = cluster.site.search
    kinds = dict.fromkeys(cluster.columns[p.column].kind for p in cluster.pages.values())
    kinds.update(dict.fromkeys([KIND] if cluster.letters.letters else []))
    topics = sorted({t for p in cluster.pages.values() if (t := getattr(p.disclosure, "topic", None))})
    return {
        "site": cluster.site.name,
        "scopes": [[PORTAL, cluster.site.name]] + [[d.slug, d.name] for d in cluster.departments.values()],
        "kinds": [[k, MORE_KINDS.get(k) or KIND_NAMES.get(k, k)] for k in kinds],
        "topics": topics,
        "hot_words": {owner: list(hot_words(cluster, owner)) for owner in (PORTAL, *cluster.departments)},
        "synonyms": [[fold(w) for w in group] for group in spec.synonyms],
        "words": list(extra_words(cluster)),
    }
