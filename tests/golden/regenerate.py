#!/usr/bin/env python3
"""Rebuild tests/golden/expected/ from tests/golden/site/: run it when a change to the output is intended.

    python tests/golden/regenerate.py

Then read `git diff tests/golden/expected` as a reviewer would: it is every byte the change alters.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build_golden(into: Path) -> Path:
    """Build the golden site from a copy (so no build/ appears in the repository); returns the web root."""
    from sitegen.build import build

    root = into / "site"
    shutil.copytree(HERE / "site", root)
    build(root, index=False, inspect=False)
    return (root / "build" / "site").resolve()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        web_root = build_golden(Path(tmp))
        shutil.rmtree(HERE / "expected", ignore_errors=True)
        # static/ holds the theme's own files under hashed names; the pages name those hashes.
        shutil.copytree(web_root, HERE / "expected", ignore=lambda folder, names: ["static"] if Path(folder) == web_root else [])
    files = sum(1 for p in (HERE / "expected").rglob("*") if p.is_file())
    print(f"wrote {files} files into {HERE / 'expected'}", file=sys.stderr)


if __name__ == "__main__":
    main()
