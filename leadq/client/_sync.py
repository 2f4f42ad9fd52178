"""`Client`: runs filters through the LiveTex API with httpx, pages in threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import Any

import httpx

from ._base import BaseClient
from ._http import Action, Done, Exchange, Wait
from ._run import Lead, Stream, read_page


class Client(BaseClient):
    """A client of the LiveTex API that runs leadq filters (docs/fetch.md).

    ``Client(token)`` or ``Client(username=..., password=...)`` (the OAuth2 password
    grant, renewed when it expires). Use it as a context manager, or call `close()`.

    Args:
        token: a bearer token.
        username, password: an account, for the password grant instead of a token.
        base_url: the API's base URL (default ``https://web-api.livetex.ru``).
        http_method: ``"POST"`` (the default, as the one attested client does) or ``"GET"``;
            the parameters go in the query string either way.
        schema: the list method (`LEADS_LIST` or `LEADS_LIST_ROUTED`).
        role: the account's API role, when known: a residual on a field it cannot see
            is refused before any request (E313).
        timeout: seconds to wait for each answer.
        retries, retry_time, backoff: how often, how long and how patiently to retry a
            429, a 502/503/504 or a connection error.
        concurrency: how many requests run at once (a plan's requests run side by side).
        page_size: leads per page, at most 100 (the API's maximum).
        max_requests: the most requests one filter may be split into. ``1`` sends one
            request and checks the rest here: more leads travel, and a lead that moves
            between a plan's requests during the run cannot be missed (docs/fetch.md).
        transport: an httpx transport, for tests.
    """

    def __init__(self, token: str | None = None, *, transport: httpx.BaseTransport | None = None, **settings: Any):
        super().__init__(token, **settings)
        self._http = httpx.Client(base_url=self.base_url, timeout=self.timeout, transport=transport)
        self._lock = threading.RLock()  # _headers counts its requests while holding it

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def leads(
        self,
        filter: str,
        params: Mapping[str, object] | None = None,
        *,
        fields: str | Sequence[str] | None = None,
        order: str | None = None,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> Iterator[Lead]:
        """The leads the filter matches, in the order asked.

        Args:
            filter: any filter `leadq.pushdown` takes (conditions on Lead fields q has
                no criterion for included).
            params: the values of the filter's placeholders.
            fields: the Lead fields to return (``"id,name,site(url)"`` or a list); the
                fields the run itself needs are asked for too and dropped. Default: the
                filter's ``fields``, else every field.
            order: ``"created_at"`` (the default, streamed), ``"updated_at"``,
                ``"duration"`` or ``"result"``, optionally with ``desc``; other than
                ``created_at`` ascending, the leads are sorted here after the last page.
            limit: the most leads to return (default: the filter's ``limit``, else all).
            now: the run's clock (default: now); relative periods are read at it, and
                leads created after it are not read.

        Raises:
            LeadqError: the filter has errors, or its residual needs a field `role`
                cannot see (E313) — before any request.
            ApiError: the API refused a request (E801), did not answer (E802), or sent
                something that is not a list of leads (E803).
        """
        run = self.prepare(filter, params, fields=fields, order=order, limit=limit, now=now)
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="leadq")
        pending: dict[Future[list[Any]], Stream] = {}
        try:
            while True:
                yield from run.ready()
                if run.finished:
                    return
                for stream, page_params in run.wanted():
                    pending[pool.submit(self._page, page_params, filter)] = stream
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    run.feed(pending.pop(future), future.result())
        finally:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def _page(self, params: dict[str, str], filter_text: str) -> list[Any]:
        describe = self.describe(params)
        data, body = self._send(self.path, params, describe, filter_text)
        return read_page(data, describe, filter_text, body)

    def _send(self, path: str, params: Mapping[str, str], describe: str, filter_text: str) -> tuple[Any, str]:
        exchange = Exchange(self.policy, describe, filter_text, renewable=self.credentials.renewable)
        while True:
            headers = self._headers(filter_text)
            exchange.sent()
            self._count(retry=exchange.attempts > 1)
            try:
                r = self._http.request(self.http_method, path, params=params, headers=headers)
            except httpx.TransportError as e:  # connection refused or dropped, timeouts
                action: Action = exchange.error(e)
            else:
                action = exchange.answer(r.status_code, r.headers, r.text)
                if isinstance(action, Done):
                    return action.data, r.text
            if not isinstance(action, Wait):  # Renew
                with self._lock:
                    self.credentials.forget()
                continue
            time.sleep(action.seconds)

    def _headers(self, filter_text: str) -> dict[str, str]:
        with self._lock:
            if self.credentials.needed():
                exchange, form = self.token_exchange(filter_text)
                while True:
                    exchange.sent()
                    self._count(retry=exchange.attempts > 1)
                    try:
                        r = self._http.post("/oauth2/token", files=form)
                    except httpx.TransportError as e:
                        wait: Wait | None = exchange.error(e)
                    else:
                        wait = self.token_answer(exchange, r.status_code, r.headers, r.text, filter_text)
                    if wait is None:
                        break
                    time.sleep(wait.seconds)
            return self.credentials.headers()

    def _count(self, *, retry: bool) -> None:
        with self._lock:
            self.stats.requests += 1
            self.stats.retries += retry
