"""The syntax tree of a filter expression: what `parse` returns and `format` prints.

Every node is a frozen attrs class with a `span` into the source text. The tree mirrors what
the person wrote (parenthesised `and` inside `and` stays nested); meaning lives in later
passes. Children are tuples, operators are enums.
"""

from __future__ import annotations

import enum
from typing import TypeAlias

import attrs

from ..core.span import NO_SPAN, Span


class Op(enum.Enum):
    """A comparison operator (`==` is read as `=`)."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


class LiteralKind(enum.Enum):
    """How a value was written: its meaning depends on the field it is compared with."""

    INT = "int"  # 12, -5
    DECIMAL = "decimal"  # 12.5
    DATE = "date"  # 2024-01-31
    DATETIME = "datetime"  # 2024-01-31T10:00:00+03:00
    STRING = "string"  # "..." or '...'; `value` holds the text without quotes and escapes
    WORD = "word"  # missed, lastweek, yes
    BOOL = "bool"  # the keywords true / false; `value` is lower-case
    PARAM = "param"  # a placeholder `:name` for one value; `value` holds the name
    PARAMS = "params"  # a placeholder for a whole list: `site in :sites`


@attrs.frozen
class Literal:
    kind: LiteralKind
    value: str
    span: Span = attrs.field(default=NO_SPAN, eq=False)


@attrs.frozen
class Field:
    """A field name as written (`site`, `site_ids`, `entry_page`, or an unknown name)."""

    name: str
    span: Span = attrs.field(default=NO_SPAN, eq=False)


@attrs.frozen
class Compare:
    """`field op value`."""

    field: Field
    op: Op
    value: Literal
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False, default=1)


@attrs.frozen
class In:
    """`field in (v, ...)`, or `field not in (...)` when `negated`."""

    field: Field
    values: tuple[Literal, ...]
    negated: bool = False
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False, default=1)


@attrs.frozen
class Contains:
    """`field contains value`, or `field not contains value` when `negated`."""

    field: Field
    value: Literal
    negated: bool = False
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False, default=1)


@attrs.frozen
class Between:
    """`field between low and high`, both ends included."""

    field: Field
    low: Literal
    high: Literal
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False, default=1)


@attrs.frozen
class Flag:
    """A bare boolean field: `phone_exists`."""

    field: Field
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False, default=1)


@attrs.frozen
class Not:
    operand: Node
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return self.operand.depth + 1


@attrs.frozen
class And:
    operands: tuple[Node, ...]
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return max([o.depth for o in self.operands]) + 1


@attrs.frozen
class Or:
    operands: tuple[Node, ...]
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return max([o.depth for o in self.operands]) + 1


@attrs.frozen
class MatchAll:
    """The empty filter: every lead."""

    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False, default=1)


@attrs.frozen
class Order:
    """`order by key [asc|desc]`."""

    key: Field
    descending: bool = False
    span: Span = attrs.field(default=NO_SPAN, eq=False)


@attrs.frozen
class ResultField:
    """One name of `fields`, with the fields of a nested object: `site(id, url)`."""

    name: Field
    subfields: tuple[Field, ...] | None = None
    span: Span = attrs.field(default=NO_SPAN, eq=False)


@attrs.frozen
class Query:
    """A filter followed by request parameters: `... order by created_at desc limit 20`."""

    where: Node
    order: Order | None = None
    limit: Literal | None = None
    offset: Literal | None = None
    fields: tuple[ResultField, ...] | None = None
    span: Span = attrs.field(default=NO_SPAN, eq=False)
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return self.where.depth + 1


Condition: TypeAlias = Compare | In | Contains | Between | Flag
Node: TypeAlias = Compare | In | Contains | Between | Flag | Not | And | Or | MatchAll | Query

#: Deeper trees are refused with a diagnostic, so that no pass can hit the recursion limit.
MAX_DEPTH = 200
#: The classes a `Node` may be, for run-time checks.
NODE_TYPES = (Compare, In, Contains, Between, Flag, Not, And, Or, MatchAll, Query)
