"""Cluster-wide Chinese search: the index the build writes into build/search/, and its service."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..model import Cluster
from ..theme import Theme


def search_dir(out: Path) -> Path:
    """Where the index of a web root lives: beside it, never inside it (build/site → build/search;
    the preview's build/preview → build/preview-search)."""
    return out.parent / ("search" if out.name == "site" else f"{out.name}-search")


def index_cluster(cluster: Cluster, theme: Theme, env: jinja2.Environment, where: Path, *, dsn: str | None = None,
                  keep: frozenset[str] = frozenset()):
    """The build's index stage: render the results page's frames, then update the index (in
    ``where``, and for the PostgreSQL backend in the database SITEGEN_SEARCH_DSN or ``dsn`` names).
    ``keep``: earlier versions that kept releases were built with, left for `sitegen rollback`."""
    from .index import update_index
    from .shell import meta, render_shells, theme_templates

    return update_index(cluster, where, render_shells(cluster, env), theme_templates(theme), meta(cluster), dsn, keep)


def use_version(where: Path, version: str) -> bool:
    """Make an earlier index version current again (a rollback); False when it is gone."""
    from .index import _point_current

    if not (where / version / "meta.json").is_file():
        return False
    _point_current(where, version)
    return True
