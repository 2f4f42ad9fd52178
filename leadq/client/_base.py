"""What `Client` and `AsyncClient` share: their settings, typed once, and the preparation
of a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from ..core.datetimes import FIRST_SECOND, LAST_SECOND, moscow, moscow_seconds
from ..q.emit import MAX_REQUESTS
from ..run.pushdown import Pushdown
from ..schemas.methods import BASE_URL, LEADS_LIST, resolve
from ..schemas.schema import Schema, checked_role
from ._http import Credentials, Policy
from ._page import PageRequest, Paging
from ._run import Run, Stats, clock_cutoff, read_fields, read_order

T = TypeVar("T")


def _whole(name: str, value: object, low: int, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"from {low} up"
        raise TypeError(f"{name} must be a whole number {span}, not {value!r}")
    return value


def _seconds(name: str, value: object, low: float = 0.0) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > low or value != value:
        raise TypeError(f"{name} must be a number of seconds above {low:g}, not {value!r}")
    return float(value)


def _is_url(value: object) -> bool:
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
        return ok and (parts.port is None or parts.port > 0)
    except ValueError:  # a port that is no number, a bracket left open
        return False


class BaseClient(Generic[T]):
    """Settings of a client of the LiveTex API (docs/fetch.md); `T` is the type of the
    httpx transport the client takes."""

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
        transport: T | None = None,
    ) -> None:
        if not _is_url(base_url):
            raise TypeError(f"base_url must be an http:// or https:// URL, not {base_url!r}")
        if http_method not in ("GET", "POST"):
            raise TypeError(f"http_method must be 'GET' or 'POST', not {http_method!r}")
        self.schema = resolve(schema)
        #: How `leads()` pages through the method (`leadq.schemas.paging.Paging`).
        self.paging = Paging.of(self.schema)
        self.credentials = Credentials(token, username, password, auth)
        self.base_url = base_url.rstrip("/")
        self.http_method = http_method
        self.role = checked_role(role, self.schema)
        self.timeout = _seconds("timeout", timeout)
        self.policy = Policy(
            timeout=self.timeout,
            retries=_whole("retries", retries, 0),
            retry_time=_seconds("retry_time", retry_time),
            backoff=_seconds("backoff", backoff),
        )
        self.concurrency = _whole("concurrency", concurrency, 1)
        if page_size is not None:
            _whole("page_size", page_size, 1, self.paging.max_limit or None)
        self._page_size = page_size
        #: The page `leads()` asks for (0: the method takes no `limit`).
        self.page_size = self.page_size_of(self.paging)
        self.max_requests = _whole("max_requests", max_requests, 1)
        self.transport = transport
        #: What the last run cost (or the one under way).
        self.stats = Stats()

    def page_size_of(self, paging: Paging) -> int:
        """The page a run of a method asks for: `page_size` (at most the method's
        maximum), else the method's own (`Paging.page_size`)."""
        if not paging.max_limit:
            return 0
        return paging.page_size if self._page_size is None else min(self._page_size, paging.max_limit)

    @property
    def path(self) -> str:
        """The path of `leads()`'s method: `/leads/list` for Leads.list (api-http.md)."""
        return path_of(self.schema)

    def describe(self, params: Mapping[str, str], path: str | None = None) -> str:
        """A request as messages show it."""
        return f"{self.http_method} {path or self.path}?{'&'.join(f'{k}={v}' for k, v in params.items())}"

    def prepare(
        self,
        schema: Schema,
        filter: str,
        params: Mapping[str, object] | None,
        *,
        fields: str | Sequence[str] | None,
        order: str | None,
        limit: int | None,
        now: datetime | None,
        after: datetime | None,
    ) -> Run:
        """The run of a filter through `schema`'s method: its pushdown (checked before any
        request), paging, order and fields.

        Raises:
            LeadqError: the filter has errors, can never match (E401), or its residual
                needs a field the role cannot see (E313); a field of `fields` is unknown
                (E210); the client's role may not call the method (E212).
            TypeError, ValueError: an argument of the wrong type or form; `after` for a
                method not paged by keyset.
        """
        from ..api import pushdown

        if limit is not None:
            _whole("limit", limit, 0)
        if now is not None and not isinstance(now, datetime):
            raise TypeError(f"now must be a datetime, not {type(now).__name__}")
        if after is not None and not isinstance(after, datetime):
            raise TypeError(f"after must be a datetime (the cutoff of an earlier run), not {type(after).__name__}")
        for name, moment in (("now", now), ("after", after)):
            if moment is not None and not FIRST_SECOND <= moscow_seconds(moment) <= LAST_SECOND:
                raise ValueError(f"{name} must fall in the years 1 to 9999 in Moscow time, not {moment.isoformat()}")
        role = self.role if schema is self.schema else checked_role(self.role, schema)
        paging = self.paging if schema is self.schema else Paging.of(schema)
        if after is not None and not paging.keyset:
            raise ValueError(
                f"after= needs a method paged by keyset on created_at; {schema.method} is paged "
                f"{paging.describe}, and has no cut-off"
            )
        start = now if now is not None else datetime.now(moscow())
        split = pushdown(filter, params, schema=schema, role=role, now=start, max_requests=self.max_requests)
        _never_matches(split, params)
        tail = split.params
        if limit is None and "limit" in tail:
            limit = int(tail["limit"])
        path = path_of(schema)

        def describe(request: PageRequest) -> str:
            return self.describe(request.params, path)

        run = Run(
            split,
            paging=paging,
            order=read_order(order, tail, schema, paging, len(split.requests)),
            fields=read_fields(fields, tail, schema),
            limit=limit,
            skip=int(tail.get("offset", "0")),
            page_size=self.page_size_of(paging),
            now=start,
            cutoff=clock_cutoff(now) if now is not None and paging.keyset else None,
            after=moscow_seconds(after) if after is not None else None,
            describe=describe,
            path=path,
        )
        self.stats = run.stats
        return run


def path_of(schema: Schema) -> str:
    """A method's path, from its endpoint (``/employeeChats/list``), else from its name."""
    from urllib.parse import urlsplit

    if schema.endpoint:
        return urlsplit(schema.endpoint).path
    resource, _, method = schema.method.partition(".")
    return f"/{resource[:1].lower()}{resource[1:]}/{method}"


def _never_matches(split: Pushdown, params: Mapping[str, object] | None) -> None:
    """E401 before any request, for a filter that provably matches no lead (read with the
    Lead fields beyond q, as the run checks them)."""
    from ..api import analyze
    from ..core.diagnostics import LeadqError

    a = analyze(split.text, params, schema=split.schema.with_lead_fields())
    empty = [d for d in a.diagnostics if d.code == "E401"]
    if empty:
        raise LeadqError(empty, split.text)
