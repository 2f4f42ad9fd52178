"""Check pass: syntax tree → typed logic over the schema's criteria, or diagnostics.

Resolves every field name (with a "did you mean"), checks each operator and value against
the criterion's type, and turns each condition into one or more *atoms*: elementary tests
on one criterion (`Member`, `Range`, `Substring`, `Period`) combined by `Conj`, `Disj` and
`Neg`. Problems are collected, never raised, so one run reports all of them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeAlias

import attrs

from ._ast import (
    And,
    Between,
    Compare,
    Contains,
    Flag,
    In,
    Literal,
    LiteralKind,
    MatchAll,
    Node,
    Not,
    Op,
    Or,
    Query,
    ResultField,
    Span,
)
from ._datetimes import RELATIVE_PERIODS, Moment, parse_moment
from ._diagnostics import Diagnostic, LeadqError, diagnostic
from ._parse import parse_text
from ._schema import Criterion, FieldType, IdKind, Schema

#: The longest value `q` may carry (the API's string type).
MAX_VALUE_LENGTH = 255
#: Numbers (ids, seconds) beyond a signed 64-bit integer are refused.
MAX_NUMBER = 2**63 - 1

IdValue: TypeAlias = int | str | bool


@attrs.frozen
class Member:
    """The criterion's value is one of `values`."""

    criterion: Criterion
    values: frozenset[IdValue]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Range:
    """The criterion's value lies in [low, high] (None: unbounded). Datetimes in seconds."""

    criterion: Criterion
    low: int | None
    high: int | None
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Substring:
    """The criterion's text contains `text`."""

    criterion: Criterion
    text: str
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Period:
    """The criterion lies in a relative period (`lastweek`): opaque without a clock."""

    criterion: Criterion
    name: str
    span: Span = attrs.field(eq=False)


Atom: TypeAlias = Member | Range | Substring | Period


@attrs.frozen
class Conj:
    operands: tuple[Logic, ...]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Disj:
    operands: tuple[Logic, ...]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Neg:
    operand: Logic
    span: Span = attrs.field(eq=False)


Logic: TypeAlias = Member | Range | Substring | Period | Conj | Disj | Neg

_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
_TYPE_WORDS = {
    FieldType.IDLIST: "ids",
    FieldType.ENUM: "a choice of values",
    FieldType.NUMERIC: "a whole number",
    FieldType.BOOLEAN: "a yes/no flag",
    FieldType.STRING: "text compared with `=`",
    FieldType.SUBSTRING: "text searched with `contains`",
    FieldType.DATETIME: "a date and time",
}


