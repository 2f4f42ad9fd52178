"""Flags: yes/no, or whether a field is given (`email_exists`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ...core.diagnostics import Problem
from ...language.tree import Field, Flag, Literal, LiteralKind, Node, Not, Op
from ..criterion import Criterion
from ..logic import IdValue
from ..wire import Term
from .base import Context, bad_lead, read_field, truth, wrong_param
from .member import MemberKind, equals_only

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


#: Yes and no in other words, and the value the API reads for each.
_TRUTH_WORDS = {
    "да": "yes", "нет": "no", "истина": "true", "ложь": "false", "y": "yes", "n": "no", "on": "yes", "off": "no",
    "+": "yes", "-": "no", "д": "yes", "н": "no", "t": "true", "f": "false",
}  # fmt: skip


class BooleanKind(MemberKind):
    """A yes/no flag, or whether a Lead field is given (`presence`: `email_exists`)."""

    name = "boolean"
    words = "a yes/no flag"
    operators: ClassVar[tuple[str, ...]] = ("flag", "=", "!=")
    operators_doc = "bare, `not`, `=`, `!=`"
    operator_hint = "write `{name}` or `not {name}`"

    def universe(self, c: Criterion) -> Sequence[IdValue]:
        return (True, False)

    param_words = "a bool"
    param_example = "true"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if isinstance(value, bool):
            return Literal(LiteralKind.BOOL, "true" if value else "false", at.span)
        raise wrong_param(value, c, at, self.param_words)

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        value = truth(lit.value) if lit.kind is not _DECIMAL else None
        if value is None:
            guess = _TRUTH_WORDS.get(lit.value.lower())
            key = "not_a_boolean_guess" if guess else "not_a_boolean"
            raise Problem(key, lit.span, value=lit.value, field=c.display, guess=guess)
        return value

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        equals_only(c, term)
        value = truth(term.value)
        if value is None:
            raise Problem("q_not_a_boolean", term.value_span, value=term.value, name=c.name)
        flag = Flag(field, term.span)
        return flag if value else Not(flag, term.span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if c.presence:
            if value is not None and not isinstance(value, str):
                raise bad_lead(c, value, "a string or null")
            return bool(value)
        if value is not None and not isinstance(value, bool):
            raise bad_lead(c, value, "true or false")
        return value

    def equals(self, have: Any, lit: Literal) -> bool:
        return have is truth(lit.value)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        value = truth(term.value)
        if value is None:
            raise Problem("q_not_a_boolean", term.value_span, value=term.value, name=c.name)
        return have is value

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        return [(v, "value", self.words, "") for v in ("true", "false")]
