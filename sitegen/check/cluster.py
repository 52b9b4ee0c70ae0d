"""The cluster as `sitegen check` reads it: loaded and assembled as the build does, from its cache."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..assemble import assemble, due
from ..cache import Cache
from ..content import Source
from ..errors import Problem
from ..load import load as load_records
from ..model import Cluster


def load(root: Path, as_of: datetime) -> tuple[Cluster | None, tuple[Source, ...], list[Problem]]:
    """The cluster as of a moment (pages dated later held back, as the build does), and the problems.

    It reads build/cache as the build does: after a build, no page is parsed or converted again
    (check reads each page's body from the built file anyway, and never renders)."""
    cache = Cache(root / "build" / "cache")
    records, problems = load_records(root, cache)
    if records is None:
        return None, (), problems
    records, later = due(records, as_of)
    cluster, found = assemble(records, cache)
    return cluster, later, problems + found
