"""The one way a pass walks a syntax tree: visit its conditions, or rebuild it around them.

Passes that act on conditions and leave the logic as it is (binding placeholders, spelling
field names, resolving relative periods, collecting the fields a tree reads) use these two
functions; a pass that gives each construct its own meaning (check, evaluate, format)
matches on the node classes once, in one `match` statement. Trees are at most
`MAX_DEPTH` deep (the parser and the API refuse deeper ones), so recursion is safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import assert_never

import attrs

from .tree import And, Between, Compare, Condition, Contains, Flag, In, MatchAll, Node, Not, Or, Query


def conditions(node: Node) -> Iterator[Condition]:
    """Every condition of `node`, left to right."""
    stack = [node]
    while stack:
        match stack.pop():
            case Not() as n:
                stack.append(n.operand)
            case And() | Or() as n:
                stack.extend(reversed(n.operands))
            case Query() as n:
                stack.append(n.where)
            case MatchAll():
                pass
            case Compare() | In() | Contains() | Between() | Flag() as n:
                yield n
            case n:
                assert_never(n)


def map_conditions(node: Node, change: Callable[[Condition], Node]) -> Node:
    """`node` with each condition replaced by `change(condition)`. A part in which nothing
    changed is the same object as before, so a pass that changes nothing copies nothing."""
    match node:
        case Compare() | In() | Contains() | Between() | Flag():
            return change(node)
        case Not():
            operand = map_conditions(node.operand, change)
            return node if operand is node.operand else attrs.evolve(node, operand=operand)
        case And() | Or():
            operands = tuple(map_conditions(o, change) for o in node.operands)
            same = all(a is b for a, b in zip(operands, node.operands, strict=True))
            return node if same else attrs.evolve(node, operands=operands)
        case Query():
            where = map_conditions(node.where, change)
            return node if where is node.where else attrs.evolve(node, where=where)
        case MatchAll():
            return node
        case _:
            assert_never(node)
