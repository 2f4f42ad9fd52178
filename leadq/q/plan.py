"""Plans: few q strings whose union of results is exactly the filter.

A filter that one q cannot say (an `or` across fields, `type != chat`, `duration != 60`,
an id list too long for one value) can often still be answered by several requests whose
results are merged. The pieces come from the same box algebra that compile asks
(`Algebra.pieces`), so compile's error code says exactly what a plan does: E402 means a
plan exists; E403 and E404 mean none does, with the same spans.
"""

from __future__ import annotations

import itertools

import attrs

from ..analysis.boxes import Algebra, Box, apart
from ..core.diagnostics import LeadqError, Problem, Report
from ..core.span import Span


@attrs.frozen
class Plan:
    """Requests whose merged results are exactly the filter's leads.

    Attributes:
        requests: canonical q strings, one per request (one ``""`` for all leads).
        disjoint: True when no lead can match two requests; otherwise merge the results
            by lead id.
    """

    requests: tuple[str, ...]
    disjoint: bool


def make_plan(algebra: Algebra, boxes: list[Box], text: str, max_requests: int) -> Plan:
    """The plan of a filter's union of boxes; `LeadqError` (spans into `text`) when there
    is none."""
    report = Report(text)
    try:
        algebra.needed(boxes)
        pieces = algebra.pieces(boxes, max_requests)
        if len(pieces) > max_requests:
            raise Problem("too_many_requests", Span(0, len(text)), count=len(pieces), limit=max_requests)
        requests: list[str] = []
        for piece in pieces:
            # windows: several each, and never more made than one past the limit (a
            # century in 30-day windows would take seconds to write out)
            requests += algebra.requests(piece, max_requests - len(requests))
            if len(requests) > max_requests:
                more = f"more than {max_requests}"
                raise Problem("too_many_requests", Span(0, len(text)), count=more, limit=max_requests)
    except Problem as p:
        report.problem(p)
        raise LeadqError(report.diagnostics, text) from None
    disjoint = all(apart(x, y) for x, y in itertools.combinations(pieces, 2))
    return Plan(tuple(requests), disjoint)
