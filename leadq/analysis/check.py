"""Check pass: syntax tree → typed logic over the schema's criteria (`leadq.schemas.logic`).

Resolves every field name (with a "did you mean"), asks the criterion's kind whether it
takes the operator, and lets the kind check the value and build the atoms. The query tail
(`order by`, `limit`, `offset`, `fields`) becomes request parameters. Problems go to the
report, never up the stack, so one run finds all of them.
"""

from __future__ import annotations

from typing import assert_never, cast

from ..core.diagnostics import Problem, Report
from ..core.span import Span
from ..core.suggest import closest
from ..language.tree import (
    And,
    Between,
    Compare,
    Condition,
    Contains,
    Flag,
    In,
    LiteralKind,
    MatchAll,
    Node,
    Not,
    Op,
    Or,
    Query,
    ResultField,
)
from ..schemas.criterion import Criterion
from ..schemas.kinds import KINDS
from ..schemas.kinds.base import operator_of
from ..schemas.logic import Conj, Disj, Logic, Neg
from ..schemas.schema import Schema
from ..schemas.wire import MAX_NUMBER, read_int
from .params import unbound

#: Repeated values of one list reported one by one; the rest are counted in one more W604.
MAX_REPEATS_SHOWN = 20
#: The condition nodes, which `Checker.node` hands to `Checker.condition`.
_CONDITIONS = (Compare, In, Contains, Between, Flag)


