#!/usr/bin/env python3
"""Benchmark the search index and service on a synthetic cluster, for each backend side by side.

    python bench/search.py [--departments 40] [--pages 50000] [--seed 1] [--cluster DIR] [--json FILE]
                           [--backends whoosh,postgres] [--dsn DSN]

The PostgreSQL backend needs a database: --dsn, or SITEGEN_SEARCH_DSN (it is emptied of
sitegen's tables first). Without one, only whoosh is measured.

Generates the cluster with bench/synth.py into bench/out/search-cluster (unless it is there
with the same parameters and synth.py), loads and assembles it in-process (timed, but not
part of the index figures), then measures:

- full index: time of the build's index stage into an empty folder, and peak RSS
  (this process, which holds the assembled cluster, and whoosh's writer processes);
- re-index after 10 pages change: the same stage on a cluster with 10 page texts edited;
- index size: apparent bytes and bytes on disk of the published version's whoosh folder;
- recall against a plain substring scan of every page's title, summary and text, for
  words typed without spaces (电子政务, 信息化, 智慧城市, …): |found ∩ scan| / |scan|;
- query latency through the WSGI application: p50, p95, p99 and max over a fixed list of
  at least 150 queries (single words, two words, quoted phrases, long runs, filters, a
  department scope, date sorting, pinyin, typos, Traditional characters, digits with
  Chinese, 文号), each run once to warm up and then timed (the warm-up pass is printed too);
- segmentation speed of jieba (if installed) and rjieba on 2,000 pages, same output checked.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
sys.path.insert(0, str(BENCH))
import synth

from sitegen.assemble import assemble
from sitegen.build import load
from sitegen.errors import errors_in
import re

from sitegen.search.analysis import fold
from sitegen.search.index import update_index
from sitegen.search.query import matches
from sitegen.search.service import SearchService
from sitegen.search.pg_store import DSN_ENV, TABLE
from sitegen.search.shell import meta, render_shells, theme_templates
from sitegen.theme import environment, load_theme

RECALL_WORDS = ["电子政务", "信息化", "智慧城市", "数字经济", "营商环境", "食品安全", "城市更新", "乡村振兴",
                "公共服务", "技术改造", "养老服务", "社会救助", "数字化", "一网通办", "高质量发展", "政务",
                # other script, and digits or letters next to Chinese (the scan folds both sides)
                "電子政務", "營商環境", "數字經濟", "2024年", "2025年度", "5G", "30日", "第一", "10万", "3个"]


def ensure_cluster(target: Path, departments: int, pages: int, seed: int) -> None:
    stamp = target.with_suffix(".json")
    want = {"departments": departments, "pages": pages, "seed": seed,
            "synth": hashlib.sha256(Path(synth.__file__).read_bytes()).hexdigest()[:16]}
    try:
        if json.loads(stamp.read_text()) == want and (target / "site.yaml").is_file():
            return
    except (OSError, ValueError):
        pass
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    synth.generate(str(target), departments, pages, seed, quiet=True)
    print(f"generated {pages} pages into {target} in {time.perf_counter() - t:.1f}s")
    stamp.write_text(json.dumps(want))


class MemorySampler:
    """Peak of the summed PSS of this process and its children (whoosh's writer processes), read
    from /proc every 0.2 s: unlike RSS, PSS counts memory that forked processes share only once."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.wait(0.2):
            pids = [os.getpid()]
            try:
                for task in Path(f"/proc/{os.getpid()}/task").iterdir():
                    pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
            total = 0
            for pid in pids:
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)


def cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def size(folder: Path) -> tuple[int, int]:
    apparent = disk = 0
    for path in folder.rglob("*"):
        if path.is_file():
            st = path.stat()
            apparent += st.st_size
            disk += st.st_blocks * 512
    return apparent, disk


