"""Worker processes of the index stage: forked, so that they start with the cluster and the dictionary loaded."""

from __future__ import annotations

import gc
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from .analysis import Segmenter, segmenter
from .schema import Analysed, Entry, analyse

PARALLEL_FROM = 400     # pages to analyse before worker processes pay for their start
# Processes: one per CPU, up to 4 (each writes one whoosh segment of a new index, and a query
# reads every segment: more would cost each query more than they save the build).
WORKERS = 4

T = TypeVar("T")
R = TypeVar("R")


def count(items: int, least: int = PARALLEL_FROM) -> int:
    """How many worker processes ``items`` pages are worth: 1 means none, do the work here."""
    workers = min(WORKERS, os.cpu_count() or 1)
    return 1 if items < least or "fork" not in multiprocessing.get_all_start_methods() else workers


def in_slices(work: Callable[[Sequence[T]], R], items: Sequence[T], workers: int) -> list[R]:
    """``work`` of each of ``workers`` consecutive slices of ``items``, in order: each in a forked
    process (which inherits ``work`` and its slice, so nothing is pickled on the way in), or
    here for one slice. A worker's failure is raised here, with its traceback."""
    if workers < 2:
        return [work(items)]
    size = -(-len(items) // workers)
    slices = [items[k * size:(k + 1) * size] for k in range(workers)]
    context = multiprocessing.get_context("fork")
    # Frozen objects are left alone by the workers' garbage collector, so the cluster's memory
    # stays shared with them instead of being copied page by page.
    gc.freeze()
    started = []
    try:
        for part in slices:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_run, args=(work, part, send), daemon=True)
            process.start()
            send.close()
            started.append((process, receive))
        results = []
        for process, receive in started:
            try:
                ok, value = receive.recv()
            except EOFError:
                ok, value = False, f"an index worker process ended without an answer (exit code {process.exitcode})"
            if not ok:
                raise RuntimeError(f"an index worker process failed:\n{value}")
            results.append(value)
        return results
    finally:
        for process, receive in started:
            receive.close()
            if process.is_alive():
                process.terminate()
            process.join()
        gc.unfreeze()


def _run(work: Callable, part: Sequence, send) -> None:
    # A worker lives for one slice and leaves no cycles worth collecting: without the cyclic
    # collector, which would walk its growing posting tables again and again, it runs a sixth faster.
    gc.disable()
    try:
        result = (True, work(part))
    except BaseException:  # noqa: BLE001 - sent to the parent, which raises it
        result = (False, traceback.format_exc())
    send.send(result)
    send.close()


def analysed(todo: list[Entry], words: tuple[str, ...]) -> Iterator[Analysed]:
    """``schema.analyse`` of each entry, in order: in worker processes when there are many,
    here when there are few (a process costs more to start)."""
    if count(len(todo)) < 2:
        seg = segmenter(words)
        yield from (analyse(e, seg) for e in todo)
        return
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(count(len(todo)), _start_worker, (words,)) as pool:
            yield from pool.imap(_analyse_in_worker, todo, chunksize=32)
    finally:
        gc.unfreeze()


def mapped(f: Callable[[T], R], items) -> list[R]:
    """``map``, in worker processes for many items (the pinyin of a new lexicon's words)."""
    items = list(items)
    workers = count(len(items), least=5_000)
    if workers < 2:
        return list(map(f, items))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(f, items, chunksize=256)


_worker_segmenter: Segmenter | None = None


def _start_worker(words: tuple[str, ...]) -> None:
    global _worker_segmenter
    _worker_segmenter = segmenter(words)


def _analyse_in_worker(e: Entry) -> Analysed:
    assert _worker_segmenter is not None     # set by _start_worker, the pool's initializer
    return analyse(e, _worker_segmenter)