class Checker:
    """Checks one tree against one schema, reporting to one report (the kinds' context)."""

    def __init__(
        self,
        report: Report,
        schema: Schema,
        *,
        stored: bool = False,
        role: str | None = None,
        placeholders: bool = True,
    ) -> None:
        self.placeholders = placeholders
        self.schema = schema
        self.stored = stored
        self.role = role
        self._report = report
        self.params: dict[str, str] = {}

    def report(self, key: str, span: Span, /, **fields: object) -> None:
        self._report.add(key, span, **fields)

    def node(self, node: Node) -> Logic | None:
        """The logic of `node`, or None when an error was reported inside it."""
        match node:
            case Compare() | In() | Contains() | Between() | Flag():  # the most common first
                return self.condition(node)
            case And() | Or():
                if isinstance(node, Or) and self._values_as_fields(node):
                    return None
                condition, node_of = self.condition, self.node  # every operand, for every problem:
                parts = [condition(o) if isinstance(o, _CONDITIONS) else node_of(o) for o in node.operands]
                for part in parts:
                    if part is None:
                        return None
                operands = cast("tuple[Logic, ...]", tuple(parts))  # no None: checked above
                return Conj(operands, node.span) if isinstance(node, And) else Disj(operands, node.span)
            case Not():
                inner = self.node(node.operand)
                return None if inner is None else Neg(inner, node.span)
            case Query():
                self.params = check_tail(node, self.schema, self._report)
                return self.node(node.where)
            case MatchAll():
                return Conj((), node.span)
            case _:
                assert_never(node)

    def _values_as_fields(self, node: Or) -> bool:
        """`result = missed or completed`: an enum's value after `or`, read as a yes/no
        field. Reported (E201, with the list it means) when every such operand is one."""
        first = node.operands[0]
        if not isinstance(first, Compare) or first.op is not Op.EQ or len(node.operands) < 2:
            return False
        c = self.schema.lookup(first.field.name)
        if c is None or not c.values or not isinstance(node.operands[1], Flag):
            return False
        rest = [o for o in node.operands[1:] if isinstance(o, Flag)]
        if len(rest) != len(node.operands) - 1:
            return False
        names = [o.field.name for o in rest]
        if not all(n in c.values and self.schema.lookup(n) is None for n in names):
            return False
        fix = f"{first.field.name} in ({', '.join([first.value.value, *names])})"
        for o in rest:
            self.report("value_as_field", o.span, name=o.field.name, field=first.field.name, fix=fix)
        return True

    def condition(self, node: Condition) -> Logic | None:
        name = node.field.name
        schema = self.schema
        c = schema.by_name.get(name)
        if c is None or name not in schema.plain_names:  # unknown, or an alias: say so
            if c is None and self._habit(node):
                return None
            c = resolve_field(name, node.field.span, schema, self._report, flag=isinstance(node, Flag))
            if c is None:
                return None
        if self.role in c.hidden_from:
            self.report("role_hidden", node.span, role=self.role, field=c.display)
        if c.source == "reference":
            self.report("reference_only", node.field.span, name=c.name, method=schema.method)
        kind = KINDS[c.kind_name]
        op = operator_of(node)
        if self.placeholders and unbound(node):  # a placeholder without a value: reported by bind
            return None
        try:
            if op not in kind.operators:
                if op == "flag":
                    raise Problem("not_boolean_field", node.span, field=node.field.name)
                hint = (kind.operator_hint or "").format(name=node.field.name)
                raise Problem("wrong_operator", node.span, op=op, field=node.field.name, words=kind.words, hint=hint)
            if isinstance(node, In):
                self.duplicates(node)
            return kind.condition(node, c, self)
        except Problem as p:
            self._report.problem(p)
            return None

    def _habit(self, node: Condition) -> bool:
        """A condition on an unknown field that another language's habit explains: SQL's
        `email = null`, or a sort written as a condition (`sort = created_at`)."""
        name = node.field.name
        if isinstance(node, Compare) and node.value.kind is LiteralKind.WORD and node.op in (Op.EQ, Op.NE):
            flag = presence_flag(self.schema, name)
            if flag is not None and node.value.value.lower() in ("null", "none", "nil", "empty"):
                fix = flag if node.op is Op.NE else f"not {flag}"
                self.report("null_compare", node.span, written=node.value.value, field=name, fix=fix)
                return True
            if name.lower() in _SORT_WORDS and node.op is Op.EQ:
                key = node.value.value.lstrip("-")
                fix = f"order by {key}" + (" desc" if node.value.value.startswith("-") else "")
                self.report("sort_as_field", node.span, name=name, fix=fix)
                return True
        return False

    def duplicates(self, node: In) -> None:
        seen: set[tuple[LiteralKind, str]] = set()
        repeats = []
        removals: list[Span | None] = []  # each repeat with the comma before it, as written
        text = self._report.text
        for previous, v in zip((None, *node.values), node.values, strict=False):
            key = (v.kind, v.value)
            if key in seen:
                repeats.append(v)
                removals.append(_removal(text, previous.span, v.span) if previous is not None else None)
            seen.add(key)
        for v, removal in zip(repeats[:MAX_REPEATS_SHOWN], removals, strict=False):
            self.report("duplicate_value", v.span, value=v.value, remove=removal)
        if len(repeats) > MAX_REPEATS_SHOWN:
            rest = repeats[MAX_REPEATS_SHOWN:]
            spans = removals[MAX_REPEATS_SHOWN:]
            remove = tuple(spans) if None not in spans else None
            self.report("more_duplicates", Span(rest[0].span.start, rest[-1].span.end), count=len(rest), remove=remove)


def _removal(text: str, previous: Span, value: Span) -> Span | None:
    """The stretch that removes a repeated list value: from the end of the value before it,
    so that its comma goes too. None unless the two stand apart, a comma between them, and
    the repeat is written out (a placeholder's value is not removed from the text: the
    parameter would go unused)."""
    if not previous.end <= value.start or text[previous.end : value.start].strip() != ",":
        return None
    if text[value.start : value.start + 1] == ":":
        return None
    return Span(previous.end, value.end)


_SORT_WORDS = frozenset({"sort", "sort_by", "sortby", "order", "order_by", "orderby", "sorted_by"})


def presence_flag(schema: Schema, field: str) -> str | None:
    """The yes/no criterion telling whether the Lead field `field` is given (`email_exists`)."""
    return schema.presence.get(field)


def _word_guess(name: str, schema: Schema) -> str | None:
    """The field `name` is another word for (`статус`: `result`)."""
    c = schema.by_word(name)
    return c.display if c is not None else None


