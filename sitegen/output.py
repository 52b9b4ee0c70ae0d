"""The only writer of build/: a staging folder, then a swap into place on success."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import OutputError
from .render import Rendered


def publish(rendered: Rendered, root: Path, out: Path) -> int:
    """Write everything into a staging folder beside ``out``, then swap it in.

    A failure before the swap leaves ``out`` exactly as it was. The swap itself is two renames
    on one file system; the old tree is removed only after the new one is in place.
    Returns the number of files written.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    retired = out.with_name(f".{out.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        made: set[Path] = set()
        for path, data in rendered.files.items():
            target = staging / path
            _folder(target.parent, made)
            target.write_bytes(data)
        for path, source in rendered.copies.items():
            target = staging / path
            _folder(target.parent, made)
            shutil.copyfile(root / source, target)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"could not write {e.filename or staging}: {e.strerror or e}") from e
    try:
        if out.exists():
            os.rename(out, retired)
        os.rename(staging, out)
    except OSError as e:
        if retired.exists() and not out.exists():
            os.rename(retired, out)
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"could not publish {out}: {e.strerror or e}") from e
    shutil.rmtree(retired, ignore_errors=True)
    return len(rendered.files) + len(rendered.copies)


def _folder(path: Path, made: set[Path]) -> None:
    if path not in made:
        path.mkdir(parents=True, exist_ok=True)
        made.add(path)
