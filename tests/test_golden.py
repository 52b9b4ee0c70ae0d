"""The golden cluster builds to exactly the committed output (tests/golden/regenerate.py renews it)."""

from __future__ import annotations

import difflib
from pathlib import Path

from golden.regenerate import HERE, build_golden


def files(root: Path) -> dict[str, bytes]:
    """Every output but the theme's static files (copies of themes/, named by their hash in the pages)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] != "static"}


def test_the_golden_cluster_builds_to_the_committed_output(tmp_path: Path):
    built, expected = files(build_golden(tmp_path)), files(HERE / "expected")
    hint = "if the change is intended, run `python tests/golden/regenerate.py` and review the diff"
    assert sorted(built) == sorted(expected), hint
    for path in expected:
        if built[path] != expected[path]:
            diff = "\n".join(list(difflib.unified_diff(
                expected[path].decode(errors="replace").splitlines(), built[path].decode(errors="replace").splitlines(),
                f"expected/{path}", f"built/{path}", lineterm=""))[:40])
            raise AssertionError(f"{path} differs ({hint}):\n{diff}")
