"""Pushdown: a filter split into what the API can answer and what is checked on each lead.

`compile` refuses a filter that one q cannot say exactly. To *run* a filter, leadq sends
what q can say — one q, or a plan of several — and checks the rest (the residual) on each
lead that comes back, so that the leads kept are exactly those the filter matches:

    leads kept = {lead returned by the requests} ∩ {lead the residual holds for}

The split works on the top-level conjuncts of the filter, in the order written:

1. a conjunct that q can say together with those already sent is sent whole, and is not
   checked again;
2. otherwise a weaker form of it is sent when q can say that: each condition q cannot
   say is replaced by "true" where it counts for the conjunct and by "false" where it
   counts against it (under a `not`), which the conjunct implies; the conjunct itself
   joins the residual;
3. otherwise the conjunct is checked here only.

Every step only ever sends something the filter implies, and keeps in the residual every
conjunct not sent exactly, so the split is exact whatever it manages to send
(docs/fetch.md). Conditions may name Lead fields q has no criterion for (`city`,
`site.url`): they are always checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..core.diagnostics import Diagnostic, LeadqError, Report, Severity
from ..language.tree import (
    And,
    Between,
    Compare,
    Condition,
    Field,
    Literal,
    LiteralKind,
    MatchAll,
    Node,
    Not,
    Or,
    Query,
)
from ..schemas.criterion import Criterion
from ..schemas.methods import LEADS_LIST
from ..schemas.schema import Schema

#: Conjuncts past this many attempts to send more are checked here only (still exact).
MAX_ATTEMPTS = 64


@attrs.frozen
class Pushdown:
    """A filter split into requests the API answers and a residual checked on each lead.

    Attributes:
        text: the filter.
        requests: the canonical q strings to send, one per request (``("",)``: every
            lead); their results merged by lead id are a superset of the filter's leads.
        disjoint: True when no lead can match two of the requests.
        sent: what the requests say, as filter text (``""``: nothing, every lead).
        residual: what is checked on each returned lead, as filter text (``""``: nothing,
            the requests say the whole filter).
        params: the request parameters of the filter's tail (``sort``, ``limit``,
            ``offset``, ``fields``), without ``q``.
        residual_fields: the Lead fields the residual reads, as dotted paths
            (``site.id``, ``city``): a client asks for them even when `fields` leaves
            them out.
        diagnostics: the warnings and notes found in the filter.
        schema: the API method's criteria.
    """

    text: str
    requests: tuple[str, ...]
    disjoint: bool
    sent: str
    residual: str
    params: dict[str, str] = attrs.field(factory=dict)
    residual_fields: tuple[str, ...] = ()
    diagnostics: list[Diagnostic] = attrs.field(factory=list)
    schema: Schema = attrs.field(default=LEADS_LIST, repr=False)
    _residual_tree: Node | None = attrs.field(default=None, repr=False, eq=False, alias="residual_tree")

    @property
    def exact(self) -> bool:
        """Whether the requests say the whole filter (no residual)."""
        return self._residual_tree is None

    def matches(self, lead: Mapping[str, Any], *, now: datetime | None = None) -> bool:
        """Whether a lead the requests returned also holds for the residual.

        Raises:
            LeadqError: a relative period in the residual without `now` (E308), or a
                lead value of the wrong type (E309).
            TypeError: `lead` is not a mapping, or `now` not a datetime.
        """
        from ..core.datetimes import now_seconds
        from .evaluate import check_lead, matches_tree

        lead = check_lead(lead)
        clock = now_seconds(now)
        if self._residual_tree is None:
            return True
        return matches_tree(self._residual_tree, self.schema.with_lead_fields(), lead, clock, self.residual)

    def explain(self) -> str:
        """The split in words: what is sent to the API, and what is checked here."""
        lines = [f"sent to the API: {self.sent or 'nothing (every lead)'}"]
        if len(self.requests) > 1:
            overlap = "" if self.disjoint else ", merged by lead id"
            lines.append(f"  {len(self.requests)} requests{overlap}:")
        lines += [f"  q: {q}" if q else "  q: (empty: every lead)" for q in self.requests]
        lines.append(f"checked here: {self.residual or 'nothing'}")
        if self.residual_fields:
            lines.append(f"  reads: {', '.join(self.residual_fields)}")
        return "\n".join(lines)


def split(
    text: str,
    schema: Schema,
    *,
    params: Mapping[str, object] | None = None,
    role: str | None = None,
    now: datetime | None = None,
    max_requests: int,
) -> Pushdown:
    """`leadq.pushdown` after its argument checks."""
    from .evaluate import lead_filter

    fetch = schema.with_lead_fields()
    report = Report(text)
    checked = lead_filter(text, schema, report, params=params, role=role)
    if checked is None:
        raise LeadqError(report.diagnostics, text)
    tree, tail = checked
    where = tree.where if isinstance(tree, Query) else tree
    if now is not None:
        where = _resolve_periods(where, fetch, now)
    sent, residual, (requests, disjoint) = _Splitter(schema, fetch, max_requests).split(list(_conjuncts(where)))
    residual_tree = None if not residual else residual[0] if len(residual) == 1 else And(tuple(residual))
    if residual_tree is not None and role is not None:
        for atom in _atoms(residual_tree):
            c = fetch.lookup(atom.field.name)
            if c is not None and role in c.hidden_from:
                report.add("residual_hidden", atom.span, field=c.display, role=role)
        if report.failed:
            raise LeadqError(report.diagnostics, text)
    from ..language.format import format_node

    return Pushdown(
        text,
        requests,
        disjoint,
        format_node(_and(sent)) if sent else "",
        format_node(residual_tree) if residual_tree is not None else "",
        tail,
        _fields(residual_tree, fetch),
        [d for d in report.diagnostics if d.severity is not Severity.ERROR],
        schema,
        residual_tree=residual_tree,
    )


def _conjuncts(node: Node) -> Iterator[Node]:
    if isinstance(node, And):
        for o in node.operands:
            yield from _conjuncts(o)
    elif not isinstance(node, MatchAll):
        yield node


def _and(parts: Sequence[Node]) -> Node:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _atoms(node: Node) -> Iterator[Condition]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Not):
            stack.append(n.operand)
        elif isinstance(n, (And, Or)):
            stack.extend(reversed(n.operands))
        elif not isinstance(n, (MatchAll, Query)):
            yield n


class _Splitter:
    """The greedy split of docs/fetch.md: conjuncts sent whole, sent weakened, or kept."""

    def __init__(self, schema: Schema, fetch: Schema, max_requests: int) -> None:
        self.schema = schema
        self.fetch = fetch
        self.max_requests = max_requests
        self.attempts = 0
        self._alone: dict[Node, bool] = {}

    def split(self, conjuncts: list[Node]) -> tuple[list[Node], list[Node], _Requests]:
        """What is sent, what is kept, and the requests that say what is sent."""
        named = [_rename(c, self.fetch) for c in conjuncts]
        if named and all(not self.local(c) for c in named):
            found = self.send(named)
            if found is not None:
                return named, [], found  # q says the whole filter
        sent: list[Node] = []
        residual: list[Node] = []
        requests: _Requests = (("",), True)  # nothing sent: every lead
        for original, c in zip(conjuncts, named, strict=True):
            if self.attempts >= MAX_ATTEMPTS:
                residual.append(original)
                continue
            found = None if self.local(c) else self.send([*sent, c])
            if found is not None:
                sent.append(c)
                requests = found
                continue
            residual.append(original)
            for keep in (self.not_local, self.alone):
                weaker = _relax(c, True, keep)
                if isinstance(weaker, bool):
                    break  # nothing of it can be sent
                found = self.send([*sent, weaker])
                if found is not None:
                    sent.append(weaker)
                    requests = found
                    break
        return sent, residual, requests

    def local(self, node: Node) -> bool:
        return any(not self.not_local(a) for a in _atoms(node))

    def not_local(self, atom: Condition) -> bool:
        c = self.fetch.lookup(atom.field.name)
        return c is not None and not c.local

    def alone(self, atom: Condition) -> bool:
        if not self.not_local(atom):
            return False
        if atom not in self._alone:
            self._alone[atom] = self.send([atom]) is not None
        return self._alone[atom]

    def send(self, parts: Sequence[Node]) -> _Requests | None:
        """The requests (and whether they are disjoint) that say `parts` together; None
        when no plan says them."""
        from ..language.format import format_node
        from ..pipeline import analyze

        self.attempts += 1
        a = analyze(format_node(_and(parts)), self.schema, lint=False)
        if a.q is not None:
            return (a.q,), True
        try:
            plan = a.plan(self.max_requests)
        except LeadqError:
            return None
        return plan.requests, plan.disjoint


#: The canonical q strings of a split's requests, and whether they are disjoint.
_Requests = tuple[tuple[str, ...], bool]


def _relax(node: Node, positive: bool, keep: Callable[[Condition], bool]) -> Node | bool:
    """A weaker form of `node` (implied by it): each condition `keep` refuses becomes true
    where it counts for the whole (`positive`) and false where it counts against it."""
    if isinstance(node, Not):
        inner = _relax(node.operand, not positive, keep)
        return (not inner) if isinstance(inner, bool) else Not(inner, node.span)
    if isinstance(node, (And, Or)):
        absorbing = isinstance(node, Or)  # true absorbs an `or`, false an `and`
        parts = []
        for o in node.operands:
            r = _relax(o, positive, keep)
            if r is absorbing:
                return absorbing
            if not isinstance(r, bool):
                parts.append(r)
        if not parts:
            return not absorbing
        return parts[0] if len(parts) == 1 else type(node)(tuple(parts), node.span)
    if isinstance(node, (MatchAll, Query)):
        return True
    return node if keep(node) else positive


def _rename(node: Node, fetch: Schema) -> Node:
    """`node` with each field spelled as q's schema knows it (`site.id` → `site`)."""
    if isinstance(node, Not):
        return Not(_rename(node.operand, fetch), node.span)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_rename(o, fetch) for o in node.operands), node.span)
    if isinstance(node, (MatchAll, Query)):
        return node
    c = fetch.lookup(node.field.name)
    if c is None or c.local or node.field.name in (c.name, c.display):
        return node
    return attrs.evolve(node, field=Field(c.display, node.field.span))


