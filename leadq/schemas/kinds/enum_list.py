"""Enumerations that take a comma list: one of the criterion's `values` per object, and q
holds several in one term (Chats.list `result=missed,completed`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...language.tree import Compare, Field, In, Node, Op
from ..criterion import Criterion
from ..wire import Term
from .base import bad_lead, read_field
from .enum import EnumKind
from .idlist import id_parts
from .member import equals_only


class EnumListKind(EnumKind):
    """One value of an enumeration per object; q takes a comma-separated list of values."""

    name = "enum:list"
    several = True

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        equals_only(c, term)
        items = [self.literal(part, span) for part, span in id_parts(term)]
        if len(items) == 1:
            return Compare(field, Op.EQ, items[0], term.span)
        return In(field, tuple(items), False, term.span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is not None and not isinstance(value, str):
            raise bad_lead(c, value, "a string")
        return value

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return have in {part for part, _ in id_parts(term)}
