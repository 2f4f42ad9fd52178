"""Emit pass: a union of boxes → the canonical `q` string (q-format.md), byte for byte.

The union must be one box whose every criterion one set of terms can say; each criterion's
kind writes its terms, and they are joined in the schema's order. Otherwise the code of the
failure is the one plans share (`Algebra.pieces`): E403/E404 when no set of requests can
say the filter, else E402 (it needs several requests), so that compile's error predicts
exactly what `plan` does.
"""

from __future__ import annotations

from ..analysis.boxes import Algebra, Box
from ..analysis.normalize import needs_several
from ..core.diagnostics import Finding, Problem
from ..core.messages import code_of
from ..schemas.criterion import Criterion
from ..schemas.kinds import KINDS, MemberKind, RangeKind
from ..schemas.kinds.member import sort_key as _sort_key
from ..schemas.logic import Logic, Member, Neg, Period, Range, Substring, conjuncts
from ..schemas.regions import Constraint, Intervals, Test, Values
from ..schemas.schema import Schema

#: Plans longer than this are refused unless the caller allows more.
MAX_REQUESTS = 16


def emit_q(algebra: Algebra, boxes: list[Box], logic: Logic) -> str:
    """The canonical q of a filter's union of boxes.

    Raises:
        Problem: E402, E403, E404, E405, E407 or E408 (and E213), spanned at the
            conditions concerned.
    """
    algebra.needed(boxes)  # no plan mends a missing required criterion or an open window
    box = algebra.single(boxes)
    if box is not None:
        try:
            return " ".join(algebra.terms(box))
        except Problem as p:
            unsayable = p
    algebra.pieces(boxes, MAX_REQUESTS)  # raises E403/E404 when no plan exists either
    if box is not None:  # one box, but some criterion needs several terms: E402
        findings = [
            f if code_of(f.key) in _KEPT else Finding("several_terms", f.span, {"field": f.fields.get("field", "")})
            for f in unsayable.findings
        ]
        if any(f.key == "interval_too_long" for f in findings) and _too_many_windows(algebra, box):
            findings = [_far(f) if f.key == "interval_too_long" else f for f in findings]
        raise Problem.of(findings)
    raise Problem.of(needs_several(algebra, logic))


def _too_many_windows(algebra: Algebra, box: Box) -> bool:
    """Whether a box's windows are more than a plan makes by default (the windows are cut
    no further than one past it)."""
    try:
        return len(algebra.requests(box, MAX_REQUESTS)) > MAX_REQUESTS
    except Problem:
        return False


def _far(f: Finding) -> Finding:
    """E407 whose hint says that `plan` would refuse the windows too."""
    return Finding("interval_far_too_long", f.span, {**f.fields, "most": MAX_REQUESTS})


#: What a kind's refusal of one box says as it is: several requests (E402), windows (E407),
#: an interval that must be bounded (E408). Anything else, with a plan, is E402.
_KEPT = frozenset({"E402", "E407", "E408"})


def direct_q(logic: Logic, schema: Schema) -> str | None:
    """The q of a plain conjunction, without the box algebra; None when it is not one.

    Most filters people write are conditions on distinct fields joined by `and`. Each such
    condition is one region set on its own field, so the union of boxes is that one box,
    and each kind can say its terms at once. Anything else (a field named twice, `or`, a
    negated exclusion, a condition that is always or never true, a value no single term
    holds) returns None, and the box algebra decides, with its diagnostics. Both ways give
    the same bytes (tests/test_compile_predicts_plan.py checks it).
    """
    found: list[tuple[int, Criterion, Constraint]] = []
    seen: set[str] = set()
    order = schema.order
    for operand in conjuncts(logic):
        negated = isinstance(operand, Neg)
        atom = operand.operand if isinstance(operand, Neg) else operand
        if not isinstance(atom, _ATOMS):
            return None
        c = atom.criterion
        if c.name in seen:
            return None
        seen.add(c.name)
        constraint = _direct(atom, negated)
        if constraint is None:
            return None
        found.append((order[c.name], c, constraint))
    for c in schema.needed:
        if c.name not in seen:
            return None  # the algebra says which is missing
    found.sort(key=_first)
    terms: list[str] = []
    try:
        for _, c, constraint in found:
            terms += KINDS[c.kind_name].terms(c, constraint)
    except Problem:
        return None
    return " ".join(terms)


_ATOMS = (Member, Range, Substring, Period)


def _first(item: tuple[int, Criterion, Constraint]) -> int:
    return item[0]


def _direct(atom: Member | Range | Substring | Period, negated: bool) -> Constraint | None:
    c = atom.criterion
    if isinstance(atom, Member):
        kind = KINDS[c.kind_name]
        universe = kind.universe(c) if isinstance(kind, MemberKind) else None
        if universe is None:
            if negated:
                return None  # an exclusion: E403 from the algebra
            values = atom.values
            return Values(c, tuple(values) if len(values) == 1 else tuple(sorted(values, key=_sort_key)))
        chosen = tuple(v for v in universe if (v in atom.values) != negated)
        if not chosen or len(chosen) == len(universe):
            return None  # never or always true: E401 or W603 from the algebra
        return Values(c, chosen)
    if isinstance(atom, Range):
        kind = KINDS[c.kind_name]
        if not isinstance(kind, RangeKind):
            return None
        low, high = (atom.negated().low, atom.negated().high) if negated else (atom.low, atom.high)
        if (low is not None and low > kind.last) or (high is not None and high < kind.first):
            return None
        if low is not None and high is not None and low > high:
            return None
        low = None if low is None or low <= kind.first else low
        high = None if high is None or high >= kind.last else high
        if low is None and high is None:
            return None
        if negated:  # the rest of a half-line is a half-line (`not duration > 60`); else E402
            if low is not None and high is not None:
                return None
            low, high = (None, low - 1) if low is not None else (high + 1 if high is not None else None, None)
        return Intervals(c, ((low, high),))
    if negated:
        return None
    return Test(c, atom.text if isinstance(atom, Substring) else atom.name)
