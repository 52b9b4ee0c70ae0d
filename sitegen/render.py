"""Job -> bytes: templates rendered with their frozen views, keyed by what they depend on, handed to the writer."""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import traceback
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import jinja2

from .cache import DIGEST, code_version, digest
from .errors import BuildFailed, Problem
from .plan import Job
from .pool import fan_out
from .theme import Theme, template_digests

Progress = Callable[[int, int], None]
# What the caller wants to know of each rendered HTML output, worked out where it was rendered
# (the build's check reads its facts of every page from here instead of from the written file).
Facts = Callable[[bytes], Any]
# Where an output's bytes go (path, bytes): called where it was rendered, a worker process included.
Put = Callable[[str, bytes], None]
PARALLEL_FROM = 400      # outputs to render; below this a process pool costs more than it saves
CHUNK = 64               # jobs per task sent to a worker
KEY_CHUNK = 512          # jobs per task when only their keys come back


@dataclass(frozen=True)
class Renderer:
    """Renders jobs with one environment; knows the digest of each template and of the globals."""

    env: jinja2.Environment
    templates: Mapping[str, str]      # template name -> digest of it and everything it includes
    context: str                      # digest of what every template sees besides its view (site, assets)

    def key(self, job: Job) -> str:
        """The cache key of an output: an unchanged key means unchanged bytes."""
        h = hashlib.sha256()
        if job.template is None:
            h.update(b"raw\0")
            h.update(job.view)
        else:
            h.update(self.context.encode())
            h.update(self.templates[job.template].encode())
            # repr, not pickle: a dataclass's repr is its values alone, while a pickle also
            # records which values happen to be one shared object, which differs between builds.
            h.update(repr(job.view).encode())
        return h.hexdigest()[:DIGEST]

    def keys(self, jobs: Sequence[Job], workers: int | None = None) -> list[str]:
        """``key()`` of each job, in order: in forked processes when there are many."""
        return list(fan_out(lambda i: self.key(jobs[i]), len(jobs), workers, PARALLEL_FROM, KEY_CHUNK))

    def render(self, job: Job) -> bytes:
        if job.template is None:
            return job.view
        try:
            return self.env.get_template(job.template).render(vars(job.view)).encode()
        except jinja2.TemplateError as e:
            raise BuildFailed([_problem(job, e)]) from None


def _problem(job: Job, e: jinja2.TemplateError) -> Problem:
    """A theme mistake as a problem: the template and line where Jinja can tell, and the page it broke."""
    where = getattr(e, "filename", None) or job.template or ""
    line = getattr(e, "lineno", None)
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename.endswith((".html", ".xml")):
            where, line = frame.filename, frame.lineno
            break
    return Problem(where, line, "(template)", f"a template that renders {job.url}",
                   f"{type(e).__name__}: {e.message or e}")


def renderer(env: jinja2.Environment, theme: Theme, site_digest: str) -> Renderer:
    assets = "".join(f"{k}={a.url};" for k, a in sorted(theme.assets.items()))
    # sitegen's own code is part of every key: a changed filter or global changes bytes the views do not show.
    context = digest(code_version(), site_digest, assets)
    return Renderer(env, template_digests(env, theme), context)


# The renderer, the jobs, the facts function and the writer of a worker process, inherited through
# fork: never pickled, never shared. A task names a range of jobs, and only their keys (when asked)
# and facts come back.
_worker: tuple[Renderer, Sequence[Job], Facts | None, Put, bool] | None = None
IN_FLIGHT = 4            # chunks per worker sent ahead: the parent records each as it finishes


def _output(r: Renderer, job: Job, facts: Facts | None, put: Put, keyed: bool) -> tuple[str | None, Any]:
    data = r.render(job)
    put(job.path, data)
    return (r.key(job) if keyed else None,
            facts(data) if facts is not None and job.template and job.path.endswith(".html") else None)


def _render_chunk(start: int, stop: int) -> list[tuple[str | None, Any]] | Problem:
    assert _worker is not None
    r, jobs, facts, put, keyed = _worker
    try:
        return [_output(r, jobs[i], facts, put, keyed) for i in range(start, stop)]
    except BuildFailed as e:
        return e.problems[0]     # a Problem crosses back to the parent; an exception with a list would not


def render_all(r: Renderer, jobs: Sequence[Job], put: Put, progress: Progress | None = None,
               workers: int | None = None, facts: Facts | None = None,
               keyed: bool = False) -> Iterator[tuple[Job, str | None, Any]]:
    """Render ``jobs`` in a pool of forked processes when there are many (same bytes either way), each
    output's bytes handed to ``put`` where they were rendered; yields each job, in order, once it is
    written, with its key when ``keyed`` (else None), and ``facts`` of its bytes for an HTML output
    (else None).

    The workers write what they render: at 20,000 pages, sending the bytes back for the parent to
    write made the parent, alone, the slowest part of a cold build (a folder and a file per page).
    """
    global _worker
    workers = workers if workers is not None else (os.cpu_count() or 1)
    total = len(jobs)
    done = 0
    if workers < 2 or total < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        for job in jobs:
            yield (job, *_output(r, job, facts, put, keyed))
            done += 1
            if progress and (done % 200 == 0 or done == total):
                progress(done, total)
        return
    for name in {job.template for job in jobs if job.template}:
        r.env.get_template(name)        # compiled once here, inherited by every worker
    _worker = (r, jobs, facts, put, keyed)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            starts = iter(range(0, total, CHUNK))
            pending: deque[tuple[int, Future[list[tuple[str | None, Any]] | Problem]]] = deque()
            while True:
                for start in itertools.islice(starts, workers * IN_FLIGHT - len(pending)):
                    pending.append((start, pool.submit(_render_chunk, start, min(start + CHUNK, total))))
                if not pending:
                    break
                start, future = pending.popleft()
                results = future.result()
                if isinstance(results, Problem):
                    for _, later in pending:
                        later.cancel()
                    raise BuildFailed([results])
                for job, (key, found) in zip(jobs[start:start + CHUNK], results):
                    yield job, key, found
                done += len(results)
                if progress:
                    progress(done, total)
    finally:
        _worker = None
