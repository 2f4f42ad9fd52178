"""Field kinds: one class per type of criterion, knowing everything that type means.

A kind knows which operators its fields take, how a value is checked and what atoms a
condition becomes (check), how its atoms cut the values into regions (normalize), how a
region set is written as q terms (emit) and in words (explain), how a q term reads back
(decompile), how a lead's value is read and tested (the evaluators), and which values to
suggest (completion). Every other pass asks the criterion's kind; none tests a type.

Adding a type of field is one subclass, registered with `register`; see
docs/architecture.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ._ast import Between, Compare, Condition, Contains, Field, Flag, In, Literal, LiteralKind, Node, Not, Op, Span
from ._datetimes import (
    FIRST_SECOND,
    LAST_SECOND,
    RELATIVE_PERIODS,
    format_seconds,
    in_period,
    parse_moment,
    period_doc,
)
from ._diagnostics import Finding, Problem
from ._logic import Atom, Disj, IdValue, Logic, Member, Neg, Period, Range, Substring
from ._qformat import MAX_NUMBER, MAX_VALUE_LENGTH, MIN_NUMBER, Term, article, check_value, id_noun, read_int
from ._regions import (
    Constraint,
    Excluded,
    Intervals,
    MemberSpace,
    RangeSpace,
    Space,
    Test,
    TestSpace,
    Untestable,
    Values,
)

if TYPE_CHECKING:
    from ._schema import Criterion, Schema


class Context(Protocol):
    """What a kind may ask of the check pass it works for."""

    schema: Schema
    stored: bool

    def report(self, key: str, span: Span, /, **fields: object) -> None: ...


def operator_of(node: Condition) -> str:
    """The operator a condition uses, as its kind lists it (`=`, `not in`, `flag`, ...)."""
    if isinstance(node, Compare):
        return _OP_TEXT[node.op]
    if isinstance(node, In):
        return "not in" if node.negated else "in"
    if isinstance(node, Contains):
        return "not contains" if node.negated else "contains"
    if isinstance(node, Between):
        return "between"
    return "flag"


_OP_TEXT = {op: op.value for op in Op}  # an enum member's `.value` is a slow property
# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL

TRUTH = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def truth(text: str) -> bool | None:
    return TRUTH.get(text.lower())


def value_text(v: IdValue) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Kind:
    """The behaviour shared by every field of one type. Subclasses fill in the hooks."""

    #: The type's name, as `FieldType` spells it (`idlist`, `enum`, ...).
    name: ClassVar[str]
    #: What a value of the type is, in words ("a whole number").
    words: ClassVar[str]
    #: The operators the type takes, as `operator_of` names them.
    operators: ClassVar[tuple[str, ...]]
    #: How to compare a field of this type, for a wrong operator (`{name}`: the field).
    operator_hint: ClassVar[str | None] = None
    #: The operators as the field table in the docs shows them.
    operators_doc: ClassVar[str] = ""

    # -- check -----------------------------------------------------------------------

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        """The atoms a condition (whose operator the kind takes) stands for."""
        raise NotImplementedError

    # -- normalize, emit, explain --------------------------------------------------

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        raise NotImplementedError

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        """The q terms of one constraint; a `Problem` when one set of terms cannot say it."""
        raise NotImplementedError

    def describe(self, constraint: Constraint) -> str:
        raise NotImplementedError

    # -- decompile -----------------------------------------------------------------

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        """The condition a q term stands for; a `Problem` when the term is malformed."""
        raise NotImplementedError

    # -- the evaluators ------------------------------------------------------------

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        """The lead's value for `c` (None when absent); a `Problem` for a value of the
        wrong type."""
        raise NotImplementedError

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        """Whether a lead whose value is `have` meets the condition (the language's meaning)."""
        raise NotImplementedError

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        """Whether a lead whose value is `have` meets one q term (a server's reading)."""
        raise NotImplementedError

    def decompile_note(self, c: Criterion, term: Term) -> Finding | None:
        """A note on how a q term was read, when its meaning needed a choice (I702)."""
        return None

    # -- parameters ---------------------------------------------------------------

    #: The Python types a parameter for this kind may be, in words.
    param_words: ClassVar[str] = "a str"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        """The literal a bound parameter's value stands for, placed at the placeholder;
        a `Problem` (E311) for a value of the wrong type."""
        if isinstance(value, str):
            return Literal(LiteralKind.STRING, value, at.span)
        raise _wrong_param(value, c, at, self.param_words)

    # -- editing support ---------------------------------------------------------

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        """Values worth offering after `c op`: (label, kind, detail, Markdown documentation)."""
        return []

    def quote(self, value: str) -> str:
        """A value a tool offers (`complete`'s `values`), written as a literal of this kind."""
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def describe_value(self, c: Criterion, value: str) -> str:
        """What a value written for `c` means, in Markdown (hover); empty when plain."""
        return ""


def _wrong_param(value: object, c: Criterion, at: Literal, expected: str) -> Problem:
    given = f"{type(value).__name__} {value!r}"[:60]
    return Problem("param_type", at.span, name=at.value, given=given, field=c.display, expected=expected)


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_lead(c: Criterion, value: object, expected: str) -> Problem:
    return Problem("bad_lead", Span(0, 0), field=c.field, value=repr(value)[:80], expected=expected)


def read_field(c: Criterion, lead: Mapping[str, Any]) -> Any:
    """What `lead` holds at the criterion's Lead field: a dotted field (``site.url``) reads
    into the nested object, and is absent when that object is."""
    path = c.field
    if "." not in path:
        return lead.get(path)
    value: Any = lead
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _needs_clock(now: int | None) -> int:
    if now is None:
        raise Problem("needs_clock", Span(0, 0))
    return now


# -- member kinds: a value from a set -------------------------------------------------------


class MemberKind(Kind):
    """Fields whose conditions say which values are allowed: ids, enums, flags, strings."""

    operators: ClassVar[tuple[str, ...]] = ("=", "!=", "in", "not in")
    operators_doc = "`=` `!=` `in` `not in`"
    operator_hint = "use `=`, `!=`, `in (...)` or `not in (...)` with {name}"
    #: Several values fit in one term (`site_ids=1,2`); otherwise one value per term.
    several: ClassVar[bool] = False

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        raise NotImplementedError

    def universe(self, c: Criterion) -> Sequence[IdValue] | None:
        """Every value the field can take, or None for an open set."""
        return None

    def render(self, v: IdValue) -> str:
        return value_text(v)

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        logic: Logic
        if isinstance(node, Compare):
            logic = Member(c, frozenset({self.value(node.value, c, ctx)}), node.span)
            return Neg(logic, node.span) if node.op is _NE else logic
        if isinstance(node, Flag):
            return Member(c, frozenset({True}), node.span)
        assert isinstance(node, In)
        logic = Member(c, frozenset([self.value(v, c, ctx) for v in node.values]), node.span)
        return Neg(logic, node.span) if node.negated else logic

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        width = (lambda v: len(self.render(v))) if self.several else None
        return MemberSpace(c, atoms, self.universe(c), _sort_key, width, MAX_VALUE_LENGTH)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        if isinstance(constraint, Excluded):
            return _excluded(c, constraint)
        assert isinstance(constraint, Values)
        shown = [self.render(v) for v in constraint.values]
        if not self.several and len(shown) > 1:
            raise Problem("one_value_per_term", Span(0, 0), field=c.display, values=", ".join(shown))
        value = ",".join(shown)
        if len(value) > MAX_VALUE_LENGTH:
            raise Problem(
                "id_list_too_long",
                Span(0, 0),
                count=len(shown),
                noun=id_noun(c),
                length=len(value),
                limit=MAX_VALUE_LENGTH,
            )
        return [f"{c.name}={value}"]

    def describe(self, constraint: Constraint) -> str:
        if isinstance(constraint, Excluded):
            return "anything but " + ", ".join(self.render(v) for v in constraint.values)
        assert isinstance(constraint, Values)
        shown = ", ".join(self.render(v) for v in constraint.values)
        return f"= {shown}" if len(constraint.values) == 1 else f"one of {shown}"

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        _equals_only(c, term)
        return Compare(field, Op.EQ, self.literal(term.value, term.value_span), term.span)

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is not None and not isinstance(value, str):
            raise _bad_lead(c, value, "a string")
        return value

    def equals(self, have: Any, lit: Literal) -> bool:
        return bool(have == lit.value)

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        if isinstance(node, Flag):
            return have is True
        if isinstance(node, In):
            return any(self.equals(have, v) for v in node.values) != node.negated
        assert isinstance(node, Compare)
        return self.equals(have, node.value) != (node.op is Op.NE)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return bool(have == term.value)


def _sort_key(v: IdValue) -> tuple[int, int, str]:
    # bools first (True before False), then numbers by value, then strings by code point
    if isinstance(v, bool):
        return (0, 0 if v else 1, "")
    if isinstance(v, int):
        return (1, v, "")
    return (2, 0, v)


def _excluded(c: Criterion, constraint: Excluded) -> list[str]:
    raise Problem(
        "exclusion",
        Span(0, 0),
        field=c.display,
        values=", ".join(value_text(v) for v in constraint.values),
    )


def _equals_only(c: Criterion, term: Term) -> None:
    if term.op != "=":
        raise Problem("q_equals_only", term.span, name=c.name, op=term.op, value=term.value)


class IdListKind(MemberKind):
    """One numeric id per lead (`site_ids`); q takes a comma-separated list."""

    name = "idlist"
    words = "a field of ids"
    several = True

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        n = read_int(lit.value) if lit.kind in (_INT, _STRING) else None
        if n is None or n < 0:
            raise Problem("not_an_id", lit.span, value=lit.value, a_noun=article(id_noun(c)), noun=id_noun(c))
        if n > MAX_NUMBER:
            raise Problem("number_too_large", lit.span, field=c.display, low=0, high=MAX_NUMBER)
        return n

    param_words = "an int"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if _whole_number(value):
            return Literal(LiteralKind.INT, str(value), at.span)
        raise _wrong_param(value, c, at, self.param_words)

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        _equals_only(c, term)
        items = []
        for part, span in _id_parts(term):
            items.append(self.literal(part, span))
        if len(items) == 1:
            return Compare(field, Op.EQ, items[0], term.span)
        return In(field, tuple(items), False, term.span)

    def literal(self, value: str, span: Span) -> Literal:
        if read_int(value) is not None:
            return Literal(LiteralKind.INT, value, span)
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = _lead_id(c, lead)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _bad_lead(c, value, "a whole number or an object with a numeric `id`")
        return value

    def quote(self, value: str) -> str:
        return value if read_int(value) is not None else super().quote(value)

    def equals(self, have: Any, lit: Literal) -> bool:
        return have is not None and have == read_int(lit.value)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        ids = set()
        for part, span in _id_parts(term):
            n = read_int(part)
            if n is None:
                raise Problem("q_bad_id", span, value=part, noun=id_noun(c))
            ids.add(n)
        return have in ids


def _lead_id(c: Criterion, lead: Mapping[str, Any]) -> Any:
    """The id a lead holds for `c`: the value itself, or the `id` of the object there."""
    value = read_field(c, lead)
    return value.get("id") if isinstance(value, Mapping) else value


def _id_parts(term: Term) -> Iterable[tuple[str, Span]]:
    from ._qformat import iter_ids

    for part, span in iter_ids(term.value, term.value_span.start):
        if not part:
            raise Problem("q_empty_id", Span(span.start, span.start + 1) if span.start < term.span.end else term.span)
        yield part, span


class StringIdListKind(IdListKind):
    """One string id per lead (`visitor_ids`)."""

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        if lit.kind not in (_INT, _WORD, _STRING):
            raise Problem("not_a_string_id", lit.span, value=lit.value, a_noun=article(id_noun(c)))
        check_value(lit.value, ctx.schema, lit.span, f"the {id_noun(c)}")
        if "," in lit.value or any(ch.isspace() for ch in lit.value):
            raise Problem("id_with_separator", lit.span, noun=id_noun(c), value=lit.value)
        return lit.value

    param_words = "a str"
    bind = Kind.bind  # a string id: any str, as for text
    quote = Kind.quote

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = _lead_id(c, lead)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            raise _bad_lead(c, value, "a string id or an object with an `id`")
        return None if value is None else str(value)

    def equals(self, have: Any, lit: Literal) -> bool:
        return bool(have == lit.value)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return have in {part for part, _ in _id_parts(term)}


class EnumKind(MemberKind):
    """One of the criterion's `values`; q takes one value per term."""

    name = "enum"
    words = "a choice of values"

    def universe(self, c: Criterion) -> Sequence[IdValue]:
        return c.values

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        if lit.kind in (_WORD, _STRING) and lit.value in c.values:
            return lit.value
        from ._suggest import closest

        guess = closest(lit.value, c.values)
        key = "not_an_enum_value_guess" if guess else "not_an_enum_value"
        raise Problem(key, lit.span, value=lit.value, field=c.display, values=", ".join(c.values), guess=guess)

    def literal(self, value: str, span: Span) -> Literal:
        if _bare_word(value):
            return Literal(LiteralKind.WORD, value, span)
        return Literal(LiteralKind.STRING, value, span)

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        return [(v, "value", self.words, "") for v in c.values]

    def quote(self, value: str) -> str:
        return value if _bare_word(value) else super().quote(value)

    def describe_value(self, c: Criterion, value: str) -> str:
        return f"`{value}` — a value of **{c.display}**: {c.description}" if value in c.values else ""


def _bare_word(value: str) -> bool:
    from ._parse import KEYWORDS

    return value.isidentifier() and value.lower() not in KEYWORDS


class BooleanKind(MemberKind):
    """A yes/no flag, or whether a Lead field is given (`presence`: `email_exists`)."""

    name = "boolean"
    words = "a yes/no flag"
    operators: ClassVar[tuple[str, ...]] = ("flag", "=", "!=")
    operators_doc = "bare, `not`, `=`, `!=`"
    operator_hint = "write `{name}` or `not {name}`"

    def universe(self, c: Criterion) -> Sequence[IdValue]:
        return (True, False)

    param_words = "a bool"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if isinstance(value, bool):
            return Literal(LiteralKind.BOOL, "true" if value else "false", at.span)
        raise _wrong_param(value, c, at, self.param_words)

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        value = truth(lit.value) if lit.kind is not _DECIMAL else None
        if value is None:
            raise Problem("not_a_boolean", lit.span, value=lit.value, field=c.display)
        return value

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        _equals_only(c, term)
        value = truth(term.value)
        if value is None:
            raise Problem("q_not_a_boolean", term.value_span, value=term.value, name=c.name)
        flag = Flag(field, term.span)
        return flag if value else Not(flag, term.span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if c.presence:
            if value is not None and not isinstance(value, str):
                raise _bad_lead(c, value, "a string or null")
            return bool(value)
        if value is not None and not isinstance(value, bool):
            raise _bad_lead(c, value, "true or false")
        return value

    def equals(self, have: Any, lit: Literal) -> bool:
        return have is truth(lit.value)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        value = truth(term.value)
        if value is None:
            raise Problem("q_not_a_boolean", term.value_span, value=term.value, name=c.name)
        return have is value

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        return [(v, "value", self.words, "") for v in ("true", "false")]


class StringKind(MemberKind):
    """Text compared whole with `=`; q takes one value per term."""

    name = "string"
    words = "text compared with `=`"
    operators_doc = "`=`, `in` (one value)"
    operator_hint = 'compare {name} with `=`: `{name} = "..."`'

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        return _text_value(lit, c, ctx)


def _text_value(lit: Literal, c: Criterion, ctx: Context) -> str:
    check_value(lit.value, ctx.schema, lit.span, f"the value of `{c.display}`")
    if _SPACE.search(lit.value):
        ctx.report("value_with_space", lit.span)
    return lit.value


#: Whitespace as `str.isspace` has it (the regular expression asks the same table).
_SPACE = re.compile(r"\s")


# -- range kinds: whole numbers and seconds ------------------------------------------------


class RangeKind(Kind):
    """Fields compared by order: `duration` in seconds, datetimes in Moscow seconds."""

    operators = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "between")
    operators_doc = "`=` `!=` `<` `<=` `>` `>=` `in` `between`"
    first: ClassVar[int]
    last: ClassVar[int]

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        """The first and last whole number a value covers; a `Problem` if it is none."""
        raise NotImplementedError

    def render(self, n: int) -> str:
        return str(n)

    def interval(self, op: Op, lit: Literal, c: Criterion) -> tuple[int | None, int | None]:
        """The numbers `field op value` allows (`!=`: those it excludes)."""
        first, last = self.bounds(lit, c)
        if op is _EQ or op is _NE:
            return first, last
        if op is _GE:
            return first, None
        if op is _GT:
            return last + 1, None
        if op is _LE:
            return None, last
        return None, first - 1

    def between(self, node: Between, c: Criterion) -> tuple[int | None, int | None]:
        return self.interval(_GE, node.low, c)[0], self.interval(_LE, node.high, c)[1]

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        if isinstance(node, In):
            ranges = tuple(Range(c, *self.interval(_EQ, v, c), node.span) for v in node.values)
            logic: Logic = ranges[0] if len(ranges) == 1 else Disj(ranges, node.span)
            return Neg(logic, node.span) if node.negated else logic
        if isinstance(node, Between):
            return Range(c, *self.between(node, c), node.span)
        assert isinstance(node, Compare)
        atom: Logic = Range(c, *self.interval(node.op, node.value, c), node.span)
        return Neg(atom, node.span) if node.op is _NE else atom

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        return RangeSpace(c, atoms, self.first, self.last)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        assert isinstance(constraint, Intervals)
        if len(constraint.intervals) != 1:
            raise Problem("separate_ranges", Span(0, 0), field=c.display, count=len(constraint.intervals))
        ((low, high),) = constraint.intervals
        if low is not None and low == high and self.equal_term:
            return [f"{c.name}={self.render(low)}"]
        return [f"{c.name}{op}{self.render(v)}" for op, v in ((">=", low), ("<=", high)) if v is not None]

    #: Whether a one-value range is written `name=value` (numbers) or as two bounds.
    equal_term: ClassVar[bool] = True

    def describe(self, constraint: Constraint) -> str:
        assert isinstance(constraint, Intervals)
        return " or ".join(self._interval(low, high) for low, high in constraint.intervals)

    def _interval(self, low: int | None, high: int | None) -> str:
        if low is not None and low == high:
            return f"= {self.render(low)}"
        if low is not None and high is not None:
            return f"{self.render(low)} to {self.render(high)}"
        if low is not None:
            return f">= {self.render(low)}"
        return f"<= {self.render(high)}" if high is not None else "anything"

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        return Compare(field, Op(term.op), self.literal(term.value, term.value_span), term.span)

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.STRING, value, span)

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        if isinstance(node, In):
            return any(self.equals(c, have, v, now) for v in node.values) != node.negated
        if isinstance(node, Between):
            return _within(have, *self.between(node, c))
        assert isinstance(node, Compare)
        if node.op is Op.EQ:
            return self.equals(c, have, node.value, now)
        if node.op is Op.NE:
            return not self.equals(c, have, node.value, now)
        return _within(have, *self.interval(node.op, node.value, c))

    def equals(self, c: Criterion, have: Any, lit: Literal, now: int | None) -> bool:
        return _within(have, *self.interval(Op.EQ, lit, c))

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        if have is None:
            return False
        value = self.read_term_value(c, term)
        op = term.op
        if op == "=":
            return bool(have == value)
        if op == ">=":
            return bool(have >= value)
        if op == "<=":
            return bool(have <= value)
        return bool(have > value) if op == ">" else bool(have < value)

    def read_term_value(self, c: Criterion, term: Term) -> int:
        raise NotImplementedError


