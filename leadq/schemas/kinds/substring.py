"""Substrings: text searched for a piece with `contains`; q holds the piece.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Condition, Contains, Field, Literal, LiteralKind, Node, Op
from ..criterion import Criterion
from ..logic import Atom, Logic, Neg, Substring
from ..regions import (
    Constraint,
    Space,
    Test,
    TestSpace,
)
from ..wire import Term
from .base import Context, Kind, bad_lead, read_field, text_value
from .member import equals_only

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class SubstringKind(Kind):
    """Text searched for a piece with `contains`; q holds the piece."""

    name = "substring"
    words = "text searched with `contains`"
    operators = ("contains", "not contains")
    operators_doc = "`contains`"
    operator_hint = '{name} matches a substring: write `{name} contains "..."`'

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        assert isinstance(node, Contains)
        atom: Logic = Substring(c, text_value(node.value, c, ctx), node.span)
        return Neg(atom, node.span) if node.negated else atom

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        return TestSpace(c, (a.text for a in atoms if isinstance(a, Substring)), _contains)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        if isinstance(constraint, Test):
            return [f"{c.name}={constraint.key}"]
        raise Problem("contains_negated", Span(0, 0), field=c.display)

    def describe(self, constraint: Constraint) -> str:
        if isinstance(constraint, Test):
            return f'contains "{constraint.key}"'
        return "a mix of `contains` tests that no q term says"

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        equals_only(c, term)
        return Contains(field, Literal(LiteralKind.STRING, term.value, term.value_span), False, term.span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is not None and not isinstance(value, str):
            raise bad_lead(c, value, "a string")
        return value

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        assert isinstance(node, Contains)
        return (isinstance(have, str) and node.value.value in have) != node.negated

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return isinstance(have, str) and term.value in have



def _contains(text: str, part: str) -> bool:
    return part in text