def resolve_field(name: str, span: Span, schema: Schema, report: Report, *, flag: bool = False) -> Criterion | None:
    """The criterion `name` refers to (noting an alias), or None with an E201. `flag`: the
    name stands alone, as a yes/no test (`email` then means `email_exists`)."""
    c = schema.lookup(name)
    if c is None:
        present = presence_flag(schema, name) if flag else None
        if present is not None:
            report.add("lead_field_flag", span, name=name, guess=present)
        elif schema.lead_field(name) is not None:
            report.add("lead_field_only", span, name=name, method=schema.method)
        elif guess := closest(name, schema.names) or _word_guess(name, schema):
            report.add("unknown_field_guess", span, name=name, method=schema.method, guess=guess)
        else:
            known = ", ".join(c.display for c in schema.criteria)
            report.add("unknown_field", span, name=name, method=schema.method, known=known)
    elif name not in schema.plain_names:
        report.add("alias", span, name=name, field=c.display, q_name=c.name)
    return c


# -- the query tail ---------------------------------------------------------------------------


def check_tail(query: Query, schema: Schema, report: Report) -> dict[str, str]:
    """The request parameters of a query tail, checked against the schema."""
    params: dict[str, str] = {}
    if query.order is not None and "sort" not in schema.parameters:
        report.add("no_parameter", query.order.span, method=schema.method, name="order by")
    elif query.order is not None:
        key = query.order.key
        if key.name in schema.sort_keys:
            params["sort"] = f"{key.name}:{'d' if query.order.descending else 'a'}"
        else:
            guess = closest(key.name, schema.sort_keys)
            keys = ", ".join(schema.sort_keys)
            key_name = "unknown_sort_key_guess" if guess else "unknown_sort_key"
            report.add(key_name, key.span, method=schema.method, name=key.name, keys=keys, guess=guess)
    for name, lit, low, high, example in (
        ("limit", query.limit, 1, schema.max_limit, schema.max_limit),
        ("offset", query.offset, 0, MAX_NUMBER, 0),
    ):
        if lit is None:
            continue
        if name not in schema.parameters:
            report.add("no_parameter", lit.span, method=schema.method, name=name)
            continue
        n = read_int(lit.value) if len(lit.value) <= 20 else None
        if n is not None and low <= n <= high:
            params[name] = str(n)
        elif name == "limit" and n is not None and n > high:
            report.add("limit_too_large", lit.span, method=schema.method, high=high, value=n)
        else:
            report.add("limit_range", lit.span, name=name, low=low, high=high, example=example)
    if query.fields is not None and "fields" not in schema.parameters:
        report.add("no_parameter", query.fields[0].span, method=schema.method, name="fields")
    elif query.fields is not None:
        params["fields"] = ",".join(_result_field(f, schema, report) for f in query.fields)
    return params


def _result_field(f: ResultField, schema: Schema, report: Report) -> str:
    known = schema.result_fields
    name = f.name.name
    if name not in known:
        from ..schemas.paging import nouns

        guess = closest(name, known)
        one, _ = nouns(schema)
        a_object = f"{'an' if one[0] in 'aeiou' else 'a'} {one}"  # `a lead`, `an employee`
        if guess:
            report.add("unknown_result_field_guess", f.name.span, name=name, guess=guess, a_object=a_object)
        else:
            kind = schema.object_type or "returned"
            report.add("unknown_result_field", f.name.span, name=name, a_object=a_object, type=kind)
        return name
    nested = known[name]
    if f.subfields is None:
        return name
    if nested is None:
        report.add("plain_result_field", f.span, name=name)
        return name
    for sub in f.subfields:
        if nested and sub.name not in nested:
            guess = closest(sub.name, nested)
            key = "unknown_subfield_guess" if guess else "unknown_subfield"
            report.add(key, sub.span, name=name, sub=sub.name, known=", ".join(nested), guess=guess)
    return f"{name}({','.join(s.name for s in f.subfields)})"


def check_tree(
    node: Node,
    report: Report,
    schema: Schema,
    *,
    stored: bool = False,
    role: str | None = None,
    placeholders: bool = True,
) -> tuple[Logic | None, dict[str, str]]:
    """Type-check a syntax tree: its logic (None when an error was found) and the request
    parameters of its tail. `stored` adds the warnings for filters that will be saved
    (W605); `role` those for what that API role cannot see (W606)."""
    checker = Checker(report, schema, stored=stored, role=role, placeholders=placeholders)
    logic = checker.node(node)
    if report.failed:
        logic = None
    return logic, checker.params
