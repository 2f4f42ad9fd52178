"""One analysis of one filter: every pass run once, in order, each on the last one's result.

    text ─parse→ tree ─check→ logic (+ tail parameters) ─normalize→ boxes ─emit→ q
                                                                      └─plan→ requests

`analyze` runs the passes and keeps what each made, with every diagnostic any of them
reported. `compile`, `compile_params`, `check`, `plan`, `explain`, `decompile` and the
command line all read from an `Analysis`; nothing parses or normalizes a text twice.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from .analysis.boxes import Algebra, Box
from .analysis.check import check_tree, presence_flag
from .analysis.normalize import lint, normalize
from .analysis.params import bind, has_placeholders
from .core.diagnostics import Diagnostic, Finding, LeadqError, Problem, Report, Severity
from .core.messages import code_of
from .core.span import Span
from .language.parse import parse_text
from .language.tree import MatchAll, Node
from .q.emit import MAX_REQUESTS, direct_q, emit_q
from .schemas.logic import Logic
from .schemas.methods import LEADS_LIST
from .schemas.schema import Schema

if TYPE_CHECKING:
    from .q.plan import Plan


@attrs.define(eq=False)
class Analysis:
    """What leadq made of one filter (or one raw `q`), pass by pass.

    Attributes:
        text: the input.
        schema: the API method's criteria it was checked against.
        tree: the syntax tree (decompiled, for a raw q); None on a syntax error.
        q: the canonical q; None when the filter does not compile.
        params: the request parameters: ``q`` and those of the query tail (``sort``,
            ``limit``, ``offset``, ``fields``); empty when the filter does not compile.
        diagnostics: every error, warning and note, in source order.
    """

    text: str
    schema: Schema
    tree: Node | None = None
    q: str | None = None
    params: dict[str, str] = attrs.field(factory=dict)
    diagnostics: list[Diagnostic] = attrs.field(factory=list)
    logic: Logic | None = attrs.field(default=None, repr=False)
    algebra: Algebra | None = attrs.field(default=None, repr=False)
    boxes: list[Box] | None = attrs.field(default=None, repr=False)
    _plans: dict[int, Plan | LeadqError] = attrs.field(factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """Whether the filter compiles (warnings and notes may remain)."""
        return self.q is not None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def raise_for_errors(self) -> None:
        """Raise `LeadqError` with every diagnostic when the filter does not compile."""
        if self.q is None:
            raise LeadqError(self.diagnostics, self.text)

    def algebra_and_boxes(self) -> tuple[Algebra, list[Box]] | None:
        """The box algebra of the filter (computed on first need: a plain conjunction
        compiles without it); None when the filter has errors before that pass."""
        if self.algebra is None and self.logic is not None:
            try:
                self.algebra = Algebra(self.logic, self.schema, self.text)
                self.boxes = self.algebra.boxes(self.logic)
            except Problem:
                return None
        if self.algebra is None or self.boxes is None:
            return None
        return self.algebra, self.boxes

    def fingerprint(self, *, shape: bool = False) -> str:
        """`leadq.fingerprint` of the filter; `LeadqError` when no request can say it."""
        from .q.fingerprint import fingerprint_of

        if self.q is not None:
            requests, how = [self.q], "q"
        elif self.errors and {d.code for d in self.errors} <= PLANNED:
            requests, how = list(self.plan().requests), "plan"
        else:
            raise LeadqError(self.errors or self.diagnostics, self.text)
        return fingerprint_of(self.schema, requests, how, self.params, shape=shape)

    def explain(self) -> str:
        """A person's account of the filter (see `leadq.explain`)."""
        from .q.explain import explain_parts

        errors_first = not self.errors or {d.code for d in self.errors} <= {*PLANNED, "E403", "E404", "E408"}
        found = self.algebra_and_boxes() if errors_first else None
        return explain_parts(self.text, self.diagnostics, found, self.q, self.plan)

    def plan(self, max_requests: int = MAX_REQUESTS) -> Plan:
        """The requests whose merged results are exactly the filter's leads (see `leadq.plan`)."""
        if max_requests not in self._plans:
            from .q.plan import make_plan

            errors = [d for d in self.errors if d.code not in PLANNED]
            found = None if errors else self.algebra_and_boxes()
            try:
                if found is None:
                    raise LeadqError(errors or self.diagnostics, self.text)
                self._plans[max_requests] = make_plan(*found, self.text, max_requests)
            except LeadqError as e:
                self._plans[max_requests] = e
        result = self._plans[max_requests]
        if isinstance(result, LeadqError):
            raise result
        return result


