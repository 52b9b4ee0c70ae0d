"""`sitegen check`: the national inspection rules over the assembled cluster and the built web root.

The rules are those of 《政府网站与政务新媒体检查指标》(国办秘函〔2019〕19号), 《政府网站发展指引》
(国办发〔2017〕47号) and the 政府信息公开条例, each one function of a Context returning Findings.
``run()`` is what `sitegen check` and every `sitegen build` call (the build shows them as warnings
through ``as_problems()``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from ..cache import Cache

from ..content import Source
from ..model import Cluster
from ..pool import Forked
from . import access, external, freshness, identity, letters, links, metadata, openness, privacy, wording
from .context import Context, facts
from .finding import LEVEL_NAMES, LEVELS, Finding, as_problems

Rule = Callable[[Context], list[Finding]]

# Every rule, in the order the report reads: freshness, content, metadata, identity, 信息公开.
RULES: tuple[Rule, ...] = (
    freshness.home_stale, freshness.columns_stale, freshness.columns_long_stale, freshness.blank_columns,
    freshness.future_dates, freshness.placeholders,
    wording.typos, wording.leaders, wording.sensitive_words, privacy.personal_data,
    links.broken_links, access.images_without_alt, access.tables_without_headers, access.heading_order,
    access.vague_links,
    metadata.metadata, metadata.visible_date,
    identity.gov_mark, identity.gov_domain, identity.website_report,
    openness.deadline, openness.annual_reports, openness.guides, openness.interpretation_ratio,
    openness.validity_notices, openness.citing_void,
    letters.unanswered,
)


# The rules that read the built web root (its files, or the facts the build kept of them). The
# others read the cluster alone: a build begins them (begin()) before it has written anything.
READS_OUTPUT: frozenset[Rule] = frozenset({
    links.broken_links, metadata.metadata, metadata.visible_date, identity.website_report,
    openness.validity_notices,
})
PARALLEL_FROM = 2000     # pages; below this the rules on the cluster take less time than forking


def run(cluster: Cluster, web_root: Path, as_of: datetime, *, root: Path | None = None,
        scheduled: tuple[Source, ...] = (), external_cache: Path | None = None,
        keys: Mapping[str, str] | None = None, cache: Cache | None = None,
        begun: Callable[[], tuple[Finding, ...]] | None = None) -> tuple[Finding, ...]:
    """Every finding of the cluster as of ``as_of`` (China time, naive), most serious first.

    ``root`` (the site folder) lets findings name the line in the source; ``scheduled`` are the
    pages assemble.due() held back; ``external_cache`` (a JSON file) turns on the external link check.
    A build passes its outputs' ``keys`` and its ``cache``: an output it did not change is not read
    again; and what begin() began: then only the rules that read the web root run here.
    """
    ctx = Context(cluster, web_root, as_of, root, scheduled, keys=keys or {}, cache=cache)
    found = list(begun()) if begun is not None else []
    for rule in RULES:
        if begun is None or rule in READS_OUTPUT:
            found += rule(ctx)
    if external_cache is not None:
        found += external.external_links(ctx, external_cache)
    return tuple(sorted(found, key=Finding.sort_key))


def begin(cluster: Cluster, as_of: datetime, *, root: Path | None = None,
          scheduled: tuple[Source, ...] = ()) -> Forked[tuple[Finding, ...]]:
    """The rules that read the cluster alone, begun now: in a forked process for a large cluster,
    so that a build plans and renders meanwhile. Pass what this returns to run() as ``begun``."""
    def early() -> tuple[Finding, ...]:
        # No web root: a rule that reads one here is missing from READS_OUTPUT, and fails loudly
        # instead of reading the release that is about to be replaced.
        ctx = Context(cluster, None, as_of, root, scheduled)
        return tuple(f for rule in RULES if rule not in READS_OUTPUT for f in rule(ctx))
    return Forked(early, apart=len(cluster.pages) >= PARALLEL_FROM)


__all__ = ["RULES", "READS_OUTPUT", "Finding", "LEVELS", "LEVEL_NAMES", "as_problems", "begin", "run", "Context",
           "facts"]