def queries(cluster) -> list[dict]:
    """A fixed list of realistic queries; the 文号 and department come from the cluster itself."""
    words = ["食品安全", "城市更新", "营商环境", "数字经济", "养老服务", "社会救助", "技术改造", "乡村振兴", "公共服务",
             "义务教育", "就业", "医保", "公积金", "招聘", "环境影响评价", "不动产登记", "政府采购", "老旧小区改造",
             "专精特新", "人才引进", "碳达峰", "防汛", "安全生产", "预算", "统计", "信息化", "电子政务", "智慧城市",
             "通知", "公示", "办法", "实施意见", "工作动态", "会议", "调研", "培训", "检查", "项目", "补贴", "申报"]
    pairs = ["食品安全 监管", "城市更新 项目", "养老服务 补贴", "就业 补贴", "技术改造 申报", "乡村振兴 产业",
             "义务教育 招生", "环境 执法", "公共服务 体系", "数字经济 发展", "营商环境 优化", "社会救助 对象",
             "人才 引进", "政府采购 公告", "安全生产 检查", "预算 公开", "老旧小区 改造", "医疗 保障", "交通 建设",
             "科技 创新"]
    phrases = ['"推动高质量发展"', '"工作再上新台阶"', '"相关经验做法在全市推广"', '"确保各项任务落到实处"',
               '"坚持问题导向"', '"形成比学赶超的良好氛围"', '"巩固拓展"', '"建立健全"', '"压紧压实主体责任"',
               '"同比增长"']
    other = ["zhihuichengshi", "zhcs", "shipinanquan", "spaq", "yibao", "食品按全", "城市更兴", "醫療保障", "電子政務",
             "營商環境", "关于印发实施方案的通知", "关于开展专项检查工作的通知", "市教育局 2025", "2024年度", "5G",
             "yingshanghuanjing", "yshj", "xiangcunzhenxing", "xczx", "gonggongfuwu", "yanglaofuwu", "ylfw",
             "营商坏境", "乡村振新", "养老服物", "社会求助", "技术该造", "鄉村振興", "養老服務", "公共服務",
             "2025年", "30日", "10万元", "第一季度", "3个", "推动城市更新工作取得新成效", "持续优化营商环境工作",
             "的", "的" * 50, "工作 " * 20]
    depts = list(cluster.departments)
    docnos = [p.disclosure.doc_number for p in cluster.pages.values()
              if p.disclosure is not None and getattr(p.disclosure, "doc_number", None)][:10]
    out = [{"q": q} for q in words + pairs + phrases + other]
    out += [{"q": n.replace("〔", "[").replace("〕", "]")} for n in docnos[:5]]
    out += [{"q": w, "dept": depts[i % len(depts)]} for i, w in enumerate(words[:10])]
    out += [{"q": w, "kind": k} for w, k in zip(words[10:18], ["notice", "policy", "news", "policy"] * 2)]
    out += [{"q": w, "from": "2025-01-01", "to": "2025-12-31"} for w in words[18:24]]
    out += [{"q": w, "sort": "date"} for w in words[24:30]]
    out += [{"q": w, "page": "3"} for w in words[30:34]]
    out += [{"q": w, "dept": depts[0], "kind": "policy", "sort": "date"} for w in pairs[:4]]
    return out


def scan_pattern(word: str) -> re.Pattern:
    """A plain substring scan, except that a match may not start or end inside a run of letters
    or digits (5g is not in 25g): that is a different word, and no search engine finds it."""
    folded = fold(word)
    before = "(?<![a-z0-9])" if folded[0].isascii() and folded[0].isalnum() else ""
    after = "(?![a-z0-9])" if folded[-1].isascii() and folded[-1].isalnum() else ""
    return re.compile(before + re.escape(folded) + after)


def with_backend(cluster, backend: str):
    search = cluster.site.search.model_copy(update={"backend": backend})
    return dataclasses.replace(cluster, site=cluster.site.model_copy(update={"search": search}))


