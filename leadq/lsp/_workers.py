"""The language server's worker processes: the analysis of many filters at once, for the
first publication of a large document.

This module imports only leadq (no pygls): a worker is started by `spawn`, which imports
the module of the function it runs, and the server's process has threads (pygls reads
standard input in one), which `fork` would copy half-way.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

import leadq

from ..core.collector import paused

if TYPE_CHECKING:
    from leadq import Diagnostic

#: What the server remembers of a filter: its diagnostics and its fingerprint (None when
#: it has errors).
Found = tuple[list["Diagnostic"], "str | None"]


def analysis(text: str, schema: leadq.Schema, role: str | None) -> Found:
    """A filter's diagnostics and fingerprint, as the server publishes them."""
    a = leadq.analyze(text, schema=schema, stored=True, role=role)
    try:
        fingerprint: str | None = a.fingerprint()
    except leadq.LeadqError:
        fingerprint = None
    return a.diagnostics, fingerprint


def analyses(texts: Sequence[str], method: str, role: str | None) -> list[Found]:
    """The analysis of each text (run in a worker: the schema goes by its name). The
    cyclic collector waits meanwhile: the passes make no cycles, and it would scan the
    results again and again."""
    schema = leadq.schema(method)
    with paused():
        return [analysis(text, schema, role) for text in texts]


def _quiet() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle


def pool() -> ProcessPoolExecutor | None:
    """Worker processes, one per core up to four; None on a machine of one core."""
    import multiprocessing

    from ..batch import cores

    count = cores()
    if count < 2:
        return None
    return ProcessPoolExecutor(min(count, 4), mp_context=multiprocessing.get_context("spawn"), initializer=_quiet)
