"""Decompile: a raw `q` string → a filter tree, by the term model of q-format.md.

A term starts at the beginning of `q` or after whitespace followed by `<known name><op>`;
its value runs to the next such start (`leadq.schemas.wire.split_terms`). Each term becomes one
condition in the human language (`site_ids=1,2` → `site in (1, 2)`) through the kind of its
criterion, with spans into `q`, so that the check pass's diagnostics point at the raw
string.
"""

from __future__ import annotations

import re

from ..core.diagnostics import Problem, Report
from ..core.span import Span
from ..core.suggest import closest
from ..language.tree import And, Field, MatchAll, Node
from ..schemas.kinds import kind_of
from ..schemas.schema import Schema
from ..schemas.wire import split_terms

_ANY_TERM = re.compile(r"(?:^|(?<=\s))(\w+)(>=|<=|=|>|<)")


def decompile_q(q: str, schema: Schema, report: Report) -> Node | None:
    """Read `q` into a filter tree whose spans point into `q`; None after an error."""
    if not q.strip():
        return MatchAll(Span(0, 0))
    junk, terms = split_terms(q, schema.term_start)
    failed = False
    if junk is not None:
        _unknown_term(q, junk, schema, report)
        failed = True
    conditions: list[Node] = []
    for term in terms:
        c = schema.by_q_name.get(term.name) or schema.lookup(term.name)
        if c is None:  # a name only the implementation knows
            report.add("unsupported_term", term.span, name=term.name, method=schema.method)
            failed = True
            continue
        if term.name != c.name:
            report.add("q_alias", Span(term.span.start, term.span.start + len(term.name)),
                       name=term.name, field=c.display, q_name=c.name)  # fmt: skip
        field = Field(c.display, Span(term.span.start, term.span.start + len(term.name)))
        if not term.value:
            report.add("q_no_value", term.span, name=term.name)
            failed = True
            continue
        if kind_of(c).name not in _FREE_TEXT and _misjoined(q, term.value_span, schema, report):
            failed = True
            continue
        try:
            conditions.append(kind_of(c).decompile(c, term, field))
        except Problem as p:
            report.problem(p)
            failed = True
            continue
        note = kind_of(c).decompile_note(c, term)
        if note is not None:
            report.problem(Problem.of([note]))
    if failed:
        return None
    if len(conditions) == 1:
        return conditions[0]
    return And(tuple(conditions), Span(terms[0].span.start, terms[-1].span.end))


#: The kinds whose values may hold spaces and `&` (a text searched for, a name).
_FREE_TEXT = frozenset({"string", "substring", "text"})


def _misjoined(q: str, value: Span, schema: Schema, report: Report) -> bool:
    """Say so when a value that cannot hold a space or `&` holds another term: one after a
    space whose name q does not know (`site_ids=1,2 reslt=missed`: the term model reads
    `2 reslt=missed` as the last id), or a known one joined with `&` as in a URL."""
    tail = _ANY_TERM.search(q, value.start + 1, value.end)
    if tail is not None:
        _unknown_term(q, Span(tail.start(), value.end), schema, report)
        return True
    joined = _JOINED.search(q, value.start, value.end)
    if joined is not None and joined.group(1) in schema.term_names:
        fix = _JOINED.sub(lambda m: " " + m.group()[1:], q.strip())
        report.add("q_ampersand", Span(joined.start(), joined.start() + 1), fix=fix)
        return True
    return False


#: `&name<op>` inside a value: terms joined as URL parameters are.
_JOINED = re.compile(r"&(\w+)(?:>=|<=|=|>|<)")


def _unknown_term(q: str, span: Span, schema: Schema, report: Report) -> None:
    m = _ANY_TERM.match(q, span.start)
    piece = q[span.start : span.end]
    name = m.group(1) if m else piece.split()[0] if piece.split() else piece
    guess = closest(name, schema.term_names)
    where = Span(span.start, span.end if span.end > span.start else len(q))
    if name in schema.term_names:  # a known name, but no operator after it
        report.add("q_missing_operator", where, name=name, piece=q[where.start : where.end][:60])
    elif guess:
        name_span = Span(span.start, span.start + len(name)) if q.startswith(name, span.start) else None
        report.add("unknown_term_guess", where, name=name, method=schema.method, guess=guess, name_span=name_span)
    else:
        report.add("unknown_term", where, name=name, method=schema.method)
