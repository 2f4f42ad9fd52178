"""Range kinds: fields compared by order; the shared part of numbers and datetimes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Between, Compare, Condition, Field, In, Literal, LiteralKind, Node, Op
from ..criterion import Criterion
from ..logic import Atom, Disj, Logic, Neg, Range
from ..regions import (
    Constraint,
    Intervals,
    RangeSpace,
    Space,
)
from ..wire import Term
from .base import Context, Kind

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class RangeKind(Kind):
    """Fields compared by order: `duration` in seconds, datetimes in Moscow seconds."""

    operators = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "between")
    operators_doc = "`=` `!=` `<` `<=` `>` `>=` `in` `between`"
    first: ClassVar[int]
    last: ClassVar[int]

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        """The first and last whole number a value covers; a `Problem` if it is none."""
        raise NotImplementedError

    def render(self, n: int) -> str:
        return str(n)

    def interval(self, op: Op, lit: Literal, c: Criterion, sure: bool = False) -> tuple[int | None, int | None]:
        """The numbers `field op value` may allow (`!=`: those it may exclude); with
        `sure`, those it surely allows (the same, but for a value that cannot be placed
        exactly: a datetime in a repeated hour). low > high: none."""
        first, last = self.bounds(lit, c)
        if op is _EQ or op is _NE:
            return first, last
        if op is _GE:
            return first, None
        if op is _GT:
            return last + 1, None
        if op is _LE:
            return None, last
        return None, first - 1

    def between(self, node: Between, c: Criterion, sure: bool = False) -> tuple[int | None, int | None]:
        return self.interval(_GE, node.low, c, sure)[0], self.interval(_LE, node.high, c, sure)[1]

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        if isinstance(node, In):
            ranges = tuple(self._range(c, node.span, functools.partial(self._equal, v, c)) for v in node.values)
            logic: Logic = ranges[0] if len(ranges) == 1 else Disj(ranges, node.span)
            return Neg(logic, node.span) if node.negated else logic
        if isinstance(node, Between):
            return self._range(c, node.span, lambda s: self.between(node, c, s))
        assert isinstance(node, Compare)
        atom: Logic = self._range(c, node.span, lambda s: self.interval(node.op, node.value, c, s))
        return Neg(atom, node.span) if node.op is _NE else atom

    def _equal(self, lit: Literal, c: Criterion, sure: bool) -> tuple[int | None, int | None]:
        return self.interval(_EQ, lit, c, sure)

    def _range(self, c: Criterion, span: Span, interval: Callable[[bool], tuple[int | None, int | None]]) -> Range:
        low, high = interval(False)
        if not self.unsure:
            return Range(c, low, high, span)
        sure = interval(True)
        return Range(c, low, high, span, None if sure == (low, high) else sure)

    #: Whether some value of the kind cannot be placed exactly (`interval(sure=True)`
    #: may differ); False spares the numbers the second reading.
    unsure: ClassVar[bool] = False

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        return RangeSpace(c, atoms, self.first, self.last)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        assert isinstance(constraint, Intervals)
        if len(constraint.intervals) != 1:
            raise Problem("separate_ranges", Span(0, 0), field=c.display, count=len(constraint.intervals))
        ((low, high),) = constraint.intervals
        if low is not None and low == high and self.equal_term:
            return [f"{c.name}={self.render(low)}"]
        return [f"{c.name}{op}{self.render(v)}" for op, v in ((">=", low), ("<=", high)) if v is not None]

    #: Whether a one-value range is written `name=value` (numbers) or as two bounds.
    equal_term: ClassVar[bool] = True

    def describe(self, constraint: Constraint) -> str:
        assert isinstance(constraint, Intervals)
        return " or ".join(self._interval(low, high) for low, high in constraint.intervals)

    def _interval(self, low: int | None, high: int | None) -> str:
        if low is not None and low == high:
            return f"= {self.render(low)}"
        if low is not None and high is not None:
            return f"{self.render(low)} to {self.render(high)}"
        if low is not None:
            return f">= {self.render(low)}"
        return f"<= {self.render(high)}" if high is not None else "anything"

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        return Compare(field, Op(term.op), self.literal(term.value, term.value_span), term.span)

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.STRING, value, span)

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        return self._matches(node, c, have, now, False)

    def surely_matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        return self._matches(node, c, have, now, True)

    def _matches(self, node: Condition, c: Criterion, have: Any, now: int | None, sure: bool) -> bool:
        if isinstance(node, In):
            if node.negated:  # may match where it surely does not hold, and the reverse
                return not any(self.equals(c, have, v, now, not sure) for v in node.values)
            return any(self.equals(c, have, v, now, sure) for v in node.values)
        if isinstance(node, Between):
            return _within(have, *self.between(node, c, sure))
        assert isinstance(node, Compare)
        if node.op is Op.EQ:
            return self.equals(c, have, node.value, now, sure)
        if node.op is Op.NE:
            return not self.equals(c, have, node.value, now, not sure)
        return _within(have, *self.interval(node.op, node.value, c, sure))

    def equals(self, c: Criterion, have: Any, lit: Literal, now: int | None, sure: bool = False) -> bool:
        return _within(have, *self.interval(Op.EQ, lit, c, sure))

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        if have is None:
            return False
        value = self.read_term_value(c, term)
        op = term.op
        if op == "=":
            return bool(have == value)
        if op == ">=":
            return bool(have >= value)
        if op == "<=":
            return bool(have <= value)
        return bool(have > value) if op == ">" else bool(have < value)

    def read_term_value(self, c: Criterion, term: Term) -> int:
        raise NotImplementedError


def _within(have: Any, low: int | None, high: int | None) -> bool:
    return have is not None and (low is None or low <= have) and (high is None or have <= high)
