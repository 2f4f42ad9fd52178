"""`Client`: runs filters through the LiveTex API, the run of `AsyncClient` in an event
loop of its own thread (`leadq.client._loop`)."""

# `Client.list` is a method: inside the class, `list` names it, so types say `builtins.list`

from __future__ import annotations

import builtins
import contextlib
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Mapping, Sequence
from datetime import datetime

import httpx

from ..core.diagnostics import Diagnostic
from ..q.emit import MAX_REQUESTS
from ..schemas.methods import BASE_URL, LEADS_LIST, resolve
from ..schemas.schema import Schema
from ._base import BaseClient
from ._engine import Engine
from ._errors import NAMES, render_notes
from ._loop import LoopThread, ThreadTransport
from ._page import Lead
from ._run import Run, Stats


class Client(BaseClient[httpx.BaseTransport | httpx.AsyncBaseTransport]):
    """A client of the LiveTex API that runs leadq filters (docs/fetch.md).

    ``Client(token)``, ``Client(username=..., password=...)`` (the OAuth2 password grant,
    renewed when it expires) or ``Client(username=..., password=..., auth="basic")``
    (HTTP Basic authentication). Use it as a context manager, or call `close()`.

    Args:
        token: a bearer token.
        username: an account, for the password grant (or HTTP Basic) instead of a token.
        password: the account's password.
        auth: with a username and password: ``"password"`` (the OAuth2 password grant,
            the default) or ``"basic"`` (HTTP Basic authentication on every request).
        base_url: the API's base URL (default ``https://web-api.livetex.ru``).
        http_method: ``"POST"`` (the default, as the one attested client does) or ``"GET"``;
            the parameters go in the query string either way.
        schema: the list method: a `Schema` (`LEADS_LIST`, `LEADS_LIST_ROUTED`) or its
            name (``"Leads.listRouted"``).
        role: the account's API role, when known: a residual on a field it cannot see
            is refused before any request (E313). A role the method does not have is
            E212.
        timeout: the most seconds one answer may take, to its last byte.
        retries: the most times one request is tried again after a 429, a 502/503/504,
            a refused or dropped connection or a timeout.
        retry_time: the most seconds one request may take from its first try, waits and
            retries included.
        backoff: the first wait between two tries, in seconds (doubled at each retry).
        concurrency: how many requests run at once (a plan's requests run side by side).
        page_size: leads per page, at most the method's maximum (100, the default).
        max_requests: the most requests one filter may be split into. ``1`` sends one
            request and checks the rest here: more leads travel, and a lead that moves
            between a plan's requests during the run cannot be missed (docs/fetch.md).
        transport: an httpx transport (synchronous or asynchronous), for tests.

    Raises:
        LeadqError: `schema` names no method (E211), or `role` is not one of its roles
            (E212).
        TypeError: a setting of the wrong type or out of range.
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
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
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
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            transport = ThreadTransport(transport)
        self._engine = Engine(self, transport)
        self._loop = LoopThread()
        self._finalizer = weakref.finalize(self, self._loop.stop)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections and stop the client's thread."""
        if self._loop.running:
            try:
                self._loop.call(self._engine.aclose())
            finally:
                self._finalizer()

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
    ) -> Results:
        """The leads the filter matches, in the order asked: `list` of the client's method
        (`schema`, Leads.list by default).

        The filter is checked, and the run prepared, when the first lead is asked for.

        Args:
            filter: any filter `leadq.pushdown` takes (conditions on Lead fields q has
                no criterion for included).
            params: the values of the filter's placeholders.
            fields: the Lead fields to return (``"id,name,site(url)"`` or a list),
                checked as a filter's `fields` (E210); the fields the run itself needs
                are asked for too and dropped. Default: the filter's ``fields``, else
                every field.
            order: ``"created_at"`` (the default, streamed), ``"updated_at"``,
                ``"duration"`` or ``"result"``, optionally with ``desc``; other than
                ``created_at`` ascending, the leads are sorted here after the last page.
            limit: the most leads to return (default: the filter's ``limit``, else all).
            now: the run's clock (default: now). Relative periods are read at it. When
                given, the run's cut-off is the second before it; by default the
                cut-off comes from the API's clock (docs/fetch.md).
            after: return only leads created after this moment: the `cutoff` of an
                earlier run, to fetch what is new since (a naive datetime is Moscow
                time).

        Returns:
            An iterator of leads that also tells the run's `stats`, `cutoff` and
            `diagnostics` (its warnings and notes).

        Raises:
            LeadqError: the filter has errors, can never match (E401), or its residual
                needs a field `role` cannot see (E313); `fields` names a field leads do
                not have (E210) — before any request.
            ValueError: `now` or `after` outside the years 1 to 9999 in Moscow time.
            ApiError: the API refused a request (E801), did not answer (E802), sent an
                answer the run cannot use (E803), or cannot be reached (E804).
        """
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
    ) -> Results:
        """The objects of any list method that the filter matches (docs/fetch.md).

        ``client.list("Chats.list", "result = missed and site = 1")``. The method is
        paged as its schema allows (`leadq.schemas.paging.Paging`): by keyset on
        `created_at` where it has one to page by (upward, or downward where only the
        descending sort is attested), else by `offset` in its most stable attested sort,
        else — a method that takes no `limit` — in one request; each way's guarantee is in
        docs/fetch.md. A method that takes a criterion only as a bounded interval is run
        as the plan's consecutive windows.

        Args:
            method: the method: its name in any letter case (``"chats.list"``) or a
                `Schema`.
            filter: any filter `leadq.pushdown` takes for that method (conditions on the
                object's fields q has no criterion for included).
            params: as for `leads`.
            fields: as for `leads`, the fields of the method's objects.
            order: as for `leads`, the method's sort keys. Paged by offset, the default
                order is the API's, and an `order` other than the pages' is sorted here.
            limit: as for `leads`.
            now: as for `leads`.
            after: as for `leads`; only for a method paged by keyset (ValueError).

        Returns:
            An iterator of the objects, with the run's `stats`, `cutoff` (None unless
            paged by keyset) and `diagnostics`.

        Raises:
            LeadqError: `method` names no method (E211), at once; when the first object is
                asked for, before any request: what `leads` raises, and E212 when the
                client's `role` may not call the method.
            ApiError: as for `leads`.
        """
        schema = resolve(method)

        def prepare() -> Run:
            return self.prepare(schema, filter, params, fields=fields, order=order, limit=limit, now=now, after=after)

        return Results(self, prepare)


