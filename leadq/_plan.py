"""Plans: the fewest q strings whose union of results is exactly the filter.

A filter that one q cannot say (an `or` across fields, `type != chat`, `duration != 60`,
an id list too long for one value) can often still be answered by several requests whose
results are merged. The filter's union of boxes (see `_normalize`) is split, criterion by
criterion, into pieces that each fit one q; pieces already covered by the others are
dropped, and the plan says whether the requests may return the same lead twice.
"""

from __future__ import annotations

import itertools

import attrs

from ._ast import Span
from ._check import checked
from ._diagnostics import Diagnostic, LeadqError, diagnostic
from ._emit import Unsayable, constraint_terms
from ._normalize import Box, Normalizer, TooComplex, contradictions, simplify, subtract
from ._schema import LEADS_LIST, Schema

#: Plans longer than this are refused unless the caller allows more.
MAX_REQUESTS = 16


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


def plan(text: str, *, schema: Schema = LEADS_LIST, max_requests: int = MAX_REQUESTS) -> Plan:
    """Split a filter into few requests whose union is exactly the filter.

    Alternatives are merged per field and pieces that the others cover are dropped, which
    gives the fewest requests for the filters people write (every example in the docs);
    for unusual overlaps of many fields the count is small but not proven minimal.

    Args:
        text: the filter.
        schema: the API method's criteria.
        max_requests: the most requests the plan may hold.

    Raises:
        LeadqError: the filter has errors, never matches (E401), holds a condition no
            request can say (E403, E404), or needs more than `max_requests` (E406).
    """
    logic, _ = checked(text, schema)
    whole = Span(0, len(text))
    try:
        n = Normalizer(logic, schema, text)
        if n.diagnostics:
            raise LeadqError(n.diagnostics, text)
        boxes = n.boxes(logic)
        if not boxes:
            raise LeadqError(contradictions(n, logic), text)
        pieces = _pieces(n, boxes, max_requests)
    except TooComplex:
        raise LeadqError(
            [diagnostic(text, "E405", whole, "the filter has too many alternatives to plan")], text
        ) from None
    if len(pieces) > max_requests:
        raise LeadqError(
            [
                diagnostic(
                    text,
                    "E406",
                    whole,
                    f"the filter needs {len(pieces)} requests; the plan allows {max_requests}",
                    "narrow the filter, or pass a larger max_requests",
                )
            ],
            text,
        )
    requests: list[str] = []
    problems: list[Diagnostic] = []
    for box in pieces:
        terms: list[str] = []
        for constraint in n.constraints(box):
            try:
                terms.extend(constraint_terms(constraint))
            except Unsayable as u:
                spans = n.spans(constraint.criterion) or [whole]
                problems.extend(diagnostic(text, u.code, s, u.message, u.hint) for s in dict.fromkeys(spans))
        requests.append(" ".join(terms))
    if problems:
        raise LeadqError(list(dict.fromkeys(problems)), text)
    disjoint = all(_apart(a, b) for a, b in itertools.combinations(pieces, 2))
    return Plan(tuple(requests), disjoint)


def _pieces(n: Normalizer, boxes: list[Box], cap: int) -> list[Box]:
    pieces: list[Box] = []
    for box in simplify(boxes, n.spaces):
        splits = [[(i, m) for m in n.spaces[i].split(mask)] for i, mask in sorted(box.items())]
        for combo in itertools.product(*splits):
            pieces.append(dict(combo))
            if len(pieces) > 64 * cap:
                return pieces
    # Drop pieces that the others already cover, smallest first.
    pieces.sort(key=lambda b: _size(n, b))
    kept = list(pieces)
    for piece in pieces:
        others = [p for p in kept if p is not piece]
        if others and not subtract([piece], others, n.spaces):
            kept = others
    return sorted(kept, key=lambda b: sorted(b.items()))


def _size(n: Normalizer, box: Box) -> int:
    return sum(n.spaces[i].full.bit_count() - m.bit_count() for i, m in box.items())


def _apart(a: Box, b: Box) -> bool:
    return any(a[i] & b[i] == 0 for i in a.keys() & b.keys())
