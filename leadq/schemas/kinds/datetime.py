"""Datetimes: moments as Moscow local seconds, and the relative periods (`lastweek`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ...core.datetimes import (
    FIRST_SECOND,
    LAST_SECOND,
    RELATIVE_PERIODS,
    format_seconds,
    in_period,
    parse_lead_time,
    parse_moment,
    period_doc,
    period_fits,
    period_spelling,
    period_words,
    window_end,
)
from ...core.diagnostics import Finding, Problem
from ...core.span import Span
from ...language.tree import Between, Compare, Condition, In, Literal, LiteralKind, Op
from ..criterion import Criterion
from ..logic import Atom, Logic, Period
from ..regions import (
    Constraint,
    Intervals,
    Space,
    Test,
    TestSpace,
    Untestable,
)
from ..wire import Term
from .base import Context, bad_lead, needs_clock, read_field, wrong_param
from .range import RangeKind

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class DatetimeKind(RangeKind):
    """A moment, as Moscow local seconds; or a relative period (`lastweek`)."""

    name = "datetime"
    words = "a date and time"
    operators_doc = "`=` `!=` `<` `<=` `>` `>=` `in` `between`, `= period`"
    first, last = FIRST_SECOND, LAST_SECOND
    equal_term = False

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        if isinstance(node, Compare) and _period(node.value) is not None:
            name = _period(node.value)
            assert name is not None
            if node.op is not _EQ:
                raise Problem("period_operator", node.span, op=node.op.value, field=node.field.name, period=name)
            if ctx.stored:
                ctx.report("stored_period", node.span, period=node.value.value)
            return Period(c, name, node.span)
        logic = super().condition(node, c, ctx)
        literals: tuple[Literal, ...] = ()
        if isinstance(node, Compare):
            literals = (node.value,)
        elif isinstance(node, In):
            literals = node.values
        elif isinstance(node, Between):
            literals = (node.low, node.high)
        for lit in literals:
            repeated = parse_moment(lit.value).repeated if lit.kind is _DATETIME else None
            if repeated is not None:
                start, end = (format_seconds(s) for s in repeated)
                ctx.report("repeated_hour", lit.span, value=lit.value, start=start, end=end)
        return logic

    unsure = True

    def interval(self, op: Op, lit: Literal, c: Criterion, sure: bool = False) -> tuple[int | None, int | None]:
        low, high = super().interval(op, lit, c, sure)
        repeated = parse_moment(lit.value).repeated if lit.kind is _DATETIME else None
        if repeated is None:
            return low, high
        # Moscow time cannot tell the two passes of a repeated hour apart: a lead in that
        # hour may meet the bound (W607). What it may match takes in the whole hour, what
        # it surely matches leaves the hour out; `not` turns one into the other, so the
        # filter is widened wherever the bound stands (docs/decisions.md).
        start, end = repeated
        if op is _EQ or op is _NE:
            assert low is not None and high is not None
            if not sure:
                return min(start, low), max(end, high)
            if low < start:
                return low, min(high, start - 1)
            return (max(low, end + 1), high) if high > end else (end + 1, start - 1)  # none
        if op is _GT or op is _GE:
            assert low is not None
            return (max(low, end + 1) if sure else min(low, start)), None
        assert high is not None
        return None, (min(high, start - 1) if sure else max(high, end))

    param_words = "a datetime.date or datetime.datetime"
    param_example = "2024-01-31"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if isinstance(value, datetime):
            if value.microsecond:
                raise Problem("param_fraction", at.span, name=at.value)
            text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value:%H:%M:%S}"
            offset = value.utcoffset()
            if offset is not None:
                minutes, rest = divmod(int(offset.total_seconds()), 60)
                if rest:
                    raise wrong_param(value, c, at, "a datetime whose offset is whole minutes")
                sign = "-" if minutes < 0 else "+"
                text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            return Literal(LiteralKind.DATETIME, text, at.span)
        if isinstance(value, date):
            return Literal(LiteralKind.DATE, f"{value.year:04d}-{value.month:02d}-{value.day:02d}", at.span)
        raise wrong_param(value, c, at, self.param_words)

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        if _period(lit) is not None:
            raise Problem("period_as_bound", lit.span, period=lit.value, field=c.display)
        if lit.kind is _INT and 9 <= len(lit.value) <= 10 and not lit.value.startswith("-"):
            utc = datetime.fromtimestamp(int(lit.value), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise Problem("unix_time", lit.span, value=lit.value, fix=utc)
        if lit.kind is _WORD and (spelling := period_spelling(lit.value)) is not None:
            period, exactly = spelling
            key = "period_spelling" if exactly else "period_nearest"
            raise Problem(key, lit.span, value=lit.value, period=period, meaning=period_words(period))
        if lit.kind in (_BOOL, _DECIMAL, _WORD):
            raise Problem("not_a_date", lit.span, value=lit.value)
        if not lit.value.isascii() and any(ch.isdigit() and ch not in "0123456789" for ch in lit.value):
            raise Problem("non_ascii_digits", lit.span, value=lit.value)
        try:
            moment = parse_moment(lit.value)
        except ValueError as e:
            spelling = period_spelling(lit.value) if lit.kind is _STRING else None
            if spelling is not None:
                period, exactly = spelling
                key = "period_spelling" if exactly else "period_nearest"
                raise Problem(key, lit.span, value=lit.value, period=period, meaning=period_words(period)) from None
            raise Problem("bad_date", lit.span, reason=str(e)) from None
        return moment.first, moment.last

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        periods = [a for a in atoms if isinstance(a, Period)]
        if not periods:
            return super().space(c, atoms)
        others = [a for a in atoms if not isinstance(a, Period)]
        if others:
            raise Problem.of(_period_mix(a.span, periods[0].span, others[0].span, c) for a in (periods[0], *others))
        return TestSpace(c, (a.name for a in periods), lambda _a, _b: False)

    def render(self, n: int) -> str:
        return format_seconds(n)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        if isinstance(constraint, Test):
            if c.max_interval and not period_fits(constraint.key, c.max_interval):
                limit = c.max_interval
                raise Problem("period_too_long", Span(0, 0), field=c.display, period=constraint.key, limit=limit)
            return [f"{c.name}={constraint.key}"]
        if isinstance(constraint, Untestable):
            raise Problem("period_negated", Span(0, 0), field=c.display)
        if c.max_interval:
            low, high = self._bounded(c, constraint)
            if high > window_end(low, c.max_interval):
                raise Problem("interval_too_long", Span(0, 0), field=c.display, limit=c.max_interval)
        return super().terms(c, constraint)

    def windows(self, c: Criterion, constraint: Constraint, most: int) -> list[list[str]]:
        if not c.max_interval or not isinstance(constraint, Intervals):
            return [self.terms(c, constraint)]
        low, high = self._bounded(c, constraint)
        out: list[list[str]] = []
        while low <= high and len(out) <= most:
            end = min(window_end(low, c.max_interval), high)
            out.append(super().terms(c, Intervals(c, ((low, end),))))
            low = end + 1
        return out

    def _bounded(self, c: Criterion, constraint: Constraint) -> tuple[int, int]:
        """The one bounded interval a method with a longest interval takes."""
        assert isinstance(constraint, Intervals)
        if len(constraint.intervals) != 1:
            raise Problem("separate_ranges", Span(0, 0), field=c.display, count=len(constraint.intervals))
        ((low, high),) = constraint.intervals
        if low is None or high is None:
            raise Problem("interval_open", Span(0, 0), field=c.display, limit=c.max_interval)
        return low, high

    def describe(self, constraint: Constraint) -> str:
        if isinstance(constraint, Test):
            return f"in the period {constraint.key}"
        if isinstance(constraint, Untestable):
            return "outside a relative period, or in two at once: no q term says it"
        return super().describe(constraint)

    def literal(self, value: str, span: Span) -> Literal:
        return datetime_literal(value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is None:
            return None
        if not isinstance(value, str):
            raise bad_lead(c, value, "a datetime string such as 2024-01-31T10:00:00")
        try:
            return parse_lead_time(value)
        except ValueError:
            raise bad_lead(c, value, "a datetime string such as 2024-01-31T10:00:00") from None

    def equals(self, c: Criterion, have: Any, lit: Literal, now: int | None, sure: bool = False) -> bool:
        name = _period(lit)
        if name is not None:
            return have is not None and in_period(name, have, needs_clock(now))
        return super().equals(c, have, lit, now, sure)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        if term.value in RELATIVE_PERIODS:
            return have is not None and term.op == "=" and in_period(term.value, have, needs_clock(now))
        return super().holds(c, term, have, now)

    def read_term_value(self, c: Criterion, term: Term) -> int:
        value = term.value
        try:
            # A server reads a time as its first second (a date as its midnight), as
            # `datetime_literal` writes it for decompile.
            return parse_moment(value.replace(" ", "T", 1) if value[4:5] == "-" else value).first
        except ValueError:
            raise Problem("q_not_a_date", term.value_span, value=value, name=c.name) from None

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        equals = op in ("=", "==")  # a period takes only `=`
        periods = [(p, "value", "relative period", period_doc(p)) for p in RELATIVE_PERIODS] if equals else []
        return [
            *periods,
            (today, "snippet", "a date (today, Moscow)", ""),
            (f"{today}T00:00:00", "snippet", "a date and time (Moscow)", ""),
        ]

    def describe_value(self, c: Criterion, value: str) -> str:
        if value in RELATIVE_PERIODS:
            return f"`{value}` — {period_doc(value)}"
        try:
            m = parse_moment(value)
        except ValueError:
            return ""
        text = f"`{value}` covers {format_seconds(m.first)} to {format_seconds(m.last)}, Moscow time"
        if m.repeated:
            text += " (in an hour Moscow's clocks repeated: a bound takes in the whole hour)"
        return text

    def decompile_note(self, c: Criterion, term: Term) -> Finding | None:
        if term.op != "=" or term.value in RELATIVE_PERIODS:
            return None
        return Finding("q_datetime_equals", term.span, {"name": c.name})


def _period(lit: Literal) -> str | None:
    if lit.kind in (_WORD, _STRING) and lit.value in RELATIVE_PERIODS:
        return lit.value
    return None


def _period_mix(at: Span, period: Span, other: Span, c: Criterion) -> Finding:
    return Finding("period_mixed", at, {"period_span": period, "other_span": other, "field": c.display})


_ZONED = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<hm>[0-9]{2}:[0-9]{2})(?::(?P<s>[0-9]{2}))?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})"
)


def datetime_literal(value: str, span: Span) -> Literal:
    """A q datetime value as the language's literal of the same meaning.

    A server reads a datetime in q as its first second (`2016-12-31` is its midnight,
    `201612311200` 12:00:00; Types/datetime.json: "to the second"), while the language
    reads a date as the whole day: the literal is that one second, written in full
    (`2016-12-31T00:00:00`). A value with a zone keeps it, unless it falls in an hour
    Moscow's clocks repeated, where the language would widen it: then the Moscow second
    the server converts it to. A value that is no datetime stays as written (the check
    pass says why).
    """
    if value in RELATIVE_PERIODS:
        return Literal(LiteralKind.WORD, value, span)
    try:
        moment = parse_moment(value.replace(" ", "T", 1) if value[4:5] == "-" else value)
    except ValueError:
        return Literal(LiteralKind.STRING, value, span)
    zoned = _ZONED.fullmatch(value)
    if zoned and moment.repeated is None:
        text = f"{zoned['date']}T{zoned['hm']}:{zoned['s'] or '00'}{zoned['tz']}"
    else:
        text = format_seconds(moment.first)
    return Literal(LiteralKind.DATETIME, text, span)
