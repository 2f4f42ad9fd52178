"""The language server's worker processes: the analysis of many filters at once, for the
first publication of a large document.

This module imports only leadq (no pygls): where a worker is spawned, it imports the
module of the function it runs. On Linux the server forks its workers when it starts,
before pygls starts a thread (a copy of a process with threads may copy a lock half-held);
elsewhere they are spawned by the first large publication.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

import leadq

from ..core.collector import paused
from ..core.diagnostics import Severity
from ..pipeline import analyze, fingerprint_or_none

if TYPE_CHECKING:
    from leadq import Diagnostic

#: LSP's numbers of the severities (DiagnosticSeverity).
SEVERITY = {"error": 1, "warning": 2, "info": 3}

#: A fix as the server sends it: its title, whether it is safe, and its edits of the
#: filter (start, end, replacement).
WireFix = tuple[str, bool, tuple[tuple[int, int, str], ...]]
#: A diagnostic as the server places it: its span in the filter (start, end), code, LSP
#: severity, message as shown (the hint on its own line), hint, and fixes. Plain tuples:
#: a worker sends 20,000 of them in a third of the time `Diagnostic` objects take, and the
#: server builds each LSP diagnostic from one without looking anything up.
Shown = tuple[int, int, str, int, str, "str | None", tuple[WireFix, ...]]
#: What the server remembers of a filter: its diagnostics and its fingerprint (None when
#: it has errors).
Found = tuple[tuple[Shown, ...], "str | None"]


def shown(d: Diagnostic) -> Shown:
    """A diagnostic as the server places it."""
    fixes = tuple([(f.title, f.safe, tuple([(e.start, e.end, e.replacement) for e in f.edits])) for f in d.fixes])
    hint = d.hint
    message = f"{d.message}\nhint: {hint}" if hint else d.message
    return (d.start, d.end, d.code, _SEVERITY[d.severity], message, hint, fixes)


_SEVERITY = {Severity(name): number for name, number in SEVERITY.items()}


def analysis(text: str, schema: leadq.Schema, role: str | None) -> Found:
    """A filter's diagnostics and fingerprint, as the server publishes them."""
    a = analyze(text, schema, stored=True, role=role)  # the schema and role as the server checked them
    return tuple(shown(d) for d in a.diagnostics), fingerprint_or_none(a)


def analyses(texts: Sequence[str], method: str, role: str | None) -> list[Found]:
    """The analysis of each text (run in a worker: the schema goes by its name). The
    cyclic collector waits meanwhile: the passes make no cycles, and it would scan the
    results again and again."""
    schema = leadq.schema(method)
    with paused():
        return [analysis(text, schema, role) for text in texts]


def ready(method: str) -> None:
    """Make a worker ready to check filters of `method` (its schema read, the modules a
    finding needs imported): the first task of each, and, before forking them, the
    server's own."""
    analyses(["reslt = 1"], method, None)


def _started() -> None:
    """A worker's set-up: Ctrl-C is the server's to handle; the editor's pipes (the
    server's standard input and output, which a forked worker holds too) are left, so that
    the editor sees the server's end as soon as the server's own process ends; and the
    worker ends with the server, even one killed (a worker waiting for work would wait
    for ever)."""
    import multiprocessing
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), name="leadq-server-watch", daemon=True).start()


def _end_with(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])  # ready once the server's process has ended
    os._exit(0)


def pool(method: str, *, fork: bool = False) -> ProcessPoolExecutor | None:
    """Worker processes, one per core up to four, each started at once and made ready to
    check filters of `method`; None on a machine of one core.

    `fork`: copies of this process, made now, after this process has made itself ready
    (the caller makes sure it has no other thread yet): each copy starts with leadq
    imported and the schema read, in a few milliseconds. Otherwise each is spawned, a new
    interpreter importing leadq (about a tenth of a second of CPU each)."""
    import multiprocessing

    from ..batch import cores

    count = min(cores(), 4)
    if count < 2:
        return None
    if fork:
        ready(method)  # what each copy needs, made once here
    context = multiprocessing.get_context("fork" if fork else "spawn")
    before = set(multiprocessing.active_children())
    workers = ProcessPoolExecutor(count, mp_context=context, initializer=_started)
    try:
        for _ in range(count):  # forked all at the first; spawned one for each while none is idle
            workers.submit(ready, method)
    except BaseException:  # no process to be had (a limit): none left behind waiting
        workers.shutdown(wait=False, cancel_futures=True)
        for started in set(multiprocessing.active_children()) - before:
            started.kill()
            started.join(5)
        raise
    return workers
