"""Member kinds: fields whose conditions say which values are allowed (ids, enums, flags,
strings); the shared part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Compare, Condition, Field, Flag, In, Literal, LiteralKind, Node, Op
from ..criterion import Criterion
from ..logic import Atom, IdValue, Logic, Member, Neg
from ..regions import (
    Constraint,
    Excluded,
    MemberSpace,
    Space,
    Values,
)
from ..wire import MAX_VALUE_LENGTH, Term
from .base import Context, Kind, bad_lead, id_noun, read_field, value_text

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class MemberKind(Kind):
    """Fields whose conditions say which values are allowed: ids, enums, flags, strings."""

    operators: ClassVar[tuple[str, ...]] = ("=", "!=", "in", "not in")
    operators_doc = "`=` `!=` `in` `not in`"
    operator_hint = "use `=`, `!=`, `in (...)` or `not in (...)` with {name}"
    #: Several values fit in one term (`site_ids=1,2`); otherwise one value per term.
    several: ClassVar[bool] = False

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        raise NotImplementedError

    def universe(self, c: Criterion) -> Sequence[IdValue] | None:
        """Every value the field can take, or None for an open set."""
        return None

    def render(self, v: IdValue) -> str:
        return value_text(v)

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        logic: Logic
        if isinstance(node, Compare):
            logic = Member(c, frozenset({self.value(node.value, c, ctx)}), node.span)
            return Neg(logic, node.span) if node.op is _NE else logic
        if isinstance(node, Flag):
            return Member(c, frozenset({True}), node.span)
        assert isinstance(node, In)
        logic = Member(c, frozenset([self.value(v, c, ctx) for v in node.values]), node.span)
        return Neg(logic, node.span) if node.negated else logic

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        width = (lambda v: len(self.render(v))) if self.several else None
        return MemberSpace(c, atoms, self.universe(c), sort_key, width, MAX_VALUE_LENGTH)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        if isinstance(constraint, Excluded):
            return _excluded(c, constraint)
        assert isinstance(constraint, Values)
        shown = [self.render(v) for v in constraint.values]
        if not self.several and len(shown) > 1:
            raise Problem("one_value_per_term", Span(0, 0), field=c.display, values=", ".join(shown))
        value = ",".join(shown)
        if len(value) > MAX_VALUE_LENGTH:
            raise Problem(
                "id_list_too_long",
                Span(0, 0),
                count=len(shown),
                noun=id_noun(c),
                length=len(value),
                limit=MAX_VALUE_LENGTH,
            )
        return [f"{c.name}={value}"]

    def describe(self, constraint: Constraint) -> str:
        if isinstance(constraint, Excluded):
            return "anything but " + ", ".join(self.render(v) for v in constraint.values)
        assert isinstance(constraint, Values)
        shown = ", ".join(self.render(v) for v in constraint.values)
        return f"= {shown}" if len(constraint.values) == 1 else f"one of {shown}"

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        equals_only(c, term)
        return Compare(field, Op.EQ, self.literal(term.value, term.value_span), term.span)

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is not None and not isinstance(value, str):
            raise bad_lead(c, value, "a string")
        return value

    def equals(self, have: Any, lit: Literal) -> bool:
        return bool(have == lit.value)

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        if isinstance(node, Flag):
            return have is True
        if isinstance(node, In):
            return any(self.equals(have, v) for v in node.values) != node.negated
        assert isinstance(node, Compare)
        return self.equals(have, node.value) != (node.op is Op.NE)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return bool(have == term.value)


def sort_key(v: IdValue) -> tuple[int, int, str]:
    # bools first (True before False), then numbers by value, then strings by code point
    if isinstance(v, bool):
        return (0, 0 if v else 1, "")
    if isinstance(v, int):
        return (1, v, "")
    return (2, 0, v)


def _excluded(c: Criterion, constraint: Excluded) -> list[str]:
    raise Problem(
        "exclusion",
        Span(0, 0),
        field=c.display,
        values=", ".join(value_text(v) for v in constraint.values),
    )


def equals_only(c: Criterion, term: Term) -> None:
    if term.op != "=":
        raise Problem("q_equals_only", term.span, name=c.name, op=term.op, value=term.value)
