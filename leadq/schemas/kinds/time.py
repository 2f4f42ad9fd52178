"""Times of day without a date (EmployeeOnlineIntervals `time`): whole seconds from
00:00:00 to 23:59:59, Moscow time, compared by order."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Any

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Literal, LiteralKind
from ..criterion import Criterion
from ..wire import Term
from .base import bad_lead, read_field, wrong_param
from .range import RangeKind

_TIME = re.compile(r"(?P<H>[0-9]{2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?", re.ASCII)
_DAY = 86400
#: A time of day with a zone is converted with Moscow's offset since 2014 (a time without
#: a date has no other): +03:00.
_MOSCOW_OFFSET = 3 * 3600


def _seconds(text: str) -> tuple[int, int] | None:
    """The first and last second of the day a time covers (`10:00` is a whole minute), in
    Moscow time; None when `text` is no time of day or its zone moves it to another day."""
    m = _TIME.fullmatch(text)
    if m is None:
        return None
    h, mi, s = int(m["H"]), int(m["M"]), int(m["S"] or 0)
    if h > 23 or mi > 59 or s > 59:
        return None
    first = h * 3600 + mi * 60 + s
    tz = m["tz"]
    if tz:
        offset = 0 if tz == "Z" else (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60) * (1 if tz[0] == "+" else -1)
        first += _MOSCOW_OFFSET - offset
    last = first + (0 if m["S"] is not None else 59)
    if first < 0 or last >= _DAY:
        return None
    return first, last


class TimeKind(RangeKind):
    """A time of day, as the API's `time` type writes it (`15:35:48`, `15:35:48+04:00`)."""

    name = "time"
    words = "a time of day"
    first, last = 0, _DAY - 1

    param_words = "a datetime.time"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if isinstance(value, time) and value.tzinfo is None:
            if value.microsecond:
                raise Problem("param_fraction", at.span, name=at.value)
            return Literal(LiteralKind.STRING, value.strftime("%H:%M:%S"), at.span)
        raise wrong_param(value, c, at, self.param_words)

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        found = _seconds(lit.value) if lit.kind in (LiteralKind.STRING, LiteralKind.WORD) else None
        if found is None:
            raise Problem("not_a_time_of_day", lit.span, value=lit.value, field=c.display)
        return found

    def render(self, n: int) -> str:
        return f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}"

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is None:
            return None
        found = _seconds(value) if isinstance(value, str) else None
        if found is None:
            raise bad_lead(c, value, "a time such as 15:35:48")
        return found[0]

    def read_term_value(self, c: Criterion, term: Term) -> int:
        found = _seconds(term.value)
        if found is None:
            raise Problem("q_not_a_time_of_day", term.value_span, value=term.value, name=c.name)
        return found[0]

    def describe_value(self, c: Criterion, value: str) -> str:
        found = _seconds(value)
        if found is None:
            return ""
        first, last = (self.render(s) for s in found)
        if first == last:
            return f"`{value}` is {first}, Moscow time"
        return f"`{value}` covers {first} to {last}, Moscow time"

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        return [('"09:00:00"', "snippet", "a time of day (Moscow)", "")]
