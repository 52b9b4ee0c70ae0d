"""Fork pools over inherited work: a task names a range of items the worker processes already hold."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterator, TypeVar

R = TypeVar("R")

# What a forked worker runs for one item, inherited through fork: never pickled, so it may be a
# closure over the pages or views of the parent, which the workers then read without a copy.
_work: Callable[[int], Any] | None = None


def _chunk(start: int, stop: int) -> list[Any]:
    assert _work is not None
    return [_work(i) for i in range(start, stop)]


def fan_out(work: Callable[[int], R], count: int, workers: int | None, serial_below: int, chunk: int) -> Iterator[R]:
    """``work(0)`` … ``work(count - 1)`` in order; in forked processes (``workers``, default one per
    CPU) when there are at least ``serial_below`` items, below which a pool costs more than it saves."""
    global _work
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or count < serial_below or "fork" not in multiprocessing.get_all_start_methods():
        for i in range(count):
            yield work(i)
        return
    _work = work
    try:
        starts = range(0, count, chunk)
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for results in pool.map(_chunk, starts, [min(s + chunk, count) for s in starts]):
                yield from results
    finally:
        _work = None


def apart(work: Callable[[], bool]) -> Callable[[], bool]:
    """Begin ``work()`` in a forked process, on what this one holds now (nothing is pickled); the
    function returned waits for it and says whether it succeeded. Without fork, it runs here, now.

    A thread would not do: each call into SQLite gives up the GIL and then waits for it behind the
    caller's pure-Python work, so a thread storing the cache alongside the check barely moved."""
    if "fork" not in multiprocessing.get_all_start_methods():
        done = work()
        return lambda: done
    process = multiprocessing.get_context("fork").Process(target=lambda: sys.exit(0 if work() else 1), daemon=True)
    process.start()

    def wait() -> bool:
        process.join()
        return process.exitcode == 0
    return wait
