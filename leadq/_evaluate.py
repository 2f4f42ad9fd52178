"""Reference semantics: what a filter means for one lead, and what a q string means.

`evaluate` reads the syntax tree directly, from the language's definition; `evaluate_q`
reads a q string the way a server following q-format.md and leads-list.md would. Neither
uses the normalizer or the emitter, so the differential tests can catch either side wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._ast import (
    MAX_DEPTH,
    And,
    Between,
    Compare,
    Contains,
    Flag,
    In,
    Literal,
    MatchAll,
    Node,
    Not,
    Op,
    Or,
    Query,
    Span,
)
from ._check import check_tree
from ._datetimes import RELATIVE_PERIODS, in_period, moscow_seconds, parse_lead_time, parse_moment
from ._diagnostics import LeadqError, diagnostic
from ._parse import parse_text
from ._schema import LEADS_LIST, Criterion, FieldType, IdKind, Schema

Lead = Mapping[str, Any]

_TRUTH = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def lead_value(c: Criterion, lead: Lead) -> Any:
    """The lead's value for criterion `c` (None when the lead has none)."""
    value = lead.get(c.field)
    if c.presence:
        return bool(value)
    if c.type is FieldType.IDLIST and isinstance(value, Mapping):
        value = value.get("id")
    if c.type is FieldType.IDLIST and c.id_kind is IdKind.STRING and value is not None:
        value = str(value)
    if c.type is FieldType.DATETIME and isinstance(value, str):
        return parse_lead_time(value)
    return value


def _clock(now: datetime | None, text: str, span: Span) -> int:
    if now is None:
        raise LeadqError(
            [diagnostic(text, "E308", span, "a relative period needs the current time", "pass now=datetime.now()")],
            text,
        )
    return moscow_seconds(now)


# -- the filter's meaning ------------------------------------------------------------------


def evaluate(node: Node | str, lead: Lead, *, now: datetime | None = None, schema: Schema = LEADS_LIST) -> bool:
    """Whether `lead` matches the filter, by the language's definition.

    Args:
        node: a filter tree (from `parse`) or the filter's text.
        lead: a Lead as the API returns it: ``{"site": {"id": 1}, "result": "missed",
            "created_at": "2024-01-31T10:00:00", ...}``; missing fields count as absent.
        now: the current time, needed only for relative periods (`lastweek`).
        schema: the API method's criteria.

    Raises:
        LeadqError: the filter has errors, or uses a relative period without `now`.
    """
    text = node if isinstance(node, str) else ""
    if isinstance(node, str):
        parsed, diagnostics = parse_text(node)
        if parsed is None:
            raise LeadqError(diagnostics, text)
        node = parsed
    if node.depth > MAX_DEPTH:
        raise LeadqError([diagnostic(text, "E106", node.span, f"the filter is nested more than {MAX_DEPTH} deep")])
    logic, diagnostics = check_tree(node, text, schema)
    if logic is None:
        raise LeadqError(diagnostics, text)
    return _Evaluator(schema, lead, now, text).node(node)


