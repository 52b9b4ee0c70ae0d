#!/usr/bin/env python3
"""sitegen at city scale beside Hugo, in one run on one machine.

    python bench/scale.py [--pages 20000] [--departments 20] [--seed 1] [--python .venv/bin/python]
                          [--hugo hugo] [--rounds 1] [--no-serve] [--no-watch] [--verify] [--json FILE]

Generates a synthetic cluster with bench/synth.py (reused when the parameters and synth.py are
unchanged), writes the same pages as two Hugo sites (same Markdown bodies; front matter dates in
RFC 3339): one with a bare theme (a small frame, lists paginated by 20 and single pages), and one
with bench/hugo, a theme that makes the same pages as sitegen's default theme (the same <head>,
header, nav, breadcrumbs, 信息公开 table, contents, prev/next, footer, lists, home pages and Atom
feeds; see bench/README.md for what it leaves out), then measures:

  hugo cold         `hugo` (bare theme) into an empty public/ (before sitegen cold, and again after each one)
  hugo same pages   `hugo` (bench/hugo) into an empty public/, likewise
  sitegen cold      build() of the site with no cache, no release and no index (the index is its own stage)
  sitegen no-op     the same again: nothing changed since the live release
  sitegen touched   every page's mtime changed, no text changed: the whole pipeline, every output a cache hit
  sitegen edit      one page's body changed: one new release
  sitegen index     the search index stage alone, cold (for the record; it is not part of the site build)
  serve             `sitegen serve`: from saving a page to the served page showing it
  watch             `sitegen build --watch`: from saving a sentence at the end of a page to the
                    release holding it being live (14 edits; once ten releases are kept, each new
                    one is made from the oldest: the last five show that steady state)
  verify            (--verify) the incremental release equals a cold build of a copy, byte for byte

Each build runs in its own process; wall and CPU seconds and peak RSS (the process and its pool)
come from os.wait4. On a shared machine other work takes cores from both: Hugo builds again right
after each sitegen cold build (the ratio is to the mean of the Hugo builds either side; with
--rounds N, N such ratios and their median), and the load average before and after is printed.
Standard library only; Hugo is the Debian package `hugo`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
OUT = os.path.join(BENCH, "out")
sys.path.insert(0, BENCH)
import build as timer  # noqa: E402  (bench/build.py: cluster generation and tables)

DATE = re.compile(r"^date: (\d{4}-\d\d-\d\d)(?: (\d\d:\d\d))?\s*$", re.M)
HUGO_CONFIG = """baseURL = "https://www.example.gov.cn/"
languageCode = "zh-cn"
title = "bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[pagination]
  pagerSize = 20
paginate = 20
[markup.goldmark.renderer]
  unsafe = false
"""
BASEOF = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} - {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<header><a href="/">{{ site.Title }}</a><nav><ul>{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav></header>
<main>{{ block "main" . }}{{ end }}</main><footer><p>主办单位：测试市人民政府办公室</p></footer></body></html>
"""
SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>发布日期：{{ .Date.Format "2006-01-02 15:04" }}</p>
{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}{{ .TableOfContents }}<div>{{ .Content }}</div>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav></article>{{ end }}
"""
LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range (.Paginate .RegularPagesRecursive).Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ul>
{{ template "_internal/pagination.html" . }}{{ end }}
"""


def hugo_site(cluster: str, target: str) -> None:
    """The cluster's pages as a Hugo site (rebuilt only when missing)."""
    if os.path.isfile(os.path.join(target, "hugo.toml")):
        return
    shutil.rmtree(target, ignore_errors=True)
    for dirpath, _, names in os.walk(os.path.join(cluster, "content")):
        rel = os.path.relpath(dirpath, os.path.join(cluster, "content"))
        for name in names:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                text = f.read()
            text = DATE.sub(lambda m: f"date: {m.group(1)}T{m.group(2) or '00:00'}:00+08:00", text, count=1)
            os.makedirs(os.path.join(target, "content", rel), exist_ok=True)
            with open(os.path.join(target, "content", rel, name), "w", encoding="utf-8") as f:
                f.write(text)
    for path, text in (("hugo.toml", HUGO_CONFIG), ("layouts/_default/baseof.html", BASEOF),
                       ("layouts/_default/single.html", SINGLE), ("layouts/_default/list.html", LIST)):
        os.makedirs(os.path.dirname(os.path.join(target, path)) or target, exist_ok=True)
        with open(os.path.join(target, path), "w", encoding="utf-8") as f:
            f.write(text)


