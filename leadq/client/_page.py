"""Every page checked: an answer is read only when it is what the request asked for.

The checks are generic: they read how the method pages (`leadq.schemas.paging.Paging`:
its paging key, a datetime field, `created_at` for Leads.list, and its id field). A page
is refused with E803 when it is not ``{"results": [...]}``, when `total` is not a count,
when a result is not an object, when it holds more results than `limit`, when an id has
the wrong type or comes twice; and, paged by keyset, when the paging key is not a
datetime to the second, when a page is not in the order asked, or when an object lies
outside the paging-key bounds the request asked for. What the run does with a page that
passes (short pages, pages that add nothing) is `leadq.client._run`'s.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from ..core.datetimes import format_seconds, parse_lead_time
from ..schemas.criterion import IdKind
from ..schemas.paging import Paging
from ._errors import ApiError, shorten

__all__ = ["Entry", "Lead", "Page", "PageRequest", "Paging", "read_page"]

Lead = dict[str, Any]

#: A datetime as the API writes one: Moscow time to the second, optionally with an offset.
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)?")


@attrs.frozen
class PageRequest:
    """One page asked for: its parameters (without `fields`), and what the answer must
    hold to — the paging-key bounds (inclusive seconds, None: unbounded), the offset and
    the limit (None: the method takes none, one answer holds everything)."""

    params: dict[str, str]
    low: int | None
    high: int | None
    offset: int
    limit: int | None


#: An object read from a page: its paging-key second (0 when the run pages no key), its id
#: (None when the objects have none), the object.
Entry = tuple[int, Any, Lead]


@attrs.frozen
class Page:
    entries: list[Entry]
    total: int | None


def read_page(
    answer: object,
    request: PageRequest,
    paging: Paging,
    describe: str,
    filter_text: str,
    body: str,
    nouns: tuple[str, str] = ("lead", "leads"),
) -> Page:
    """The objects of an answer, each with its paging-key second and id, checked against
    the request; `ApiError` (E803) saying what is wrong otherwise. `nouns`: what the
    method returns, in words (``("chat", "chats")``)."""
    noun, objects = nouns

    def wrong(why: str) -> ApiError:
        return ApiError(
            "api_wrong_page", filter_text, status=200, body=body, request=describe, why=why, objects=objects
        )

    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list):
        raise ApiError(
            "api_bad_answer",
            filter_text,
            status=200,
            body=body,
            request=describe,
            answer=shorten(body),
            what=f"a list of {objects}",
            objects=objects,
        )
    assert isinstance(answer, dict)
    total = answer.get("total")
    if total is not None and (not isinstance(total, int) or isinstance(total, bool) or total < 0):
        raise wrong(f"its `total` is {shorten(repr(total), 60)}, not a count")
    if request.limit is not None and len(results) > request.limit:
        raise wrong(f"it holds {len(results)} results where at most {request.limit} were asked")
    key, id_field = paging.key, paging.id_field
    id_type = int if paging.id_kind is IdKind.NUMBER else str
    entries: list[Entry] = []
    ids: set[Any] = set()
    previous = request.high if paging.descending else request.low
    for lead in results:
        if not isinstance(lead, dict):
            raise wrong(f"a result is not an object: {shorten(repr(lead), 80)}")
        lead_id = lead.get(id_field) if id_field else None
        if id_field and type(lead_id) is not id_type:
            what = "missing" if lead_id is None else f"{shorten(repr(lead_id), 40)} ({type(lead_id).__name__})"
            kind = "a whole number" if id_type is int else "a string"
            raise wrong(f"a {noun}'s `{id_field}` is {what}, not {kind}: {shorten(repr(lead), 80)}")
        if id_field and lead_id in ids:
            raise wrong(f"the {noun} {id_field}={lead_id} comes twice in it")
        ids.add(lead_id)
        if not paging.keyset:
            entries.append((0, lead_id, lead))
            continue
        moment = lead.get(key)
        if not isinstance(moment, str) or not _DATETIME.fullmatch(moment):
            raise wrong(
                f"the {noun} {id_field}={lead_id} has `{key}` {shorten(repr(moment), 40)}, not a datetime to the "
                "second (YYYY-MM-DDTHH:MM:SS)"
            )
        try:
            second = parse_lead_time(moment)
        except ValueError:
            raise wrong(f"the {noun} {id_field}={lead_id} has `{key}` {moment!r}, which is no date") from None
        if request.low is not None and second < request.low:
            raise wrong(
                f"the {noun} {id_field}={lead_id} has `{key}` {moment}, before the "
                f"{key}>={format_seconds(request.low)} the request asked for"
            )
        if request.high is not None and second > request.high:
            raise wrong(
                f"the {noun} {id_field}={lead_id} has `{key}` {moment}, after the "
                f"{key}<={format_seconds(request.high)} the request asked for"
            )
        if previous is not None and (second > previous if paging.descending else second < previous):
            raise wrong(
                f"it is not sorted by `{key}` as asked: the {noun} {id_field}={lead_id} ({key} {moment}) comes after "
                f"one of {format_seconds(previous)}"
            )
        previous = second
        entries.append((second, lead_id, lead))
    return Page(entries, total)
