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
from typing import Any, assert_never

import attrs

from ..analysis.check import Checker
from ..core.diagnostics import Diagnostic, LeadqError, Report, Severity
from ..core.span import NO_SPAN, Span
from ..language.tree import (
    And,
    Between,
    Compare,
    Condition,
    Contains,
    Field,
    Flag,
    In,
    Literal,
    LiteralKind,
    MatchAll,
    Node,
    Not,
    Or,
    Query,
)
from ..language.walk import conditions, map_conditions
from ..pipeline import plan_errors, requests_of
from ..schemas.criterion import Criterion
from ..schemas.logic import Conj, Disj, Logic, Neg, atoms, conjuncts
from ..schemas.methods import LEADS_LIST
from ..schemas.schema import Schema
from .evaluate import lead_filter

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
            overlap = "" if self.disjoint else ", merged by id"
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
    fetch = schema.with_lead_fields()
    report = Report(text)
    checked = lead_filter(text, schema, report, params=params, role=role)
    if checked is None:
        raise LeadqError(report.diagnostics, text)
    tree, _, tail = checked
    where = tree.where if isinstance(tree, Query) else tree
    if now is not None:
        where = _resolve_periods(where, fetch, now)
    splitter = _Splitter(schema, fetch, max_requests, text)
    parts = list(_conjuncts(where))
    if where is checked[0] or (isinstance(checked[0], Query) and where is checked[0].where):
        # the logic of each conjunct, from the check already made (unless periods changed it)
        logic = conjuncts(checked[1])
        if len(logic) == len(parts):
            for part, part_logic in zip(parts, logic, strict=True):
                splitter.known(part, part_logic)
    sent, residual, (requests, disjoint) = splitter.split(parts)
    if not sent and schema.needed:
        # nothing sent: the one request would leave them out. Said as `plan` says it when
        # the conditions on them are there but no plan of them fits (too many windows).
        why = splitter.why_not(parts)
        if why:
            report.diagnostics.extend(why)
        else:
            _needed(schema, report)
    residual_tree = None if not residual else residual[0] if len(residual) == 1 else And(tuple(residual))
    if residual_tree is not None:
        for atom in conditions(residual_tree):
            c = fetch.lookup(atom.field.name)
            if c is not None and not c.readable:
                report.add("residual_unreadable", atom.span, field=c.display, object=schema.object_type or "object")
            elif c is not None and role is not None and role in c.hidden_from:
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


def _needed(schema: Schema, report: Report) -> None:
    """E213 (E408) for each criterion the method needs in every request (or only as a
    bounded interval), when no request can say it: what `compile` says of the filter."""
    whole = Span(0, len(report.text))
    for c in schema.needed:
        if c.required:
            example = 'contains "..."' if c.kind_name == "substring" else "= ..."
            report.add("required_missing", whole, method=schema.method, field=c.display, example=example)
        else:
            report.add("interval_open", whole, field=c.display, limit=c.max_interval)


def _conjuncts(node: Node) -> Iterator[Node]:
    if isinstance(node, And):
        for o in node.operands:
            yield from _conjuncts(o)
    elif not isinstance(node, MatchAll):
        yield node


def _and(parts: Sequence[Node]) -> Node:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