def _resolve_periods(node: Node, fetch: Schema, now: datetime) -> Node:
    """`node` with each relative period (`created_at = lastweek`) replaced by the
    absolute interval it covers at `now`, so that every request and the residual read
    the same moment."""
    from ..core.datetimes import RELATIVE_PERIODS, format_seconds, now_seconds, period_bounds

    clock = now_seconds(now)
    assert clock is not None

    def walk(n: Node) -> Node:
        if isinstance(n, Not):
            return Not(walk(n.operand), n.span)
        if isinstance(n, (And, Or)):
            return type(n)(tuple(walk(o) for o in n.operands), n.span)
        if not isinstance(n, Compare) or n.value.value not in RELATIVE_PERIODS:
            return n
        c = fetch.lookup(n.field.name)
        if c is None or c.kind_name != "datetime" or n.value.kind not in _PERIOD_KINDS:
            return n
        first, last = period_bounds(n.value.value, clock)
        low = Literal(LiteralKind.DATETIME, format_seconds(first), n.value.span)
        high = Literal(LiteralKind.DATETIME, format_seconds(last), n.value.span)
        return Between(n.field, low, high, n.span)

    return walk(node)


_PERIOD_KINDS = (LiteralKind.WORD, LiteralKind.STRING)


def _fields(residual: Node | None, fetch: Schema) -> tuple[str, ...]:
    """The Lead fields the residual reads, as dotted paths."""
    if residual is None:
        return ()
    paths: dict[str, None] = {}
    for atom in _atoms(residual):
        c = fetch.lookup(atom.field.name)
        assert c is not None  # checked
        paths[_path(c)] = None
    return tuple(sorted(paths))


def _path(c: Criterion) -> str:
    if c.is_idlist and not c.local and c.field != "id":
        return f"{c.field}.id"  # an id list reads the nested object's id
    return c.field
