"""Field kinds: the behaviour every kind of criterion shares, and what they all read.

A kind knows which operators its fields take, how a value is checked and what atoms a
condition becomes (check), how its atoms cut the values into regions (normalize), how a
region set is written as q terms (emit) and in words (explain), how a q term reads back
(decompile), how a lead's value is read and tested (the evaluators), and which values to
suggest (completion). Every other pass asks the criterion's kind (`kind_of`); none tests a
type. One kind per module of this package; adding a type of field is one subclass,
registered with `register` (docs/architecture.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol, assert_never

from ...core.diagnostics import Finding, Problem
from ...core.messages import value_repr
from ...core.span import Span
from ...language.tree import Between, Compare, Condition, Contains, Field, Flag, In, Literal, LiteralKind, Node, Op
from ..criterion import Criterion
from ..logic import Atom, IdValue, Logic
from ..regions import (
    Constraint,
    Space,
)
from ..schema import Schema
from ..wire import Term, check_value

# Enum members the checks read per condition, bound once: `Op.NE` is a metaclass lookup.
_EQ, _NE, _LT, _LE, _GT, _GE = Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE
_INT, _DECIMAL, _DATETIME = LiteralKind.INT, LiteralKind.DECIMAL, LiteralKind.DATETIME
_WORD, _STRING, _BOOL = LiteralKind.WORD, LiteralKind.STRING, LiteralKind.BOOL


class Context(Protocol):
    """What a kind may ask of the check pass it works for."""

    schema: Schema
    stored: bool

    def report(self, key: str, span: Span, /, **fields: object) -> None: ...


def operator_of(node: Condition) -> str:
    """The operator a condition uses, as its kind lists it (`=`, `not in`, `flag`, ...)."""
    match node:
        case Compare():
            return _OP_TEXT[node.op]
        case In():
            return "not in" if node.negated else "in"
        case Contains():
            return "not contains" if node.negated else "contains"
        case Between():
            return "between"
        case Flag():
            return "flag"
        case _:
            assert_never(node)


_OP_TEXT = {op: op.value for op in Op}  # an enum member's `.value` is a slow property
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

    def windows(self, c: Criterion, constraint: Constraint, most: int) -> list[list[str]]:
        """The q terms of one constraint, as several requests when the method takes it
        only in parts (a datetime's longest interval): one list of terms per request, at
        most `most + 1` of them (more than `most` is already too many)."""
        return [self.terms(c, constraint)]

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
        """Whether a lead whose value is `have` may meet the condition (the language's
        meaning)."""
        raise NotImplementedError

    def surely_matches(self, node: Condition, c: Criterion, have: Any, now: int | None) -> bool:
        """Whether it surely meets it: what `not` negates. The same as `matches` unless a
        value cannot be placed exactly (a datetime in a repeated hour: `Range.sure`)."""
        return self.matches(node, c, have, now)

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        """Whether a lead whose value is `have` meets one q term (a server's reading)."""
        raise NotImplementedError

    def decompile_note(self, c: Criterion, term: Term) -> Finding | None:
        """A note on how a q term was read, when its meaning needed a choice (I702)."""
        return None

    # -- parameters ---------------------------------------------------------------

    #: The Python types a parameter for this kind may be, in words.
    param_words: ClassVar[str] = "a str"
    #: A value of this kind as `leadq compile --param NAME=VALUE` writes it.
    param_example: ClassVar[str] = "text"

    def bind(self, value: object, c: Criterion, at: Literal) -> Literal:
        """The literal a bound parameter's value stands for, placed at the placeholder;
        a `Problem` (E311) for a value of the wrong type."""
        if isinstance(value, str):
            return Literal(LiteralKind.STRING, value, at.span)
        raise wrong_param(value, c, at, self.param_words)

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


def wrong_param(value: object, c: Criterion, at: Literal, expected: str) -> Problem:
    given = f"{type(value).__name__} {value_repr(value, 60)}"[:60]
    example = param_example(c)
    return Problem("param_type", at.span, name=at.value, given=given, field=c.display, expected=expected,
                   example=example)  # fmt: skip


def param_example(c: Criterion) -> str:
    """A value `c` takes, as `--param NAME=VALUE` writes it on the command line."""
    return c.values[0] if c.values else str(getattr(c.kind, "param_example", "text"))


def whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def bad_lead(c: Criterion, value: object, expected: str) -> Problem:
    return Problem("bad_lead", Span(0, 0), field=c.field, value=value_repr(value, 80), expected=expected)


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


def needs_clock(now: int | None) -> int:
    if now is None:
        raise Problem("needs_clock", Span(0, 0))
    return now




def id_noun(c: Criterion) -> str:
    """`site id`, and `lead id` for the lead's own ids."""
    return "lead id" if c.display == "id" else f"{c.display} id"


def article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def text_value(lit: Literal, c: Criterion, ctx: Context) -> str:
    check_value(lit.value, ctx.schema.term_break, lit.span, f"the value of `{c.display}`")
    if _SPACE.search(lit.value):
        ctx.report("value_with_space", lit.span)
    return lit.value


#: Whitespace as `str.isspace` has it (the regular expression asks the same table).
_SPACE = re.compile(r"\s")
