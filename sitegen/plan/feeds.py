"""Atom feeds: the portal's, each department's and each column's."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator

from ..disclosure import INTERNAL_KINDS
from ..model import Cluster
from ..urls import PORTAL, absolute, feed_url
from ..views import Feed, FeedEntry
from . import SITE, Job, owner_origin

ENTRIES = 20
EPOCH = datetime(2000, 1, 1)     # the <updated> of a feed with no entries yet


def jobs(cluster: Cluster) -> Iterator[Job]:
    yield Job(feed_url(PORTAL), "feed.xml", feed(cluster, cluster.site.name, feed_url(PORTAL), "/", cluster.pages),
              SITE)
    for dept in cluster.departments.values():
        own = [p for c in dept.columns for p in cluster.listing[c]]
        yield Job(feed_url(dept.slug), "feed.xml", feed(cluster, dept.name, feed_url(dept.slug), dept.url, own),
                  dept.source, dept.slug)
    for column in cluster.columns.values():
        if column.kind in INTERNAL_KINDS:
            continue
        url = feed_url(column.owner, column.slug)
        title = f"{column.title} - {cluster.owner_name(column.owner)}"
        yield Job(url, "feed.xml", feed(cluster, title, url, column.url, cluster.listing[column.id]),
                  owner_origin(cluster, column.owner), column.owner)


def feed(cluster: Cluster, title: str, url: str, home: str, ids: Iterable[str]) -> Feed:
    base = cluster.site.base_url
    latest = cluster.latest(ids, ENTRIES)
    return Feed(title, absolute(base, url), absolute(base, home), latest[0].date if latest else EPOCH,
                tuple(FeedEntry(p.title, absolute(base, p.url), p.date, cluster.owner_name(p.owner), p.summary)
                      for p in latest))
