"""Typed logic: what the check pass makes of a syntax tree, and what normalize reads.

Each condition becomes one or more *atoms*, elementary tests on one criterion (`Member`,
`Range`, `Substring`, `Period`), combined by `Conj`, `Disj` and `Neg`. Spans point at the
condition in the source, for diagnostics; they take no part in equality.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeAlias

import attrs

from ..core.span import Span

if TYPE_CHECKING:
    from .criterion import Criterion

#: A value of a member test: an id, an enum or string value, or a flag.
IdValue: TypeAlias = int | str | bool


@attrs.frozen
class Member:
    """The criterion's value is one of `values`."""

    criterion: Criterion
    values: frozenset[IdValue]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Range:
    """The criterion's value lies in [low, high] (None: unbounded). Datetimes in seconds.

    `sure`: the values that surely meet the condition, when fewer than [low, high] (low >
    high: none). A zoned datetime bound in an hour Moscow's clocks repeated cannot tell a
    lead's two passes apart: [low, high] takes in the whole hour (the values that may
    meet it), `sure` leaves the hour out, and `not` takes the complement of `sure`, so the
    filter is widened whichever way the condition is used.
    """

    criterion: Criterion
    low: int | None
    high: int | None
    span: Span = attrs.field(eq=False)
    sure: tuple[int | None, int | None] | None = None

    def negated(self) -> Range:
        """The atom whose complement is what `not` of this one may match."""
        return self if self.sure is None else Range(self.criterion, *self.sure, self.span)


@attrs.frozen
class Substring:
    """The criterion's text contains `text`."""

    criterion: Criterion
    text: str
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Period:
    """The criterion lies in a relative period (`lastweek`): opaque without a clock."""

    criterion: Criterion
    name: str
    span: Span = attrs.field(eq=False)


Atom: TypeAlias = Member | Range | Substring | Period


@attrs.frozen
class Conj:
    operands: tuple[Logic, ...]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Disj:
    operands: tuple[Logic, ...]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Neg:
    operand: Logic
    span: Span = attrs.field(eq=False)


Logic: TypeAlias = Member | Range | Substring | Period | Conj | Disj | Neg


def atoms(logic: Logic) -> Iterator[Atom]:
    """Every atom of `logic`, left to right."""
    stack = [logic]
    while stack:
        node = stack.pop()
        if isinstance(node, (Conj, Disj)):
            stack.extend(reversed(node.operands))
        elif isinstance(node, Neg):
            stack.append(node.operand)
        else:
            yield node


def conjuncts(logic: Logic) -> list[Logic]:
    """The top-level `and` operands (nested `and`s flattened)."""
    if type(logic) is not Conj:
        return [logic]
    for operand in logic.operands:
        if type(operand) is Conj:
            break
    else:  # the usual case: no `and` inside
        return list(logic.operands)
    out: list[Logic] = []
    stack: list[Logic] = [logic]
    while stack:
        node = stack.pop()
        if isinstance(node, Conj):
            stack.extend(reversed(node.operands))
        else:
            out.append(node)
    return out
