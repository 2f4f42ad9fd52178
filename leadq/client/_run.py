"""One run of a filter through the API, without I/O: what to request, and what to do with
each answer. `Client` and `AsyncClient` only send the requests this asks for.

Paging (docs/fetch.md): every request of the pushdown is read as a *stream* sorted by
`created_at`, page after page, by keyset rather than by offset: each page asks for
`created_at >= <the last second seen>` (the request's own bounds intersected with it), and
the leads of that second already seen are dropped. A lead created or updated meanwhile
cannot shift a later page, as an offset would. Every request is also bounded by
`created_at <= <the second before the run began>`, so the run reads the leads that existed
when it began.
Streams are merged by (`created_at`, `id`) and deduplicated by id; the residual is
checked on each lead; the fields a caller did not ask for are dropped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..core.datetimes import format_seconds, parse_lead_time, parse_moment
from ..run.pushdown import Pushdown
from ..schemas.schema import Schema
from ..schemas.wire import split_terms
from ._errors import ApiError, shorten

Lead = dict[str, Any]

#: The largest page the API serves (api-http.md: `limit` max 100).
MAX_PAGE = 100
#: What a run needs in every lead, whatever `fields` asks for.
_NEEDED = ("id", "created_at")
_ORDER_KEYS = ("created_at", "updated_at", "duration", "result")


@attrs.define
class Stats:
    """What a run cost, readable after (and during) it.

    Attributes:
        requests: HTTP requests sent, retries and token requests included.
        retries: requests sent again after a 429, a 5xx or a connection error.
        pages: pages of leads received.
        leads_transferred: leads received in those pages.
        leads_returned: leads the run returned to the caller.
    """

    requests: int = 0
    retries: int = 0
    pages: int = 0
    leads_transferred: int = 0
    leads_returned: int = 0


@attrs.frozen
class Order:
    """The order asked for: a sort key of the method and a direction."""

    key: str = "created_at"
    descending: bool = False

    @property
    def streamed(self) -> bool:
        """Whether leads can be returned as they arrive (the API's own keyset order)."""
        return self.key == "created_at" and not self.descending


def read_order(order: str | None, tail: Mapping[str, str]) -> Order:
    """`order=` (``"duration"``, ``"duration desc"``, ``"duration:d"``), else the
    filter's `order by`, else `created_at` ascending."""
    text = order if order is not None else tail.get("sort", "created_at:a")
    if not isinstance(text, str):
        raise TypeError(f"order must be a str such as 'created_at' or 'duration desc', not {type(text).__name__}")
    words = text.replace(":", " ").split()
    key = words[0] if words else ""
    direction = words[1].lower() if len(words) > 1 else "a"
    if key not in _ORDER_KEYS or direction not in ("a", "asc", "d", "desc") or len(words) > 2:
        raise ValueError(f"order must be one of {', '.join(_ORDER_KEYS)}, optionally followed by asc or desc: {text!r}")
    return Order(key, direction in ("d", "desc"))


# -- fields -------------------------------------------------------------------------------


FieldSpec = dict[str, "set[str] | None"]


def read_fields(fields: str | Sequence[str] | None, tail: Mapping[str, str]) -> FieldSpec | None:
    """`fields=` as {name: subfields or None for the whole value}; None: every field."""
    if fields is None:
        fields = tail.get("fields")
        if fields is None:
            return None
    if isinstance(fields, str):
        items = _split_fields(fields)
    elif isinstance(fields, Sequence) and all(isinstance(f, str) for f in fields):
        items = [item for f in fields for item in _split_fields(f)]
    else:
        raise TypeError("fields must be a str such as 'id,name,site(url)' or a sequence of such str")
    spec: FieldSpec = {}
    for item in items:
        name, _, rest = item.partition("(")
        name = name.strip()
        if not name or (rest and not rest.endswith(")")):
            raise ValueError(f"not a Lead field: {item!r}")
        subs = {s.strip() for s in rest[:-1].split(",") if s.strip()} if rest else None
        _add(spec, name, subs)
    return spec


def _split_fields(text: str) -> list[str]:
    items, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [i.strip() for i in items if i.strip()]


def _add(spec: FieldSpec, name: str, subs: set[str] | None) -> None:
    if name in spec:
        have = spec[name]
        spec[name] = None if have is None or subs is None else have | subs
    else:
        spec[name] = None if subs is None else set(subs)


def render_fields(spec: FieldSpec) -> str:
    return ",".join(name if subs is None else f"{name}({','.join(sorted(subs))})" for name, subs in spec.items())


def project(lead: Lead, spec: FieldSpec) -> Lead:
    """The lead with only the fields (and subfields) `spec` names."""
    out: Lead = {}
    for name, subs in spec.items():
        if name not in lead:
            continue
        value = lead[name]
        if subs is not None and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k in subs}
        out[name] = value
    return out


