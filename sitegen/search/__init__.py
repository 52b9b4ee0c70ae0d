"""Cluster-wide Chinese search: the index the build writes into build/search/, and its service."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..model import Cluster
from ..theme import Theme


def search_dir(out: Path) -> Path:
    """Where the index of a web root lives: beside it, never inside it (build/site → build/search)."""
    return out.parent / "search"


def index_cluster(cluster: Cluster, theme: Theme, env: jinja2.Environment, where: Path, *, dsn: str | None = None):
    """The build's index stage: render the results page's frames, then update the index (in
    ``where``, and for the PostgreSQL backend in the database SITEGEN_SEARCH_DSN or ``dsn`` names)."""
    from .index import update_index
    from .shell import meta, render_shells, theme_templates

    return update_index(cluster, where, render_shells(cluster, env), theme_templates(theme), meta(cluster), dsn)
