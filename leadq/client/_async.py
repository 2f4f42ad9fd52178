"""`AsyncClient`: `Client` for asyncio; both run `leadq.client._engine`."""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime

import httpx

from ..core.diagnostics import Diagnostic
from ..q.emit import MAX_REQUESTS
from ..schemas.methods import BASE_URL, LEADS_LIST, resolve
from ..schemas.schema import Schema
from ._base import BaseClient
from ._engine import Engine
from ._errors import render_notes
from ._page import Lead
from ._run import Run, Stats


class AsyncClient(BaseClient[httpx.AsyncBaseTransport]):
    """`Client` for asyncio: ``async for lead in client.leads(filter)``.

    Takes the same arguments as `Client` (an asynchronous httpx transport only); use it
    as an async context manager, or await `aclose()`. A plan's requests run as concurrent
    tasks, at most `concurrency` at once; cancelling the task that iterates cancels them.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        auth: str = "password",
        base_url: str = BASE_URL,
        http_method: str = "POST",
        schema: Schema | str = LEADS_LIST,
        role: str | None = None,
        timeout: float = 30.0,
        retries: int = 5,
        retry_time: float = 60.0,
        backoff: float = 0.5,
        concurrency: int = 4,
        page_size: int | None = None,
        max_requests: int = MAX_REQUESTS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            token,
            username=username,
            password=password,
            auth=auth,
            base_url=base_url,
            http_method=http_method,
            schema=schema,
            role=role,
            timeout=timeout,
            retries=retries,
            retry_time=retry_time,
            backoff=backoff,
            concurrency=concurrency,
            page_size=page_size,
            max_requests=max_requests,
            transport=transport,
        )
        self._engine = Engine(self, transport)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._engine.aclose()

    def leads(
        self,
        filter: str,
        params: Mapping[str, object] | None = None,
        *,
        fields: str | Sequence[str] | None = None,
        order: str | None = None,
        limit: int | None = None,
        now: datetime | None = None,
        after: datetime | None = None,
    ) -> AsyncResults:
        """The leads the filter matches, in the order asked (see `Client.leads`)."""
        return self.list(self.schema, filter, params, fields=fields, order=order, limit=limit, now=now, after=after)

    def list(
        self,
        method: Schema | str,
        filter: str,
        params: Mapping[str, object] | None = None,
        *,
        fields: str | Sequence[str] | None = None,
        order: str | None = None,
        limit: int | None = None,
        now: datetime | None = None,
        after: datetime | None = None,
    ) -> AsyncResults:
        """The objects of any list method that the filter matches (see `Client.list`):
        ``async for chat in client.list("Chats.list", "result = missed")``."""
        schema = resolve(method)

        def prepare() -> Run:
            return self.prepare(schema, filter, params, fields=fields, order=order, limit=limit, now=now, after=after)

        return AsyncResults(self._engine, prepare)


class AsyncResults(AsyncIterator[Lead]):
    """The objects of one run of `AsyncClient.list` (or `AsyncClient.leads`), with what
    the run tells (see `Results`)."""

    def __init__(self, engine: Engine, prepare: Callable[[], Run]) -> None:
        self._engine = engine
        self._prepare = prepare
        self._run: Run | None = None
        self._batches: AsyncGenerator[builtins.list[Lead], None] | None = None
        self._batch: builtins.list[Lead] = []
        self._at = 0

    @property
    def stats(self) -> Stats:
        return self._run.stats if self._run is not None else Stats()

    @property
    def cutoff(self) -> datetime | None:
        return self.stats.cutoff

    @property
    def diagnostics(self) -> builtins.list[Diagnostic]:
        if self._run is None:
            return []
        return render_notes(self._run.notes.findings, self._run.split.text)

    def __aiter__(self) -> AsyncResults:
        return self

    async def __anext__(self) -> Lead:
        if self._batches is None:
            self._run = self._prepare()
            self._batches = self._engine.pages(self._run)
        while self._at >= len(self._batch):
            self._batch, self._at = await anext(self._batches), 0
        self._at += 1
        return self._batch[self._at - 1]

    async def aclose(self) -> None:
        """Stop the run: its requests under way are cancelled."""
        if self._batches is not None:
            await self._batches.aclose()


#: The name of `AsyncResults` from before `AsyncClient.list`: what `AsyncClient.leads` returns.
AsyncLeads = AsyncResults