# -- one request, read as a keyset stream ------------------------------------------------------


class Stream:
    """One request of the pushdown, read page by page in `created_at` order."""

    def __init__(self, q: str, schema: Schema, *, until: int, page_size: int) -> None:
        self.q = q
        self.schema = schema
        self.until = until
        self.page_size = page_size
        self.cursor: int | None = None  # the last created_at second read
        self.at_cursor: set[Any] = set()  # the ids read at that second
        self.buffer: deque[tuple[int, Any, Lead]] = deque()
        self.done = False
        self.waiting = False  # a page is being fetched

    def params(self) -> dict[str, str] | None:
        """The parameters of the next page (without `fields`); None when the stream is read."""
        q = bounded_q(self.q, self.schema, self.cursor, self.until)
        if q is None:
            self.done = True
            return None
        # Leads of the cursor's second come again (>=) and are dropped; only when more of
        # them than a page share that second is the page moved past them by an offset.
        offset = len(self.at_cursor) if len(self.at_cursor) >= self.page_size else 0
        params = {"q": q, "sort": "created_at:a", "limit": str(self.page_size)}
        if offset:
            params["offset"] = str(offset)
        return params

    def feed(self, results: list[tuple[int, Any, Lead]]) -> None:
        """Take a page (read by `read_page`): keep the leads not read before."""
        self.waiting = False
        if len(results) < self.page_size:  # a short page (an empty one too) is the last
            self.done = True
        for second, lead_id, lead in results:
            if self.cursor is not None and (
                second < self.cursor or (second == self.cursor and lead_id in self.at_cursor)
            ):
                continue
            if second != self.cursor:
                self.cursor, self.at_cursor = second, set()
            self.at_cursor.add(lead_id)
            self.buffer.append((second, lead_id, lead))


def bounded_q(q: str, schema: Schema, low: int | None, high: int) -> str | None:
    """`q` with its `created_at` bounds narrowed to [low, high]; None when that is empty."""
    _, terms = split_terms(q, schema.term_start)
    rest = []
    for t in terms:
        if t.name == "created_at" and t.op in (">=", "<="):
            n = parse_moment(t.value).first
            if t.op == ">=":
                low = n if low is None else max(low, n)
            else:
                high = min(high, n)
        else:
            rest.append(t)
    if low is not None and low > high:
        return None
    bounds = ([f"created_at>={format_seconds(low)}"] if low is not None else []) + [
        f"created_at<={format_seconds(high)}"
    ]
    place = schema.order["created_at"]
    before = [q[t.span.start : t.span.end] for t in rest if schema.order.get(t.name, -1) < place]
    after = [q[t.span.start : t.span.end] for t in rest if schema.order.get(t.name, -1) > place]
    return " ".join([*before, *bounds, *after])


def read_page(answer: object, describe: str, filter_text: str, body: str) -> list[tuple[int, Any, Lead]]:
    """The leads of an answer, each with its `created_at` second and id; `ApiError`
    (E803) for an answer that is not ``{"results": [Lead, ...]}``."""
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list):
        raise ApiError("api_bad_answer", filter_text, status=200, body=body, request=describe, answer=shorten(body))
    out = []
    for lead in results:
        created = lead.get("created_at") if isinstance(lead, dict) else None
        lead_id = lead.get("id") if isinstance(lead, dict) else None
        try:
            second = parse_lead_time(created) if isinstance(created, str) else None
        except ValueError:
            second = None
        if second is None or lead_id is None or isinstance(lead_id, (dict, list)):
            why = f"a lead without a readable `id` and `created_at`: {shorten(repr(lead), 120)}"
            raise ApiError("api_bad_answer", filter_text, status=200, body=body, request=describe, answer=why)
        out.append((second, lead_id, lead))
    return out


# -- the run -----------------------------------------------------------------------------------


