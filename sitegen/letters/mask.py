"""Masking what is published: names, phone numbers, ID numbers, e-mail and street addresses."""

from __future__ import annotations

import re

# 18-digit resident ID (last may be X) and the old 15-digit form: keep the region, hide the rest.
_ID = re.compile(r"(?<![0-9])([1-9]\d{5})\d{8,11}[\dXx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(1[3-9]\d)\d{4}(\d{4})(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])(0\d{2,3})[- ]?\d{7,8}(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A street address: a road, street or lane name followed by a house number and any unit/room.
_ADDRESS = re.compile(r"([\u4e00-\u9fff]{1,12}(?:路|街|道|巷|弄|大道|村|小区|社区|花园|苑))"
                      r"\s*[0-9０-９一二三四五六七八九十百零]+\s*(?:号|弄|幢|栋|单元|室|楼|-|\d|\s)*")


def mask(text: str, names: tuple[str, ...] = ()) -> str:
    """``text`` with every personal detail a published letter must not show replaced by asterisks."""
    text = _ID.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 6), text)
    text = _MOBILE.sub(r"\1****\2", text)
    text = _LANDLINE.sub(lambda m: m.group(1) + "-********", text)
    text = _EMAIL.sub("***@***", text)
    text = _ADDRESS.sub(lambda m: m.group(1) + "***", text)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


def masked_name(name: str) -> str:
    """How a writer is named on a published page: the family name only (张**), or 网友."""
    name = name.strip()
    return name[0] + "*" * min(len(name) - 1, 3) if len(name) >= 2 else "网友"
