"""Decompile: a raw `q` string → a filter tree, by the term model of q-format.md.

A term starts at the beginning of `q` or after whitespace followed by `<known name><op>`;
its value runs to the next such start. Each term becomes one condition in the human
language (`site_ids=1,2` → `site in (1, 2)`), with spans into `q`, so that the checker's
diagnostics point at the raw string.
"""

from __future__ import annotations

import re

from ._ast import And, Compare, Contains, Field, Flag, In, Literal, LiteralKind, MatchAll, Node, Not, Op, Span
from ._check import closest
from ._datetimes import RELATIVE_PERIODS
from ._diagnostics import Diagnostic, diagnostic
from ._schema import Criterion, FieldType, Schema

_OPS = {"=": Op.EQ, ">=": Op.GE, "<=": Op.LE, ">": Op.GT, "<": Op.LT}
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?")
_INT = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+\.\d+")
_WORD = re.compile(r"[^\W\d]\w*")
_KEYWORDS = frozenset({"and", "or", "not", "in", "contains", "between", "true", "false"})

_ANY_TERM = re.compile(r"(?:^|(?<=\s))(\w+)(>=|<=|=|>|<)")


def decompile_q(q: str, schema: Schema) -> tuple[Node | None, list[Diagnostic]]:
    """Read `q` into a filter tree whose spans point into `q`."""
    diagnostics: list[Diagnostic] = []
    stripped = q.strip()
    if not stripped:
        return MatchAll(Span(0, 0)), []
    offset = len(q) - len(q.lstrip())
    starts = list(schema.term_start.finditer(q, offset))
    if not starts or starts[0].start() != offset:
        end = starts[0].start() if starts else len(q)
        end = offset + len(q[offset:end].rstrip())
        diagnostics.append(_unknown_term(q, offset, end, schema))
    conditions: list[Node] = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(q)
        raw = q[m.end() : end]
        value = raw.rstrip()
        value_span = Span(m.end(), m.end() + len(value))
        criterion = schema.by_q_name[m.group(1)]
        node, problem = _condition(criterion, _OPS[m.group(2)], value, Span(m.start(), value_span.end), value_span, q)
        if problem is not None:
            diagnostics.append(problem)
        if node is not None:
            conditions.append(node)
    if any(d.severity.value == "error" for d in diagnostics):
        return None, diagnostics
    if len(conditions) == 1:
        return conditions[0], diagnostics
    return And(tuple(conditions), Span(offset, len(q.rstrip()))), diagnostics


def _unknown_term(q: str, start: int, end: int, schema: Schema) -> Diagnostic:
    m = _ANY_TERM.match(q, start)
    name = m.group(1) if m else q[start:end].split()[0] if q[start:end].split() else q[start:end]
    guess = closest(name, (c.name for c in schema.criteria))
    return diagnostic(
        q,
        "E501",
        Span(start, end if end > start else len(q)),
        f"`{name}` is not a criterion of {schema.method}",
        f"did you mean `{guess}`?" if guess else "a q term is `<criterion><op><value>`",
    )


def _literal(value: str, span: Span) -> Literal:
    if _INT.fullmatch(value):
        return Literal(LiteralKind.INT, value, span)
    if _DECIMAL.fullmatch(value):
        return Literal(LiteralKind.DECIMAL, value, span)
    if _WORD.fullmatch(value) and value.lower() not in _KEYWORDS:
        return Literal(LiteralKind.WORD, value, span)
    return Literal(LiteralKind.STRING, value, span)


def _datetime_literal(value: str, span: Span) -> Literal:
    if _ISO.fullmatch(value):
        if len(value) == 10:
            return Literal(LiteralKind.DATE, value, span)
        return Literal(LiteralKind.DATETIME, value.replace(" ", "T"), span)
    if value in RELATIVE_PERIODS:
        return Literal(LiteralKind.WORD, value, span)
    return _literal(value, span)


def _condition(
    c: Criterion, op: Op, value: str, span: Span, value_span: Span, q: str
) -> tuple[Node | None, Diagnostic | None]:
    field = Field(c.display, Span(span.start, span.start + len(c.name)))
    if not value:
        return None, diagnostic(q, "E502", span, f"the term `{c.name}` has no value", "write `name=value`")
    if op is not Op.EQ and c.type not in (FieldType.NUMERIC, FieldType.DATETIME):
        return None, diagnostic(q, "E502", span, f"`{c.name}` takes `=`, not `{op.value}`", f"write `{c.name}={value}`")
    if c.type is FieldType.IDLIST:
        items: list[Literal] = []
        pos = value_span.start
        for part in value.split(","):
            item_span = Span(pos, pos + len(part))
            pos += len(part) + 1
            if c.id_kind.value == "string":
                items.append(Literal(LiteralKind.STRING, part, item_span))
            else:
                items.append(_literal(part, item_span))
        if len(items) == 1:
            return Compare(field, Op.EQ, items[0], span), None
        return In(field, tuple(items), False, span), None
    if c.type is FieldType.BOOLEAN:
        truth = _BOOLEANS.get(value.lower())
        if truth is None:
            return None, diagnostic(
                q, "E301", value_span, f"`{value}` is not a yes/no value for `{c.name}`", "use true or false"
            )
        flag = Flag(field, span)
        return (flag if truth else Not(flag, span)), None
    if c.type is FieldType.SUBSTRING:
        return Contains(field, Literal(LiteralKind.STRING, value, value_span), False, span), None
    if c.type is FieldType.STRING:
        return Compare(field, Op.EQ, Literal(LiteralKind.STRING, value, value_span), span), None
    if c.type is FieldType.DATETIME:
        lit = _datetime_literal(value, value_span)
        note = None
        if op is Op.EQ and value not in RELATIVE_PERIODS:
            note = diagnostic(
                q,
                "I702",
                span,
                f"the server's meaning of `{c.name}=<absolute time>` is not documented; read as the whole "
                f"{'day' if lit.kind is LiteralKind.DATE else 'stretch the value names'}",
                f"write `{c.name}>=...` and `{c.name}<=...` to be explicit",
            )
        return Compare(field, op, lit, span), note
    return Compare(field, op, _literal(value, value_span), span), None