class Run:
    """A filter's streams, merged, deduplicated, checked by the residual, in order."""

    def __init__(
        self,
        split: Pushdown,
        *,
        order: Order,
        fields: FieldSpec | None,
        limit: int | None,
        skip: int,
        page_size: int,
        now: datetime,
        until: int,
    ) -> None:
        self.split = split
        self.order = order
        self.fields = fields
        self.limit = limit
        self.skip = skip
        self.now = now
        self.stats = Stats()
        self.streams = [Stream(q, split.schema, until=until, page_size=page_size) for q in split.requests]
        self.request_fields = _request_fields(fields, split, order)
        self._second: int | None = None  # the merge's current created_at second
        self._ids: set[Any] = set()  # the ids merged at that second
        self._kept: list[Lead] = []  # for an order the API's keyset cannot give
        self._returned = 0

    @property
    def finished(self) -> bool:
        return (self.limit is not None and self._returned >= self.limit) or all(
            s.done and not s.buffer for s in self.streams
        )

    def wanted(self) -> list[tuple[Stream, dict[str, str]]]:
        """The pages to fetch now: one for each stream that has run dry."""
        if self.finished:
            return []
        out = []
        for s in self.streams:
            if s.done or s.waiting or s.buffer:
                continue
            params = s.params()
            if params is None:
                continue
            if self.request_fields is not None:
                params["fields"] = self.request_fields
            s.waiting = True
            out.append((s, params))
        return out

    def feed(self, stream: Stream, page: list[tuple[int, Any, Lead]]) -> None:
        self.stats.pages += 1
        self.stats.leads_transferred += len(page)
        stream.feed(page)

    def ready(self) -> Iterator[Lead]:
        """The leads that can be returned now, in order."""
        while not self.finished:
            if any(not s.buffer and not s.done for s in self.streams):
                return  # a stream that has run dry might still hold the next lead
            heads = [(s.buffer[0][0], _id_key(s.buffer[0][1]), i) for i, s in enumerate(self.streams) if s.buffer]
            if not heads:
                break
            _, _, i = min(heads)
            second, lead_id, lead = self.streams[i].buffer.popleft()
            if second != self._second:
                self._second, self._ids = second, set()
            if lead_id in self._ids:
                continue  # the same lead from another request of the plan
            self._ids.add(lead_id)
            if not self.split.matches(lead, now=self.now):
                continue
            if self.order.streamed:
                yield from self._give(lead)
            else:
                self._kept.append(lead)
        if self._kept and all(s.done and not s.buffer for s in self.streams):
            kept, self._kept = self._kept, []
            kept.sort(key=_sort_key(self.order.key), reverse=self.order.descending)
            for lead in kept:
                if self.limit is not None and self._returned >= self.limit:
                    break
                yield from self._give(lead)

    def _give(self, lead: Lead) -> Iterator[Lead]:
        if self.skip:
            self.skip -= 1
            return
        self._returned += 1
        self.stats.leads_returned += 1
        yield project(lead, self.fields) if self.fields is not None else lead


def _id_key(lead_id: Any) -> tuple[int, Any]:
    return (0, lead_id) if isinstance(lead_id, int) else (1, str(lead_id))


def _sort_key(key: str) -> Any:
    def read(lead: Lead) -> tuple[Any, ...]:
        value = lead.get(key)
        if key in ("created_at", "updated_at") and isinstance(value, str):
            try:
                value = parse_lead_time(value)
            except ValueError:
                value = None
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            value = None
        have = value is not None
        return (have, value if have else 0, parse_lead_time(lead["created_at"]), _id_key(lead["id"]))

    return read


def _request_fields(fields: FieldSpec | None, split: Pushdown, order: Order) -> str | None:
    """`fields` with what the run reads besides: id, created_at, the sort key and the
    residual's fields; None (every field) when the caller asked for every field."""
    if fields is None:
        return None
    spec: FieldSpec = {k: (None if v is None else set(v)) for k, v in fields.items()}
    for name in (*_NEEDED, order.key):
        _add(spec, name, None)
    for path in split.residual_fields:
        top, _, sub = path.partition(".")
        _add(spec, top, {sub} if sub else None)
    return render_fields(spec)


def run_start(now: datetime | None) -> tuple[datetime, int]:
    """The run's clock (Moscow), and the last second it reads: the one before the run
    began, which bounds every request (a lead created in the second the run began, or
    later, is not read)."""
    from ..core.datetimes import moscow, moscow_seconds

    start = now if now is not None else datetime.now(moscow())
    return start, moscow_seconds(start) - 1
