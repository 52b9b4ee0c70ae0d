"""The type checker: mypy, configured in pyproject.toml ([tool.mypy]), finds no error in sitegen."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Folders whose type errors are being fixed on another branch (none now).
# Once a folder checks cleanly, test_pending_folders_still_have_errors fails until it is removed
# from here, so no folder stays excused after its reason is gone.
PENDING: tuple[str, ...] = ()


@pytest.fixture(scope="module")
def mypy() -> tuple[list[str], str]:
    """(the errors mypy reports, its summary line), run as a developer runs it: `python -m mypy sitegen`."""
    run = subprocess.run([sys.executable, "-m", "mypy", "sitegen"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stdout + run.stderr     # 2: mypy could not run (bad config, crash)
    lines = run.stdout.splitlines()
    return [line for line in lines if ": error: " in line], lines[-1]


def test_mypy_finds_no_error_in_sitegen(mypy):
    errors, _ = mypy
    assert [e for e in errors if not e.startswith(PENDING)] == []


def test_mypy_checks_every_module(mypy):
    _, summary = mypy
    checked = re.search(r"(?:checked |found in )(\d+) source files?", summary)
    assert checked, summary
    assert int(checked.group(1)) == len(list((REPO / "sitegen").rglob("*.py")))


def test_pending_folders_still_have_errors(mypy):
    errors, _ = mypy
    clean = [folder for folder in PENDING if not any(e.startswith(folder) for e in errors)]
    assert clean == [], f"{clean} type-check cleanly now: remove them from PENDING in tests/test_types.py"
