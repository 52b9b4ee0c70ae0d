"""Personal data published by mistake: 身份证号, bank card and mobile numbers in text and attachment names."""

from __future__ import annotations

import re
from datetime import date

from .context import Context
from .finding import Finding

_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
# 16 or 19 digits: the common card lengths. 18 digits are left out, because a 统一社会信用代码 of a
# 机关 is often all digits and passes Luhn one time in ten.
_CARD = re.compile(r"(?<!\d)[1-9](?:\d{15}|\d{18})(?!\d)")
_DIGITS = re.compile(r"\d{11}")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_valid(number: str) -> bool:
    """GB 11643-1999: a plausible birth date and the ISO 7064 MOD 11-2 check character."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2100:
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn_valid(number: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(number)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def masked(number: str) -> str:
    # The report must not republish what it found: keep only the ends.
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def personal_data(ctx: Context) -> list[Finding]:
    """18-digit 身份证号 with a valid check digit and bank card numbers (Luhn): veto; mobile numbers: warning."""
    out = []
    for page in ctx.visible:
        texts = [page.title, ctx.text(page)] + [f"{a.title} {a.source.rsplit('/', 1)[-1]}" for a in page.attachments]
        for text in texts:
            if not _DIGITS.search(text):
                continue        # most pages have no run of 11 digits: skip the three patterns
            for m in _ID.finditer(text):
                if id_number_valid(m.group()):
                    out.append(_finding(ctx, page, "id-number", "veto", "身份证号", m.group()))
            for m in _CARD.finditer(text):
                if luhn_valid(m.group()):
                    out.append(_finding(ctx, page, "bank-card", "veto", "bank card number", m.group()))
            for m in _MOBILE.finditer(text):
                out.append(_finding(ctx, page, "mobile-number", "warning", "mobile number", m.group()))
    return out


def _finding(ctx: Context, page, rule: str, level, what: str, number: str) -> Finding:
    todo = ("Remove it, or mask it (keep the first 3 and the last 4 digits); if it was published by mistake, "
            "also ask the search engines to drop the page." if level == "veto"
            else "Keep it only if it is an official contact number meant to be public.")
    return Finding(rule, level, f"no {what} of a person in public text", f"{what} {masked(number)}", todo,
                   page.owner, page.column, page.source, ctx.line(page.source, number))