def _within(have: Any, low: int | None, high: int | None) -> bool:
    return have is not None and (low is None or low <= have) and (high is None or have <= high)


class NumericKind(RangeKind):
    """Whole numbers (`duration`, in seconds)."""

    name = "numeric"
    words = "a whole number"
    first, last = MIN_NUMBER, MAX_NUMBER

    param_words = "an int"
    bind = IdListKind.bind  # a whole number, as for ids

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        n = self.whole_number(lit, c)
        return n, n

    def whole_number(self, lit: Literal, c: Criterion) -> int:
        digits = lit.value
        if lit.kind is _DECIMAL:
            digits, _, fraction = lit.value.partition(".")
            if fraction.strip("0"):
                raise Problem("fraction", lit.span, field=c.display, value=lit.value)
        elif lit.kind is not _INT:
            raise Problem("not_a_number", lit.span, value=lit.value, field=c.display)
        n = read_int(digits)
        if n is None:
            raise Problem("not_a_number", lit.span, value=lit.value, field=c.display)
        if not MIN_NUMBER <= n <= MAX_NUMBER:
            raise Problem("number_too_large", lit.span, field=c.display, low=MIN_NUMBER, high=MAX_NUMBER)
        return n

    def literal(self, value: str, span: Span) -> Literal:
        if read_int(value) is not None:
            return Literal(LiteralKind.INT, value, span)
        whole, dot, fraction = value.partition(".")
        if dot and read_int(whole) is not None and read_int(fraction) is not None and fraction[:1] != "-":
            return Literal(LiteralKind.DECIMAL, value, span)
        return Literal(LiteralKind.STRING, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise _bad_lead(c, value, "a whole number")
        return value

    def read_term_value(self, c: Criterion, term: Term) -> int:
        n = read_int(term.value)
        if n is None:
            raise Problem("q_not_a_number", term.value_span, value=term.value, name=c.name)
        return n


class DatetimeKind(RangeKind):
    """A moment, as Moscow local seconds; or a relative period (`lastweek`)."""

    name = "datetime"
    words = "a date and time"
    operators_doc = "`=` `!=` `<` `<=` `>` `>=` `in` `between`, `= period`"
    first, last = FIRST_SECOND, LAST_SECOND
    equal_term = False

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        if isinstance(node, Compare) and _period(node.value) is not None:
            name = _period(node.value)
            assert name is not None
            if node.op is not _EQ:
                raise Problem("period_operator", node.span, op=node.op.value, field=node.field.name, period=name)
            if ctx.stored:
                ctx.report("stored_period", node.span, period=node.value.value)
            return Period(c, name, node.span)
        logic = super().condition(node, c, ctx)
        literals: tuple[Literal, ...] = ()
        if isinstance(node, Compare):
            literals = (node.value,)
        elif isinstance(node, In):
            literals = node.values
        elif isinstance(node, Between):
            literals = (node.low, node.high)
        for lit in literals:
            repeated = parse_moment(lit.value).repeated if lit.kind is _DATETIME else None
            if repeated is not None:
                start, end = (format_seconds(s) for s in repeated)
                ctx.report("repeated_hour", lit.span, value=lit.value, start=start, end=end)
        return logic

    def interval(self, op: Op, lit: Literal, c: Criterion) -> tuple[int | None, int | None]:
        low, high = super().interval(op, lit, c)
        repeated = parse_moment(lit.value).repeated if lit.kind is _DATETIME else None
        if repeated is None:
            return low, high
        # Moscow time cannot tell the two passes of a repeated hour apart: the bound takes
        # in the whole hour, so that no lead the filter means is left out (W607).
        start, end = repeated
        if op in (_EQ, _NE):
            return min(start, low if low is not None else start), max(end, high if high is not None else end)
        if op in (_GT, _GE):
            return start, None
        return None, end

    param_words = "a datetime.date or datetime.datetime"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        if isinstance(value, datetime):
            if value.microsecond:
                raise Problem("param_fraction", at.span, name=at.value)
            text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value:%H:%M:%S}"
            offset = value.utcoffset()
            if offset is not None:
                minutes, rest = divmod(int(offset.total_seconds()), 60)
                if rest:
                    raise _wrong_param(value, c, at, "a datetime whose offset is whole minutes")
                sign = "-" if minutes < 0 else "+"
                text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
            return Literal(LiteralKind.DATETIME, text, at.span)
        if isinstance(value, date):
            return Literal(LiteralKind.DATE, f"{value.year:04d}-{value.month:02d}-{value.day:02d}", at.span)
        raise _wrong_param(value, c, at, self.param_words)

    def bounds(self, lit: Literal, c: Criterion) -> tuple[int, int]:
        if _period(lit) is not None:
            raise Problem("period_as_bound", lit.span, period=lit.value, field=c.display)
        if lit.kind in (_BOOL, _DECIMAL, _WORD):
            raise Problem("not_a_date", lit.span, value=lit.value)
        if not lit.value.isascii() and any(ch.isdigit() and ch not in "0123456789" for ch in lit.value):
            raise Problem("non_ascii_digits", lit.span, value=lit.value)
        try:
            moment = parse_moment(lit.value)
        except ValueError as e:
            raise Problem("bad_date", lit.span, reason=str(e)) from None
        return moment.first, moment.last

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        periods = [a for a in atoms if isinstance(a, Period)]
        if not periods:
            return super().space(c, atoms)
        others = [a for a in atoms if not isinstance(a, Period)]
        if others:
            raise Problem.of(_period_mix(a.span, periods[0].span, others[0].span, c) for a in (periods[0], *others))
        return TestSpace(c, (a.name for a in periods), lambda _a, _b: False)

    def render(self, n: int) -> str:
        return format_seconds(n)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        if isinstance(constraint, Test):
            return [f"{c.name}={constraint.key}"]
        if isinstance(constraint, Untestable):
            raise Problem("period_negated", Span(0, 0), field=c.display)
        return super().terms(c, constraint)

    def describe(self, constraint: Constraint) -> str:
        if isinstance(constraint, Test):
            return f"in the period {constraint.key}"
        if isinstance(constraint, Untestable):
            return "outside a relative period, or in two at once: no q term says it"
        return super().describe(constraint)

    def literal(self, value: str, span: Span) -> Literal:
        from ._decompile import datetime_literal

        return datetime_literal(value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        from ._datetimes import parse_lead_time

        value = read_field(c, lead)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _bad_lead(c, value, "a datetime string such as 2024-01-31T10:00:00")
        try:
            return parse_lead_time(value)
        except ValueError:
            raise _bad_lead(c, value, "a datetime string such as 2024-01-31T10:00:00") from None

    def equals(self, c: Criterion, have: Any, lit: Literal, now: int | None) -> bool:
        name = _period(lit)
        if name is not None:
            return have is not None and in_period(name, have, _needs_clock(now))
        return super().equals(c, have, lit, now)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        if term.value in RELATIVE_PERIODS:
            return have is not None and term.op == "=" and in_period(term.value, have, _needs_clock(now))
        return super().holds(c, term, have, now)

    def read_term_value(self, c: Criterion, term: Term) -> int:
        value = term.value
        try:
            # A server reads a time as its first second (a date as its midnight).
            return parse_moment(value.replace(" ", "T", 1) if value[4:5] == "-" else value).first
        except ValueError:
            raise Problem("q_not_a_date", term.value_span, value=value, name=c.name) from None

    def value_items(self, c: Criterion, op: str, today: str) -> list[tuple[str, str, str, str]]:
        equals = op in ("=", "==")  # a period takes only `=`
        periods = [(p, "value", "relative period", period_doc(p)) for p in RELATIVE_PERIODS] if equals else []
        return [
            *periods,
            (today, "snippet", "a date (today, Moscow)", ""),
            (f"{today}T00:00:00", "snippet", "a date and time (Moscow)", ""),
        ]

    def describe_value(self, c: Criterion, value: str) -> str:
        if value in RELATIVE_PERIODS:
            return f"`{value}` — {period_doc(value)}"
        try:
            m = parse_moment(value)
        except ValueError:
            return ""
        text = f"`{value}` covers {format_seconds(m.first)} to {format_seconds(m.last)}, Moscow time"
        if m.repeated:
            text += " (in an hour Moscow's clocks repeated: a bound takes in the whole hour)"
        return text

    def decompile_note(self, c: Criterion, term: Term) -> Finding | None:
        if term.op != "=" or term.value in RELATIVE_PERIODS:
            return None
        stretch = "day" if len(term.value) == 10 else "stretch the value names"
        return Finding("q_datetime_equals", term.span, {"name": c.name, "stretch": stretch})


def _period(lit: Literal) -> str | None:
    if lit.kind in (_WORD, _STRING) and lit.value in RELATIVE_PERIODS:
        return lit.value
    return None


def _period_mix(at: Span, period: Span, other: Span, c: Criterion) -> Finding:
    return Finding("period_mixed", at, {"period_span": period, "other_span": other, "field": c.display})


# -- substring kind ------------------------------------------------------------------------


class SubstringKind(Kind):
    """Text searched for a piece with `contains`; q holds the piece."""

    name = "substring"
    words = "text searched with `contains`"
    operators = ("contains", "not contains")
    operators_doc = "`contains`"
    operator_hint = '{name} matches a substring: write `{name} contains "..."`'

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        assert isinstance(node, Contains)
        atom: Logic = Substring(c, _text_value(node.value, c, ctx), node.span)
        return Neg(atom, node.span) if node.negated else atom

    def space(self, c: Criterion, atoms: Sequence[Atom]) -> Space:
        return TestSpace(c, (a.text for a in atoms if isinstance(a, Substring)), _contains)

    def terms(self, c: Criterion, constraint: Constraint) -> list[str]:
        if isinstance(constraint, Test):
            return [f"{c.name}={constraint.key}"]
        raise Problem("contains_negated", Span(0, 0), field=c.display)

    def describe(self, constraint: Constraint) -> str:
        if isinstance(constraint, Test):
            return f'contains "{constraint.key}"'
        return "a mix of `contains` tests that no q term says"

    def decompile(self, c: Criterion, term: Term, field: Field) -> Node:
        _equals_only(c, term)
        return Contains(field, Literal(LiteralKind.STRING, term.value, term.value_span), False, term.span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = read_field(c, lead)
        if value is not None and not isinstance(value, str):
            raise _bad_lead(c, value, "a string")
        return value

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        assert isinstance(node, Contains)
        return (isinstance(have, str) and node.value.value in have) != node.negated

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return isinstance(have, str) and term.value in have


class TextKind(MemberKind):
    """Text of a Lead field that q has no criterion for (`city`, `site.url`): compared
    whole, or searched for a piece, on each fetched lead only (`pushdown`)."""

    name = "text"
    words = "text"
    operators = ("=", "!=", "in", "not in", "contains", "not contains")
    operators_doc = "`=` `!=` `in` `not in` `contains` `not contains`"
    operator_hint = 'compare {name} with `=` or `in`, or search it with `contains "..."`'

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        return lit.value  # checked on the lead, never written into q: any text will do

    def condition(self, node: Condition, c: Criterion, ctx: Context) -> Logic:
        if isinstance(node, Contains):
            atom: Logic = Substring(c, node.value.value, node.span)
            return Neg(atom, node.span) if node.negated else atom
        return super().condition(node, c, ctx)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        return KINDS["substring"].lead_value(c, lead)  # a string or absent, as `text`

    def equals(self, have: Any, lit: Literal) -> bool:
        return bool(have == lit.value)

    def matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        if isinstance(node, Contains):
            return KINDS["substring"].matches(node, c, have, now)
        return super().matches(node, c, have, now)


def _contains(text: str, part: str) -> bool:
    return part in text


# -- the registry ------------------------------------------------------------------------------

KINDS: dict[str, Kind] = {}


def register(kind: Kind, name: str | None = None) -> Kind:
    """Make `kind` available under `name` (default: its class's `name`)."""
    KINDS[name or kind.name] = kind
    return kind


register(IdListKind())
register(StringIdListKind(), "idlist:string")
register(EnumKind())
register(NumericKind())
register(BooleanKind())
register(StringKind())
register(SubstringKind())
register(DatetimeKind())
register(TextKind())


def now_seconds(now: datetime | None) -> int | None:
    """`now` as Moscow local seconds, for relative periods (None: no clock given)."""
    if now is None:
        return None
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    from ._datetimes import moscow_seconds

    return moscow_seconds(now)
