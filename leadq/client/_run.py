"""One run of a filter through the API, without I/O: what to request, and what to do with
each answer. `AsyncClient` (and `Client`, through it) only sends the requests this asks for.

Paging (docs/fetch.md) is the method's (`leadq.schemas.paging.Paging`). By keyset, every
request of the pushdown is read as a *stream* sorted by the method's paging key
(`created_at`), page after page: each page asks for `created_at >= <the last second read>`
(`<=`, paging downward, when only the descending sort is attested), the request's own
bounds intersected with it, and the objects of that second already read are dropped. An
object created or updated meanwhile cannot shift a later page, as an offset would. A
second that holds more objects than a page is read by offset within that second, twice at
least, until two reads agree (W801 when they never do). Every request is bounded by the
run's cut-off, `created_at <= <cut-off>`: the `Date` of the API's first answers less
`MARGIN` seconds (or the second before `now`, when the caller gives the run's clock).
Keyset streams are merged by (`created_at`, `id`) and deduplicated by id.

A method with no key to page by is read by `offset` (`OffsetStream`), in its most stable
attested sort; the requests of a plan are read one after another, and deduplicated by id.
What changes during such a run can shift its pages: a repeated object is dropped, and a
changed `total` or a repeat is said (W803). A method that takes no `limit` is one request.

Every page is checked (`leadq.client._page`), and so is what it adds: a full page that
adds no object is E803 (the run would ask the same again); a short page whose `total`
says more is read as the API capping its pages, and the run pages on (I802). The residual
is checked on each object; the fields a caller did not ask for are dropped.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..core.datetimes import format_seconds, moscow, moscow_seconds, parse_lead_time, parse_moment
from ..core.diagnostics import Finding
from ..core.span import Span
from ..run.pushdown import Pushdown
from ..schemas.paging import nouns
from ..schemas.schema import Schema
from ..schemas.wire import split_terms
from ._errors import ApiError
from ._page import Entry, Lead, Page, PageRequest, Paging

#: Seconds between the API's clock (the `Date` of its first answers) and the run's cut-off:
#: they cover the `Date` header's whole seconds, a lead stamped just before its write is
#: seen, and the clocks of the API's servers disagreeing by a little.
MARGIN = 5
#: Reads of a second of more leads than a page, before the run gives up on two agreeing;
#: and reads further back, running, before an offset run gives up finding its place.
MAX_PASSES = 4
#: Pages an offset run reads further back, in all: past them, it says W803 and goes on.
MAX_EARLY = 64


@attrs.define
class Stats:
    """What a run cost, readable after (and during) it.

    Attributes:
        requests: HTTP requests sent, retries and token requests included.
        retries: requests sent again after a 429, a 5xx or a connection error.
        pages: pages of leads received.
        leads_transferred: leads received in those pages (leads read).
        leads_returned: leads the run returned to the caller.
        cutoff: the run's cut-off, in Moscow time: it reads the leads created up to this
            second, and none created after it (None until the first answers came). A
            later run given ``after=cutoff`` fetches what is new.
    """

    requests: int = 0
    retries: int = 0
    pages: int = 0
    leads_transferred: int = 0
    leads_returned: int = 0
    cutoff: datetime | None = None


@attrs.frozen
class Order:
    """The order asked for: a sort key of the method (``""``: the order the API sends)
    and a direction; `streamed` when the pages come in it, so that objects are returned
    as they arrive (otherwise they are sorted here after the last page)."""

    key: str
    descending: bool = False
    streamed: bool = True


def read_order(order: str | None, tail: Mapping[str, str], schema: Schema, paging: Paging, requests: int = 1) -> Order:
    """`order=` (``"duration"``, ``"duration desc"``, ``"duration:d"``), else the
    filter's `order by`, else the order of the method's pages: its paging key (in the
    direction it pages), or the API's own order."""
    text = order if order is not None else tail.get("sort")
    if text is None:
        if paging.keyset:
            return Order(paging.key, paging.descending)
        return Order("")
    if not isinstance(text, str):
        raise TypeError(f"order must be a str such as 'created_at' or 'duration desc', not {type(text).__name__}")
    words = text.replace(":", " ").split()
    key = words[0] if words else ""
    direction = words[1].lower() if len(words) > 1 else "a"
    keys = schema.sort_keys or ((paging.key,) if paging.key else ())
    if key not in keys or direction not in ("a", "asc", "d", "desc") or len(words) > 2:
        if not keys:
            raise ValueError(f"{schema.method} takes no order: its results come in the API's own order, not {text!r}")
        raise ValueError(f"order must be one of {', '.join(keys)}, optionally followed by asc or desc: {text!r}")
    descending = direction in ("d", "desc")
    if paging.keyset:
        streamed = key == paging.key and descending == paging.descending
    else:
        streamed = requests == 1 and f"{key}:{'d' if descending else 'a'}" == paging.sort
    return Order(key, descending, streamed)


