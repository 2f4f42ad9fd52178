"""Whole numbers (`duration`, in seconds).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Literal, LiteralKind, Op
from ..criterion import Criterion
from ..wire import MAX_NUMBER, MIN_NUMBER, Term, read_int
from .base import bad_lead, read_field
from .idlist import IdListKind
from .range import RangeKind

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class NumericKind(RangeKind):
    """Whole numbers (`duration`, in seconds)."""

    name = "numeric"
    words = "a whole number"
    first, last = MIN_NUMBER, MAX_NUMBER

    param_words = "an int"
    param_example = "60"
    bind = IdListKind.bind  # a whole number, as for ids

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        n = self.whole_number(lit, c)
        return n, n

    def whole_number(self, lit: Literal, c: Criterion) -> int:
        digits = lit.value
        if lit.kind is _DECIMAL:
            digits, _, fraction = lit.value.partition(".")
            if fraction.strip("0"):
                raise Problem("fraction", lit.span, field=c.display, value=lit.value)
        elif lit.kind is not _INT:
            raise Problem("not_a_number", lit.span, value=lit.value, field=c.display)
        n = read_int(digits)
        if n is None:
            raise Problem("not_a_number", lit.span, value=lit.value, field=c.display)
        if not MIN_NUMBER <= n <= MAX_NUMBER:
            raise Problem("number_too_large", lit.span, field=c.display, low=MIN_NUMBER, high=MAX_NUMBER)
        return n

    def literal(self, value: str, span: Span) -> Literal:
        if read_int(value) is not None:
            return Literal(LiteralKind.INT, value, span)
        whole, dot, fraction = value.partition(".")
        if dot and read_int(whole) is not None and read_int(fraction) is not None and fraction[:1] != "-":
            return Literal(LiteralKind.DECIMAL, value, span)
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad_lead(c, value, "a whole number")
        return value

    def read_term_value(self, c: Criterion, term: Term) -> int:
        n = read_int(term.value)
        if n is None:
            raise Problem("q_not_a_number", term.value_span, value=term.value, name=c.name)
        return n
