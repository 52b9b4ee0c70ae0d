"""What the build publishes from the letters store: answered, consented letters, masked, and each mailbox's figures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .mask import mask, masked_name
from .store import Letter, Store, StoreError
from .workdays import between


@dataclass(frozen=True)
class Published:
    """One letter as its public page shows it: the writer's details masked, no contact, no 查询码."""

    number: str
    mailbox: str
    kind: str
    title: str
    body: str
    writer: str
    received: datetime
    reply: str
    replied_by: str
    replied: datetime


@dataclass(frozen=True)
class Figures:
    mailbox: str
    received: int
    answered: int
    average_days: float | None     # working days from receipt to reply, over the answered ones


@dataclass(frozen=True)
class Waiting:
    """A letter with no reply yet, as `sitegen check` counts it against the answer deadlines."""

    number: str
    mailbox: str
    kind: str
    received: datetime


@dataclass(frozen=True)
class Snapshot:
    letters: tuple[Published, ...]     # newest first
    figures: tuple[Figures, ...]
    waiting: tuple[Waiting, ...] = ()  # oldest first

    @property
    def digest(self) -> str:
        return hashlib.blake2b(repr(self).encode(), digest_size=16).hexdigest()


EMPTY = Snapshot((), ())


def published(letter: Letter) -> Published:
    """A letter as the site shows it; only answered letters are published (the store refuses others)."""
    assert letter.replied is not None
    names = (letter.name,)
    return Published(letter.number, letter.mailbox, letter.kind, mask(letter.title, names), mask(letter.body, names),
                     masked_name(letter.name), letter.received, mask(letter.reply, names), letter.replied_by,
                     letter.replied)


def figures(letters: list[Letter]) -> tuple[Figures, ...]:
    by_box: dict[str, list[Letter]] = {}
    for x in letters:
        by_box.setdefault(x.mailbox, []).append(x)
    out = []
    for box, group in sorted(by_box.items()):
        answered = [x for x in group if x.replied]
        days = [between(x.received.date(), x.replied.date()) for x in answered if x.replied]
        out.append(Figures(box, len(group), len(answered), round(sum(days) / len(days), 1) if days else None))
    return tuple(out)


def snapshot(address: str) -> Snapshot:
    """Read the store (read-only; a missing SQLite file is an empty store, never created by a build)."""
    postgres = address.startswith(("postgresql://", "postgres://"))
    if not postgres and not Path(address).is_file():
        return EMPTY
    store = Store(address, read_only=True)
    try:
        if store.version() == 0:
            return EMPTY
        letters = store.letters()
    except store.errors() as e:
        raise StoreError(f"cannot read the letters in {store.safe_address()}: {e}") from e
    finally:
        store.close()
    shown = [published(x) for x in letters if x.publish and x.consent and x.reply and x.replied]
    shown.sort(key=lambda p: (p.received, p.number), reverse=True)
    waiting = sorted((Waiting(x.number, x.mailbox, x.kind, x.received) for x in letters
                      if not x.reply and x.closed is None), key=lambda w: (w.received, w.number))
    return Snapshot(tuple(shown), figures(letters), tuple(waiting))
