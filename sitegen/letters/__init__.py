"""互动交流: citizens' letters to the government, stored at run time and published by the build."""

from __future__ import annotations

import os
from pathlib import Path

LETTERS = "/letters/"          # the run-time app's URL prefix (write, lookup, staff admin)
SHELLS = "letters/_shell"      # inside the web root: the themed frames the build renders for the app
ENV_STORE = "SITEGEN_LETTERS_DB"


def store_address(root: Path) -> str:
    """Where the letters live: $SITEGEN_LETTERS_DB (a file path or a postgresql:// DSN), or
    ROOT/build/letters.sqlite, outside the web root (build/site) so it is never published."""
    return os.environ.get(ENV_STORE) or str(root / "build" / "letters.sqlite")
