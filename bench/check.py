#!/usr/bin/env python3
"""Time `sitegen check` (without --external) on a synthetic cluster.

    python bench/check.py [--departments 20] [--pages 20000] [--seed 1] [--as-of 2025-07-01]
                          [--python .venv/bin/python]

Generates the cluster into bench/out/check-cluster with bench/synth.py and builds it once
into bench/out/check-site (both skipped when bench/out/check.json shows the same parameters
and the same synth.py), because check reads the built web root. It then times one run of

    PYTHON -m sitegen check --root bench/out/check-cluster --out bench/out/check-site \\
        --as-of DATE --format json

(wall clock and peak RSS of the child), and, in this process, load, assemble and every rule
on its own, so a slow rule shows by name. Standard library only, apart from sitegen itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
CLUSTER, SITE, STAMP = OUT / "check-cluster", OUT / "check-site", OUT / "check.json"


def prepare(args: argparse.Namespace) -> None:
    stamp = {"departments": args.departments, "pages": args.pages, "seed": args.seed,
             "synth": hashlib.sha256((BENCH / "synth.py").read_bytes()).hexdigest()}
    try:
        if json.loads(STAMP.read_text()) == stamp and (SITE / "index.html").is_file():
            return
    except (OSError, ValueError):
        pass
    for path in (CLUSTER, SITE):
        shutil.rmtree(path, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([args.python, str(BENCH / "synth.py"), str(CLUSTER), "--departments", str(args.departments),
                    "--pages", str(args.pages), "--seed", str(args.seed)], check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    subprocess.run([args.python, "-m", "sitegen", "build", "--root", str(CLUSTER), "--out", str(SITE)], check=True,
                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"generated and built {args.pages} pages in {time.perf_counter() - start:.1f}s (build only)")
    STAMP.write_text(json.dumps(stamp))


def in_process(args: argparse.Namespace) -> list[tuple[str, float, int]]:
    sys.path.insert(0, str(REPO))
    from sitegen import check
    from sitegen.assemble import assemble, due
    from sitegen.build import load
    from sitegen.check.cluster import Skim
    from sitegen.check.context import Context

    as_of = datetime.strptime(args.as_of, "%Y-%m-%d").replace(hour=23, minute=59)
    rows = []
    start = time.perf_counter()
    records, _ = load(CLUSTER)
    rows.append(("load (sitegen.build.load)", time.perf_counter() - start, 0))
    start = time.perf_counter()
    records, later = due(records, as_of)
    cluster, _ = assemble(records, Skim())
    rows.append(("assemble (no Markdown)", time.perf_counter() - start, 0))
    ctx = Context(cluster, SITE, as_of, CLUSTER, later)
    for rule in check.RULES:
        start = time.perf_counter()
        found = rule(ctx)
        rows.append((f"{rule.__module__.rsplit('.', 1)[-1]}.{rule.__name__}", time.perf_counter() - start, len(found)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2025-07-01", help="the day checked (synth dates end in June 2025)")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    prepare(args)
    start = time.perf_counter()
    proc = subprocess.run([args.python, "-m", "sitegen", "check", "--root", str(CLUSTER), "--out", str(SITE),
                           "--as-of", args.as_of, "--format", "json"], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        sys.exit(f"sitegen check failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    data = json.loads(proc.stdout)
    levels = {level: sum(row[level] for row in data["scorecard"]) for level in ("veto", "deduction", "warning")}
    print(f"sitegen check, {args.pages} pages, {args.departments} departments, as of {args.as_of}: "
          f"{wall:.2f}s wall, peak RSS {rss:.0f} MiB; findings {levels}")
    print(f"{'stage or rule':<40} {'seconds':>8} {'findings':>9}")
    for name, seconds, count in in_process(args):
        print(f"{name:<40} {seconds:8.3f} {count:9d}")


if __name__ == "__main__":
    main()