GOV_THEME = os.path.join(BENCH, "hugo")
ATTR_LIST = re.compile(r"\{:\s*(#[\w-]+)\s*\}\s*$", re.MULTILINE)
FLOW = re.compile(r"^\s*- \{(.*)\}\s*$")


def _yaml_fields(path: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The top-level scalars and the `columns:` list of a site.yaml or departments/*.yaml as synth.py
    writes them (one flow mapping per column), without a YAML library: only what the _index.md need."""
    top: dict[str, str] = {}
    columns: list[dict[str, str]] = []
    in_columns = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith((" ", "-")):
                key, _, value = line.partition(":")
                top[key.strip()] = value.strip().strip('"')
                in_columns = key.strip() == "columns"
            elif in_columns and (m := FLOW.match(line)):
                fields = re.findall(r"(\w+): (\[[^\]]*\]|[^,]+)", m.group(1))
                columns.append({k: v.strip() for k, v in fields})
    return top, columns


def hugo_gov_site(cluster: str, target: str) -> None:
    """The cluster's pages as a Hugo site with the same pages as sitegen's default theme (bench/hugo:
    its templates and config), rebuilt only when missing. The Markdown files as hugo_site() writes them,
    the portal's at the top of content/ (where their URLs are); site.yaml and departments/*.yaml in
    data/, which the templates read; an _index.md per department and column (title, owner, column,
    and the column's kind cascaded to its pages); attachments in static/ at their URLs."""
    stamp = os.path.join(target, ".complete")       # written last: a half-made site is made again
    made_with = _theme_digest()                     # and one made with other templates
    try:
        with open(stamp, encoding="utf-8") as f:
            if f.read().strip() == made_with:
                return
    except OSError:
        pass
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(GOV_THEME, target)
    source = os.path.join(cluster, "content")
    for dirpath, _, names in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        parts = rel.split(os.sep)
        dest = os.path.join("", *parts[1:]) if parts[0] == "portal" else rel
        for name in names:
            if not name.endswith(".md"):
                if parts[-1] == "files":        # attachments: published at their own URL
                    os.makedirs(os.path.join(target, "static", dest), exist_ok=True)
                    shutil.copyfile(os.path.join(dirpath, name), os.path.join(target, "static", dest, name))
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                text = f.read()
            text = DATE.sub(lambda m: f"date: {m.group(1)}T{m.group(2) or '00:00'}:00+08:00", text, count=1)
            text = ATTR_LIST.sub(r"{\1}", text)       # a heading's {: #id } as Goldmark writes it: {#id}
            os.makedirs(os.path.join(target, "content", dest), exist_ok=True)
            with open(os.path.join(target, "content", dest, name), "w", encoding="utf-8") as f:
                f.write(text)

    def index(folder: str, title: str, owner: str, **extra: str) -> None:
        lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"owner: {owner}"]
        lines += [f"{k}: {v}" for k, v in extra.items()]
        os.makedirs(os.path.join(target, "content", folder), exist_ok=True)
        with open(os.path.join(target, "content", folder, "_index.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines + ["---", ""]))

    def column(folder: str, owner: str, col: dict[str, str], **extra: str) -> None:
        index(folder, col["title"], owner, column=col["slug"],
              cascade=f"{{owner: {owner}, column: {col['slug']}, ckind: {col['kind']}}}", **extra)

    os.makedirs(os.path.join(target, "data", "departments"))
    shutil.copyfile(os.path.join(cluster, "site.yaml"), os.path.join(target, "data", "site.yaml"))
    accepted = os.path.join(cluster, "content", "portal", "accepted.yaml")     # the portal's editors' list
    if os.path.isfile(accepted):
        shutil.copyfile(accepted, os.path.join(target, "data", "accepted.yaml"))
    site, columns = _yaml_fields(os.path.join(cluster, "site.yaml"))
    with open(os.path.join(target, "hugo.toml"), encoding="utf-8") as f:
        config = f.read().replace("@BASE_URL@", site["base_url"].rstrip("/") + "/")
    with open(os.path.join(target, "hugo.toml"), "w", encoding="utf-8") as f:
        f.write(config)
    index("", site["name"], "portal")
    for col in columns:
        column(col["slug"], "portal", col)
    for name in sorted(os.listdir(os.path.join(cluster, "departments"))):
        slug = name.rsplit(".", 1)[0]
        shutil.copyfile(os.path.join(cluster, "departments", name),
                        os.path.join(target, "data", "departments", f"{slug}.yaml"))
        dept, columns = _yaml_fields(os.path.join(cluster, "departments", name))
        index(slug, dept["name"], slug, type="department")
        for col in columns:
            column(f"{slug}/{col['slug']}", slug, col)
        # the 信息公开 section's own pages (guide, rules) are articles; its catalog home is not made
        column(f"{slug}/xxgk", slug, {"slug": "xxgk", "title": "信息公开", "kind": "xxgk"},
               _build="{render: never}")
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(made_with + "\n")


def _theme_digest() -> str:
    """A digest of bench/hugo (its paths and bytes) and of the function that lays the cluster out for it."""
    import hashlib
    import inspect
    h = hashlib.sha256(inspect.getsource(hugo_gov_site).encode())
    for dirpath, dirs, names in sorted(os.walk(GOV_THEME)):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, GOV_THEME).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def parity(sitegen_out: str, gov_out: str, bare_out: str, sample: int = 200) -> dict:
    """How much each build writes: its files, and the mean size of the same sampled article pages
    (sitegen's article URLs, every 1/sample-th in order, that all three outputs have)."""
    articles = sorted(os.path.relpath(d, sitegen_out) for d, _, ns in os.walk(sitegen_out)
                      if "index.html" in ns and re.fullmatch(r"\d{8}-\d+", os.path.basename(d)))
    sitegen_out = os.path.realpath(sitegen_out)     # build/site is a link to the live release
    outs = {"sitegen": sitegen_out, "hugo same pages": gov_out, "hugo": bare_out}
    have = [a for a in articles if all(os.path.isfile(os.path.join(o, a, "index.html")) for o in outs.values())]
    chosen = have[::max(1, len(have) // sample)][:sample]
    sites = {name: {"files": timer.tree_size(out)[0],
                    "article bytes": sum(os.path.getsize(os.path.join(out, a, "index.html")) for a in chosen)
                    / max(1, len(chosen))} for name, out in outs.items()}
    return {"sampled": len(chosen), "sites": sites}


def run(cmd: list[str], cwd: str = REPO) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{output[-3000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss": timer.maxrss_bytes(ru.ru_maxrss), "output": output}


def sitegen(python: str, root: str, index: bool = False) -> dict:
    code = ("import sys, json, gc; from pathlib import Path; from sitegen.build import build; "
            "gc.disable(); "      # as the `sitegen build` command does (cli.build_command)
            f"r = build(Path({root!r}), index={index}); "
            "print(json.dumps({'files': r.files, 'rendered': r.rendered, "
            "'written': r.release.written if r.release else 0, 'timings': r.timings, 'stage_cpu': r.cpu}), "
            # and ends as the `sitegen` command ends (cli.run): without freeing the cluster object by object
            "flush=True); import os; os._exit(0)")
    result = run([python, "-c", code])
    result.update(json.loads(result.pop("output").strip().splitlines()[-1]))
    return result


def edit(path: str, text: str) -> None:
    with open(path, encoding="utf-8") as f:
        body = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(body.rstrip("\n") + f"\n\n{text}\n")


def digests(web_root: str) -> dict[str, str]:
    import hashlib
    out = {}
    for dirpath, _, names in os.walk(os.path.realpath(web_root)):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, os.path.realpath(web_root))] = hashlib.sha256(f.read()).hexdigest()
    return out


def verify(python: str, cluster: str) -> tuple[int, list[str]]:
    """(files compared, paths that differ) between the cluster's live release and a cold build of a copy."""
    copy = cluster + "-cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(cluster, copy, ignore=shutil.ignore_patterns("build"))
    sitegen(python, copy)
    incremental, cold = digests(os.path.join(cluster, "build", "site")), digests(os.path.join(copy, "build", "site"))
    differ = sorted(p for p in set(incremental) | set(cold) if incremental.get(p) != cold.get(p))
    shutil.rmtree(copy, ignore_errors=True)
    return len(cold), differ


def serve_latency(python: str, root: str, page: str, url_path: str, tries: int = 5) -> list[float]:
    """Seconds from writing a page to the preview server answering with the new text, ``tries`` times."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([python, "-m", "sitegen", "serve", "--root", root, "--port", str(port)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}{url_path}"

    def fetch() -> str:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.read().decode("utf-8", "replace")
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 1800
        while not fetch() and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)       # let the first build's index and the watcher settle
        seen = []
        for n in range(tries):
            marker = f"预览延迟测量第{n}次{time.time_ns()}"
            t0 = time.perf_counter()
            edit(page, marker)
            while marker not in fetch():
                if time.perf_counter() - t0 > 120:
                    raise SystemExit("the preview never showed the edit")
                time.sleep(0.01)
            seen.append(time.perf_counter() - t0)
            time.sleep(2.5)     # the search index catches up after the reload; do not measure that
        return seen
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def watch_latency(python: str, root: str, pages: list[str], tries: int = 14) -> list[float]:
    """Seconds from writing a sentence at the end of a page to `sitegen build --watch` making it live
    (the page in build/site holding it), ``tries`` times, each on another page."""
    import queue
    import threading

    proc = subprocess.Popen([python, "-m", "sitegen", "build", "--watch", "--root", root], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def reported() -> str:
        """The watch's next line about a build (the search index and the checks come after the switch)."""
        while True:
            line = lines.get(timeout=1800)
            if " is live: " in line or "nothing changed" in line or "failed" in line:
                return line

    try:
        reported()
        seen = []
        for n in range(tries):
            page = pages[n % len(pages)]
            rel = os.path.relpath(page, os.path.join(root, "content"))[:-3]
            live = os.path.join(root, "build", "site", rel, "index.html")
            marker = f"发布延迟测量第{n}次{time.time_ns()}"
            time.sleep(1.0)
            t0 = time.perf_counter()
            edit(page, marker)
            while True:
                try:
                    with open(live, encoding="utf-8") as f:
                        if marker in f.read():
                            break
                except OSError:
                    pass
                if time.perf_counter() - t0 > 300:
                    raise SystemExit("the watch never published the edit")
                time.sleep(0.002)
            seen.append(time.perf_counter() - t0)
            if "failed" in reported():
                raise SystemExit("the watch's build failed")
        return seen
    finally:
        os.killpg(proc.pid, 2)      # Ctrl+C; ignored when this bench itself was started in the background
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--departments", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--python", default=timer.default_python())
    ap.add_argument("--hugo", default=shutil.which("hugo") or "hugo")
    ap.add_argument("--no-serve", action="store_true", help="skip the preview latency measurement")
    ap.add_argument("--no-watch", action="store_true", help="skip the `build --watch` publish latency measurement")
    ap.add_argument("--verify", action="store_true", help="check the incremental release against a cold build")
    ap.add_argument("--rounds", type=int, default=1, help="cold builds of sitegen, each between two of Hugo's")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()

    timer.CLUSTER = cluster = os.path.join(OUT, f"scale-{args.pages}")
    timer.STAMP = cluster + ".json"
    made, took = timer.ensure_cluster(args.departments, args.pages, args.seed)
    if made:
        print(f"generated {args.pages} pages in {took:.1f}s into {timer.rel(cluster)}")
    hugo_root, gov_root = cluster + "-hugo", cluster + "-hugo-gov"
    hugo_site(cluster, hugo_root)
    hugo_gov_site(cluster, gov_root)
    rows, figures = [], {}
    figures["load average before"] = os.getloadavg()

    def row(name: str, r: dict, note: str = "") -> None:
        figures[name] = {k: v for k, v in r.items() if k != "output"}
        rows.append([name, f"{r['wall']:.2f}", f"{r['cpu']:.2f}", timer.mib(r["rss"]), note])

    def hugo_cold(root: str = hugo_root) -> dict:
        shutil.rmtree(os.path.join(root, "public"), ignore_errors=True)
        return run([args.hugo, "--quiet", "-d", "public"], cwd=root)

    # Hugo, then sitegen and Hugo again, ``rounds`` times: each sitegen build is compared with the
    # Hugo builds just before and after it, as the machine's speed drifts from one minute to the next.
    hugos, govs, colds = [hugo_cold()], [hugo_cold(gov_root)], []
    row("hugo cold", hugos[0], f"{timer.tree_size(os.path.join(hugo_root, 'public'))[0]} files")
    row("hugo same pages cold", govs[0], f"{timer.tree_size(os.path.join(gov_root, 'public'))[0]} files")
    for n in range(1, args.rounds + 1):
        shutil.rmtree(os.path.join(cluster, "build"), ignore_errors=True)
        colds.append(sitegen(args.python, cluster))
        row(f"sitegen cold{'' if args.rounds == 1 else f' {n}'}", colds[-1], f"{colds[-1]['files']} files")
        hugos.append(hugo_cold())
        row(f"hugo cold again{'' if args.rounds == 1 else f' {n}'}", hugos[-1], "the same, after sitegen cold")
        govs.append(hugo_cold(gov_root))
        row(f"hugo same pages again{'' if args.rounds == 1 else f' {n}'}", govs[-1], "the same, after sitegen cold")

    def mean_ratios(others: list[dict]) -> list[tuple[float, float]]:
        return [(c["wall"] / ((others[i]["wall"] + others[i + 1]["wall"]) / 2),
                 c["cpu"] / ((others[i]["cpu"] + others[i + 1]["cpu"]) / 2)) for i, c in enumerate(colds)]
    ratios, gov_ratios = mean_ratios(hugos), mean_ratios(govs)
    figures["cold ratios (wall, cpu)"] = ratios
    figures["cold ratios to hugo same pages (wall, cpu)"] = gov_ratios
    figures["parity"] = parity(os.path.join(cluster, "build", "site"), os.path.join(gov_root, "public"),
                               os.path.join(hugo_root, "public"))
    noop = sitegen(args.python, cluster)
    row("sitegen no-op", noop, f"{noop['written']} written")
    for dirpath, _, names in os.walk(os.path.join(cluster, "content")):
        for name in names:
            if name.endswith(".md"):
                os.utime(os.path.join(dirpath, name))
    time.sleep(2.1)     # past the racy window, as files edited earlier in a day are
    touched = sitegen(args.python, cluster)
    row("sitegen touched", touched, f"{touched['rendered']} rendered, {touched['written']} written")
    page = next(os.path.join(d, n) for d, _, ns in sorted(os.walk(os.path.join(cluster, "content")))
                for n in sorted(ns) if n.endswith(".md") and "/gzdt" in d)
    edit(page, "基准测试追加的一句话。")
    edited = sitegen(args.python, cluster)
    row("sitegen edit", edited, f"{edited['rendered']} rendered, {edited['written']} written")
    if args.verify:
        compared, differ = verify(args.python, cluster)
        figures["verify"] = {"files": compared, "differ": differ}
        print(f"incremental == cold: {'yes' if not differ else 'NO'} ({compared} files compared"
              + (f"; differ: {', '.join(differ[:10])}" if differ else "") + ")")
    index = sitegen(args.python, cluster, index=True)
    stage = dict(index["timings"]).get("index", 0.0)
    figures["index stage"] = stage
    rows.append(["sitegen index", f"{stage:.2f}", "", timer.mib(index["rss"]), "the search index stage, cold"])

    figures["load average after"] = os.getloadavg()
    print(f"\n{args.pages} pages, {args.departments} departments, one run, this machine "
          f"({os.cpu_count()} cores); load average (1, 5, 15 min) before "
          + ", ".join(f"{x:.2f}" for x in figures["load average before"]) + ", after "
          + ", ".join(f"{x:.2f}" for x in figures["load average after"]) + "\n")
    print(timer.table(["build", "wall s", "cpu s", "peak RSS MiB", ""], rows))
    print()
    for name, rs in (("hugo cold", ratios), ("hugo same pages cold", gov_ratios)):
        print(f"sitegen cold / {name} (the mean of the Hugo builds before and after it): "
              + "; ".join(f"{w:.2f}x wall, {c:.2f}x CPU" for w, c in rs)
              + (f"; median {sorted(w for w, _ in rs)[len(rs) // 2]:.2f}x wall" if len(rs) > 1 else ""))
    par = figures["parity"]
    print(f"outputs: files, and mean bytes of the same {par['sampled']} article pages: "
          + "; ".join(f"{name} {f['files']} files, {f['article bytes']:,.0f} B" for name, f in par["sites"].items()))
    for n, c in enumerate(colds, 1):
        print(f"sitegen cold{'' if len(colds) == 1 else f' {n}'} stages, wall (CPU of the build process + of its "
              "workers): " + ", ".join(f"{s} {t:.2f}s ({p:.1f} + {w:.1f})"
                                       for (s, t), (_, p, w) in zip(c["timings"], c["stage_cpu"])))
    print("sitegen edit stages: " + ", ".join(f"{s} {t:.2f}s" for s, t in edited["timings"]))

    if not args.no_serve:
        rel = os.path.relpath(page, os.path.join(cluster, "content"))[:-3]
        seen = serve_latency(args.python, cluster, page, "/" + rel + "/")
        figures["serve"] = seen
        print(f"\nserve: save to page shown, {len(seen)} edits: "
              + ", ".join(f"{s:.2f}s" for s in seen) + f" (median {sorted(seen)[len(seen) // 2]:.2f}s)")
    if not args.no_watch:
        pages = [os.path.join(d, n) for d, _, ns in sorted(os.walk(os.path.join(cluster, "content")))
                 for n in sorted(ns) if n.endswith(".md") and "/gzdt" in d][1::97]
        seen = watch_latency(args.python, cluster, pages)
        steady = sorted(seen[-5:])
        figures["watch"] = seen
        print(f"\nbuild --watch: save to release live, {len(seen)} text edits: "
              + ", ".join(f"{s:.2f}s" for s in seen)
              + f"\n  median of the last 5 (ten releases kept, each made from the oldest): {steady[2]:.2f}s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
