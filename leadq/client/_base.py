"""What `Client` and `AsyncClient` share: their settings and the preparation of a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..api import pushdown
from ..q.emit import MAX_REQUESTS
from ..schemas.methods import BASE_URL, LEADS_LIST
from ..schemas.schema import Schema
from ._http import Credentials, Done, Exchange, Policy, Renew, Wait
from ._run import MAX_PAGE, Run, Stats, read_fields, read_order, run_start


class BaseClient:
    """Settings of a client of the LiveTex API (docs/fetch.md)."""

    def __init__(
        self,
        token: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        base_url: str = BASE_URL,
        http_method: str = "POST",
        schema: Schema = LEADS_LIST,
        role: str | None = None,
        timeout: float = 30.0,
        retries: int = 5,
        retry_time: float = 60.0,
        backoff: float = 0.5,
        concurrency: int = 4,
        page_size: int = MAX_PAGE,
        max_requests: int = MAX_REQUESTS,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise TypeError(f"base_url must be an http(s) URL, not {base_url!r}")
        if http_method not in ("GET", "POST"):
            raise TypeError(f"http_method must be 'GET' or 'POST', not {http_method!r}")
        if not isinstance(schema, Schema):
            raise TypeError(f"schema must be a leadq.Schema, not {type(schema).__name__}")
        for name, value, low in (("concurrency", concurrency, 1), ("retries", retries, 0)):
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise TypeError(f"{name} must be a whole number from {low} up, not {value!r}")
        if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= schema.max_limit:
            raise TypeError(f"page_size must be a whole number from 1 to {schema.max_limit}, not {page_size!r}")
        self.credentials = Credentials(token, username, password)
        self.base_url = base_url.rstrip("/")
        self.http_method = http_method
        self.schema = schema
        self.role = role
        self.timeout = timeout
        self.policy = Policy(retries=retries, retry_time=retry_time, backoff=backoff)
        self.concurrency = concurrency
        self.page_size = page_size
        self.max_requests = max_requests
        #: What the last run (or the one under way) cost.
        self.stats = Stats()

    @property
    def path(self) -> str:
        """The method's path: `/leads/list` for Leads.list (api-http.md)."""
        resource, _, method = self.schema.method.partition(".")
        return f"/{resource.lower()}/{method}"

    def describe(self, params: Mapping[str, str]) -> str:
        """A request as messages show it."""
        return f"{self.http_method} {self.path}?{'&'.join(f'{k}={v}' for k, v in params.items())}"

    #: How a token request shows in messages.
    TOKEN_REQUEST = "POST /oauth2/token"

    def token_exchange(self, filter_text: str) -> tuple[Exchange, dict[str, tuple[None, str]]]:
        """The tries of a password-grant token request, and its multipart form."""
        exchange = Exchange(self.policy, self.TOKEN_REQUEST, filter_text, renewable=False)
        return exchange, {k: (None, v) for k, v in self.credentials.form().items()}

    def token_answer(self, exchange: Exchange, status: int, headers: Any, body: str, filter_text: str) -> Wait | None:
        """Take a token answer: None once the token is kept, else how long to wait."""
        action = exchange.answer(status, headers, body)
        if isinstance(action, Done):
            self.credentials.accept(action.data, self.TOKEN_REQUEST, filter_text, body)
            return None
        assert not isinstance(action, Renew)  # a token request is never renewable
        return action

    def prepare(
        self,
        filter: str,
        params: Mapping[str, object] | None,
        *,
        fields: str | Sequence[str] | None,
        order: str | None,
        limit: int | None,
        now: datetime | None,
    ) -> Run:
        """The run of a filter: its pushdown (checked before any request), order and fields.

        Raises:
            LeadqError: the filter has errors, or its residual needs a field the role
                cannot see (E313).
            TypeError, ValueError: an argument of the wrong type or form.
        """
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise TypeError(f"limit must be a whole number from 0 up, not {limit!r}")
        start, until = run_start(now)
        split = pushdown(filter, params, schema=self.schema, role=self.role, now=start, max_requests=self.max_requests)
        tail = split.params
        if limit is None and "limit" in tail:
            limit = int(tail["limit"])
        run = Run(
            split,
            order=read_order(order, tail),
            fields=read_fields(fields, tail),
            limit=limit,
            skip=int(tail.get("offset", "0")),
            page_size=self.page_size,
            now=start,
            until=until,
        )
        self.stats = run.stats
        return run
