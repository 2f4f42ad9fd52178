"""Text of a field that q has no criterion for (`city`): compared or searched on each
fetched object only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...language.tree import Condition, Contains, Literal, LiteralKind, Op
from ..criterion import Criterion
from ..logic import IdValue, Logic, Neg, Substring
from .base import Context
from .member import MemberKind
from .substring import SubstringKind

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class TextKind(MemberKind):
    """Text of a Lead field that q has no criterion for (`city`, `site.url`): compared
    whole, or searched for a piece, on each fetched lead only (`pushdown`)."""

    name = "text"
    words = "text"
    operators = ("=", "!=", "in", "not in", "contains", "not contains")
    operators_doc = "`=` `!=` `in` `not in` `contains` `not contains`"
    operator_hint = 'compare {name} with `=` or `in`, or search it with `contains "..."`'

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        return lit.value  # checked on the lead, never written into q: any text will do

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        if isinstance(node, Contains):
            atom: Logic = Substring(c, node.value.value, node.span)
            return Neg(atom, node.span) if node.negated else atom
        return super().condition(node, c, ctx)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        return _SUBSTRING.lead_value(c, lead)  # a string or absent, as `text`

    def equals(self, have: Any, lit: Literal) -> bool:
        return bool(have == lit.value)

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        if isinstance(node, Contains):
            return _SUBSTRING.matches(node, c, have, now)
        return super().matches(node, c, have, now)


_SUBSTRING = SubstringKind()
