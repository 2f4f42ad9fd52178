"""Numeric ids (`site_ids`): one id per object; q takes a comma-separated list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...core.diagnostics import Problem
from ...core.span import Span
from ...language.tree import Compare, Field, In, Literal, LiteralKind, Node, Op
from ..criterion import Criterion
from ..logic import IdValue
from ..wire import MAX_NUMBER, Term, int_text, iter_ids, read_int
from .base import Context, article, bad_lead, id_noun, read_field, whole_number, wrong_param
from .member import MemberKind, equals_only

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class IdListKind(MemberKind):
    """One numeric id per lead (`site_ids`); q takes a comma-separated list."""

    name = "idlist"
    words = "a field of ids"
    several = True

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        n = read_int(lit.value) if lit.kind in (_INT, _STRING) else None
        if n is None or n < 0:
            raise Problem("not_an_id", lit.span, value=lit.value, a_noun=article(id_noun(c)), noun=id_noun(c))
        if n > MAX_NUMBER:
            raise Problem("number_too_large", lit.span, field=c.display, low=0, high=MAX_NUMBER)
        return n

    param_words = "an int"
    param_example = "5"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if isinstance(value, int) and whole_number(value):
            return Literal(LiteralKind.INT, int_text(value), at.span)
        raise wrong_param(value, c, at, self.param_words)

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        equals_only(c, term)
        items = []
        for part, span in id_parts(term):
            items.append(self.literal(part, span))
        if len(items) == 1:
            return Compare(field, Op.EQ, items[0], term.span)
        return In(field, tuple(items), False, term.span)

    def literal(self, value: str, span: Span) -> Literal:
        if read_int(value) is not None:
            return Literal(LiteralKind.INT, value, span)
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = lead_id(c, lead)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad_lead(c, value, "a whole number or an object with a numeric `id`")
        return value

    def quote(self, value: str) -> str:
        return value if read_int(value) is not None else super().quote(value)

    def equals(self, have: Any, lit: Literal) -> bool:
        return have is not None and have == read_int(lit.value)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        ids = set()
        for part, span in id_parts(term):
            n = read_int(part)
            if n is None:
                raise Problem("q_bad_id", span, value=part, noun=id_noun(c))
            ids.add(n)
        return have in ids


def lead_id(c: Criterion, lead: Mapping[str, Any]) -> Any:
    """The id a lead holds for `c`: the value itself, or the `id` of the object there."""
    value = read_field(c, lead)
    return value.get("id") if isinstance(value, Mapping) else value


def id_parts(term: Term) -> Iterable[tuple[str, Span]]:
    for part, span in iter_ids(term.value, term.value_span.start):
        if not part:
            raise Problem("q_empty_id", Span(span.start, span.start + 1) if span.start < term.span.end else term.span)
        yield part, span
