"""Problems found in the input, and the exceptions that carry them.

Problems are data: every stage collects them instead of stopping at the first, so a person
sees every mistake of a build at once. Exceptions exist only to carry problems out of
``build()`` and to mark the few states from which no stage can go on::

    SitegenError                 anything sitegen raises on purpose
    ├── BuildFailed              the input has errors; carries every Problem
    └── OutputError              build/ could not be written (disk, permissions, a busy swap)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one place: ``file:line: field: expected …, found …``."""

    file: str
    line: int | None
    field: str
    expected: str
    found: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.field}: expected {self.expected}, found {self.found}"
        return text if self.severity == "error" else f"{text} (warning)"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def shown(value: object, limit: int = 60) -> str:
    """How a found value is quoted in a message: short, on one line."""
    text = str(value).replace("\n", "⏎")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


class SitegenError(Exception):
    """Anything sitegen raises on purpose."""


class BuildFailed(SitegenError):
    """The input has errors; nothing was published."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=_reading_order)
        errors = len(errors_in(self.problems))
        super().__init__(f"{errors} problem{'s' if errors != 1 else ''} in the input")


class OutputError(SitegenError):
    """The build output could not be written or published."""


def _reading_order(p: Problem) -> tuple:
    return (p.file, p.line or 0, p.field)
