"""Explain: what a filter means per criterion, what is redundant, and why it cannot compile."""

from __future__ import annotations

from ._check import IdValue, checked
from ._datetimes import FIRST_SECOND, LAST_SECOND, format_seconds
from ._diagnostics import Diagnostic, LeadqError, render
from ._emit import emit_q
from ._normalize import (
    Constraint,
    Excluded,
    Inexpressible,
    Intervals,
    PeriodIs,
    Text,
    Values,
    lint,
    normalize,
)
from ._plan import plan
from ._schema import LEADS_LIST, FieldType, Schema


def explain(text: str, *, schema: Schema = LEADS_LIST) -> str:
    """A person's account of a filter.

    The normalized constraint per criterion, the conditions that are redundant or always
    true, the compiled q; or, when it cannot compile, why: for a filter that never matches,
    the smallest set of conditions that contradict each other.
    """
    try:
        logic, _ = checked(text, schema)
    except LeadqError as e:
        return _problems(text, e.diagnostics)
    normalized, problems = normalize(logic, schema, text)
    if normalized is None:
        if any(d.code == "E401" for d in problems):
            lines = ["never matches: these conditions contradict each other:"]
            lines += [f"  `{_piece(text, d)}` ({d.line}:{d.column})" for d in problems if d.code == "E401"]
            return "\n".join(lines)
        return "\n".join([_problems(text, problems), *_plan_lines(text, schema)])
    lines = ["per field:"] if normalized.constraints else ["per field: no condition (every lead)"]
    lines += [f"  {c.criterion.name}: {describe(c)}" for c in normalized.constraints]
    notes = lint(logic, schema, text)
    if notes:
        lines.append("redundant:")
        lines += [f"  `{_piece(text, d)}` ({d.line}:{d.column}): {_why(d)}" for d in notes]
    q, problems = emit_q(normalized, text)
    if q is None:
        return "\n".join([*lines, _problems(text, problems), *_plan_lines(text, schema)])
    lines.append(f"q: {q}")
    return "\n".join(lines)


def _plan_lines(text: str, schema: Schema) -> list[str]:
    try:
        p = plan(text, schema=schema)
    except LeadqError:
        return []
    overlap = "" if p.disjoint else "; merge them by lead id, they may overlap"
    return [f"plan: {len(p.requests)} requests{overlap}:", *(f"  q: {q}" for q in p.requests)]


def describe(c: Constraint) -> str:
    """One constraint in words: `one of 1, 2`, `from 2024-01-01T00:00:00`, ..."""
    if isinstance(c, Values):
        shown = ", ".join(_value(v) for v in c.values)
        return f"= {shown}" if len(c.values) == 1 else f"one of {shown}"
    if isinstance(c, Excluded):
        return "anything but " + ", ".join(_value(v) for v in c.values)
    if isinstance(c, Intervals):
        datetime = c.criterion.type is FieldType.DATETIME
        return " or ".join(_interval(low, high, datetime) for low, high in c.intervals)
    if isinstance(c, Text):
        return f'contains "{c.text}"'
    if isinstance(c, PeriodIs):
        return f"in the period {c.name}"
    assert isinstance(c, Inexpressible)
    return c.reason


def _interval(low: int | None, high: int | None, datetime: bool) -> str:
    if datetime:
        low = None if low == FIRST_SECOND else low
        high = None if high == LAST_SECOND else high

    def show(v: int) -> str:
        return format_seconds(v) if datetime else str(v)

    if low is not None and low == high:
        return f"= {show(low)}"
    if low is not None and high is not None:
        return f"{show(low)} to {show(high)}"
    if low is not None:
        return f">= {show(low)}"
    return f"<= {show(high)}" if high is not None else "anything"


def _value(v: IdValue) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _piece(text: str, d: Diagnostic) -> str:
    return " ".join(text[d.start : d.end].split())


def _why(d: Diagnostic) -> str:
    return "always true" if d.code == "W603" else "implied by the other conditions"


def _problems(text: str, diagnostics: list[Diagnostic]) -> str:
    return "cannot compile:\n" + render(diagnostics, text)
