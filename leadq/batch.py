"""Many filters at once: `check_many` streams results in input order, analysing each
distinct text once; `check_series` turns a pandas Series of filters into columns (the
`pandas` extra), which is also what a Dask or Spark job maps over its partitions.

Parallel work pays only past a break-even: starting worker processes and sending
filters and results between them costs more than checking a few thousand filters in
this process (docs/performance.md gives the measured figure), so smaller batches never
leave it.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from .core.diagnostics import Diagnostic
from .core.messages import value_repr
from .pipeline import analyze, fingerprint_or_none
from .schemas.methods import LEADS_LIST, resolve
from .schemas.schema import Schema, checked_role

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    import pandas

#: What each check takes besides the text: the schema, stored, role, q, cli.
_Settings = tuple[Schema, bool, "str | None", bool, bool]

#: Below this many distinct filters in a batch, worker processes cost more than they save
#: (measured on 2 cores: 2 jobs take 0.86 x the time of 1 at 400 filters, 1.5 x less at 1,000).
BREAK_EVEN = 1_000
#: Filters read from the input at a time (results stream out batch by batch).
BATCH = 20_000
#: Distinct texts remembered, so that repeats anywhere in a long stream are analysed once.
REMEMBERED = 200_000


@attrs.frozen
class Checked:
    """One filter's result in a batch.

    Attributes:
        text: the filter.
        q: its q, or None when it does not compile.
        diagnostics: every error, warning and note.
        fingerprint: `leadq.fingerprint` of the filter, or None when it has no meaning.
    """

    text: str
    q: str | None
    diagnostics: tuple[Diagnostic, ...]
    fingerprint: str | None

    @property
    def ok(self) -> bool:
        return self.q is not None


def check_one(
    text: str,
    schema: Schema = LEADS_LIST,
    stored: bool = False,
    role: str | None = None,
    q: bool = False,
    cli: bool = False,
) -> Checked:
    """The result of one filter (what `check_many` computes for each distinct text;
    `cli`: hints in the command line's words)."""
    a = analyze(text, schema, stored=stored and not q, role=None if q else role, raw_q=q, cli=cli)
    return Checked(text, a.q, tuple(a.diagnostics), fingerprint_or_none(a))


def check_many(
    texts: Iterable[str],
    *,
    jobs: int = 1,
    schema: Schema | str = LEADS_LIST,
    stored: bool = False,
    role: str | None = None,
    q: bool = False,
) -> Iterator[Checked]:
    """Check many filters, yielding a result per input in input order.

    Each distinct text is analysed once (stores of saved filters repeat themselves), and
    the input is read batch by batch, so a stream of any length fits in memory.

    Args:
        texts: the filters.
        jobs: worker processes (0: one per core). Batches with fewer distinct filters
            than the break-even are checked in this process whatever `jobs` says.
        schema: the API method's criteria (as for `leadq.check`).
        stored: the filters will be saved: warn about relative periods (W605).
        role: the API role that will run them: warn about conditions on fields it cannot
            see (W606).
        q: the texts are raw q strings.

    Raises:
        LeadqError: `schema` names no method (E211), or `role` is no role of it (E212).
        TypeError: an input that is not a str, `texts` that is one str, or `jobs` that
            is not a whole number.
    """
    return checked(texts, jobs=jobs, schema=schema, stored=stored, role=role, q=q)


def checked(
    texts: Iterable[str],
    *,
    jobs: int = 1,
    schema: Schema | str = LEADS_LIST,
    stored: bool = False,
    role: str | None = None,
    q: bool = False,
    cli: bool = False,
) -> Iterator[Checked]:
    """`check_many`, and with `cli` the hints in the command line's words (`leadq check`)."""
    if not isinstance(jobs, int) or jobs < 0:
        raise TypeError(f"jobs must be a whole number from 0 up, not {value_repr(jobs)}")
    if isinstance(texts, str):  # one filter, which would be checked as its characters
        raise TypeError("texts must be an iterable of filters, not one str: check_many([text]), or check(text)")
    schema = resolve(schema)
    role = checked_role(role, schema)
    workers = jobs or cores()
    memo: dict[str, Checked] = {}
    pool: _Workers | None = None
    pending: tuple[list[str], _Job | list[Checked]] | None = None  # a batch the workers are checking

    def one(text: str) -> Checked:
        return check_one(text, schema, stored, role, q, cli)

    def finish(batch: list[str], results: _Job | list[Checked]) -> Iterator[Checked]:
        done = results.results(one) if isinstance(results, _Job) else results
        if len(memo) + len(done) > REMEMBERED:
            memo.clear()
        for result in done:
            memo[result.text] = result
        for text in batch:
            yield memo[text] if text in memo else one(text)

    completed = False
    try:
        for batch in _batches(texts):
            waiting = set() if pending is None else set(pending[0])
            fresh = list(dict.fromkeys(t for t in batch if t not in memo and t not in waiting))
            if workers > 1 and len(fresh) >= BREAK_EVEN:
                if pool is None:
                    pool = _Workers(workers, (schema, stored, role, q, cli))
                # only the texts travel; submitted before the last batch is handed out, so
                # the workers never wait
                chunk = max(50, min(500, len(fresh) // (workers * 8)))
                results: _Job | list[Checked] = pool.check(fresh, chunk)
            else:
                results = [one(t) for t in fresh]
            if pending is not None:
                yield from finish(*pending)
            pending = (batch, results)
        if pending is not None:
            yield from finish(*pending)
        completed = True
    finally:
        if pool is not None:
            # stopped early (Ctrl-C, or the caller stopped reading): the work left is not wanted
            pool.stop(kill=not completed)


def cores() -> int:
    """The processors this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"each filter must be a str, not {type(text).__name__}")
        batch.append(text)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _Workers:
    """Worker processes, each with a pipe of its own to this process, and one thread here
    that hands out the jobs' texts, a chunk per worker at a time, job after job (so that
    the caller can hand out a job's results while the next is checked). Nothing is shared
    between the workers, so stopping them at any moment (Ctrl-C) cannot hang this process,
    as `multiprocessing.Pool.terminate()` can: a worker stopped while it writes to the
    pool's one result queue keeps that queue's lock for ever."""

    def __init__(self, count: int, settings: _Settings) -> None:
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        forked = context.get_start_method() == "fork"
        self.links: list[Connection] = []
        self.processes: list[BaseProcess] = []
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        try:
            for _ in range(count):
                mine, theirs = context.Pipe()
                self.links.append(mine)
                # a forked worker closes its copies of this process's ends, so that it reads the
                # end of its pipe when this process goes
                inherited = self.links[:] if forked else []
                process = context.Process(target=_serve, args=(theirs, inherited, settings), daemon=True)
                self.processes.append(process)
                process.start()
                theirs.close()
        except BaseException:
            self.stop(kill=True)
            raise

    def check(self, texts: list[str], chunk: int) -> _Job:
        """Start checking `texts`, `chunk` at a time; the job's `results` waits for them."""
        job = _Job([texts[i : i + chunk] for i in range(0, len(texts), chunk)])
        self.jobs.put(job)
        if self.thread is None:
            self.thread = threading.Thread(target=self._hand_out, daemon=True)
            self.thread.start()
        return job

    def _hand_out(self) -> None:
        """The thread's work: each job in turn, until None; then the workers are told that
        no more comes, and the pipes closed (only this thread touches them once it runs)."""
        from multiprocessing.connection import wait

        idle = list(self.links)
        try:
            while (job := self.jobs.get()) is not None:
                waiting = list(range(len(job.chunks)))[::-1]
                busy: dict[Connection, int] = {}  # a worker's link -> the chunk it checks
                while (waiting and idle) or busy:
                    while waiting and idle:
                        link, k = idle.pop(), waiting.pop()
                        try:
                            link.send(job.chunks[k])
                            busy[link] = k
                        except Exception:  # the worker is gone (stopped, or died): the chunk waits
                            link.close()
                            waiting.append(k)
                    if not busy:
                        continue  # no worker left: the job ends, and the rest is checked here
                    ready = wait(list(busy))
                    for link in [link for link in busy if link in ready]:
                        k = busy.pop(link)
                        try:
                            done = link.recv()
                        except Exception:
                            link.close()
                            waiting.append(k)
                            continue
                        if done is not None:  # None: the worker could not check it (`results` does)
                            job.done[k] = done
                        idle.append(link)
                job.finished.set()  # what no worker could check, `results` checks
        finally:
            self._close()

    def stop(self, *, kill: bool) -> None:
        """Stop the workers: at once (`kill`), or, every job done, once each has read that
        no more comes."""
        started = [p for p in self.processes if p.pid is not None]
        if kill:
            for process in started:
                process.kill()  # the thread reads the end of their pipes
        if self.thread is not None:
            self.jobs.put(None)  # the thread closes the pipes
            # ends at once: a killed worker's pipe ends, and each job is then left to `results`
            self.thread.join(10 if kill else None)
        else:
            self._close()
        for process in started:
            process.join()

    def _close(self) -> None:
        """Tell each worker that no more texts come, and close the pipes."""
        for link in self.links:
            with contextlib.suppress(Exception):
                link.send(None)
            link.close()


class _Job:
    """Texts the workers check, in chunks; `done` holds each chunk's results once back."""

    def __init__(self, chunks: list[list[str]]) -> None:
        self.chunks = chunks
        self.done: list[list[Checked] | None] = [None] * len(chunks)
        self.finished = threading.Event()

    def results(self, check: Callable[[str], Checked]) -> list[Checked]:
        """Every result in the order of the texts; a chunk no worker could check (they were
        stopped, or died) is checked here with `check`."""
        while not self.finished.wait(0.5):  # a wait with a timeout: Ctrl-C gets through everywhere
            pass
        out: list[Checked] = []
        for chunk, done in zip(self.chunks, self.done, strict=True):
            out += done if done is not None else [check(text) for text in chunk]
        return out


def _serve(link: Connection, parents: list[Connection], settings: _Settings) -> None:
    """A worker: check each list of texts it is sent, until it is sent None or its pipe
    ends. A list it cannot check, or whose results cannot be sent, is answered with None:
    the parent checks it, and says what went wrong as it would have without workers."""
    _settle(settings)
    for end in parents:
        end.close()
    while True:
        try:
            texts = link.recv()
        except (EOFError, OSError):
            return
        if texts is None:
            return
        try:
            link.send([_check(text) for text in texts])
        except (EOFError, OSError):
            return
        except Exception:
            link.send(None)


#: A worker's settings (schema, stored, role, q, cli), given once when the worker starts.
_settings: _Settings = (LEADS_LIST, False, None, False, False)


def _settle(settings: _Settings) -> None:
    global _settings
    _settings = settings
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, not each worker's


def _check(text: str) -> Checked:
    return check_one(text, *_settings)


# -- pandas -----------------------------------------------------------------------------------

COLUMNS = ("ok", "q", "codes", "message", "fingerprint")


def check_series(
    filters: pandas.Series, *, jobs: int = 1, schema: Schema | str = LEADS_LIST, stored: bool = False
) -> pandas.DataFrame:
    """A DataFrame with one row per filter of `filters` (same index): ``ok`` (it
    compiles), ``q``, ``codes`` (the diagnostic codes, comma-separated), ``message``
    (the first error's, or the first warning's) and ``fingerprint``. Missing values count
    as the empty filter. Needs the `pandas` extra.

    A Dask or Spark job maps it over partitions: see docs/performance.md.
    """
    import pandas

    texts = ["" if not isinstance(v, str) else v for v in filters.tolist()]
    rows = []
    for r in check_many(texts, jobs=jobs, schema=schema, stored=stored):
        first = next((d for d in r.diagnostics if d.severity.value == "error"), None) or next(
            (d for d in r.diagnostics if d.severity.value == "warning"), None
        )
        rows.append(
            (r.ok, r.q, ",".join(d.code for d in r.diagnostics), first.message if first else None, r.fingerprint)
        )
    return pandas.DataFrame(rows, columns=list(COLUMNS), index=filters.index)


def frame_meta() -> pandas.DataFrame:
    """An empty frame with `check_series`'s columns and types (Dask's `meta=`)."""
    import pandas

    return pandas.DataFrame(
        {
            "ok": pandas.Series(dtype=bool),
            "q": pandas.Series(dtype=object),
            "codes": pandas.Series(dtype=object),
            "message": pandas.Series(dtype=object),
            "fingerprint": pandas.Series(dtype=object),
        }
    )