class _Splitter:
    """The greedy split of docs/fetch.md: conjuncts sent whole, sent weakened, or kept."""

    def __init__(self, schema: Schema, fetch: Schema, max_requests: int, text: str) -> None:
        self.schema = schema
        self.fetch = fetch
        self.max_requests = max_requests
        self.text = text
        self.attempts = 0
        self._alone: dict[Node, bool] = {}
        self.checker = Checker(Report(text), fetch, placeholders=False)
        self._logic: dict[int, Logic] = {}
        self._kept: list[Node] = []
        # What is sent: while each part is about one field, the parts and the q terms of
        # each field; after that, the parts and their requests. A method that needs a
        # criterion in every request (Locations.list `title`) says no field alone but
        # that one: its parts are weighed together from the first.
        self._fields: dict[str, tuple[list[Logic], str]] | None = None if schema.needed else {}
        self._sent: list[Logic] = []
        self._found: _Requests = (("",), True)

    def split(self, conjuncts: list[Node]) -> tuple[list[Node], list[Node], _Requests]:
        """What is sent, what is kept, and the requests that say what is sent."""
        named = [_rename(c, self.fetch) for c in conjuncts]
        if named and all(not self.local(c) for c in named):
            found = self.send(named)
            if found is not None:
                return named, [], found  # q says the whole filter
        sent: list[tuple[int, Node]] = []
        residual: list[tuple[int, Node]] = []
        # the conditions on what the method needs in every request go first: no other
        # condition can be sent before them
        needed = {c.name for c in self.schema.needed}
        first = sorted(range(len(named)), key=lambda i: not self.mentions(named[i], needed))
        for i in first:
            original, c = conjuncts[i], named[i]
            if self.attempts >= MAX_ATTEMPTS:
                residual.append((i, original))
                continue
            if not self.local(c) and self.add(c):
                sent.append((i, c))
                continue
            residual.append((i, original))
            for keep in (self.not_local, self.alone):
                weaker = _relax(c, True, keep)
                if isinstance(weaker, bool):
                    break  # nothing of it can be sent
                if weaker == c:
                    continue  # nothing was weakened: it would be refused again
                if self.add(weaker):
                    sent.append((i, weaker))
                    break
        return [n for _, n in sorted(sent, key=_first)], [n for _, n in sorted(residual, key=_first)], self.requests()

    def why_not(self, conjuncts: list[Node]) -> list[Diagnostic]:
        """Why no plan says the conjuncts on the criteria the method needs in every
        request (`plan`'s errors); empty when there are none or they fail for another
        reason."""
        needed = {c.name for c in self.schema.needed}
        named = [_rename(c, self.fetch) for c in conjuncts]
        mine = [c for c in named if self.mentions(c, needed) and not self.local(c)]
        if not mine:
            return []
        return plan_errors(_conj([self.logic(c) for c in mine]), self.schema, self.text, self.max_requests)

    def mentions(self, node: Node, names: set[str]) -> bool:
        """Whether a condition of `node` is on one of the criteria `names`."""
        if not names:
            return False
        for atom in conditions(node):
            c = self.fetch.lookup(atom.field.name)
            if c is not None and c.name in names:
                return True
        return False

    def add(self, part: Node) -> bool:
        """Whether `part` can be sent with what is sent already (and if so, it is)."""
        logic = self.logic(part)
        if self._fields is not None:
            c = _field_of(logic)
            if c is not None:
                # Conditions on one field each: what q says of one field does not depend on
                # the others (one box, each field's terms in the schema's order), so a part
                # is weighed with the parts on its own field only, not with all again.
                self.attempts += 1
                mine = [*self._fields.get(c.name, ([], ""))[0], logic]
                found = requests_of(_conj(mine), self.schema, self.text, self.max_requests)
                if found is None:
                    return False  # no request says the field's conditions: nor with the others
                if len(found.requests) == 1:
                    self._fields[c.name] = (mine, found.requests[0])
                    return True
        parts = [*self.sent_logic(), logic]
        got = self.send_logic(_conj(parts))
        if got is None:
            return False
        self._sent, self._fields, self._found = parts, None, got
        return True

    def sent_logic(self) -> list[Logic]:
        if self._fields is None:
            return self._sent
        return [part for parts, _ in self._fields.values() for part in parts]

    def requests(self) -> _Requests:
        """The requests that say everything sent."""
        if self._fields is None:
            return self._found
        order = self.schema.order
        terms = [q for name, (_, q) in sorted(self._fields.items(), key=lambda item: order[item[0]]) if q]
        return (" ".join(terms),), True

    def local(self, node: Node) -> bool:
        return any(not self.not_local(a) for a in conditions(node))

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
        when no plan says them. The parts' logic is read from the check already made:
        nothing is formatted or parsed again."""
        logic = self.logic(parts[0]) if len(parts) == 1 else Conj(tuple(self.logic(p) for p in parts), NO_SPAN)
        return self.send_logic(logic)

    def send_logic(self, logic: Logic) -> _Requests | None:
        self.attempts += 1
        plan = requests_of(logic, self.schema, self.text, self.max_requests)
        return None if plan is None else (plan.requests, plan.disjoint)

    def logic(self, node: Node) -> Logic:
        """The typed logic of a checked part of the filter (a conjunct, or a weaker form
        built of its conditions), each condition checked once."""
        found = self._logic.get(id(node))
        if found is not None:
            return found
        match node:
            case Not():
                return Neg(self.logic(node.operand), node.span)
            case And():
                return Conj(tuple(self.logic(o) for o in node.operands), node.span)
            case Or():
                return Disj(tuple(self.logic(o) for o in node.operands), node.span)
            case MatchAll() | Query():
                return Conj((), node.span)
            case Compare() | In() | Contains() | Between() | Flag():
                checked = self.checker.condition(node)
                assert checked is not None  # the filter was checked whole before the split
                self.known(node, checked)
                return checked
            case _:
                assert_never(node)

    def known(self, node: Node, logic: Logic) -> None:
        """`logic` is what `node` checked to."""
        self._logic[id(node)] = logic
        self._kept.append(node)  # its id stays this node's while it lives


def _first(item: tuple[int, Node]) -> int:
    return item[0]


def _field_of(logic: Logic) -> Criterion | None:
    """The one field every atom of `logic` tests, if there is one."""
    found = None
    for atom in atoms(logic):
        if found is None:
            found = atom.criterion
        elif atom.criterion is not found:
            return None
    return found


def _conj(parts: list[Logic]) -> Logic:
    return parts[0] if len(parts) == 1 else Conj(tuple(parts), NO_SPAN)


#: The canonical q strings of a split's requests, and whether they are disjoint.
_Requests = tuple[tuple[str, ...], bool]


def _relax(node: Node, positive: bool, keep: Callable[[Condition], bool]) -> Node | bool:
    """A weaker form of `node` (implied by it): each condition `keep` refuses becomes true
    where it counts for the whole (`positive`) and false where it counts against it."""
    match node:
        case Not():
            inner = _relax(node.operand, not positive, keep)
            return (not inner) if isinstance(inner, bool) else Not(inner, node.span)
        case And() | Or():
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
            if len(parts) == 1:
                return parts[0]
            same = len(parts) == len(node.operands) and all(a is b for a, b in zip(parts, node.operands, strict=True))
            return node if same else attrs.evolve(node, operands=tuple(parts))
        case MatchAll() | Query():
            return True
        case Compare() | In() | Contains() | Between() | Flag():
            return node if keep(node) else positive
        case _:
            assert_never(node)


def _rename(node: Node, fetch: Schema) -> Node:
    """`node` with each field spelled as q's schema knows it (`site.id` → `site`)."""

    def spelled(n: Condition) -> Node:
        c = fetch.lookup(n.field.name)
        if c is None or c.local or n.field.name in (c.name, c.display):
            return n
        return attrs.evolve(n, field=Field(c.display, n.field.span))

    return map_conditions(node, spelled)


