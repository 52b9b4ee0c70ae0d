"""The portal's acceptance list: which department items the portal's editors let onto the portal home.

A department asks with ``portal: true`` in a page's front matter; the portal's editors answer in
content/portal/accepted.yaml, a file in their own folder (so the rights that guard content/portal/
guard the answer too)::

    accepted:
      - jxj/gzdt/2024-0416-zjtx-tuijin     # <department>/<column>/<slug>: the page's id

A request not yet accepted is a warning; an accepted id whose page is gone, or no longer asks,
is a warning too, because a department deleting its own page must not fail the city's build.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Mapping

from pydantic import Field

from .config import Strict, Text200, load_yaml_file, validate
from .content import ACCEPTED
from .errors import Problem, shown
from .model import Page
from .urls import PORTAL

PATH = f"content/{PORTAL}/{ACCEPTED}"


class AcceptedSpec(Strict):
    accepted: Annotated[tuple[Text200, ...], Field(max_length=5000)] = ()


def read(root: Path) -> tuple[dict[str, int | None], list[Problem]]:
    """The accepted page ids and the line of each; none when the file does not exist."""
    path = root / PATH
    if not path.exists() and not path.is_symlink():
        return {}, []
    data, lines, problems = load_yaml_file(path, PATH)
    if problems:
        return {}, problems
    spec, problems = validate(AcceptedSpec, data if data is not None else {}, PATH, lines)
    if spec is None:
        return {}, problems
    return {pid: lines.get(("accepted", i)) for i, pid in enumerate(spec.accepted)}, []


def decide(pages: Mapping[str, Page], accepted: Mapping[str, int | None],
           asked_at: Mapping[str, int | None]) -> tuple[dict[str, Page], list[Problem]]:
    """Pages with ``featured`` true only where the portal accepted; warnings for what waits."""
    problems: list[Problem] = []
    decided = dict(pages)
    for pid, page in pages.items():
        if page.featured and page.owner != PORTAL and pid not in accepted:
            decided[pid] = replace(page, featured=False)
            problems.append(Problem(page.source, asked_at.get(pid), "portal",
                                    f"acceptance by the portal's editors (they add {pid} to {PATH})",
                                    "a request for the portal home, waiting", "warning"))
    for pid, line in accepted.items():
        asked = pages.get(pid)
        if asked is None or asked.owner == PORTAL:
            problems.append(Problem(PATH, line, "accepted", "the id of a department page, "
                                    "<department>/<column>/<slug>", f"{shown(pid)}, no such department page",
                                    "warning"))
        elif not asked.featured:
            problems.append(Problem(PATH, line, "accepted", "a page that asks for the portal (portal: true)",
                                    f"{shown(pid)}, which does not ask", "warning"))
    return decided, problems
