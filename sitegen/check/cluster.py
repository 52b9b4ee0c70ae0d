"""The cluster as `sitegen check` reads it: loaded as the build loads it, assembled without Markdown."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..assemble import assemble, due
from ..content import Source
from ..errors import Problem
from ..markup import Html, Resolve
from ..model import Cluster


class Skim:
    """A stand-in for Markup that converts nothing: check reads each page's body from the built
    file instead (Context.body), so it never renders. Link problems are the build's to report."""

    def convert(self, text: str, resolve: Resolve) -> Html:
        return Html("", "", (), ())


def load(root: Path, as_of: datetime) -> tuple[Cluster | None, tuple[Source, ...], list[Problem]]:
    """The cluster as of a moment (pages dated later held back, as the build does), and the problems."""
    from ..build import load as load_records     # build imports the renderer; only the command needs it

    records, problems = load_records(root)
    if records is None:
        return None, (), problems
    records, later = due(records, as_of)
    cluster, found = assemble(records, Skim())
    return cluster, later, problems + found
