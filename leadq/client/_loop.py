"""An event loop in a thread of its own, for `Client`: the run is `AsyncClient`'s, and a
caller interrupted while it waits (Ctrl-C) cancels what it waited for."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

R = TypeVar("R")

#: Seconds an interrupted call waits for the cancelled work to finish its clean-up.
GRACE = 1.0


class LoopThread:
    """A daemon thread running an asyncio event loop until `stop()`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="leadq-client", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self.loop.is_closed()

    def call(self, coro: Coroutine[Any, Any, R]) -> R:
        """Run `coro` in the loop and wait for its result. When the wait is interrupted
        (KeyboardInterrupt, or any exception raised in the waiting thread), the task is
        cancelled and given `GRACE` seconds to end before the exception goes on.

        Raises:
            RuntimeError: called from the loop's own thread (it would wait for itself).
        """
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("leadq: a client's loop cannot wait for itself")
        finished = threading.Event()
        box: dict[str, asyncio.Task[R]] = {}

        def start() -> None:
            task = self.loop.create_task(coro)
            task.add_done_callback(lambda _: finished.set())
            box["task"] = task

        self.loop.call_soon_threadsafe(start)
        try:
            finished.wait()
        except BaseException:
            self.loop.call_soon_threadsafe(lambda: box["task"].cancel() if "task" in box else coro.close())
            finished.wait(GRACE)
            raise
        return box["task"].result()

    def stop(self) -> None:
        if self.running:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(GRACE)


class ThreadTransport(httpx.AsyncBaseTransport):
    """A synchronous httpx transport, run in worker threads (for `Client(transport=...)`)."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        def send() -> httpx.Response:
            request.read()
            response = self.transport.handle_request(request)
            try:
                content = response.read()
            finally:
                response.close()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return await asyncio.to_thread(send)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.transport.close)
