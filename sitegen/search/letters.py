"""Published letters (互动交流) as search entries, one per letter page, of kind "hdjl"."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Cluster
from ..urls import PORTAL, letters_url
from .schema import MAX_TEXT, Entry

KIND = "hdjl"
KIND_NAME = "互动交流"


def letter_entries(cluster: Cluster) -> Iterator[Entry]:
    owners = {PORTAL, *cluster.departments}
    for x in cluster.letters.letters:
        if x.mailbox not in owners:
            continue
        yield Entry(id=f"{x.mailbox}/{KIND}/{x.number}", url=letters_url(x.mailbox, x.number), title=x.title,
                    text=(x.body + "\n" + x.reply)[:MAX_TEXT], summary=x.body[:120], keywords=(), dept=x.mailbox,
                    source=cluster.owner_name(x.mailbox), column=KIND_NAME, kind=KIND,
                    # pages' dates are naive local times: so is this one, to sort among them
                    date=x.replied.replace(tzinfo=None), topic=None, doc_number=None, index_no=None)