def _resolve_periods(node: Node, fetch: Schema, now: datetime) -> Node:
    """`node` with each relative period (`created_at = lastweek`) replaced by the
    absolute interval it covers at `now`, so that every request and the residual read
    the same moment."""
    from ..core.datetimes import FIRST_SECOND, LAST_SECOND, RELATIVE_PERIODS, format_seconds, now_seconds, period_bounds

    clock = now_seconds(now)
    assert clock is not None

    def resolved(n: Condition) -> Node:
        if not isinstance(n, Compare) or n.value.value not in RELATIVE_PERIODS:
            return n
        c = fetch.lookup(n.field.name)
        if c is None or c.kind_name != "datetime" or n.value.kind not in _PERIOD_KINDS:
            return n
        first, last = period_bounds(n.value.value, clock)
        # no lead is dated outside the years 1 to 9999: an empty period (a `now` past the
        # last second) stays empty, low above high
        first, last = max(first, FIRST_SECOND), min(last, LAST_SECOND)
        if first > last:
            first, last = LAST_SECOND, FIRST_SECOND
        low = Literal(LiteralKind.DATETIME, format_seconds(first), n.value.span)
        high = Literal(LiteralKind.DATETIME, format_seconds(last), n.value.span)
        return Between(n.field, low, high, n.span)

    return map_conditions(node, resolved)


_PERIOD_KINDS = (LiteralKind.WORD, LiteralKind.STRING)


def _fields(residual: Node | None, fetch: Schema) -> tuple[str, ...]:
    """The Lead fields the residual reads, as dotted paths."""
    if residual is None:
        return ()
    paths: dict[str, None] = {}
    for atom in conditions(residual):
        c = fetch.lookup(atom.field.name)
        assert c is not None  # checked
        paths[_path(c)] = None
    return tuple(sorted(paths))


def _path(c: Criterion) -> str:
    if c.is_idlist and not c.local and c.field != "id":
        return f"{c.field}.id"  # an id list reads the nested object's id
    return c.field
