"""互动交流: letters left without a reply (政务咨询 unanswered for three months is a veto)."""

from __future__ import annotations

import calendar
from datetime import date

from ..disclosure import working_days
from ..model import CST
from ..urls import PORTAL
from .context import Context
from .finding import Finding

ANSWER_DAYS = 10          # working days to answer a letter (the early warning)
VETO_MONTHS = 3           # 《检查指标》: a 政务咨询 left unanswered for more than three months fails the site


def _months_later(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def unanswered(ctx: Context) -> list[Finding]:
    """Each letter with no reply: a veto past three months for a 咨询, otherwise a warning past 10 working days."""
    out = []
    for w in ctx.cluster.letters.waiting:
        # The store keeps aware times; the check's day is China time, naive like the content's dates.
        at = w.received.astimezone(CST).replace(tzinfo=None) if w.received.tzinfo else w.received
        received = at.date()
        if at > ctx.as_of:
            continue
        owner = w.mailbox if w.mailbox in ctx.cluster.departments else PORTAL
        box = ctx.cluster.owner_name(owner) + ("市长信箱" if owner == PORTAL else "信箱")
        if w.kind == "咨询" and ctx.today > _months_later(received, VETO_MONTHS):
            out.append(Finding("letter-unanswered", "veto", f"a reply to every 政务咨询 within {VETO_MONTHS} months",
                               f"letter {w.number} to the {box}, received {received}, unanswered",
                               "Answer it now in /letters/admin/ (staff of the mailbox, or an admin).", owner))
            continue
        days = working_days(received, ctx.today)
        if days > ANSWER_DAYS:
            out.append(Finding("letter-unanswered", "warning", f"a reply within {ANSWER_DAYS} working days",
                               f"letter {w.number} ({w.kind}) to the {box}, received {received}, "
                               f"{days} working days without a reply",
                               "Answer it in /letters/admin/, or transfer it to the department it belongs to.",
                               owner))
    return out
