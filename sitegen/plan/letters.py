"""互动交流: each mailbox's published letters, their lists by type and year, and the letter app's frames."""

from __future__ import annotations

import json
import math
from functools import partial
from typing import Iterator

from ..letters import SHELLS
from ..letters.publish import Figures, Published
from ..model import Cluster
from ..urls import LETTERS, PORTAL, letters_url, write_url
from ..views import (Facet, LetterLine, LetterList, LetterPage, LettersShell, Link, MailboxFigures, chrome, minute,
                     crumbs_for, pager)
from . import Job, listed, owner_origin, raw

MAYOR = "市长信箱"
KIND_SLUGS = {"咨询": "zx", "建议": "jy", "投诉": "ts", "求助": "qz"}
SHELL = "letters_shell.html"


def mailbox_name(cluster: Cluster, owner: str) -> str:
    return MAYOR if owner == PORTAL else cluster.departments[owner].name


def jobs(cluster: Cluster) -> Iterator[Job]:
    owners = (PORTAL, *cluster.departments)
    boxes = [[owner, mailbox_name(cluster, owner)] for owner in owners]
    # The run-time app reads these from the web root (nginx sends /letters/ to the app, so they are
    # never served as files): which mailboxes exist, and each owner's themed frame.
    yield raw(f"/{SHELLS}/mailboxes.json", json.dumps(boxes, ensure_ascii=False), owner_origin(cluster, PORTAL))
    by_box: dict[str, list[Published]] = {owner: [] for owner in owners}
    for letter in cluster.letters.letters:
        if letter.mailbox in by_box:      # a mailbox whose department is gone publishes nothing
            by_box[letter.mailbox].append(letter)
    figures = {f.mailbox: f for f in cluster.letters.figures}
    for owner in owners:
        origin = owner_origin(cluster, owner)
        frame = chrome(cluster, owner, LETTERS, "互动交流", f"向{mailbox_name(cluster, owner)}写信、查询答复。",
                       crumbs_for(cluster, owner, Link("互动交流", letters_url(owner)), Link("我要写信", LETTERS, True)),
                       current="hdjl")
        yield Job(f"/{SHELLS}/{owner}.html", SHELL, LettersShell(frame), origin, owner)
        yield from lists(cluster, owner, by_box[owner], figures.get(owner), origin)
        for letter in by_box[owner]:
            yield listed(letters_url(owner, letter.number), "hdjl_letter.html", letter_page(cluster, owner, letter),
                         origin, owner, letter.replied)


def lists(cluster: Cluster, owner: str, letters: list[Published], found: Figures | None, origin: str) -> Iterator[Job]:
    name = mailbox_name(cluster, owner)
    shown = MailboxFigures(name, found.received, found.answered, found.average_days) if found else \
        MailboxFigures(name, 0, 0, None)
    kinds = {k: [x for x in letters if x.kind == k] for k in KIND_SLUGS}
    years: dict[str, list[Published]] = {}
    for x in letters:
        years.setdefault(str(x.received.year), []).append(x)
    filters = [((), "全部", letters)] + [((KIND_SLUGS[k],), k, xs) for k, xs in kinds.items() if xs] + \
              [((y,), f"{y}年", xs) for y, xs in sorted(years.items(), reverse=True)]
    for parts, label, chosen in filters:
        kind_facets = tuple(Facet(k, letters_url(owner, KIND_SLUGS[k]), len(xs), parts == (KIND_SLUGS[k],))
                            for k, xs in kinds.items() if xs)
        year_facets = tuple(Facet(f"{y}年", letters_url(owner, y), len(xs), parts == (y,))
                            for y, xs in sorted(years.items(), reverse=True))
        everything = Facet("全部", letters_url(owner), len(letters), parts == ())
        size = cluster.site.page_size
        count = max(1, math.ceil(len(chosen) / size))
        for number in range(1, count + 1):
            url = letters_url(owner, *parts, page=number)
            title = "互动交流" if not parts else f"互动交流：{label}"
            frame = chrome(cluster, owner, url, title, f"{name}公开的来信和答复。",
                           crumbs_for(cluster, owner, Link("互动交流", letters_url(owner), True)), current="hdjl")
            lines = tuple(LetterLine(x.title, letters_url(owner, x.number), x.number, x.kind, x.received, x.replied)
                          for x in chosen[(number - 1) * size:number * size])
            view = LetterList(frame, title, lines, len(chosen), shown, kind_facets, year_facets, everything,
                              pager(partial(letters_url, owner, *parts), number, count),
                              write_url(owner), f"{LETTERS}lookup/")
            yield listed(url, "hdjl_list.html", view, origin, owner)


def letter_page(cluster: Cluster, owner: str, letter: Published) -> LetterPage:
    url = letters_url(owner, letter.number)
    replied_by = mailbox_name(cluster, letter.replied_by) if letter.replied_by in (PORTAL, *cluster.departments) \
        else mailbox_name(cluster, owner)
    box = mailbox_name(cluster, owner)
    meta = (("ColumnName", "互动交流"), ("ColumnDescription", f"{box}公开的来信和答复"),
            ("ColumnKeywords", f"互动交流,{box}"), ("ColumnType", "互动交流"), ("ArticleTitle", letter.title),
            ("PubDate", minute(letter.replied)), ("ContentSource", replied_by))
    frame = chrome(cluster, owner, url, letter.title, letter.body[:120],
                   crumbs_for(cluster, owner, Link("互动交流", letters_url(owner)), Link("正文", url, True)),
                   meta, current="hdjl")
    return LetterPage(frame, letter.number, letter.title, letter.kind, mailbox_name(cluster, owner), letter.writer,
                      letter.received, _paragraphs(letter.body), _paragraphs(letter.reply), replied_by,
                      letter.replied, letters_url(owner))


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())