class Results(Iterator[Lead]):
    """The objects of one run of `Client.list` (or `Client.leads`: then leads), with what
    the run tells.

    Attributes:
        stats: what the run cost (the same object as `client.stats` during the run).
    """

    def __init__(self, client: Client, prepare: Callable[[], Run]) -> None:
        self._client = client
        self._run: Run | None = None
        self._gen = self._leads(prepare)

    @property
    def stats(self) -> Stats:
        return self._run.stats if self._run is not None else Stats()

    @property
    def cutoff(self) -> datetime | None:
        """The run's cut-off (see `Stats.cutoff`); None until the first answers came."""
        return self.stats.cutoff

    @property
    def diagnostics(self) -> builtins.list[Diagnostic]:
        """The run's warnings and notes so far: W801, W802, W803, I801, I802."""
        return self._diagnostics(NAMES)

    def _diagnostics(self, names: Mapping[str, str]) -> builtins.list[Diagnostic]:
        """The notes, their hints naming the settings as `names` does (the command line's flags)."""
        if self._run is None:
            return []
        return render_notes(self._run.notes.findings, self._run.split.text, names)

    def __iter__(self) -> Results:
        return self

    def __next__(self) -> Lead:
        return next(self._gen)

    def close(self) -> None:
        """Stop the run: its requests under way are cancelled."""
        self._gen.close()

    def _leads(self, prepare: Callable[[], Run]) -> Generator[Lead, None, None]:
        self._run = run = prepare()
        loop = self._client._loop
        batches: AsyncGenerator[builtins.list[Lead], None] = self._client._engine.pages(run)

        async def step() -> builtins.list[Lead] | None:
            try:
                return await anext(batches)
            except StopAsyncIteration:
                return None

        try:
            while True:
                batch = loop.call(step())
                if batch is None:
                    return
                yield from batch
        finally:
            if loop.running:
                # (a RuntimeError: the interrupted step is still running, past its grace)
                with contextlib.suppress(RuntimeError):
                    loop.call(batches.aclose())


#: The name of `Results` from before `Client.list`: what `Client.leads` returns.
Leads = Results
