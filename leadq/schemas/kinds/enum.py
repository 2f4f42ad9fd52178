"""Enumerations: one of the criterion's `values`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...core.diagnostics import Problem
from ...core.span import Span
from ...core.suggest import by_words, closest
from ...language.tree import Literal, LiteralKind, Op
from ..criterion import Criterion
from ..logic import IdValue
from .base import Context
from .member import MemberKind

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class EnumKind(MemberKind):
    """One of the criterion's `values`; q takes one value per term."""

    name = "enum"
    words = "a choice of values"

    def universe(self, c: Criterion) -> Sequence[IdValue]:
        return c.values

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        if lit.kind in (_WORD, _STRING) and lit.value in c.values:
            return lit.value
        guess = closest(lit.value, c.values) or by_words(
            lit.value, ((word, value) for value, words in c.value_words for word in words)
        )
        key = "not_an_enum_value_guess" if guess else "not_an_enum_value"
        raise Problem(key, lit.span, value=lit.value, field=c.display, values=", ".join(c.values), guess=guess)

    def literal(self, value: str, span: Span) -> Literal:
        if _bare_word(value):
            return Literal(LiteralKind.WORD, value, span)
        return Literal(LiteralKind.STRING, value, span)

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        return [(v, "value", self.words, "") for v in c.values]

    def quote(self, value: str) -> str:
        return value if _bare_word(value) else super().quote(value)

    def describe_value(self, c: Criterion, value: str) -> str:
        return f"`{value}` — a value of **{c.display}**: {c.description}" if value in c.values else ""


def _bare_word(value: str) -> bool:
    from ...language.parse import KEYWORDS  # deferred: the lexer's tables load with it


    return value.isidentifier() and value.lower() not in KEYWORDS
