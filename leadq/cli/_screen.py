"""The terminal while `leadq fetch` runs: a status line on stderr kept apart from the data,
and Ctrl-C that never cuts a line of data in two.

The status line is drawn only when stderr is a terminal (or `--progress`), five times a
second from the run's counts, so that it moves while pages arrive whether leads match or
not. When the data goes to the same terminal, the line is wiped before each piece of data
and drawn again after, so it never lands inside a line of JSON or CSV. (A library such as
rich redraws a live line as well, but it re-renders what it redirects from stdout — wrapping
and interpreting it — where the data must reach the terminal byte for byte; one line needs
no more than this.)
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from leadq.client import Stats

#: Seconds between two drawings of the status line.
TICK = 0.2


class Screen:
    """The status line on `err` and the data on `out`, drawn apart."""

    def __init__(self, out: IO[str], err: IO[str], stats: Callable[[], Stats], *, show: bool) -> None:
        self.out = out
        self.err = err
        self.stats = stats
        self.show = show
        self.shared = show and _isatty(out)  # the data goes to the terminal the line is on
        self.start = time.monotonic()
        self._lock = threading.Lock()
        self._drawn = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Screen:
        if self.show:
            self._thread = threading.Thread(target=self._tick, name="leadq-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._wipe()
            if self.show and kind is None:
                self.err.write(self.line() + "\n")  # the run's last counts stay on screen
                self.err.flush()

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            with self._lock:
                self.err.write("\r" + self.line() + "\x1b[K")
                self.err.flush()
                self._drawn = True

    def line(self) -> str:
        s = self.stats()
        retries = f" ({s.retries} {'retry' if s.retries == 1 else 'retries'})" if s.retries else ""
        return (
            f"fetch: {s.requests:,} requests{retries} · {s.pages:,} pages · {s.leads_transferred:,} leads read · "
            f"{s.leads_returned:,} returned · {time.monotonic() - self.start:.1f} s"
        )

    def _wipe(self) -> None:
        if self._drawn:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self._drawn = False

    def data(self, text: str) -> None:
        """Write data to `out`, never inside the status line."""
        with self._lock:
            if self.shared:
                self._wipe()
            self.out.write(text)
            if self.shared:
                self.out.flush()

    def message(self, text: str) -> None:
        """A message on stderr, on lines of its own."""
        with self._lock:
            self._wipe()
            self.err.write(text + "\n")
            self.err.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Interrupts:
    """Ctrl-C (SIGINT) that waits for the piece of data being written to end.

    Outside `writing()`, SIGINT raises KeyboardInterrupt at once, as Python's own handler
    does; inside, it is held until the piece is whole. Only in the main thread (where
    Python runs signal handlers); elsewhere it changes nothing.
    """

    def __init__(self) -> None:
        self._writing = False
        self._pending = False
        self._previous: Callable[[int, FrameType | None], object] | int | None = None
        self._installed = False

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._writing:
            self._pending = True
        else:
            raise KeyboardInterrupt

    def writing(self) -> _Writing:
        return _Writing(self)


class _Writing:
    def __init__(self, owner: Interrupts) -> None:
        self.owner = owner

    def __enter__(self) -> None:
        self.owner._writing = True

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.owner._writing = False
        if self.owner._pending:
            self.owner._pending = False
            if kind is None:
                raise KeyboardInterrupt
