"""Time `sitegen build` on each hostile input an editor or admin can commit (issue 9), and print the figures.

    .venv/bin/python bench/bombs.py [--keep DIR]

Each case is a small valid cluster (the tests' fixture) plus one bomb; each build must end with
its problem. Times are wall-clock seconds of build() in this process; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

from clusters import DEPT_YAML, SITE_YAML, make_cluster, page  # noqa: E402
from sitegen.build import build  # noqa: E402
from sitegen.errors import BuildFailed  # noqa: E402

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))


def _links(root: Path) -> None:
    (root / "content/jxj/gzdt/files").mkdir(parents=True, exist_ok=True)
    os.symlink("/dev/zero", root / "content/jxj/gzdt/files/zero.pdf")
    os.symlink("/etc/passwd", root / "content/jxj/gzdt/files/passwd.txt")


def _fifo(root: Path) -> None:
    os.mkfifo(root / "content/jxj/gzdt/x.md")


CASES = {
    "billion laughs, front matter": ({"content/jxj/gzdt/a.md": "---\ntitle: t\ndate: 2024-03-12 09:30\n" + LAUGHS
                                      + "---\n正文\n"}, None),
    "billion laughs, site.yaml": ({"site.yaml": SITE_YAML + LAUGHS}, None),
    "billion laughs, department YAML": ({"departments/jxj.yaml": DEPT_YAML + LAUGHS}, None),
    "YAML nested 50,000 deep": ({"site.yaml": SITE_YAML + "x: " + "[" * 50000 + "]" * 50000 + "\n"}, None),
    "Markdown list 600 deep": ({"content/jxj/gzdt/a.md": page(body="\n".join("    " * i + "- x" for i in range(600)))},
                               None),
    "links to /dev/zero and /etc/passwd": ({"content/jxj/gzdt/a.md": page(attachments="[files/zero.pdf]",
                                                                          body="[p](files/passwd.txt)")}, _links),
    "named pipe x.md": ({"content/jxj/gzdt/a.md": page()}, _fifo),
    "1 MiB of unclosed '[x](y'": ({"content/jxj/gzdt/a.md": page(body="[x](y " * 170000)}, None),
    "1 MiB of unclosed '<a'": ({"content/jxj/gzdt/a.md": page(body="<a " * 340000)}, None),
    "4,000 references to one footnote": ({"content/jxj/gzdt/a.md": page(body="[^1]" * 4000 + "\n\n[^1]: x")}, None),
    "worst page within the bounds (10 x 200 '[x](y')": (
        {"content/jxj/gzdt/a.md": page(body="\n\n".join(["[x](y " * 200] * 10))}, None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the clusters here and keep them")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-bombs-"))
    width = max(map(len, CASES))
    try:
        for n, (name, (files, prepare)) in enumerate(CASES.items()):
            root = make_cluster(base / f"case{n:02d}", files)
            if prepare:
                prepare(root)
            start = time.perf_counter()
            try:
                build(root, root / "build" / "site")
                outcome = "built (bomb not refused)"
            except BuildFailed as e:
                outcome = str(e.problems[0])[:110]
            print(f"{name:<{width}}  {time.perf_counter() - start:6.2f} s  {outcome}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
