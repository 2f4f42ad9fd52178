"""Reference semantics: what a filter means for one lead, and what a q string means.

`evaluate` reads the syntax tree directly, from the language's definition; `evaluate_q`
reads a q string the way a server following q-format.md and leads-list.md would. Neither
uses the box algebra or the emitter, so the differential tests can catch either side wrong.
Both read a lead's values through the criterion's kind, which refuses a value of the wrong
type with E309 (docs/embedding.md says what a lead may hold).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, assert_never

from ..core.datetimes import now_seconds
from ..core.diagnostics import Finding, LeadqError, Problem, Report
from ..core.span import Span
from ..language.tree import (
    MAX_DEPTH,
    And,
    Between,
    Compare,
    Condition,
    Contains,
    Flag,
    In,
    MatchAll,
    Node,
    Not,
    Or,
    Query,
)
from ..schemas.kinds import kind_of
from ..schemas.logic import Logic
from ..schemas.methods import LEADS_LIST, resolve
from ..schemas.schema import Schema
from ..schemas.wire import split_terms

Lead = Mapping[str, Any]


def check_lead(lead: object) -> Lead:
    if not isinstance(lead, Mapping):
        raise TypeError(f"lead must be a mapping (a Lead as JSON), not {type(lead).__name__}")
    return lead


def evaluate(
    node: Node | str, lead: Lead, *, now: datetime | None = None, schema: Schema | str = LEADS_LIST
) -> bool:
    """Whether `lead` matches the filter, by the language's definition.

    Args:
        node: a filter tree (from `parse`) or the filter's text.
        lead: a Lead as the API returns it: ``{"site": {"id": 1}, "result": "missed",
            "created_at": "2024-01-31T10:00:00", ...}``; missing fields count as absent.
            Conditions may name any Lead field, q's criteria or not (``city``,
            ``site.url``: see `pushdown`).
        now: the current time, needed only for relative periods (`lastweek`).
        schema: the API method: a `Schema` or a method's name (see `METHODS`).

    Raises:
        LeadqError: the filter has errors (E1xx-E3xx), uses a relative period without
            `now` (E308), or the lead holds a value of the wrong type (E309).
        TypeError: `node` is neither a str nor a tree, `lead` is not a mapping, or `now`
            not a datetime.
    """
    from ..language.tree import NODE_TYPES

    if not isinstance(node, (str, *NODE_TYPES)):
        raise TypeError(f"node must be a filter's text or a tree from leadq.parse(), not {type(node).__name__}")
    lead = check_lead(lead)
    clock = now_seconds(now)
    text = node if isinstance(node, str) else ""
    report = Report(text)
    schema = resolve(schema)
    checked = lead_filter(node, schema, report)
    if checked is None:
        raise LeadqError([d for d in report.diagnostics if d.severity.value == "error"], text)
    return matches_tree(checked[0], schema.with_lead_fields(), lead, clock, text)


def lead_filter(
    source: str | Node,
    schema: Schema,
    report: Report,
    *,
    params: Mapping[str, object] | None = None,
    role: str | None = None,
) -> tuple[Node, Logic, dict[str, str]] | None:
    """A filter read as leads are: parsed (unless a tree), its placeholders bound, and
    checked against every Lead field (`schema.with_lead_fields()`: q's criteria and the
    fields q has no criterion for). The bound tree, its logic and the tail's request
    parameters, or None when `report` has errors. What `evaluate` and `pushdown` share."""
    from ..analysis.check import check_tree
    from ..analysis.params import bind, has_placeholders
    from ..language.parse import parse_text
    from ..pipeline import facts_in

    fields = schema.with_lead_fields()
    if isinstance(source, str):
        tree = parse_text(source, report, facts=facts_in(schema))
        if tree is None:
            return None
    else:
        tree = source
        if tree.depth - 1 > MAX_DEPTH:
            report.add("too_deep", tree.span, limit=MAX_DEPTH)
            return None
    placeholders = bool(params) or not isinstance(source, str) or has_placeholders(source)
    bound = bind(tree, params, fields, report) if placeholders else tree  # without a value: E310
    logic, tail = check_tree(bound, report, fields, role=role)
    return None if logic is None else (bound, logic, tail)


def matches_tree(tree: Node, schema: Schema, lead: Lead, now: int | None, text: str) -> bool:
    """Whether `lead` matches a checked tree; `LeadqError` (E308, E309) pointing into `text`."""
    try:
        return _matches(tree, schema, lead, now)
    except Problem as p:
        report = Report(text)
        report.problem(p)
        raise LeadqError(report.diagnostics, text) from None


def _matches(node: Node, schema: Schema, lead: Lead, now: int | None, sure: bool = False) -> bool:
    # `sure` under an odd number of `not`s: a condition that cannot place a lead exactly
    # (a zoned bound in a repeated hour) may match it, and `not` of it may match it too,
    # as the box algebra reads it (`Range.sure`).
    match node:
        case MatchAll():
            return True
        case Query():
            return _matches(node.where, schema, lead, now, sure)
        case Not():
            return not _matches(node.operand, schema, lead, now, not sure)
        case And():
            return all(_matches(o, schema, lead, now, sure) for o in node.operands)
        case Or():
            return any(_matches(o, schema, lead, now, sure) for o in node.operands)
        case Compare() | In() | Contains() | Between() | Flag():
            return _condition(node, schema, lead, now, sure)
        case _:
            assert_never(node)


def _condition(node: Condition, schema: Schema, lead: Lead, now: int | None, sure: bool) -> bool:
    c = schema.lookup(node.field.name)
    assert c is not None  # checked
    if not c.readable:
        raise Problem("evaluate_unreadable", node.span, field=c.display, object=schema.object_type or "object")
    kind = kind_of(c)
    try:
        have = kind.lead_value(c, lead)
        return kind.surely_matches(node, c, have, now) if sure else kind.matches(node, c, have, now)
    except Problem as p:  # point at the condition that read the value
        raise _at(p, node.span) from None


# -- what a q string means to a server -----------------------------------------------------


def evaluate_q(
    q: str, lead: Lead, *, now: datetime | None = None, schema: Schema | str = LEADS_LIST
) -> bool:
    """Whether `lead` matches the raw `q` string, read by the term model of q-format.md.

    Every term must hold (terms are a conjunction); the empty q matches every lead.

    Raises:
        LeadqError: a term names no criterion (E501), its value is unreadable (E502),
            a relative period has no `now` (E308), or the lead holds a value of the
            wrong type (E309).
        TypeError: `q` is not a str, `lead` not a mapping, or `now` not a datetime.
    """
    if not isinstance(q, str):
        raise TypeError(f"q must be a str, not {type(q).__name__}")
    lead = check_lead(lead)
    return read_q(q, resolve(schema))(lead, now_seconds(now))


def read_q(q: str, schema: Schema, *, strict: bool = True) -> Callable[[Lead, int | None], bool]:
    """`q` read once by the term model: a test of one lead (at a clock) that
    `evaluate_q` runs; `LeadqError` (E501, E502) for a q no server reads. `strict`: refuse
    (E314) a criterion the method's documented object does not hold; a fake server whose
    objects carry what the server knows reads it all."""
    report = Report(q)
    junk, terms = split_terms(q, schema.term_start)
    if junk is not None:
        report.add("unknown_term", junk, name=q[junk.start : junk.end].split("=")[0][:40], method=schema.method)
        raise LeadqError(report.diagnostics, q)
    read = []
    for term in terms:
        c = schema.by_q_name.get(term.name) or schema.lookup(term.name)
        if c is None:
            report.add("unsupported_term", term.span, name=term.name, method=schema.method)
            raise LeadqError(report.diagnostics, q)
        if not term.value:
            report.add("q_no_value", term.span, name=term.name)
            raise LeadqError(report.diagnostics, q)
        if strict and not c.readable:
            report.add("evaluate_unreadable", term.span, field=c.name, object=schema.object_type or "object")
            raise LeadqError(report.diagnostics, q)
        read.append((c, term))

    def holds(lead: Lead, clock: int | None) -> bool:
        try:
            for c, term in read:
                try:
                    have = kind_of(c).lead_value(c, lead)
                except Problem as p:
                    raise _at(p, term.span) from None
                if not kind_of(c).holds(c, term, have, clock):
                    return False
        except Problem as p:
            failed = Report(q)
            failed.problem(p)
            raise LeadqError(failed.diagnostics, q) from None
        return True

    return holds


def _at(p: Problem, span: Span) -> Problem:
    """A problem found in a lead, pointed at the condition or term that read it."""
    return Problem.of(Finding(f.key, span, f.fields) if f.span == Span(0, 0) else f for f in p.findings)
