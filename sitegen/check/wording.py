"""Wording: 错别字 and 严重表述错误 from the shipped dictionary, leaders' names and titles, sensitive words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from ..config import CheckSpec
from ..model import Page
from .context import Context
from .finding import Finding, Level

SENTENCE_END = "。！？!?\n"
SENTENCE_LIMIT = 60


@dataclass(frozen=True)
class Term:
    """A form of words that must not appear, and what to write instead."""

    wrong: str
    right: str | None      # None: a sensitive word, with no right form
    level: Level
    rule: str
    since: date | None = None   # a leader's former title only counts on pages dated from this day
    current: str = ""      # …and not where it is part of the current title and name


@cache
def dictionary() -> tuple[Term, ...]:
    """The shipped typo dictionary, sitegen/check/typos.txt."""
    text = resources.files(__package__).joinpath("typos.txt").read_text(encoding="utf-8")
    out = []
    for row in text.split("\n"):
        parts = row.split()
        if len(parts) >= 2 and not row.startswith("#"):
            severe = len(parts) > 2 and parts[2] == "veto"
            out.append(Term(parts[0], parts[1], "veto" if severe else "deduction", "typo"))
    return tuple(out)


def leader_terms(spec: CheckSpec) -> dict[str, Term]:
    """The leaders' misspelt names, and their former titles next to their names."""
    out = {}
    for leader in spec.leaders:
        right = f"{leader.title}{leader.name}"
        for wrong in leader.misspellings:
            out[wrong] = Term(wrong, leader.name, "veto", "leader-name")
        for former in leader.former_titles:
            for wrong in (f"{former}{leader.name}", f"{leader.name}{former}"):
                out[wrong] = Term(wrong, right, "veto", "leader-title", leader.since, right)
    return out


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    # Longest first, so that a longer wrong form wins over a shorter one it contains.
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def sentence(text: str, start: int, end: int) -> str:
    """The sentence around a match, cut to a readable length."""
    left = max((text.rfind(c, 0, start) for c in SENTENCE_END), default=-1) + 1
    rights = [i for i in (text.find(c, end) for c in SENTENCE_END) if i >= 0]
    right = min(rights) + 1 if rights else len(text)
    left, right = max(left, start - SENTENCE_LIMIT // 2), min(right, end + SENTENCE_LIMIT // 2)
    return text[left:right].strip()


def _matches(ctx: Context, page: Page, found: dict[str, Term], pattern: re.Pattern) -> list[Finding]:
    out = []
    # A summary the editor left out is the start of the text: scanning it again would repeat findings.
    body = ctx.text(page)
    own_summary = page.summary and not body.startswith(page.summary.rstrip("…"))
    for text in (page.title, page.summary, body) if own_summary else (page.title, body):
        for m in pattern.finditer(text):
            term = found[m.group()]
            if term.rule == "leader-title":
                k = len(term.current) - len(term.wrong)
                if (term.since and page.date.date() < term.since) or (
                        k > 0 and text[max(0, m.start() - k):m.end()] == term.current):
                    continue
            out.append(_finding(ctx, page, term, sentence(text, m.start(), m.end())))
    return out


def _finding(ctx: Context, page: Page, term: Term, where: str) -> Finding:
    if term.rule == "sensitive-word":
        expected, todo = "no word from the admin's sensitive list", "Reword or remove it."
    elif term.rule == "typo":
        expected = f"'{term.right}'" + (" (严重表述错误)" if term.level == "veto" else " (错别字)")
        todo = f"Correct it to '{term.right}'."
    else:
        expected = f"'{term.right}' (the leader's name and title in site.yaml)"
        todo = f"Correct it to '{term.right}'."
    return Finding(term.rule, term.level, expected, f"'{term.wrong}' in “{where}”", todo, page.owner, page.column,
                   page.source, ctx.line(page.source, term.wrong))


def _scan(ctx: Context, found: dict[str, Term]) -> list[Finding]:
    if not found:
        return []
    pattern = _pattern(tuple(found))
    out = []
    for page in ctx.visible:
        out += _matches(ctx, page, found, pattern)
    return out


def typos(ctx: Context) -> list[Finding]:
    """错别字 (deduction) and 严重表述错误 (veto) from the dictionary shipped in sitegen/check/typos.txt."""
    return _scan(ctx, {t.wrong: t for t in dictionary()})


def leaders(ctx: Context) -> list[Finding]:
    """A leader's wrong name, or a former title next to the name on a page dated after the change (veto)."""
    return _scan(ctx, leader_terms(ctx.cluster.site.check))


def sensitive_words(ctx: Context) -> list[Finding]:
    """Words from the admin's sensitive list in site.yaml (check.sensitive_words)."""
    return _scan(ctx, {w: Term(w, None, "deduction", "sensitive-word") for w in ctx.cluster.site.check.sensitive_words})