#: The errors of a filter that a plan answers: several requests (E402), or an interval in
#: windows (E407).
PLANNED = frozenset({"E402", "E407"})


def fingerprint_or_none(a: Analysis) -> str | None:
    """`a.fingerprint()`, or None when no request can say the filter: what `check_many`
    and the language server keep of each filter. A filter with other errors than
    PLANNED is answered without raising and catching a `LeadqError` (which cost 7 % of
    the language server's analysis of a filter with a misspelt field)."""
    errors = a.errors
    if a.q is None and not (errors and {d.code for d in errors} <= PLANNED):
        return None
    try:
        return a.fingerprint()
    except LeadqError:
        return None


#: Texts longer than this are analysed with the cyclic garbage collector paused.
_GC_PAUSE = 20_000


def analyze(
    text: str,
    schema: Schema = LEADS_LIST,
    *,
    stored: bool = False,
    role: str | None = None,
    raw_q: bool = False,
    lint: bool = True,
    params: Mapping[str, object] | None = None,
    habits: bool = True,
    cli: bool = False,
) -> Analysis:
    """Run every pass over `text` once. Never raises for any input text.

    `raw_q`: the text is a raw q string (decompiled first). `lint`: also look for
    redundant conditions (W602, W603); `compile` skips that search. `params`: the values
    of the text's placeholders (`:name`). `habits`: check the fixes a syntax error's hint
    suggests against the schema (off for the analyses that do the checking). `cli`: say
    the messages in the command line's words (`--param`).
    """
    report = Report(text, cli=cli)
    a = Analysis(text, schema)
    # A long text makes many objects at once; the cyclic collector would scan them again
    # and again (the passes make no cycles), so it waits until the analysis is done. Written
    # out rather than `with core.collector.paused(...)`: every compile passes here, and the
    # `with` costs half a per cent of a short one.
    pause = len(text) > _GC_PAUSE and gc.isenabled()
    if pause:
        gc.disable()
    try:
        _run(a, report, stored=stored, role=role, raw_q=raw_q, lint=lint, params=params, habits=habits)
    except Exception as e:  # a bug in leadq must still not escape: it becomes data
        report.add("internal", Span(0, len(text)), error=f"{type(e).__name__}: {e}")
        a.q = None
        a.params = {}
    finally:
        if pause:
            gc.enable()
    a.diagnostics = report.diagnostics
    if len(a.diagnostics) > 1:
        a.diagnostics.sort(key=_source_order)
    return a


def _source_order(d: Diagnostic) -> tuple[int, int, str]:
    return d.start, d.end, d.code


