"""`AsyncClient`: `Client` for asyncio, with the same run (`leadq.client._run`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from ._base import BaseClient
from ._http import Action, Done, Exchange, Wait
from ._run import Lead, Stream, read_page


class AsyncClient(BaseClient):
    """`Client` for asyncio: ``async for lead in client.leads(filter)``.

    Takes the same arguments as `Client`; use it as an async context manager, or await
    `aclose()`. A plan's requests run as concurrent tasks, at most `concurrency` at once.
    """

    def __init__(self, token: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None, **settings: Any):
        super().__init__(token, **settings)
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout, transport=transport)
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def leads(
        self,
        filter: str,
        params: Mapping[str, object] | None = None,
        *,
        fields: str | Sequence[str] | None = None,
        order: str | None = None,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> AsyncIterator[Lead]:
        """The leads the filter matches, in the order asked (see `Client.leads`)."""
        run = self.prepare(filter, params, fields=fields, order=order, limit=limit, now=now)
        gate = asyncio.Semaphore(self.concurrency)
        pending: dict[asyncio.Task[list[Any]], Stream] = {}
        try:
            while True:
                for lead in run.ready():
                    yield lead
                if run.finished:
                    return
                for stream, page_params in run.wanted():
                    pending[asyncio.ensure_future(self._page(gate, page_params, filter))] = stream
                if not pending:
                    return
                done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    run.feed(pending.pop(task), task.result())
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    async def _page(self, gate: asyncio.Semaphore, params: dict[str, str], filter_text: str) -> list[Any]:
        async with gate:
            describe = self.describe(params)
            data, body = await self._send(self.path, params, describe, filter_text)
            return read_page(data, describe, filter_text, body)

    async def _send(self, path: str, params: Mapping[str, str], describe: str, filter_text: str) -> tuple[Any, str]:
        exchange = Exchange(self.policy, describe, filter_text, renewable=self.credentials.renewable)
        while True:
            headers = await self._headers(filter_text)
            exchange.sent()
            self._count(retry=exchange.attempts > 1)
            try:
                r = await self._http.request(self.http_method, path, params=params, headers=headers)
            except httpx.TransportError as e:  # connection refused or dropped, timeouts
                action: Action = exchange.error(e)
            else:
                action = exchange.answer(r.status_code, r.headers, r.text)
                if isinstance(action, Done):
                    return action.data, r.text
            if not isinstance(action, Wait):  # Renew
                self.credentials.forget()
                continue
            await asyncio.sleep(action.seconds)

    async def _headers(self, filter_text: str) -> dict[str, str]:
        async with self._lock:
            if self.credentials.needed():
                exchange, form = self.token_exchange(filter_text)
                while True:
                    exchange.sent()
                    self._count(retry=exchange.attempts > 1)
                    try:
                        r = await self._http.post("/oauth2/token", files=form)
                    except httpx.TransportError as e:
                        wait: Wait | None = exchange.error(e)
                    else:
                        wait = self.token_answer(exchange, r.status_code, r.headers, r.text, filter_text)
                    if wait is None:
                        break
                    await asyncio.sleep(wait.seconds)
            return self.credentials.headers()

    def _count(self, *, retry: bool) -> None:
        self.stats.requests += 1
        self.stats.retries += retry
