"""Fork pools over inherited work: a task names a range of items the worker processes already hold."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Generic, Iterator, TypeVar

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


class Forked(Generic[R]):
    """``work()`` begun in a forked process, on what the parent held then (nothing is pickled on the
    way in); calling this waits for its result. Not ``apart`` (too little work to be worth a fork)
    or without fork, ``work()`` runs when called. ``idle``: the process runs at the lowest priority,
    on whatever CPU the others leave.

    The result goes to an already deleted file, not to a pipe someone must drain: a caller that
    fails in between and never asks leaves a process that still ends on its own (or is stopped).
    """

    def __init__(self, work: Callable[[], R], apart: bool = True, idle: bool = False):
        self._work = work
        self._process: multiprocessing.process.BaseProcess | None = None
        if not apart or "fork" not in multiprocessing.get_all_start_methods():
            return
        self._results = tempfile.TemporaryFile()

        def send() -> None:
            if idle:
                os.nice(19)
            try:
                outcome: tuple[bool, Any] = (True, work())
            except BaseException as e:      # noqa: BLE001 -- raised again where the result is asked for
                outcome = (False, e)
            pickle.dump(outcome, self._results, protocol=5)
            self._results.flush()

        self._process = multiprocessing.get_context("fork").Process(target=send, daemon=True)
        self._process.start()

    def __call__(self) -> R:
        if self._process is None:
            return self._work()
        self._process.join()
        try:
            self._results.seek(0)
            ok, value = pickle.load(self._results)
        except (EOFError, pickle.UnpicklingError):
            raise RuntimeError("a forked process ended without its result "
                               f"(exit code {self._process.exitcode})") from None
        finally:
            self._results.close()
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """The result is not wanted: end the process now."""
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._results.close()