def drop_tables(dsn: str) -> None:
    import psycopg
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in (TABLE, TABLE + "_new", "sitegen_search_state"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")


def pg_size(dsn: str) -> int:
    import psycopg
    with psycopg.connect(dsn) as conn:
        return conn.execute(f"SELECT pg_total_relation_size('{TABLE}')").fetchone()[0]


def measure(backend: str, cluster, env, theme, work: Path, dsn: str | None) -> dict:
    figures: dict = {}
    search = work / backend
    cluster = with_backend(cluster, backend)
    if backend == "postgres":
        drop_tables(dsn)
    shells, templates, info = render_shells(cluster, env), theme_templates(theme), meta(cluster)
    t, cpu = time.perf_counter(), cpu_s()
    with MemorySampler() as memory:
        report = update_index(cluster, search, shells, templates, info, dsn)
    figures["full_index_s"] = round(time.perf_counter() - t, 1)
    # CPU seconds of this process and its workers: on a machine shared with other work, wall
    # time says more about the neighbours than about the index.
    figures["full_index_cpu_s"] = round(cpu_s() - cpu, 1)
    figures["peak_pss_total_mib"] = round(memory.peak / 2**20)
    figures["load_average"] = round(os.getloadavg()[0], 1)
    apparent, disk = size(report.path)
    figures["index_bytes"] = pg_size(dsn) + apparent if backend == "postgres" else apparent
    print(f"[{backend}] full index: {report.documents} pages in {figures['full_index_s']}s "
          f"({figures['full_index_cpu_s']} CPU s in this process and its workers, not the database's); "
          f"index {figures['index_bytes'] / 2**20:.0f} MiB; peak PSS of this process and its workers "
          f"{figures['peak_pss_total_mib']} MiB; load average {figures['load_average']}")

    edited = dict(cluster.pages)
    for pid in list(edited)[len(edited) // 2:len(edited) // 2 + 10]:
        edited[pid] = dataclasses.replace(edited[pid], text=edited[pid].text + "本页于基准测试中修改。")
    t, cpu = time.perf_counter(), cpu_s()
    again = update_index(dataclasses.replace(cluster, pages=edited), search, shells, templates, info, dsn)
    figures["reindex_10_s"] = round(time.perf_counter() - t, 2)
    figures["reindex_10_cpu_s"] = round(cpu_s() - cpu, 2)
    assert (again.changed, again.added, again.removed, again.full) == (10, 0, 0, False), again
    print(f"[{backend}] re-index after 10 pages changed: {figures['reindex_10_s']}s "
          f"({figures['reindex_10_cpu_s']} CPU s); load average {os.getloadavg()[0]:.1f}")

    app = SearchService(search, dsn=dsn)
    generation = app.generation()
    searcher = generation.searcher()
    texts = {pid: fold(f"{p.title}\n{p.summary}\n{p.text}") for pid, p in edited.items()}
    recall, found_all, scanned_all = {}, 0, 0
    for word in RECALL_WORDS:
        pattern = scan_pattern(word)
        scan = {pid for pid, text in texts.items() if pattern.search(text)}
        hits = matches(searcher, word, generation.vocab)
        recall[word] = f"{len(hits & scan)}/{len(scan)}"
        found_all += len(hits & scan)
        scanned_all += len(scan)
    figures["recall"] = round(found_all / max(scanned_all, 1), 4)
    figures["recall_words"] = recall
    print(f"[{backend}] recall against a substring scan over {len(RECALL_WORDS)} words: {found_all}/{scanned_all} "
          f"({', '.join(f'{w} {r}' for w, r in recall.items())})")

    fixed = queries(cluster)
    latencies, cpu_times = [], []
    for params in fixed + fixed:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/search/", "QUERY_STRING": urlencode(params)}
        t, c = time.perf_counter(), time.process_time()
        body = b"".join(app(environ, lambda s, h: None))
        latencies.append(time.perf_counter() - t)
        cpu_times.append(time.process_time() - c)
        assert b"sitegen:search-results" not in body
    timed = sorted(latencies[len(fixed):])
    # This process's CPU time per query (the database's own is not in it): on a machine shared
    # with other work, the wall time also counts the time spent waiting for a CPU.
    cpu_timed = sorted(cpu_times[len(fixed):])
    figures["queries"] = len(fixed)
    for name, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        figures[f"{name}_ms"] = round(timed[min(len(timed) - 1, int(len(timed) * share))] * 1000, 1)
        figures[f"cpu_{name}_ms"] = round(cpu_timed[min(len(timed) - 1, int(len(timed) * share))] * 1000, 1)
    figures["max_ms"] = round(timed[-1] * 1000, 1)
    # The warm-up pass, on a service just started: every posting list is decoded for the first
    # time (the timed pass finds those its queries share in the service's cache).
    cold = sorted(latencies[:len(fixed)])
    for name, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
        figures[f"cold_{name}_ms"] = round(cold[min(len(cold) - 1, int(len(cold) * share))] * 1000, 1)
    figures["cold_max_ms"] = round(cold[-1] * 1000, 1)
    slowest = sorted(zip(latencies[len(fixed):], fixed), key=lambda x: -x[0])[:3]
    print(f"[{backend}] latency over {len(fixed)} queries through the WSGI app: p50 {figures['p50_ms']} ms, "
          f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms (CPU of this process: "
          f"p50 {figures['cpu_p50_ms']}, p95 {figures['cpu_p95_ms']}, p99 {figures['cpu_p99_ms']} ms); slowest "
          + ", ".join(f"{params} {t * 1000:.0f} ms" for t, params in slowest))
    print(f"[{backend}] the warm-up pass (first queries of a new service): p50 {figures['cold_p50_ms']} ms, "
          f"p95 {figures['cold_p95_ms']} ms, p99 {figures['cold_p99_ms']} ms, max {figures['cold_max_ms']} ms; "
          f"load average {os.getloadavg()[0]:.1f}")
    return figures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--departments", type=int, default=40)
    ap.add_argument("--pages", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cluster", type=Path, default=None, help="use this generated cluster instead")
    ap.add_argument("--backends", default="whoosh,postgres")
    ap.add_argument("--dsn", default=os.environ.get(DSN_ENV), help=f"PostgreSQL database (default: ${DSN_ENV})")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)

    root = args.cluster or OUT / "search-cluster"
    if args.cluster is None:
        ensure_cluster(root, args.departments, args.pages, args.seed)
    figures: dict = {"cluster": str(root)}

    t = time.perf_counter()
    records, problems = load(root.resolve())
    cluster, found = assemble(records)
    if errors_in(problems + found):
        for p in errors_in(problems + found)[:10]:
            print(p, file=sys.stderr)
        print("the synthetic cluster does not load; see the problems above", file=sys.stderr)
        return 1
    theme, _ = load_theme(root, cluster.site.theme)
    env = environment(theme)
    figures["pages"] = len(cluster.pages)
    figures["characters"] = sum(len(p.text) for p in cluster.pages.values())
    figures["load_assemble_s"] = round(time.perf_counter() - t, 1)
    print(f"loaded and assembled {len(cluster.pages)} pages ({figures['characters'] / 1e6:.1f}M characters) "
          f"in {figures['load_assemble_s']}s (not part of the figures below); RSS now "
          f"{rss_mib(resource.RUSAGE_SELF):.0f} MiB")

    backends = [b for b in args.backends.split(",") if b]
    if "postgres" in backends and not args.dsn:
        print(f"no PostgreSQL database (--dsn or {DSN_ENV}): measuring whoosh only", file=sys.stderr)
        backends.remove("postgres")
    work = Path(tempfile.mkdtemp(prefix="sitegen-search-bench-"))
    try:
        for backend in backends:
            figures[backend] = measure(backend, cluster, env, theme, work, args.dsn if backend == "postgres" else None)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = ["full_index_s", "full_index_cpu_s", "load_average", "reindex_10_s", "reindex_10_cpu_s", "peak_pss_total_mib", "index_bytes", "recall", "queries", "p50_ms",
            "p95_ms", "p99_ms", "max_ms", "cpu_p50_ms", "cpu_p95_ms", "cpu_p99_ms", "cold_p50_ms", "cold_p95_ms",
            "cold_p99_ms", "cold_max_ms"]
    print(f"\n{figures['pages']} pages          " + "".join(f"{b:>12}" for b in backends))
    for name in rows:
        print(f"{name:<22}" + "".join(f"{figures[b][name]:>12}" for b in backends))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
