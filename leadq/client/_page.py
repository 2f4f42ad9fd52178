"""Every page checked: an answer is read only when it is what the request asked for.

The checks are generic: they read the method's paging key (a datetime field, `created_at`
for Leads.list) and its id field from the schema. A page is refused with E803 when it is
not ``{"results": [...]}``, when `total` is not a count, when a result is not an object,
when an id has the wrong type, when the paging key is not a datetime to the second, when
a page is not in the order asked, when a lead lies outside the paging-key bounds the
request asked for, or when one id comes twice in a page. What the run does with a page
that passes (short pages, pages that add nothing) is `leadq.client._run`'s.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from ..core.datetimes import format_seconds, parse_lead_time
from ..schemas.criterion import IdKind
from ..schemas.schema import Schema
from ._errors import ApiError, shorten

Lead = dict[str, Any]

#: A datetime as the API writes one: Moscow time to the second, optionally with an offset.
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)?")


@attrs.frozen
class Paging:
    """What a run pages by, read from the method's schema.

    Attributes:
        key: the datetime field pages are sorted and bounded by (`Schema.paging_key`).
        id_field: the field that tells two results apart.
        id_kind: whether ids are numbers or strings.
        max_limit: the largest page the API serves.
    """

    key: str
    id_field: str
    id_kind: IdKind
    max_limit: int

    @classmethod
    def of(cls, schema: Schema) -> Paging:
        """The paging of `schema`'s method: its paging key, read ascending.

        Raises:
            TypeError: the method has no paging key, or its reference does not attest the
                ascending sort on it (`Schema.sorts`), which keyset paging needs.
        """
        if not schema.paging_key:
            raise TypeError(f"leadq cannot page {schema.method} yet: its schema names no paging key")
        ascending = f"{schema.paging_key}:a"
        if schema.sorts and ascending not in schema.sorts:
            raise TypeError(
                f"leadq cannot page {schema.method} yet: it pages by `{schema.paging_key}` ascending, which the "
                f"method's reference does not attest (its sorts: {', '.join(schema.sorts)})"
            )
        ids = next((c for c in schema.criteria if c.is_idlist and c.lead_field == "id"), None)
        return cls(
            schema.paging_key,
            "id",
            ids.id_kind if ids is not None else IdKind.NUMBER,
            schema.max_limit,
        )


@attrs.frozen
class PageRequest:
    """One page asked for: its parameters (without `fields`), and what the answer must
    hold to — the paging-key bounds (inclusive seconds, None: unbounded), the offset and
    the limit."""

    params: dict[str, str]
    low: int | None
    high: int | None
    offset: int
    limit: int


#: A lead read from a page: its paging-key second, its id, the lead.
Entry = tuple[int, Any, Lead]


@attrs.frozen
class Page:
    entries: list[Entry]
    total: int | None


def read_page(answer: object, request: PageRequest, paging: Paging, describe: str, filter_text: str, body: str) -> Page:
    """The leads of an answer, each with its paging-key second and id, checked against
    the request; `ApiError` (E803) saying what is wrong otherwise."""

    def wrong(why: str) -> ApiError:
        return ApiError("api_wrong_page", filter_text, status=200, body=body, request=describe, why=why)

    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list):
        raise ApiError("api_bad_answer", filter_text, status=200, body=body, request=describe, answer=shorten(body))
    assert isinstance(answer, dict)
    total = answer.get("total")
    if total is not None and (not isinstance(total, int) or isinstance(total, bool) or total < 0):
        raise wrong(f"its `total` is {shorten(repr(total), 60)}, not a count")
    if len(results) > request.limit:
        raise wrong(f"it holds {len(results)} results where at most {request.limit} were asked")
    key, id_field = paging.key, paging.id_field
    id_type = int if paging.id_kind is IdKind.NUMBER else str
    entries: list[Entry] = []
    ids: set[Any] = set()
    previous = request.low
    for lead in results:
        if not isinstance(lead, dict):
            raise wrong(f"a result is not an object: {shorten(repr(lead), 80)}")
        lead_id = lead.get(id_field)
        if type(lead_id) is not id_type:
            what = "missing" if lead_id is None else f"{shorten(repr(lead_id), 40)} ({type(lead_id).__name__})"
            kind = "a whole number" if id_type is int else "a string"
            raise wrong(f"a lead's `{id_field}` is {what}, not {kind}: {shorten(repr(lead), 80)}")
        moment = lead.get(key)
        if not isinstance(moment, str) or not _DATETIME.fullmatch(moment):
            raise wrong(
                f"the lead {id_field}={lead_id} has `{key}` {shorten(repr(moment), 40)}, not a datetime to the "
                "second (YYYY-MM-DDTHH:MM:SS)"
            )
        try:
            second = parse_lead_time(moment)
        except ValueError:
            raise wrong(f"the lead {id_field}={lead_id} has `{key}` {moment!r}, which is no date") from None
        if request.low is not None and second < request.low:
            raise wrong(
                f"the lead {id_field}={lead_id} has `{key}` {moment}, before the {key}>={format_seconds(request.low)} "
                "the request asked for"
            )
        if request.high is not None and second > request.high:
            raise wrong(
                f"the lead {id_field}={lead_id} has `{key}` {moment}, after the {key}<={format_seconds(request.high)} "
                "the request asked for"
            )
        if previous is not None and second < previous:
            raise wrong(
                f"it is not sorted by `{key}` as asked: the lead {id_field}={lead_id} ({key} {moment}) comes after "
                f"a lead of {format_seconds(previous)}"
            )
        if lead_id in ids:
            raise wrong(f"the lead {id_field}={lead_id} comes twice in it")
        ids.add(lead_id)
        previous = second
        entries.append((second, lead_id, lead))
    return Page(entries, total)
