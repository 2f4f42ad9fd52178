"""The I/O of a run, once, on asyncio: `AsyncClient` runs it in the caller's event loop,
`Client` in an event loop of its own (`leadq.client._loop`).

Each request is tried as `leadq.client._http.Exchange` says, every try bounded as a whole
(`timeout` covers the answer's last byte, not each read), and a run's pages are fetched as
concurrent tasks that a cancellation stops at once.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import AsyncGenerator, Mapping
from datetime import datetime
from typing import Any

import httpx

from ._base import BaseClient
from ._http import Action, Done, Exchange, Renew, server_time
from ._page import Lead, Page, PageRequest, read_page
from ._run import OffsetStream, Run, Stats, Stream

#: How a token request shows in messages.
TOKEN_REQUEST = "POST /oauth2/token"

_CONTEXTS: dict[tuple[str, str], ssl.SSLContext] = {}


def _ssl_context() -> ssl.SSLContext:
    """The TLS settings httpx would make (certifi's certificates, or SSL_CERT_FILE or
    SSL_CERT_DIR), made once per process: loading the certificates takes tens of
    milliseconds, which every client would pay again."""
    key = (os.environ.get("SSL_CERT_FILE", ""), os.environ.get("SSL_CERT_DIR", ""))
    context = _CONTEXTS.get(key)
    if context is None:
        import certifi

        file, folder = key
        if file:
            context = ssl.create_default_context(cafile=file)
        elif folder:
            context = ssl.create_default_context(capath=folder)
        else:
            context = ssl.create_default_context(cafile=certifi.where())
        _CONTEXTS[key] = context
    return context


class Engine:
    """One httpx.AsyncClient and the tries, credentials and pages of the runs on it."""

    def __init__(self, settings: BaseClient[Any], transport: httpx.AsyncBaseTransport | None) -> None:
        self.settings = settings
        self.http = httpx.AsyncClient(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.timeout),
            transport=transport,
            verify=_ssl_context(),
        )
        self._token_lock: asyncio.Lock | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    async def pages(self, run: Run) -> AsyncGenerator[list[Lead], None]:
        """The run's leads, a batch at a time, as its pages arrive."""
        tasks: dict[asyncio.Task[tuple[Page, datetime | None, str]], tuple[Stream | OffsetStream, PageRequest]] = {}
        idle = False
        try:
            while True:
                batch = list(run.ready())
                if batch:
                    yield batch
                if run.finished:
                    return
                for stream, request in run.wanted(self.settings.concurrency - len(tasks)):
                    tasks[asyncio.ensure_future(self._page(run, request))] = (stream, request)
                if not tasks:
                    if idle:
                        raise RuntimeError("leadq: the run has nothing to wait for, but is not finished")
                    idle = True  # streams found read whole by `wanted`: their leads may be ready now
                    continue
                idle = False
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    stream, request = tasks.pop(task)
                    page, date, describe = task.result()
                    run.feed(stream, request, page, date, describe)
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)

    async def _page(self, run: Run, request: PageRequest) -> tuple[Page, datetime | None, str]:
        describe = self.settings.describe(request.params, run.path)
        text = run.split.text
        data, headers, body = await self.send(
            self.settings.http_method,
            run.path,
            describe,
            text,
            run.stats,
            params=request.params,
            expected=f"a list of {run.notes.objects}",
        )
        nouns = (run.notes.object, run.notes.objects)
        page = read_page(data, request, run.paging, describe, text, body, nouns)
        return page, server_time(headers), describe

    async def send(
        self,
        method: str,
        path: str,
        describe: str,
        filter_text: str,
        stats: Stats,
        *,
        params: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[None, str]] | None = None,
        authorized: bool = True,
        statuses: list[int] | None = None,
        expected: str = "a token",
    ) -> tuple[Any, httpx.Headers, str]:
        """One request, tried until it is answered (or the tries give up): its JSON, the
        answer's headers and its body (and its status, appended to `statuses`)."""
        credentials = self.settings.credentials
        exchange = Exchange(
            self.settings.policy,
            describe,
            filter_text,
            renewable=authorized and credentials.renewable,
            base_url=self.settings.base_url,
            expected=expected,
        )
        while True:
            if authorized:
                await self._authorize(filter_text, stats)
                headers, generation = credentials.headers(), credentials.generation
            else:
                headers, generation = {"Accept": "application/json"}, 0
            seconds = exchange.sent()
            stats.requests += 1
            stats.retries += exchange.attempts > 1
            action: Action
            try:
                async with asyncio.timeout(seconds):
                    r = await self.http.request(method, path, params=params, files=files, headers=headers)
            except (TimeoutError, httpx.TimeoutException):
                action = exchange.timed_out(seconds)
            except httpx.TransportError as e:  # a refused, failed or dropped connection
                action = exchange.error(e)
            else:
                action = exchange.answer(r.status_code, r.headers, r.text)
                if isinstance(action, Done):
                    if statuses is not None:
                        statuses.append(r.status_code)
                    return action.data, r.headers, r.text
            if isinstance(action, Renew):
                credentials.forget(generation)
                continue
            await asyncio.sleep(action.seconds)

    async def _authorize(self, filter_text: str, stats: Stats) -> None:
        """Get a token by the password grant when the credentials need one (once, for
        every request waiting on it)."""
        credentials = self.settings.credentials
        if not credentials.needed():
            return
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            if not credentials.needed():
                return  # another request got it meanwhile
            form = {k: (None, v) for k, v in credentials.form().items()}
            data, _, body = await self.send(
                "POST", "/oauth2/token", TOKEN_REQUEST, filter_text, stats, files=form, authorized=False
            )
            credentials.accept(data, TOKEN_REQUEST, filter_text, body)
