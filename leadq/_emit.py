"""Emit pass: normalized constraints → the canonical `q` string (q-format.md), byte for byte.

One function per constraint kind. What a single `q` cannot say (several enum values, an
exclusion, two separate ranges, an idlist too long) becomes a diagnostic that points at the
conditions on that criterion.
"""

from __future__ import annotations

from ._ast import Span
from ._check import MAX_VALUE_LENGTH, IdValue
from ._datetimes import FIRST_SECOND, LAST_SECOND, format_seconds
from ._diagnostics import Diagnostic, diagnostic
from ._normalize import Constraint, Excluded, Inexpressible, Intervals, Normalized, PeriodIs, Text, Values
from ._schema import Criterion, FieldType


class Unsayable(Exception):
    """A constraint that no q term can carry, with the diagnostic to report."""

    def __init__(self, code: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint


def emit_q(normalized: Normalized, text: str) -> tuple[str | None, list[Diagnostic]]:
    """The canonical q of a normalized filter, or why there is none."""
    terms: list[str] = []
    problems: list[Diagnostic] = []
    for constraint in normalized.constraints:
        try:
            terms.extend(constraint_terms(constraint))
        except Unsayable as u:
            spans = _places(normalized.spans(constraint.criterion) or [Span(0, len(text))])
            problems.extend(diagnostic(text, u.code, s, u.message, u.hint) for s in spans)
    if problems:
        return None, problems
    return " ".join(terms), []


#: More conditions than this on one criterion are pointed at as one stretch of text.
_MAX_POINTS = 8


def _places(spans: list[Span]) -> list[Span]:
    unique = list(dict.fromkeys(spans))
    if len(unique) <= _MAX_POINTS:
        return unique
    return [Span(min(s.start for s in unique), max(s.end for s in unique))]


def constraint_terms(constraint: Constraint) -> list[str]:
    c = constraint.criterion
    if isinstance(constraint, Values):
        return [_values(c, constraint.values)]
    if isinstance(constraint, Intervals):
        return _intervals(c, constraint.intervals)
    if isinstance(constraint, Text):
        return [f"{c.name}={constraint.text}"]
    if isinstance(constraint, PeriodIs):
        return [f"{c.name}={constraint.name}"]
    if isinstance(constraint, Excluded):
        shown = ", ".join(_value_text(v) for v in constraint.values)
        raise Unsayable(
            "E403",
            f"`{c.display}` excludes {shown} without a list of {c.display}s to take them from",
            f"q can only list the {c.display}s to keep: add `{c.display} in (...)`",
        )
    assert isinstance(constraint, Inexpressible)
    raise Unsayable("E404", f"`{c.display}`: {constraint.reason}")


def _value_text(v: IdValue) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _values(c: Criterion, values: tuple[IdValue, ...]) -> str:
    if c.type is FieldType.IDLIST:
        value = ",".join(_value_text(v) for v in values)
        if len(value) > MAX_VALUE_LENGTH:
            raise Unsayable(
                "E306",
                f"the list of {len(values)} {c.display} ids takes {len(value)} characters; "
                f"q values hold at most {MAX_VALUE_LENGTH}",
                "split the ids over several filters",
            )
        return f"{c.name}={value}"
    if len(values) != 1:
        raise Unsayable(
            "E402",
            f"`{c.display}` allows {', '.join(_value_text(v) for v in values)}; a q term holds one value",
            "split the filter into one request per value and merge the results",
        )
    return f"{c.name}={_value_text(values[0])}"


def _intervals(c: Criterion, intervals: tuple[tuple[int | None, int | None], ...]) -> list[str]:
    if len(intervals) != 1:
        raise Unsayable(
            "E402",
            f"`{c.display}` allows {len(intervals)} separate ranges; q holds one range per field",
            "split the filter into one request per range and merge the results",
        )
    ((low, high),) = intervals
    if c.type is FieldType.DATETIME:
        terms = []
        if low is not None and low != FIRST_SECOND:
            terms.append(f"{c.name}>={format_seconds(low)}")
        if high is not None and high != LAST_SECOND:
            terms.append(f"{c.name}<={format_seconds(high)}")
        return terms
    if low is not None and low == high:
        return [f"{c.name}={low}"]
    return [f"{c.name}{op}{v}" for op, v in ((">=", low), ("<=", high)) if v is not None]
