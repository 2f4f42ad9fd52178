"""Bind pass: placeholders (`:name`) → literals of the caller's values, typed by their field.

Runs between parse and check. Each placeholder takes its type from the field it meets
(the field's kind converts the value, `Kind.bind`), and becomes the literal a person could
have written there, with the placeholder's span; the check pass then checks it exactly as
it checks any literal. So a parameter can never change the structure of a filter, and a
value no literal may hold (`x site_ids=5` in a text) is refused as it would be written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import assert_never

import attrs

from ..core.diagnostics import Problem, Report
from ..core.messages import value_repr
from ..core.span import Span
from ..language.tree import (
    Between,
    Compare,
    Condition,
    Contains,
    Flag,
    In,
    Literal,
    LiteralKind,
    Node,
)
from ..schemas.kinds import kind_of
from ..schemas.kinds.base import param_example
from ..schemas.schema import Schema

_PLACEHOLDERS = (LiteralKind.PARAM, LiteralKind.PARAMS)


_PLACEHOLDER = re.compile(r":[^\W\d]")


def has_placeholders(text: str) -> bool:
    """A cheap test: no `:name` anywhere means no placeholder, and nothing to bind."""
    return ":" in text and _PLACEHOLDER.search(text) is not None


def bind(node: Node, params: Mapping[str, object] | None, schema: Schema, report: Report) -> Node:
    """The tree with every placeholder replaced by its value's literal. A placeholder
    that cannot be bound stays, with its diagnostic reported; the check pass skips the
    condition it stands in and checks the rest."""
    from ..language.walk import map_conditions  # only a filter with placeholders gets here

    binder = _Binder(params or {}, schema, report)
    bound = map_conditions(node, binder.bind)
    for name in sorted(set(binder.params) - binder.used):
        report.add("param_unused", Span(0, len(report.text)), name=name)
    return bound


def unbound(node: Condition) -> bool:
    """Whether a condition still holds a placeholder (its problem is reported already)."""
    match node:
        case In():
            return any(v.kind in _PLACEHOLDERS for v in node.values)
        case Between():
            return node.low.kind in _PLACEHOLDERS or node.high.kind in _PLACEHOLDERS
        case Compare() | Contains():
            return node.value.kind in _PLACEHOLDERS
        case Flag():
            return False
        case _:
            assert_never(node)


class _Binder:
    def __init__(self, params: Mapping[str, object], schema: Schema, report: Report) -> None:
        self.params, self.schema, self.report = params, schema, report
        self.used: set[str] = set()

    def bind(self, node: Condition) -> Node:
        """The condition with its placeholders bound (the same object when it has none)."""
        if not unbound(node):
            return node
        c = self.schema.lookup(node.field.name)
        match node:
            case Compare() | Contains():
                return attrs.evolve(node, value=self.value(node.value, c))
            case Between():
                return attrs.evolve(node, low=self.value(node.low, c), high=self.value(node.high, c))
            case In():
                values: list[Literal] = []
                for lit in node.values:
                    if lit.kind is LiteralKind.PARAMS:
                        values += self.values(lit, c)
                    else:
                        values.append(self.value(lit, c))
                return attrs.evolve(node, values=tuple(values))
            case Flag():
                return node
            case _:
                assert_never(node)

    def lookup(self, lit: Literal) -> tuple[bool, object]:
        self.used.add(lit.value)
        if lit.value not in self.params:
            self.report.add("param_missing", lit.span, name=lit.value)
            return False, None
        return True, self.params[lit.value]

    def value(self, lit: Literal, c: object) -> Literal:
        if lit.kind not in _PLACEHOLDERS or c is None:
            return lit
        found, value = self.lookup(lit)
        if not found:
            return lit
        from ..schemas.criterion import Criterion

        assert isinstance(c, Criterion)
        try:
            return kind_of(c).bind(value, c, lit)
        except Problem as p:
            self.report.problem(p)
            return lit

    def values(self, lit: Literal, c: object) -> list[Literal]:
        if c is None:
            return [lit]
        found, value = self.lookup(lit)
        if not found:
            return [lit]
        from ..schemas.criterion import Criterion

        assert isinstance(c, Criterion)
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple, set, frozenset)):
            example = f"[{param_example(c)}]"
            self.report.add("param_not_a_list", lit.span, name=lit.value, given=type(value).__name__, field=c.display,
                            example=example)  # fmt: skip
            return [lit]
        if not value:
            self.report.add("param_list_empty", lit.span, name=lit.value, field=c.display,
                            example=f"[{param_example(c)}]")  # fmt: skip
            return [lit]
        items = sorted(value, key=_set_order) if isinstance(value, (set, frozenset)) else list(value)
        out = []
        for item in items:
            try:
                out.append(kind_of(c).bind(item, c, lit))
            except Problem as p:
                self.report.problem(p)
                return [lit]
        return out


def _set_order(item: object) -> str:
    """The order of a set's items, which has none: by `repr` (bounded, never raising)."""
    return value_repr(item, 10_000)