# -- fields -------------------------------------------------------------------------------


FieldSpec = dict[str, "set[str] | None"]


def read_fields(fields: str | Sequence[str] | None, tail: Mapping[str, str], schema: Schema) -> FieldSpec | None:
    """`fields=` as {name: subfields or None for the whole value}, checked against the
    method's result fields as a filter's `fields` is (E210, with "did you mean"); else the
    filter's own `fields`; None: every field.

    Raises:
        LeadqError: a field the method's results do not have (E210), or a list that does
            not read.
        TypeError: `fields` is neither a str nor a sequence of str.
    """
    if fields is None:
        text = tail.get("fields")
        return None if text is None else parse_fields(text)
    if isinstance(fields, str):
        text = fields
    elif isinstance(fields, Sequence) and all(isinstance(f, str) for f in fields):
        text = ",".join(fields)
    else:
        raise TypeError("fields must be a str such as 'id,name,site(url)' or a sequence of such str")
    return parse_fields(check_fields(text, schema))


def check_fields(text: str, schema: Schema) -> str:
    """The canonical text of a `fields` list, read as a filter's tail reads it.

    Raises:
        LeadqError: its diagnostics span `text` itself.
    """
    from ..api import analyze
    from ..core.diagnostics import LeadqError, Report, Severity

    prefix = "fields "
    a = analyze(prefix + text, schema=schema)
    errors = [d for d in a.diagnostics if d.severity is Severity.ERROR]
    if not text.strip() or errors:
        report = Report(text)
        for d in errors:
            start, end = max(0, d.start - len(prefix)), max(0, d.end - len(prefix))
            line, column = report.place(start)
            report.diagnostics.append(attrs.evolve(d, start=start, end=end, line=line, column=column))
        if not text.strip():
            raise TypeError("fields must name at least one field, such as 'id,name'")
        raise LeadqError(report.diagnostics, text)
    return a.params.get("fields", text)


