"""Fingerprints: a stable hash of what a filter means, for finding saved filters alike.

The canonical meaning is the set of leads the filter's requests select, the method, and
the query tail (`fields` in any order). A filter that compiles has one request, and its
canonical q is already a canonical form of that set. A filter that needs several requests
is the union of theirs, which plans of different shapes can say (`type = form or result =
missed` and `type = form or (result = missed and type != form)`): the union is put in a
canonical form (`canonical_union`) that depends only on the set. Filters that mean the
same share a fingerprint however they are written, and so does the raw q they compile to.
With `shape`, every value is dropped (`site in (1, 2)` and `site = 5` share a shape), as
libpg_query's fingerprint does for SQL.

The form is `lq1:` and 64 hex digits of SHA-256 over UTF-8 text; the `1` changes if and
only if the canonical meaning's text ever does, so fingerprints stay comparable within a
major version (docs/versioning.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..schemas.regions import Excluded, Intervals, Space, TestSpace, Values
from ..schemas.schema import Schema
from ..schemas.wire import split_terms

if TYPE_CHECKING:
    from ..analysis.boxes import Algebra, Box

PREFIX = "lq1:"


def meaning(schema: Schema, requests: Sequence[str], how: str, params: Mapping[str, str], *, shape: bool) -> str:
    """The canonical text a fingerprint hashes: the method, the requests (`how`: one
    ``q``, or a ``plan`` whose union is written in canonical form), and the query tail's
    parameters (`fields` sorted)."""
    tail = {k: v for k, v in params.items() if k != "q"}
    if "fields" in tail:
        tail["fields"] = _sorted_fields(tail["fields"])
    if shape:
        shapes = {" ".join(f"{t.name}{t.op}?" for t in split_terms(r, schema.term_start)[1]) for r in requests}
        requests = sorted(shapes)
        tail = {k: ("?" if k in ("limit", "offset") else v) for k, v in tail.items()}
    elif how == "plan":
        requests = [canonical_union(schema, requests)]
    lines = [schema.method, "shape" if shape else "values", how, *sorted(requests)]
    lines += [f"{k}={v}" for k, v in sorted(tail.items())]
    return "\n".join(lines)


def fingerprint_of(schema: Schema, requests: Sequence[str], how: str, params: Mapping[str, str], *, shape: bool) -> str:
    return PREFIX + hashlib.sha256(meaning(schema, requests, how, params, shape=shape).encode("utf-8")).hexdigest()


def _sorted_fields(fields: str) -> str:
    """`fields` with the names of each level sorted: the order selects nothing."""
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(fields):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(fields[start:i])
            start = i + 1
    parts.append(fields[start:])
    out = []
    for part in parts:
        name, paren, rest = part.partition("(")
        out.append(f"{name}({_sorted_fields(rest[:-1])})" if paren else part)
    return ",".join(sorted(out))


# -- the canonical form of a union of requests ----------------------------------------------


def canonical_union(schema: Schema, requests: Sequence[str]) -> str:
    """A text that depends only on the set of leads the requests select together.

    The requests are read back into logic (`decompile`, `check`) and their union into
    boxes over one region space per criterion (`leadq.analysis.boxes`). The form then
    decides on the criteria one at a time, in canonical order: the values of the first
    criterion are grouped by what the rest of the union is for them (in canonical form,
    recursively), and each group is written by its values, not by the regions that happen
    to cut it (`site 1,2`, `created_at 2024-01-01T00:00:00..`, `text has a`). A criterion
    whose values all lead to the same rest is left out. Two unions are equal sets exactly
    when their forms are equal.
    """
    from ..analysis.boxes import Algebra
    from ..analysis.check import check_tree
    from ..core.diagnostics import Report
    from ..core.span import Span
    from ..schemas.logic import Disj, Logic
    from .decompile import decompile_q

    logics: list[Logic] = []
    for q in requests:
        report = Report(q)
        tree = decompile_q(q, schema, report)
        logic = None if tree is None else check_tree(tree, report, schema)[0]
        if logic is None:  # not a request leadq writes: its text is all there is
            return "requests " + " | ".join(sorted(requests))
        logics.append(logic)
    union = Disj(tuple(logics), Span(0, 0))
    algebra = Algebra(union, schema, "")
    boxes = algebra.boxes(union)
    return _canonical(algebra, boxes, sorted(algebra.spaces))


def _canonical(algebra: Algebra, boxes: list[Box], fields: list[int]) -> str:
    if not boxes:
        return "none"
    if not fields or all(not b for b in boxes):
        return "all"
    i, rest = fields[0], fields[1:]
    space = algebra.spaces[i]
    full = space.full
    # regions of criterion i, by the boxes that hold them: equal signatures, equal rest
    classes: dict[tuple[int, ...], int] = {}
    for r in range(full.bit_length()):
        signature = tuple(k for k, b in enumerate(boxes) if b.get(i, full) >> r & 1)
        classes[signature] = classes.get(signature, 0) | 1 << r
    groups: dict[str, int] = {}
    for signature, mask in classes.items():
        below = _canonical(algebra, [{j: m for j, m in boxes[k].items() if j != i} for k in signature], rest)
        groups[below] = groups.get(below, 0) | mask
    groups.pop("none", None)
    if len(groups) == 1 and next(iter(groups.values())) == full:
        return next(iter(groups))  # the rest does not depend on criterion i
    c = algebra.criteria[i]
    parts = sorted(f"{c.name} {_values(space, mask)} -> {below}" for below, mask in groups.items())
    return "(" + "; ".join(parts) + ")"


def _values(space: Space, mask: int) -> str:
    """A region set written by the values it holds, whatever regions cut it."""
    if isinstance(space, TestSpace):
        return _tests(space, mask)
    constraint = space.constraint(mask)
    if isinstance(constraint, Values):
        return "in " + ",".join(map(str, constraint.values))
    if isinstance(constraint, Excluded):
        return "not " + ",".join(map(str, constraint.values))
    if isinstance(constraint, Intervals):
        return ",".join(f"{'' if lo is None else lo}..{'' if hi is None else hi}" for lo, hi in constraint.intervals)
    return repr(constraint)


def _tests(space: TestSpace, mask: int) -> str:
    """A set of truth assignments of opaque tests (`contains`, periods), written over the
    tests it depends on only, so that a test that changes nothing leaves no trace."""
    keys = space.keys
    regions = range(space.full.bit_length())
    holds = {r: frozenset(k for k in keys if space.key_masks[k] >> r & 1) for r in regions}
    possible = set(holds.values())
    inside = {holds[r] for r in regions if mask >> r & 1}
    # a test matters when flipping it alone turns a possible assignment in into one out
    relevant = sorted(
        k for k in keys if any((a ^ {k}) in possible and ((a ^ {k}) in inside) != (a in inside) for a in possible)
    )
    shown = sorted({",".join(k for k in relevant if k in a) for a in inside})
    return "has " + " | ".join(f"[{s}]" for s in shown)

