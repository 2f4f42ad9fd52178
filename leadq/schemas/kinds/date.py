"""Dates without a time (EmployeeOnlineIntervals `date`): whole days, compared by order."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Literal, LiteralKind
from ..criterion import Criterion
from ..wire import Term
from .base import bad_lead, read_field, wrong_param
from .range import RangeKind

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _day(text: str) -> int | None:
    """The ordinal of an ISO date (`2024-01-31`), or None."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text).toordinal()
    except ValueError:
        return None


class DateKind(RangeKind):
    """A day, as the API's `date` type writes it (ISO 8601, `2024-01-31`)."""

    name = "date"
    words = "a date"
    first, last = date.min.toordinal(), date.max.toordinal()

    param_words = "a datetime.date"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if isinstance(value, date) and not isinstance(value, datetime):
            return Literal(LiteralKind.DATE, value.isoformat(), at.span)
        raise wrong_param(value, c, at, self.param_words)

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        day = _day(lit.value) if lit.kind in (LiteralKind.DATE, LiteralKind.STRING) else None
        if day is None:
            if lit.kind is LiteralKind.DATE or _ISO_DATE.fullmatch(lit.value):
                raise Problem("bad_date", lit.span, reason=f"`{lit.value}` is not a real date")
            raise Problem("not_a_day", lit.span, value=lit.value, field=c.display)
        return day, day

    def render(self, n: int) -> str:
        return date.fromordinal(n).isoformat()

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.DATE if _day(value) is not None else LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is None:
            return None
        day = _day(value[:10]) if isinstance(value, str) else None
        if day is None:
            raise bad_lead(c, value, "a date such as 2024-01-31")
        return day

    def read_term_value(self, c: Criterion, term: Term) -> int:
        day = _day(term.value)
        if day is None:
            raise Problem("q_not_a_day", term.value_span, value=term.value, name=c.name)
        return day

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        return [(today, "snippet", "a date (today, Moscow)", "")]

    def describe_value(self, c: Criterion, value: str) -> str:
        day = _day(value)
        return f"`{value}` is the day {date.fromordinal(day):%A, %d %B %Y}" if day is not None else ""