class _Evaluator:
    def __init__(self, schema: Schema, lead: Lead, now: datetime | None, text: str) -> None:
        self.schema, self.lead, self.now, self.text = schema, lead, now, text

    def node(self, node: Node) -> bool:
        if isinstance(node, MatchAll):
            return True
        if isinstance(node, Query):
            return self.node(node.where)
        if isinstance(node, Not):
            return not self.node(node.operand)
        if isinstance(node, And):
            return all(self.node(o) for o in node.operands)
        if isinstance(node, Or):
            return any(self.node(o) for o in node.operands)
        c = self.schema.lookup(node.field.name)
        assert c is not None  # checked
        have = lead_value(c, self.lead)
        if isinstance(node, Flag):
            return have is True
        if isinstance(node, Contains):
            found = isinstance(have, str) and node.value.value in have
            return found != node.negated
        if isinstance(node, In):
            found = any(self.equals(c, have, v) for v in node.values)
            return found != node.negated
        if isinstance(node, Between):
            low, high = self.span_of(c, node.low), self.span_of(c, node.high)
            return have is not None and bool(low[0] <= have <= high[1])
        assert isinstance(node, Compare)
        if node.op is Op.EQ:
            return self.equals(c, have, node.value)
        if node.op is Op.NE:
            return not self.equals(c, have, node.value)
        if have is None:
            return False
        first, last = self.span_of(c, node.value)
        if node.op is Op.LT:
            return bool(have < first)
        if node.op is Op.LE:
            return bool(have <= last)
        if node.op is Op.GT:
            return bool(have > last)
        return bool(have >= first)

    def equals(self, c: Criterion, have: Any, lit: Literal) -> bool:
        if c.type is FieldType.DATETIME and lit.value in RELATIVE_PERIODS:
            return have is not None and in_period(lit.value, have, _clock(self.now, self.text, lit.span))
        if c.type in (FieldType.NUMERIC, FieldType.DATETIME):
            first, last = self.span_of(c, lit)
            return have is not None and bool(first <= have <= last)
        if c.type is FieldType.BOOLEAN:
            return have is _TRUTH[lit.value.lower()]
        if c.type is FieldType.IDLIST and c.id_kind is IdKind.NUMBER:
            return bool(have == int(lit.value))
        return bool(have == lit.value)

    def span_of(self, c: Criterion, lit: Literal) -> tuple[int, int]:
        """The first and last number (second) a value stands for."""
        if c.type is FieldType.NUMERIC:
            n = int(lit.value.partition(".")[0])  # the checker allows only whole numbers
            return n, n
        m = parse_moment(lit.value)
        return m.first, m.last


# -- what a q string means to a server -----------------------------------------------------


def evaluate_q(q: str, lead: Lead, *, now: datetime | None = None, schema: Schema = LEADS_LIST) -> bool:
    """Whether `lead` matches the raw `q` string, read by the term model of q-format.md.

    Every term must hold (terms are a conjunction); the empty q matches every lead.

    Raises:
        LeadqError: a term names no criterion, or its value is unreadable.
    """
    terms = list(schema.term_start.finditer(q))
    stripped = q.strip()
    if stripped and (not terms or terms[0].start() != len(q) - len(q.lstrip())):
        raise LeadqError([diagnostic(q, "E501", Span(0, len(q)), "q does not start with a known criterion")], q)
    for k, m in enumerate(terms):
        end = terms[k + 1].start() if k + 1 < len(terms) else len(q)
        value = q[m.end() : end].rstrip()
        c = schema.by_q_name[m.group(1)]
        try:
            if not _term_holds(c, m.group(2), value, lead, now, q, Span(m.start(), m.end() + len(value))):
                return False
        except (ValueError, KeyError) as e:
            span = Span(m.start(), m.end() + len(value))
            raise LeadqError([diagnostic(q, "E502", span, f"unreadable term: {e}")], q) from None
    return True


def _term_holds(c: Criterion, op: str, value: str, lead: Lead, now: datetime | None, q: str, span: Span) -> bool:
    have = lead_value(c, lead)
    if c.type is FieldType.IDLIST:
        ids = value.split(",")
        return have is not None and (str(have) in ids if c.id_kind is IdKind.STRING else have in {int(i) for i in ids})
    if c.type is FieldType.BOOLEAN:
        return have is _TRUTH[value.lower()]
    if c.type in (FieldType.ENUM, FieldType.STRING):
        return bool(have == value)
    if c.type is FieldType.SUBSTRING:
        return isinstance(have, str) and value in have
    if have is None:
        return False
    if c.type is FieldType.DATETIME and value in RELATIVE_PERIODS:
        return in_period(value, have, _clock(now, q, span))
    if c.type is FieldType.NUMERIC:
        first = last = int(value) if value.lstrip("-").isdigit() else float(value)
    else:
        # A server reads a time as its first second (a date as its midnight).
        moment = parse_moment(value.replace(" ", "T", 1) if value[4:5] == "-" else value)
        first = last = moment.first
    return bool(
        {
            "=": first <= have <= last,
            ">=": have >= first,
            "<=": have <= last,
            ">": have > last,
            "<": have < first,
        }[op]
    )