def parse_fields(text: str) -> FieldSpec:
    """A `fields` list as {name: subfields or None}, unchecked."""
    spec: FieldSpec = {}
    for item in _split_fields(text):
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
    """One request of the pushdown, read page by page in paging-key order (keyset)."""

    def __init__(self, q: str, schema: Schema, paging: Paging, *, low: int | None, page_size: int) -> None:
        self.q = q
        self.schema = schema
        self.paging = paging
        self.descending = paging.descending
        self.low = low  # the run's lower bound (`after`)
        self.high: int | None = None  # the run's cut-off, once known
        # the second the next page starts at: the last one read (None: from the start)
        self.edge: int | None = None if self.descending else low
        self.seen: set[Any] = set()  # the ids read at that second
        self.buffer: deque[Entry] = deque()
        self.done = False
        self.waiting = False  # a page is being fetched
        self.answered = False  # the first page came
        self.size = page_size  # the limit asked
        self.cap: int | None = None  # the API's page size, when it serves fewer than asked
        # a second of more leads than a page, read by offset (`second`), pass after pass
        self.second: int | None = None
        self.passes = 0
        self.previous: set[Any] | None = None  # the ids the pass before read
        self.ids: list[Any] = []  # the ids this pass read, in order
        self.kept: dict[Any, Entry] = {}  # every lead of the second read, latest copy
        self.total: int | None = None
        self.unsteady = False  # this pass saw the second change

    @property
    def page(self) -> int:
        """Leads in a full page: the limit asked, or the API's cap."""
        return self.size if self.cap is None else min(self.size, self.cap)

    def request(self) -> PageRequest | None:
        """The next page to ask for (without `fields`); None once the stream is read."""
        params = {"sort": self.paging.sort, "limit": str(self.size)}
        low: int | None
        high: int | None
        if self.second is not None:
            low = high = self.second
            offset = len(self.ids)
        elif self.descending:
            low, high, offset = self.low, _lowest(self.edge, self.high), 0
        else:
            low, high, offset = self.edge, self.high, 0
        q = bounded_q(self.q, self.schema, self.paging.key, low, high)
        if q is None:
            self.done = True
            return None
        if offset:
            params["offset"] = str(offset)
        return PageRequest({"q": q, **params}, low, high, offset, self.size)

    def feed(self, page: Page, request: PageRequest, notes: Notes) -> None:
        """Take a checked page: keep the leads not read before."""
        self.waiting = False
        self.answered = True
        entries = page.entries
        full = _counted(self, page, request, notes)
        if self.second is not None:
            self._feed_second(entries, page.total, full, request, notes)
            return
        if full and entries[0][0] == entries[-1][0]:
            # a whole page in one second: keyset cannot move past it; read it by offset
            self._start_second(entries[0][0])
            return
        added = 0
        for entry in entries:
            second, lead_id, _ = entry
            if second == self.edge and lead_id in self.seen:
                continue
            if second != self.edge:
                self.edge, self.seen = second, set()
            self.seen.add(lead_id)
            self.buffer.append(entry)
            added += 1
        if not full:
            self.done = True  # a short page (an empty one too), and `total` says no more
        elif not added:
            raise _wrong(notes, request, f"it is a full page that adds no {notes.object} to those read before")

    def _start_second(self, second: int) -> None:
        self.second = second
        self.passes = 0
        self.previous = None
        self.kept = {}
        self._new_pass()

    def _new_pass(self) -> None:
        self.passes += 1
        self.ids = []
        self.total = None
        self.unsteady = False

    def _feed_second(
        self, entries: list[Entry], total: int | None, full: bool, request: PageRequest, notes: Notes
    ) -> None:
        if self.ids and total is not None and self.total is not None and total != self.total:
            self.unsteady = True  # the second changed while this pass read it
        self.total = total if self.total is None else self.total
        read = set(self.ids)
        fresh = [e for e in entries if e[1] not in read]
        if entries and not fresh:
            raise _wrong(notes, request, f"its {notes.objects} at offset {request.offset} repeat those before it")
        if len(fresh) < len(entries):
            self.unsteady = True  # some came again: the order within the second moved
        for entry in fresh:
            self.ids.append(entry[1])
            self.kept[entry[1]] = entry
        if full:
            return  # more of this pass to read
        got = set(self.ids)
        steady = not self.unsteady and (self.total is None or len(got) == self.total)
        if steady and got == self.previous:
            self._end_second()
        elif self.passes >= MAX_PASSES:
            notes.unstable(self.second, len(self.kept))
            self._end_second()
        else:
            self.previous = got if steady else None
            self._new_pass()

    def _end_second(self) -> None:
        """Every read of the second is in: its leads not returned yet go out, by id."""
        second = self.second
        assert second is not None
        fresh = [e for e in self.kept.values() if not (second == self.edge and e[1] in self.seen)]
        fresh.sort(key=lambda e: _id_key(e[1]), reverse=self.descending)
        self.buffer.extend(fresh)
        self.second = None
        self.kept = {}
        # the second is read whole: the next page starts past it
        self.edge, self.seen = (second - 1 if self.descending else second + 1), set()

    def limit_to(self, high: int) -> None:
        """The run's cut-off is known: no lead after it, and no page past it."""
        self.high = high
        if self.descending:
            # the first page came from the newest down: what lies past the cut-off goes
            self.buffer = deque(e for e in self.buffer if e[0] <= high)
            if self.second is not None and self.second > high:
                self.second, self.kept = None, {}
            if self.edge is not None and self.edge > high:
                self.edge, self.seen = high, set()
            if self.low is not None and self.low > high:
                self.done = True
            return
        while self.buffer and self.buffer[-1][0] > high:
            self.buffer.pop()
            self.done = True
        if self.second is not None and self.second > high:
            self.second = None
            self.done = True
        if self.edge is not None and self.edge > high:
            self.done = True


