#!/usr/bin/env python3
"""Time `python -m sitegen build` on a synthetic cluster.

    python bench/build.py [--departments 10] [--pages 5000] [--repeat 3] [--seed 1]

Generates the cluster into bench/out/cluster with bench/synth.py (unless it is
already there with the same parameters and the same synth.py), then runs

    PYTHON -m sitegen build --root bench/out/cluster --out bench/out/site

--repeat times from the repository root, each into a freshly emptied
bench/out/site, and prints wall time per run, best and median, pages per
second, CPU time and peak RSS of the child, and the size of the output.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
OUT = os.path.join(BENCH, "out")
CLUSTER = os.path.join(OUT, "cluster")
SITE = os.path.join(OUT, "site")
STAMP = os.path.join(OUT, "cluster.json")

sys.path.insert(0, BENCH)
import synth  # noqa: E402


def rel(path: str) -> str:
    return os.path.relpath(path, REPO)


def default_python() -> str:
    venv = os.path.join(REPO, ".venv", "bin", "python")
    return venv if os.path.exists(venv) else sys.executable


def maxrss_bytes(ru_maxrss: int) -> int:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss * 1024


def mib(n: float) -> str:
    return f"{n / 2**20:.1f}"


def ensure_cluster(departments: int, pages: int, seed: int) -> tuple[bool, float]:
    """(regenerated?, seconds) — regenerate unless the stamp matches."""
    with open(synth.__file__, "rb") as f:
        synth_hash = hashlib.sha256(f.read()).hexdigest()[:16]
    want = {"departments": departments, "pages": pages, "seed": seed, "synth": synth_hash}
    try:
        with open(STAMP, encoding="utf-8") as f:
            have = json.load(f)
    except (OSError, ValueError):
        have = None
    if have == want and os.path.isfile(os.path.join(CLUSTER, "site.yaml")):
        return False, 0.0
    if os.path.exists(STAMP):
        os.remove(STAMP)
    shutil.rmtree(CLUSTER, ignore_errors=True)
    os.makedirs(OUT, exist_ok=True)
    t0 = time.perf_counter()
    synth.generate(CLUSTER, departments, pages, seed, quiet=True)
    took = time.perf_counter() - t0
    with open(STAMP, "w", encoding="utf-8") as f:
        json.dump(want, f)
    return True, took


def count_md(root: str) -> int:
    n = 0
    for _, _, files in os.walk(os.path.join(root, "content")):
        n += sum(1 for f in files if f.endswith(".md"))
    return n


def tree_size(root: str) -> tuple[int, int, int, int]:
    """(files, html files, apparent bytes, bytes on disk)."""
    files = html = apparent = disk = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            files += 1
            html += name.endswith(".html")
            apparent += st.st_size
            disk += getattr(st, "st_blocks", 0) * 512 or st.st_size
    return files, html, apparent, disk


def run_once(cmd: list[str], log_prefix: str) -> dict:
    shutil.rmtree(SITE, ignore_errors=True)
    with open(log_prefix + ".stdout", "wb") as out, open(log_prefix + ".stderr", "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": ru.ru_utime + ru.ru_stime,
        "maxrss": maxrss_bytes(ru.ru_maxrss),
        "rc": proc.returncode,
        "stdout": log_prefix + ".stdout",
        "stderr": log_prefix + ".stderr",
    }


def table(header: list[str], rows: list[list[str]], right: bool = True) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate([header] + rows):
        cells = [str(c).ljust(w) if i == 0 or not right else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark `python -m sitegen build` on a synthetic cluster.")
    ap.add_argument("--departments", type=int, default=10)
    ap.add_argument("--pages", type=int, default=5000, help="number of .md files to generate")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--python", default=default_python(),
                    help="interpreter that runs sitegen (default: .venv/bin/python if present, else this one)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    a = ap.parse_args(argv)
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")

    regenerated, gen_s = ensure_cluster(a.departments, a.pages, a.seed)
    pages = count_md(CLUSTER)
    cmd = [a.python, "-m", "sitegen", "build", "--root", rel(CLUSTER), "--out", rel(SITE)]
    shown_cmd = " ".join(cmd)

    print("sitegen build benchmark")
    print(f"  cluster  {rel(CLUSTER)}: {a.departments} departments, {pages} pages, seed {a.seed} "
          + (f"(generated in {gen_s:.1f}s)" if regenerated else "(reused)"))
    print(f"  command  cd {REPO} && {shown_cmd}")
    print(flush=True)

    runs = []
    for i in range(1, a.repeat + 1):
        r = run_once(cmd, os.path.join(OUT, f"run-{i}"))
        runs.append(r)
        if r["rc"] != 0:
            print(f"run {i} failed: exit status {r['rc']} after {r['wall']:.2f}s", file=sys.stderr)
            for stream in ("stderr", "stdout"):
                lines = read_lines(r[stream])
                if lines:
                    print(f"--- last lines of {rel(r[stream])}", file=sys.stderr)
                    print("\n".join(lines[-40:]), file=sys.stderr)
            return r["rc"] if r["rc"] > 0 else 1

    rows = [[str(i), f"{r['wall']:.2f}", f"{pages / r['wall']:.0f}", f"{r['cpu']:.2f}", mib(r["maxrss"])]
            for i, r in enumerate(runs, 1)]
    walls = [r["wall"] for r in runs]
    best, median = min(walls), statistics.median(walls)
    fastest = min(runs, key=lambda r: r["wall"])
    rows.append(["best", f"{best:.2f}", f"{pages / best:.0f}", f"{fastest['cpu']:.2f}", mib(fastest["maxrss"])])
    rows.append(["median", f"{median:.2f}", f"{pages / median:.0f}",
                 f"{statistics.median(r['cpu'] for r in runs):.2f}",
                 mib(statistics.median(r["maxrss"] for r in runs))])
    print(table(["run", "wall s", "pages/s", "cpu s", "peak RSS MiB"], rows))

    files, html, apparent, disk = tree_size(SITE)
    children_rss = maxrss_bytes(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print()
    print(table(["figure", "value"], [
        ["pages (.md files)", f"{pages}"],
        ["best wall time", f"{best:.2f} s"],
        ["median wall time", f"{median:.2f} s"],
        ["pages per second (best)", f"{pages / best:.0f}"],
        ["pages per second (median)", f"{pages / median:.0f}"],
        ["peak RSS, RUSAGE_CHILDREN", f"{mib(children_rss)} MiB"],
        ["output files", f"{files} ({html} .html)"],
        ["output size, apparent", f"{mib(apparent)} MiB"],
        ["output size, on disk", f"{mib(disk)} MiB"],
    ], right=False))

    # whatever the generator said on its last run (warnings, problems)
    said = [ln for s in ("stderr", "stdout") for ln in read_lines(runs[-1][s]) if ln.strip()]
    if said:
        print()
        print(f"sitegen printed {len(said)} line(s) on the last run "
              f"(full logs: {rel(runs[-1]['stdout'])}, {rel(runs[-1]['stderr'])}):")
        for ln in said[:15]:
            print("  " + ln)
        if len(said) > 15:
            print(f"  … {len(said) - 15} more")

    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({
                "command": shown_cmd, "departments": a.departments, "pages": pages, "seed": a.seed,
                "runs": [{k: r[k] for k in ("wall", "cpu", "maxrss")} for r in runs],
                "best_s": best, "median_s": median,
                "pages_per_s_best": pages / best, "pages_per_s_median": pages / median,
                "peak_rss_children_bytes": children_rss,
                "output_files": files, "output_html": html,
                "output_apparent_bytes": apparent, "output_disk_bytes": disk,
            }, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
