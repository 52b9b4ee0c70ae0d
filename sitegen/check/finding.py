"""A Finding: one place where the site breaks an inspection rule, or is about to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import Problem

# veto: 单项否决, the site fails the inspection; deduction: 扣分; warning: the stricter early-warning
# threshold an admin sets in site.yaml (or a rule with no score of its own); scheduled: a page
# waiting for its date, listed so nobody is surprised when it appears.
Level = Literal["veto", "deduction", "warning", "scheduled"]
LEVELS: tuple[Level, ...] = ("veto", "deduction", "warning", "scheduled")
LEVEL_NAMES = {"veto": "单项否决", "deduction": "扣分", "warning": "预警", "scheduled": "定时发布"}


@dataclass(frozen=True)
class Finding:
    """Read as: ``file:line: rule: expected <expected>, found <found>. <todo>``."""

    rule: str            # the rule's id, such as home-stale (see sitegen.check.RULES)
    level: Level
    expected: str        # the rule and its threshold, as the inspection states it
    found: str           # what the site has, with its figures
    todo: str            # what to do about it
    owner: str           # department slug, or "portal"
    column: str = ""     # column id, when the finding is about one column
    file: str = ""       # path relative to the site root, when there is one
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file or self.owner
        return (f"{where}: [{LEVEL_NAMES[self.level]}] {self.rule}: expected {self.expected}, "
                f"found {self.found}. {self.todo}")

    def sort_key(self) -> tuple:
        return (LEVELS.index(self.level), self.owner != "portal", self.owner, self.file, self.line or 0, self.rule,
                self.found)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "expected": self.expected, "found": self.found,
                "todo": self.todo, "department": self.owner, "column": self.column, "file": self.file,
                "line": self.line}


def as_problems(findings: tuple[Finding, ...] | list[Finding]) -> list[Problem]:
    """The findings as build warnings (scheduled pages are not a problem, so they are left out)."""
    return [Problem(f.file or _owner_file(f.owner), f.line, f"check {f.rule}",
                    f"{f.expected} [{LEVEL_NAMES[f.level]}]", f"{f.found}. {f.todo}", "warning")
            for f in findings if f.level != "scheduled"]


def _owner_file(owner: str) -> str:
    return "site.yaml" if owner == "portal" else f"departments/{owner}.yaml"
