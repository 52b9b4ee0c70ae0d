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


def run(cluster: Cluster, web_root: Path, as_of: datetime, *, root: Path | None = None,
        scheduled: tuple[Source, ...] = (), external_cache: Path | None = None,
        keys: Mapping[str, str] | None = None, cache: Cache | None = None) -> tuple[Finding, ...]:
    """Every finding of the cluster as of ``as_of`` (China time, naive), most serious first.

    ``root`` (the site folder) lets findings name the line in the source; ``scheduled`` are the
    pages assemble.due() held back; ``external_cache`` (a JSON file) turns on the external link check.
    A build passes its outputs' ``keys`` and its ``cache``: an output it did not change is not read again.
    """
    ctx = Context(cluster, web_root, as_of, root, scheduled, keys=keys or {}, cache=cache)
    found: list[Finding] = []
    for rule in RULES:
        found += rule(ctx)
    if external_cache is not None:
        found += external.external_links(ctx, external_cache)
    return tuple(sorted(found, key=Finding.sort_key))


__all__ = ["RULES", "Finding", "LEVELS", "LEVEL_NAMES", "as_problems", "run", "Context", "facts"]