class _Problem(Exception):
    def __init__(self, code: str, span: Span, message: str, hint: str | None = None):
        super().__init__(message)
        self.code, self.span, self.message, self.hint = code, span, message, hint


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word` (ignoring case first), if any is near enough."""
    candidates = list(candidates)
    for c in candidates:
        if c.lower() == word.lower():
            return c
    if len(word) > 64:
        return None
    scored = sorted((edit_distance(word.lower(), c.lower()), c) for c in candidates)
    if scored and scored[0][0] <= max(1, len(word) // 3):
        return scored[0][1]
    return None


def value_problem(value: str, schema: Schema, span: Span, what: str) -> _Problem | None:
    """Why `value` cannot be written into `q` as it is, if it cannot (q-format.md)."""
    if not value:
        return _Problem("E305", span, f"{what} is empty", "an empty value cannot be written into q")
    bad = next((c for c in value if _is_forbidden(c)), None)
    if bad is not None:
        return _Problem(
            "E305",
            span,
            f"{what} contains the control or invalid character U+{ord(bad):04X}",
            "remove it: q carries printable UTF-8 text only",
        )
    if value != value.strip():
        return _Problem("E305", span, f"{what} starts or ends with whitespace", "remove the outer spaces")
    if len(value) > MAX_VALUE_LENGTH:
        return _Problem(
            "E306",
            span,
            f"{what} is {len(value)} characters long; q values hold at most {MAX_VALUE_LENGTH}",
        )
    m = schema.term_break.search(value)
    if m:
        return _Problem(
            "E305",
            span,
            f"{what} contains `{m.group(0).strip()}`, which a server would read as another criterion",
            "remove the space before it, or search a shorter piece of the text",
        )
    return None


def _is_forbidden(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029"


class _Checker:
    def __init__(self, text: str, schema: Schema, stored: bool, role: str | None) -> None:
        self.text = text
        self.schema = schema
        self.stored = stored
        self.role = role
        self.diagnostics: list[Diagnostic] = []
        self.params: dict[str, str] = {}

    def report(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(diagnostic(self.text, code, span, message, hint))

    def node(self, node: Node) -> Logic | None:
        if isinstance(node, MatchAll):
            return Conj((), node.span)
        if isinstance(node, Query):
            self.params = self.tail(node)
            return self.node(node.where)
        if isinstance(node, Not):
            inner = self.node(node.operand)
            return None if inner is None else Neg(inner, node.span)
        if isinstance(node, (And, Or)):
            parts = [self.node(o) for o in node.operands]  # every operand, for every problem
            if any(p is None for p in parts):
                return None
            operands = tuple(p for p in parts if p is not None)
            return Conj(operands, node.span) if isinstance(node, And) else Disj(operands, node.span)
        criterion = self.field(node.field.name, node.field.span)
        if criterion is None:
            return None
        if self.role in criterion.hidden_from:
            self.report(
                "W606",
                node.span,
                f"the role `{self.role}` sees other employees' leads without `{criterion.display}`, "
                "so this condition can only match its own leads",
                "run the filter as an administrator, or drop the condition",
            )
        try:
            return self.condition(node, criterion)
        except _Problem as p:
            self.report(p.code, p.span, p.message, p.hint)
            return None

    def field(self, name: str, span: Span) -> Criterion | None:
        criterion = self.schema.lookup(name)
        if criterion is None:
            guess = closest(name, self.schema.by_name)
            self.report(
                "E201",
                span,
                f"unknown field `{name}` in {self.schema.method}",
                f"did you mean `{guess}`?" if guess else _known_fields(self.schema),
            )
        elif name not in (criterion.name, criterion.display, f"{criterion.display}_id"):
            self.report(
                "I701",
                span,
                f"`{name}` is another spelling of `{criterion.display}`",
                f"write `{criterion.display}` (q: `{criterion.name}`)",
            )
        return criterion

    def condition(self, node: Node, c: Criterion) -> Logic:
        kind = c.type
        if isinstance(node, Flag):
            if kind is not FieldType.BOOLEAN:
                raise _Problem(
                    "E203",
                    node.span,
                    f"`{node.field.name}` is not a yes/no field and needs a condition",
                    f"compare it, e.g. `{node.field.name} = ...`",
                )
            return Member(c, frozenset({True}), node.span)
        if isinstance(node, Compare):
            return self.compare(node, c)
        if isinstance(node, In):
            if kind in (FieldType.SUBSTRING,):
                raise self.wrong_operator(node, c, "in")
            self.duplicates(node.values, c)
            if kind in (FieldType.NUMERIC, FieldType.DATETIME):
                ranges = tuple(self.equal_range(v, c, node.span) for v in node.values)
                logic: Logic = ranges[0] if len(ranges) == 1 else Disj(ranges, node.span)
            else:
                member = self.member_value(c)
                logic = Member(c, frozenset(member(v) for v in node.values), node.span)
            return Neg(logic, node.span) if node.negated else logic
        if isinstance(node, Contains):
            if kind is not FieldType.SUBSTRING:
                raise self.wrong_operator(node, c, "contains")
            atom = Substring(c, self.string(node.value, c), node.span)
            return Neg(atom, node.span) if node.negated else atom
        assert isinstance(node, Between)
        if kind not in (FieldType.NUMERIC, FieldType.DATETIME):
            raise self.wrong_operator(node, c, "between")
        low, _ = self.bounds(node.low, c)
        _, high = self.bounds(node.high, c)
        return Range(c, low, high, node.span)

    def compare(self, node: Compare, c: Criterion) -> Logic:
        op = node.op
        if c.type in (FieldType.NUMERIC, FieldType.DATETIME):
            if c.type is FieldType.DATETIME and _period_name(node.value) is not None:
                if op is not Op.EQ:
                    raise _Problem(
                        "E202",
                        node.span,
                        f"a relative period takes only `=`, not `{op.value}`",
                        f"write `{node.field.name} = {_period_name(node.value)}`",
                    )
                if self.stored:
                    self.report(
                        "W605",
                        node.span,
                        f"`{node.value.value}` moves with the clock: a stored filter selects other leads tomorrow",
                        "store fixed dates if the filter must keep its meaning",
                    )
                return Period(c, _period_name(node.value) or "", node.span)
            first, last = self.bounds(node.value, c)
            low, high = {
                Op.EQ: (first, last),
                Op.NE: (first, last),
                Op.LT: (None, first - 1),
                Op.LE: (None, last),
                Op.GT: (last + 1, None),
                Op.GE: (first, None),
            }[op]
            atom: Logic = Range(c, low, high, node.span)
            return Neg(atom, node.span) if op is Op.NE else atom
        if c.type is FieldType.SUBSTRING or op not in (Op.EQ, Op.NE):
            raise self.wrong_operator(node, c, op.value)
        atom = Member(c, frozenset({self.member_value(c)(node.value)}), node.span)
        return Neg(atom, node.span) if op is Op.NE else atom

    def tail(self, query: Query) -> dict[str, str]:
        """The request parameters of a query tail, checked against the schema."""
        params: dict[str, str] = {}
        schema = self.schema
        if query.order is not None:
            key = query.order.key
            if key.name in schema.sort_keys:
                params["sort"] = f"{key.name}:{'d' if query.order.descending else 'a'}"
            else:
                guess = closest(key.name, schema.sort_keys)
                self.report(
                    "E208",
                    key.span,
                    f"{schema.method} cannot sort by `{key.name}`; it sorts by {', '.join(schema.sort_keys)}",
                    f"did you mean `{guess}`?" if guess else None,
                )
        for name, lit, low, high in (
            ("limit", query.limit, 1, schema.max_limit),
            ("offset", query.offset, 0, MAX_NUMBER),
        ):
            if lit is None:
                continue
            n = int(lit.value) if len(lit.value) <= 20 else MAX_NUMBER + 1
            if low <= n <= high:
                params[name] = str(n)
            else:
                self.report("E209", lit.span, f"`{name}` takes a whole number from {low} to {high}", None)
        if query.fields is not None:
            params["fields"] = ",".join(self.result_field(f) for f in query.fields)
        return params

    def result_field(self, f: ResultField) -> str:
        known = self.schema.result_fields
        name = f.name.name
        if name not in known:
            guess = closest(name, known)
            self.report(
                "E210",
                f.name.span,
                f"a lead has no field `{name}`",
                f"did you mean `{guess}`?" if guess else "see the Lead fields in the docs",
            )
            return name
        nested = known[name]
        if f.subfields is None:
            return name
        if nested is None:
            self.report("E210", f.span, f"`{name}` is a plain value and has no fields to choose", f"write `{name}`")
            return name
        for sub in f.subfields:
            if nested and sub.name not in nested:
                guess = closest(sub.name, nested)
                self.report(
                    "E210",
                    sub.span,
                    f"`{name}` has no field `{sub.name}`; it has {', '.join(nested)}",
                    f"did you mean `{guess}`?" if guess else None,
                )
        return f"{name}({','.join(s.name for s in f.subfields)})"

    def wrong_operator(self, node: Node, c: Criterion, op: str) -> _Problem:
        name = node.field.name if not isinstance(node, (Not, And, Or, MatchAll, Query)) else c.display
        hints = {
            FieldType.SUBSTRING: f'{name} matches a substring: write `{name} contains "..."`',
            FieldType.STRING: f'compare {name} with `=`: `{name} = "..."`',
            FieldType.BOOLEAN: f"write `{name}` or `not {name}`",
            FieldType.IDLIST: f"use `=`, `!=`, `in (...)` or `not in (...)` with {name}",
            FieldType.ENUM: f"use `=`, `!=`, `in (...)` or `not in (...)` with {name}",
        }
        return _Problem(
            "E202",
            node.span,
            f"`{op}` does not apply to `{name}`, which is {_TYPE_WORDS[c.type]}",
            hints.get(c.type),
        )

    def duplicates(self, values: tuple[Literal, ...], c: Criterion) -> None:
        seen: set[tuple[LiteralKind, str]] = set()
        for v in values:
            key = (v.kind, v.value)
            if key in seen:
                self.report("W604", v.span, f"`{v.value}` is listed twice", "remove the repeat")
            seen.add(key)

    # -- values -----------------------------------------------------------------------

    def member_value(self, c: Criterion) -> Callable[[Literal], IdValue]:
        readers: dict[FieldType, Callable[[Literal, Criterion], IdValue]] = {
            FieldType.IDLIST: self.id_value,
            FieldType.ENUM: self.enum_value,
            FieldType.BOOLEAN: self.boolean,
            FieldType.STRING: self.string,
        }
        reader = readers[c.type]
        return lambda lit: reader(lit, c)

    def id_value(self, lit: Literal, c: Criterion) -> IdValue:
        if c.id_kind is IdKind.NUMBER:
            if lit.kind in (LiteralKind.INT, LiteralKind.STRING) and lit.value.isascii() and lit.value.isdigit():
                return self.bounded(lit, c)
            raise _Problem(
                "E301", lit.span, f"`{lit.value}` is not a {c.display} id", f"{c.display} ids are whole numbers"
            )
        if lit.kind not in (LiteralKind.INT, LiteralKind.WORD, LiteralKind.STRING):
            raise _Problem("E301", lit.span, f"`{lit.value}` is not a {c.display} id", f'quote it: "{lit.value}"')
        problem = value_problem(lit.value, self.schema, lit.span, f"the {c.display} id")
        if problem is not None:
            raise problem
        if "," in lit.value or any(ch.isspace() for ch in lit.value):
            raise _Problem(
                "E305",
                lit.span,
                f"the {c.display} id `{lit.value}` contains a comma or a space",
                "ids in q are separated by commas, so an id cannot hold one",
            )
        return lit.value

    def enum_value(self, lit: Literal, c: Criterion) -> IdValue:
        if lit.kind in (LiteralKind.WORD, LiteralKind.STRING) and lit.value in c.values:
            return lit.value
        guess = closest(lit.value, c.values)
        raise _Problem(
            "E302",
            lit.span,
            f"`{lit.value}` is not a value of `{c.display}`; it takes {', '.join(c.values)}",
            f"did you mean `{guess}`?" if guess else None,
        )

    def boolean(self, lit: Literal, c: Criterion) -> IdValue:
        value = _BOOLEAN_WORDS.get(lit.value.lower()) if lit.kind is not LiteralKind.DECIMAL else None
        if value is None:
            raise _Problem(
                "E301",
                lit.span,
                f"`{lit.value}` is not a yes/no value for `{c.display}`",
                "use true, false, yes, no, 1 or 0",
            )
        return value

    def string(self, lit: Literal, c: Criterion) -> str:
        problem = value_problem(lit.value, self.schema, lit.span, f"the value of `{c.display}`")
        if problem is not None:
            raise problem
        if any(ch.isspace() for ch in lit.value):
            self.report(
                "W601",
                lit.span,
                "the value contains a space; how the server reads a space inside a value is not documented",
                "if the results look wrong, search one word",
            )
        return lit.value

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        """The first and last whole number (second, for datetimes) a value covers."""
        if c.type is FieldType.NUMERIC:
            n = self.whole_number(lit, c)
            return n, n
        if _period_name(lit) is not None:
            raise _Problem(
                "E307",
                lit.span,
                f"the relative period `{lit.value}` has no fixed value to compare with",
                f"write `{c.display} = {lit.value}` on its own",
            )
        if lit.kind in (LiteralKind.BOOL, LiteralKind.DECIMAL, LiteralKind.WORD):
            raise _Problem(
                "E304",
                lit.span,
                f"`{lit.value}` is not a date or time",
                "write 2024-01-31, 2024-01-31T10:00:00 or a relative period such as lastweek",
            )
        try:
            moment: Moment = parse_moment(lit.value)
        except ValueError as e:
            raise _Problem(
                "E304", lit.span, str(e), "write 2024-01-31 or 2024-01-31T10:00:00 (+03:00 or Z optional)"
            ) from None
        return moment.first, moment.last

    def equal_range(self, lit: Literal, c: Criterion, span: Span) -> Range:
        first, last = self.bounds(lit, c)
        return Range(c, first, last, span)

    def bounded(self, lit: Literal, c: Criterion, digits: str | None = None) -> int:
        digits = lit.value if digits is None else digits
        if len(digits.lstrip("-0")) > len(str(MAX_NUMBER)) or abs(int(digits)) > MAX_NUMBER:
            raise _Problem("E301", lit.span, f"`{c.display}` takes numbers up to {MAX_NUMBER}", "use a smaller number")
        return int(digits)

    def whole_number(self, lit: Literal, c: Criterion) -> int:
        if lit.kind is LiteralKind.INT:
            return self.bounded(lit, c)
        if lit.kind is LiteralKind.DECIMAL:
            whole, _, fraction = lit.value.partition(".")
            if fraction.strip("0") == "":
                return self.bounded(lit, c, whole)
            raise _Problem(
                "E303",
                lit.span,
                f"`{c.display}` counts whole seconds; `{lit.value}` has a fraction",
                "round the bound to a whole number",
            )
        raise _Problem("E301", lit.span, f"`{lit.value}` is not a number", f"`{c.display}` takes whole seconds")


def _period_name(lit: Literal) -> str | None:
    if lit.kind in (LiteralKind.WORD, LiteralKind.STRING) and lit.value in RELATIVE_PERIODS:
        return lit.value
    return None


def _known_fields(schema: Schema) -> str:
    return "known fields: " + ", ".join(c.display for c in schema.criteria)


def check_query(
    node: Node, text: str, schema: Schema, *, stored: bool = False, role: str | None = None
) -> tuple[Logic | None, dict[str, str], list[Diagnostic]]:
    """Like `check_tree`, and also the request parameters of the query tail, if any."""
    checker = _Checker(text, schema, stored, role)
    logic = checker.node(node)
    if any(d.severity.value == "error" for d in checker.diagnostics):
        logic = None
    return logic, checker.params, checker.diagnostics


def checked(text: str, schema: Schema) -> tuple[Logic, dict[str, str]]:
    """Parse and check `text`: its logic and the request parameters of its tail.

    Raises:
        LeadqError: a syntax, name or type error, with every diagnostic found.
    """
    node, diagnostics = parse_text(text)
    if node is None:
        raise LeadqError(diagnostics, text)
    logic, params, diagnostics = check_query(node, text, schema)
    if logic is None:
        raise LeadqError(diagnostics, text)
    return logic, params


def check_tree(
    node: Node, text: str, schema: Schema, *, stored: bool = False, role: str | None = None
) -> tuple[Logic | None, list[Diagnostic]]:
    """Type-check a syntax tree; the logic is None when an error was found.

    `stored` adds the warnings for filters that will be saved (W605); `role` those for
    what that API role cannot see (W606).
    """
    logic, _, diagnostics = check_query(node, text, schema, stored=stored, role=role)
    return logic, diagnostics