def _lowest(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else min(a, b)


class OffsetStream:
    """One request of the pushdown, read by `offset` in the method's sort (or, for a
    method that takes no `limit`, in one answer).

    Each page after the first starts one object early, on the last object read. When the
    page's first object is one the run has read, with the same sort value it had then,
    nothing the run has not read and that kept its sort value lies before the page
    (whatever was created, deleted or moved meanwhile): it takes the page's objects it has
    not read. Otherwise objects before the page went or moved since the last one, and a
    page may have slid past some it has not read: the run reads from further back (a page
    earlier, then two, four, eight) until a page begins so, or at the start. After
    `MAX_PASSES` such reads it says so (W803) and goes on. Objects without an id are told
    apart by nothing: the page must begin with the very object last read, or the run says
    W803 (such an object may then come twice).
    """

    def __init__(self, q: str, paging: Paging, *, page_size: int) -> None:
        self.q = q
        self.paging = paging
        self.size = page_size
        self.offset = 0  # where the next object lies, as the last page placed it
        self.buffer: deque[Entry] = deque()
        self.done = False
        self.waiting = False
        self.answered = False
        self.cap: int | None = None
        self.read: dict[Any, Any] = {}  # the ids this stream read: their sort values
        self.key = paging.sort.partition(":")[0]  # the field the pages are sorted by
        self.last: Any = None  # the last object read (objects without ids: as JSON)
        self.misses = 0  # pages running read early that began with an object not read
        self.early = 0  # pages read further back, in all: at most `MAX_EARLY`
        self.first: list[Any] | None = None  # the objects of the page at offset 0
        self.same = 0  # pages running, past the first, that were the first page again

    @property
    def page(self) -> int:
        return self.size if self.cap is None else min(self.size, self.cap)

    def request(self) -> PageRequest | None:
        if self.done:
            return None
        params = {"q": self.q}
        if self.paging.sort:
            params["sort"] = self.paging.sort
        if self.paging.way == "single":
            return PageRequest(params, None, None, 0, None)
        if self.misses:  # a page, then two, four, eight further back
            start = max(0, self.offset - self.page * 2 ** (self.misses - 1))
        elif self.offset and self.page > 1:  # (a page of one has no room for the last object)
            start = self.offset - 1  # on the last object read
        else:
            start = self.offset
        params["limit"] = str(self.size)
        if start:
            params["offset"] = str(start)
        return PageRequest(params, None, None, start, self.size)

    def _json(self, entry: Entry) -> str:
        return json.dumps(entry[2], sort_keys=True, ensure_ascii=False)

    def feed(self, page: Page, request: PageRequest, notes: Notes) -> None:
        self.waiting = False
        self.answered = True
        entries = page.entries
        if request.limit is None:  # one answer holds everything
            self.buffer.extend(entries)
            self.done = True
            return
        n = len(entries)
        full = _counted(self, page, request, notes)
        shown = [e[1] if self.paging.id_field else self._json(e) for e in entries]
        if request.offset == 0:
            self.first = shown
        elif full and n > 1 and shown == self.first:
            self.same += 1  # again and again: a server that does not read `offset`
            if self.same >= MAX_PASSES:
                why = f"its {notes.objects} at offset {request.offset} are those at offset 0, page after page"
                raise _wrong(notes, request, why)
        else:
            self.same = 0
        take = entries
        if request.offset < self.offset:  # read early: does it begin where the run has been?
            first = entries[0] if entries else None
            if not self.paging.id_field:
                if first is not None and self._json(first) == self.last:
                    take = entries[1:]
                else:
                    notes.shifted(self.offset)
            elif request.offset == 0 or (first is not None and self._kept_place(first)):
                self.misses = 0
            elif self.misses < MAX_PASSES and self.early < MAX_EARLY:
                self.misses += 1  # read from further back
                self.early += 1
                return
            else:
                notes.shifted(self.offset)
                self.misses = 0
        fresh = []
        for entry in take:
            if entry[1] is not None:
                if entry[1] in self.read:
                    continue  # read before: it moved forward
                self.read[entry[1]] = self._sort_value(entry)
            fresh.append(entry)
        self.buffer.extend(fresh)
        self.offset = request.offset + n
        if entries and not self.paging.id_field:
            self.last = self._json(entries[-1])
        if not full:
            self.done = True

    def _sort_value(self, entry: Entry) -> Any:
        """What places the object in the pages: its sort key's value (the whole object
        when the method is read in its own order)."""
        return entry[2].get(self.key) if self.key else self._json(entry)

    def _kept_place(self, entry: Entry) -> bool:
        """Whether the object was read, and sorts as it did then: no object the run has
        not read, and that kept its own place, can lie before it."""
        return entry[1] in self.read and self.read[entry[1]] == self._sort_value(entry)

    def limit_to(self, high: int) -> None:
        """An offset run has no cut-off."""


def bounded_q(q: str, schema: Schema, key: str, low: int | None, high: int | None) -> str | None:
    """`q` with its bounds on `key` narrowed to [low, high]; None when that is empty."""
    _, terms = split_terms(q, schema.term_start)
    rest = []
    for t in terms:
        if t.name == key and t.op in (">=", "<="):
            n = parse_moment(t.value).first
            if t.op == ">=":
                low = n if low is None else max(low, n)
            else:
                high = n if high is None else min(high, n)
        else:
            rest.append(t)
    if low is not None and high is not None and low > high:
        return None
    bounds = [f"{key}>={format_seconds(low)}"] if low is not None else []
    bounds += [f"{key}<={format_seconds(high)}"] if high is not None else []
    place = schema.order[key]
    before = [q[t.span.start : t.span.end] for t in rest if schema.order.get(t.name, -1) < place]
    after = [q[t.span.start : t.span.end] for t in rest if schema.order.get(t.name, -1) > place]
    return " ".join([*before, *bounds, *after])


# -- what a run notes ------------------------------------------------------------------------


def _counted(stream: Stream | OffsetStream, page: Page, request: PageRequest, notes: Notes) -> bool:
    """Whether more objects may follow `page` (a full page, or `total` says so); a page
    shorter than asked while `total` says more is a cap the stream notes (I802), an empty
    one an answer that cannot be used (E803)."""
    n = len(page.entries)
    # `total` (when the API sends it) says whether more objects follow this page
    more = page.total is not None and request.offset + n < page.total
    if n < stream.size and more:
        if n == 0:
            raise _wrong(notes, request, f"it is empty, but its `total` says {page.total} {notes.objects} match")
        if stream.cap is None or n < stream.cap:
            stream.cap = n
            notes.capped(n, stream.size)
    return more or (page.total is None and n >= stream.page)


class Notes:
    """The findings of a run (warnings and information), and how to word an E803."""

    def __init__(self, filter_text: str, describe: Any, nouns: tuple[str, str] = ("lead", "leads")) -> None:
        self.filter_text = filter_text
        self.describe = describe  # PageRequest -> the request as messages show it
        self.object, self.objects = nouns  # what the method returns, in words
        self.findings: list[Finding] = []
        self._capped = False
        self._shifted = False

    def add(self, key: str, **fields: object) -> None:
        self.findings.append(Finding(key, Span(0, len(self.filter_text)), {"objects": self.objects, **fields}))

    def capped(self, got: int, asked: int) -> None:
        if not self._capped:
            self._capped = True
            self.add("run_capped", got=got, asked=asked)

    def unstable(self, second: int | None, count: int) -> None:
        assert second is not None
        self.add("run_second_unstable", second=format_seconds(second), count=count)

    def shifted(self, offset: int) -> None:
        """An offset stream could not find where its last page ended (W803, once)."""
        if not self._shifted:
            self._shifted = True
            self.add("run_offset_shifted", offset=offset)


def _wrong(notes: Notes, request: PageRequest, why: str) -> ApiError:
    return ApiError(
        "api_wrong_page",
        notes.filter_text,
        status=200,
        body="",
        request=notes.describe(request),
        why=why,
        objects=notes.objects,
    )


# -- the run -----------------------------------------------------------------------------------


class Run:
    """A filter's streams, merged, deduplicated, checked by the residual, in order."""

    def __init__(
        self,
        split: Pushdown,
        *,
        paging: Paging,
        order: Order,
        fields: FieldSpec | None,
        limit: int | None,
        skip: int,
        page_size: int,
        now: datetime,
        cutoff: int | None,
        after: int | None,
        describe: Any,
        path: str = "/leads/list",
    ) -> None:
        self.split = split
        self.paging = paging
        self.order = order
        self.fields = fields
        self.limit = limit
        self.skip = skip
        self.now = now
        self.path = path
        self.stats = Stats()
        self.notes = Notes(split.text, describe, nouns(split.schema))
        low = None if after is None else after + 1
        self.streams: list[Stream | OffsetStream]
        if paging.keyset:
            self.streams = [Stream(q, split.schema, paging, low=low, page_size=page_size) for q in split.requests]
        else:
            self.streams = [OffsetStream(q, paging, page_size=page_size) for q in split.requests]
        self.request_fields = _request_fields(fields, split, order, paging)
        self.cutoff: int | None = None
        self._dates: list[int] = []  # the API's clock at the first answers (Moscow seconds)
        self._undated: str | None = None  # a first answer without a Date header
        if len(split.requests) > 1:
            self.notes.add("run_plan", count=len(split.requests))
        if cutoff is not None:
            self._set_cutoff(cutoff)
        self._second: int | None = None  # the merge's current created_at second
        self._ids: set[Any] = set()  # the ids merged at that second (paged by offset: every id)
        self._contents: dict[str, int] = {}  # objects without an id: which request returned each
        self._kept: list[Lead] = []  # for an order the API's pages cannot give
        self._returned = 0

    @property
    def finished(self) -> bool:
        return (self.limit is not None and self._returned >= self.limit) or all(
            s.done and not s.buffer for s in self.streams
        )

    def wanted(self, slots: int) -> list[tuple[Stream | OffsetStream, PageRequest]]:
        """Up to `slots` pages to fetch now: one for each stream that has run dry. Until
        the cut-off is known, only the first page of each keyset stream."""
        out: list[tuple[Stream | OffsetStream, PageRequest]] = []
        if self.finished:
            return out
        waits = self.paging.keyset and self.cutoff is None
        for s in self.streams:
            if len(out) >= slots:
                break
            if s.done or s.waiting or s.buffer or (waits and s.answered):
                continue
            request = s.request()
            if request is None:
                continue
            if self.request_fields is not None:
                request.params["fields"] = self.request_fields
            s.waiting = True
            out.append((s, request))
        return out

    def feed(
        self, stream: Stream | OffsetStream, request: PageRequest, page: Page, date: datetime | None, describe: str
    ) -> None:
        """Take the checked page a stream asked for, and the `Date` of its answer."""
        self.stats.pages += 1
        self.stats.leads_transferred += len(page.entries)
        first = not stream.answered
        stream.feed(page, request, self.notes)
        if first and self.cutoff is None and self.paging.keyset:
            if date is None:
                self._undated = self._undated or describe
                date = datetime.now(moscow())
            self._dates.append(moscow_seconds(date))
            if all(s.answered for s in self.streams):
                if self._undated is not None:
                    self.notes.add(
                        "run_no_date", request=self._undated, cutoff=format_seconds(min(self._dates) - MARGIN)
                    )
                self._set_cutoff(min(self._dates) - MARGIN)

    def _set_cutoff(self, cutoff: int) -> None:
        self.cutoff = cutoff
        self.stats.cutoff = datetime.fromisoformat(format_seconds(cutoff)).replace(tzinfo=moscow())
        for s in self.streams:
            s.limit_to(cutoff)

    def ready(self) -> Iterator[Lead]:
        """The leads that can be returned now, in order."""
        if self.paging.keyset and self.cutoff is None:
            return  # a lead read so far may be past the cut-off
        entries = self._merged() if self.paging.keyset else self._in_turn()
        for lead in entries:
            if not self.split.matches(lead, now=self.now):
                continue
            if self.order.streamed:
                yield from self._give(lead)
            else:
                self._kept.append(lead)
        if self._kept and all(s.done and not s.buffer for s in self.streams):
            kept, self._kept = self._kept, []
            dated = _is_datetime(self.split.schema, self.order.key, self.paging)
            kept.sort(key=_sort_key(self.order.key, self.paging, dated), reverse=self.order.descending)
            for lead in kept:
                if self.limit is not None and self._returned >= self.limit:
                    break
                yield from self._give(lead)

    def _merged(self) -> Iterator[Lead]:
        """Keyset streams merged by (paging key, id), from the newest down when they page
        downward; an object two requests return goes out once."""
        pick = max if self.paging.descending else min
        while not self.finished:
            if any(not s.buffer and not s.done for s in self.streams):
                return  # a stream that has run dry might still hold the next lead
            heads = [(s.buffer[0][0], _id_key(s.buffer[0][1]), i) for i, s in enumerate(self.streams) if s.buffer]
            if not heads:
                break
            _, _, i = pick(heads)
            second, lead_id, lead = self.streams[i].buffer.popleft()
            if second != self._second:
                self._second, self._ids = second, set()
            if lead_id in self._ids:
                continue  # the same lead from another request of the plan
            self._ids.add(lead_id)
            yield lead

    def _in_turn(self) -> Iterator[Lead]:
        """Offset streams one after another, in the plan's order (a windowed method's
        windows in time order); an object read before goes out once. Objects without an
        id that two requests of a plan may both match are told apart by what they hold:
        one equal in every field to an object another request returned goes out once."""
        merge = not self.paging.id_field and len(self.streams) > 1 and not self.split.disjoint
        while not self.finished:
            i = next((i for i, s in enumerate(self.streams) if s.buffer or not s.done), None)
            if i is None or not self.streams[i].buffer:
                return  # its next page is not in yet
            _, object_id, obj = self.streams[i].buffer.popleft()
            if object_id is not None:
                if object_id in self._ids:
                    continue  # from another request of the plan, or read again at a later offset
                self._ids.add(object_id)
            elif merge:
                held = json.dumps(obj, sort_keys=True, ensure_ascii=False)
                if self._contents.setdefault(held, i) != i:
                    continue  # another request of the plan returned it
            yield obj

    def _give(self, lead: Lead) -> Iterator[Lead]:
        if self.skip:
            self.skip -= 1
            return
        self._returned += 1
        self.stats.leads_returned += 1
        yield project(lead, self.fields) if self.fields is not None else lead


def _id_key(lead_id: Any) -> tuple[int, Any]:
    return (0, lead_id) if isinstance(lead_id, int) else (1, str(lead_id))


def _is_datetime(schema: Schema, key: str, paging: Paging) -> bool:
    """Whether the sort key is a datetime field of the method's results (read as times)."""
    if key == paging.key:
        return True
    c = schema.with_lead_fields().lookup(key)
    return c is not None and c.kind_name == "datetime"


def _sort_key(key: str, paging: Paging, dated: bool) -> Any:
    """Objects sorted by `key`, absent values first; ties by the paging key and the id
    (paged by offset: by the id, else as the pages came)."""

    def read(lead: Lead) -> tuple[Any, ...]:
        value = lead.get(key)
        if dated and isinstance(value, str):
            try:
                value = parse_lead_time(value)
            except ValueError:
                value = None
        if isinstance(value, bool):
            value = int(value)
        elif not isinstance(value, (int, str)):
            value = None
        have = value is not None
        ties = (
            parse_lead_time(lead[paging.key]) if paging.key else 0,
            _id_key(lead[paging.id_field]) if paging.id_field else (0, 0),
        )
        return (have, value if have else 0, *ties)

    return read


def _request_fields(fields: FieldSpec | None, split: Pushdown, order: Order, paging: Paging) -> str | None:
    """`fields` with what the run reads besides: the id, the paging key, the sort key and
    the residual's fields; None (every field) when the caller asked for every field."""
    if fields is None:
        return None
    spec: FieldSpec = {k: (None if v is None else set(v)) for k, v in fields.items()}
    for name in (paging.id_field, paging.key, paging.sort.partition(":")[0], order.key):
        if name and (name in split.schema.result_fields or name in (paging.id_field, paging.key)):
            _add(spec, name, None)
    for path in split.residual_fields:
        top, _, sub = path.partition(".")
        _add(spec, top, {sub} if sub else None)
    return render_fields(spec)


def clock_cutoff(now: datetime) -> int:
    """The cut-off of a run given its clock: the second before `now` (Moscow)."""
    return moscow_seconds(now) - 1
