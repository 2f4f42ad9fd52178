"""String ids (`visitor_ids`): one string id per object; q takes a comma-separated list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Literal, LiteralKind, Op
from ..criterion import Criterion
from ..logic import IdValue
from ..wire import WRITABLE_BITS, Term, check_value
from .base import Context, Kind, article, bad_lead, id_noun
from .idlist import IdListKind, id_parts, lead_id

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class StringIdListKind(IdListKind):
    """One string id per lead (`visitor_ids`)."""

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        if lit.kind not in (_INT, _WORD, _STRING):
            raise Problem("not_a_string_id", lit.span, value=lit.value, a_noun=article(id_noun(c)))
        check_value(lit.value, ctx.schema.term_break, lit.span, f"the {id_noun(c)}")
        if "," in lit.value or any(ch.isspace() for ch in lit.value):
            raise Problem("id_with_separator", lit.span, noun=id_noun(c), value=lit.value)
        return lit.value

    param_words = "a str"
    param_example = '"abc"'
    bind = Kind.bind  # a string id: any str, as for text
    quote = Kind.quote

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = lead_id(c, lead)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, (str, int))
            or (isinstance(value, int) and value.bit_length() > WRITABLE_BITS)  # no id, and Python cannot write it
        ):
            raise bad_lead(c, value, "a string id or an object with an `id`")
        return None if value is None else str(value)

    def equals(self, have: Any, lit: Literal) -> bool:
        return bool(have == lit.value)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return have in {part for part, _ in id_parts(term)}
