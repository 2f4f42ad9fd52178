"""Format: a syntax tree → canonical human text that parses back to an equal tree."""

from __future__ import annotations

from typing import assert_never

from .tree import (
    And,
    Between,
    Compare,
    Contains,
    Flag,
    In,
    Literal,
    LiteralKind,
    MatchAll,
    Node,
    Not,
    Or,
    Query,
    ResultField,
)


def format_node(node: Node) -> str:
    """Canonical text: lower-case keywords, one space around operators, minimal parentheses."""
    match node:
        case MatchAll():
            return ""
        case Query():
            return " ".join(part for part in (format_node(node.where), *_tail(node)) if part)
        case Not():
            return "not " + _operand(node.operand, inside=Not)
        case And():
            return " and ".join(_operand(o, inside=And) for o in node.operands)
        case Or():
            return " or ".join(_operand(o, inside=Or) for o in node.operands)
        case Flag():
            return node.field.name
        case Compare():
            return f"{node.field.name} {node.op.value} {format_literal(node.value)}"
        case In():
            keyword = "not in" if node.negated else "in"
            if len(node.values) == 1 and node.values[0].kind is LiteralKind.PARAMS:
                return f"{node.field.name} {keyword} :{node.values[0].value}"
            values = ", ".join(format_literal(v) for v in node.values)
            return f"{node.field.name} {keyword} ({values})"
        case Contains():
            return f"{node.field.name} {'not contains' if node.negated else 'contains'} {format_literal(node.value)}"
        case Between():
            return f"{node.field.name} between {format_literal(node.low)} and {format_literal(node.high)}"
        case _:
            assert_never(node)


def _operand(node: Node, inside: type) -> str:
    text = format_node(node)
    # `or` binds loosest: it needs parentheses inside `and` and `not`; a nested `and` or `or`
    # keeps its own parentheses so that the tree's shape survives the round trip.
    if isinstance(node, Or) or (isinstance(node, And) and inside is not Or):
        return f"({text})"
    if isinstance(node, (MatchAll, Query)):
        raise ValueError("MatchAll and Query stand only for a whole filter")
    return text


def _tail(q: Query) -> list[str]:
    parts = []
    if q.order is not None:
        parts.append(f"order by {q.order.key.name}" + (" desc" if q.order.descending else ""))
    if q.limit is not None:
        parts.append(f"limit {q.limit.value}")
    if q.offset is not None:
        parts.append(f"offset {q.offset.value}")
    if q.fields is not None:
        parts.append("fields " + ", ".join(_result_field(f) for f in q.fields))
    return parts


def _result_field(f: ResultField) -> str:
    if f.subfields is None:
        return f.name.name
    return f"{f.name.name}({', '.join(s.name for s in f.subfields)})"


def format_literal(lit: Literal) -> str:
    if lit.kind is LiteralKind.STRING:
        return '"' + lit.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lit.kind in (LiteralKind.PARAM, LiteralKind.PARAMS):
        return f":{lit.value}"
    return lit.value