def _run(
    a: Analysis,
    report: Report,
    *,
    stored: bool,
    role: str | None,
    raw_q: bool,
    lint: bool,
    params: Mapping[str, object] | None,
    habits: bool = True,
) -> None:
    if raw_q:
        from .q.decompile import decompile_q

        a.tree = decompile_q(a.text, a.schema, report)
    else:
        a.tree = parse_text(a.text, report, facts=facts_in(a.schema) if habits else None)
    if a.tree is None:
        return
    tree = a.tree
    placeholders = bool(params) or (not raw_q and has_placeholders(a.text))
    if placeholders:
        tree = bind(tree, params, a.schema, report)
    a.logic, tail = check_tree(tree, report, a.schema, stored=stored, role=role, placeholders=placeholders)
    if a.logic is None:
        return
    if not isinstance(a.tree, MatchAll):
        q = direct_q(a.logic, a.schema)  # a plain conjunction: no algebra, and nothing to lint
        if q is not None:
            a.q = q
            a.params = {"q": q, **tail}
            return
    try:
        a.algebra, a.boxes = normalize(a.logic, a.schema, a.text)
        q = emit_q(a.algebra, a.boxes, a.logic)
    except Problem as p:
        report.problem(p)
        return
    if report.failed:
        return
    a.q = q
    a.params = {"q": q, **tail}
    if isinstance(a.tree, MatchAll) and not raw_q:
        report.add("empty_filter", a.tree.span)
    if lint and not raw_q:
        report.problem(Problem.of(_lint(a.algebra, a.logic)))


def requests_of(logic: Logic, schema: Schema, text: str, max_requests: int) -> Plan | None:
    """The requests that say checked `logic` exactly, as `analyze` and `Analysis.plan`
    would find them for a text that checks to it: its one q, or a plan of at most
    `max_requests`; None when no plan says it (or it never matches). Nothing is parsed."""
    from .q.plan import Plan, make_plan

    q = direct_q(logic, schema)
    if q is not None:
        return Plan((q,), True)
    try:
        algebra, boxes = normalize(logic, schema, text, why=False)  # only whether a plan says it
    except Problem:
        return None
    try:
        return Plan((emit_q(algebra, boxes, logic),), True)
    except Problem as p:
        if any(code_of(f.key) not in PLANNED for f in p.findings):
            return None
    try:
        return make_plan(algebra, boxes, text, max_requests)
    except LeadqError:
        return None


def plan_errors(logic: Logic, schema: Schema, text: str, max_requests: int) -> list[Diagnostic]:
    """Why no plan says checked `logic`, as `plan` would say it of a text that checks to
    it (E406, E407, E408...); empty when a plan says it or its analysis fails before."""
    from .q.plan import make_plan

    try:
        algebra, boxes = normalize(logic, schema, text, why=False)  # only whether a plan says it
        make_plan(algebra, boxes, text, max_requests)
    except Problem:
        return []
    except LeadqError as e:
        return [d for d in e.diagnostics if d.severity is Severity.ERROR]
    return []


class SchemaFacts:
    """What a syntax error's hint may ask of a schema (`leadq.language.habits.Facts`): the
    parser sits below the schemas, so the pipeline answers for it."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def accepts(self, condition: str) -> bool:
        """Whether `condition` parses and checks: every field, operator and value is
        right (it may still need several requests, E4xx, which its own analysis says)."""
        a = analyze(condition, self.schema, lint=False, habits=False)
        return a.tree is not None and all(d.code.startswith("E4") for d in a.errors)

    def request(self, text: str) -> tuple[str, str] | None:
        from .language.format import format_node
        from .q.request import read_request, tail_text

        found = read_request(text)
        if not found.q.strip() or len(found.q) > 10_000:
            return None
        a = analyze(found.q, self.schema, raw_q=True, lint=False)
        if a.tree is None or a.errors:
            return None
        filter_text = " ".join(part for part in (format_node(a.tree), tail_text(found.params)) if part)
        return (found.what, filter_text) if self.accepts(filter_text) else None

    def presence_flag(self, field: str) -> str | None:
        return presence_flag(self.schema, field)

    def presence_flags(self) -> tuple[str, ...]:
        return tuple(c.display for c in self.schema.criteria if c.presence)

    def unit(self, field: str) -> str | None:
        c = self.schema.lookup(field)
        return c.unit or None if c is not None else None


def facts_in(schema: Schema) -> SchemaFacts:
    """The schema's answers to the parser's hints (`parse_text`'s `facts`)."""
    return SchemaFacts(schema)


def _lint(algebra: Algebra, logic: Logic) -> list[Finding]:
    try:
        return lint(algebra, logic)
    except Problem:  # too complex to search: the linter says nothing
        return []
