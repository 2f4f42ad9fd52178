"""Strings compared whole with `=`.
"""

from __future__ import annotations

from ...language.tree import Literal, LiteralKind, Op
from ..criterion import Criterion
from ..logic import IdValue
from .base import Context, text_value
from .member import MemberKind

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class StringKind(MemberKind):
    """Text compared whole with `=`; q takes one value per term."""

    name = "string"
    words = "text compared with `=`"
    operators_doc = "`=`, `in` (one value)"
    operator_hint = 'compare {name} with `=`: `{name} = "..."`'

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        return text_value(lit, c, ctx)
