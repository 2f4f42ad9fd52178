"""Hypothesis strategies shared by the property tests: syntax trees, filters, canonical q."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st

import leadq
from leadq._ast import (
    And,
    Between,
    Compare,
    Contains,
    Field,
    Flag,
    In,
    Literal,
    LiteralKind,
    Node,
    Not,
    Op,
    Or,
    Span,
)
from leadq._check import value_problem
from leadq._parse import KEYWORDS
from leadq._schema import FieldType, IdKind, Schema

# -- syntax trees (any names, any literal kinds: what the grammar can say) ---------------

words = st.from_regex(r"[^\W\d]\w{0,12}", fullmatch=True).filter(lambda w: w.lower() not in KEYWORDS)
_digits = st.integers(0, 9999).map(str)
_two = st.integers(0, 99).map(lambda n: f"{n:02d}")


@st.composite
def _datetime_text(draw: st.DrawFn) -> str:
    date = f"{draw(st.integers(0, 9999)):04d}-{draw(_two)}-{draw(_two)}"
    time = f"T{draw(_two)}:{draw(_two)}" + draw(st.sampled_from(["", ":00", ":59"]))
    zone = draw(st.sampled_from(["", "Z", "+03:00", "-11:30"]))
    return date + time + zone


literals = st.one_of(
    st.builds(Literal, st.just(LiteralKind.INT), st.integers(-(10**12), 10**12).map(str)),
    st.builds(
        Literal,
        st.just(LiteralKind.DECIMAL),
        st.tuples(st.integers(-999, 999), _digits).map(lambda t: f"{t[0]}.{t[1]}"),
    ),
    st.builds(
        Literal,
        st.just(LiteralKind.DATE),
        st.tuples(st.integers(0, 9999), _two, _two).map(lambda t: f"{t[0]:04d}-{t[1]}-{t[2]}"),
    ),
    st.builds(Literal, st.just(LiteralKind.DATETIME), _datetime_text()),
    st.builds(Literal, st.just(LiteralKind.STRING), st.text(max_size=20)),
    st.builds(Literal, st.just(LiteralKind.WORD), words),
    st.builds(Literal, st.just(LiteralKind.BOOL), st.sampled_from(["true", "false"])),
)
fields = st.builds(Field, words)

conditions = st.one_of(
    st.builds(Compare, fields, st.sampled_from(list(Op)), literals),
    st.builds(In, fields, st.lists(literals, min_size=1, max_size=4).map(tuple), st.booleans()),
    st.builds(Contains, fields, literals, st.booleans()),
    st.builds(Between, fields, literals, literals),
    st.builds(Flag, fields),
)


def _combine(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    several = st.lists(children, min_size=2, max_size=4).map(tuple)
    return st.one_of(st.builds(Not, children), st.builds(And, several), st.builds(Or, several))


trees: st.SearchStrategy[Node] = st.recursive(conditions, _combine, max_leaves=12)


# -- filters over a schema's real fields, with values of the right kinds -------------------

_PERIODS = ["today", "lastday", "last3days", "lastweek", "lastmonth", "lastyear"]
safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12)


@st.composite
def _value_for(draw: st.DrawFn, kind: FieldType, criterion: leadq.Criterion) -> Literal:
    if kind is FieldType.IDLIST:
        if criterion.id_kind is IdKind.STRING:
            return Literal(LiteralKind.STRING, draw(st.sampled_from(["a", "b", "v1", "Z9", "ж"])))
        return Literal(LiteralKind.INT, str(draw(st.integers(0, 6))))
    if kind is FieldType.ENUM:
        return Literal(LiteralKind.WORD, draw(st.sampled_from([*criterion.values, "bogus"])))
    if kind is FieldType.BOOLEAN:
        return draw(
            st.sampled_from(
                [Literal(LiteralKind.BOOL, "true"), Literal(LiteralKind.WORD, "no"), Literal(LiteralKind.INT, "1")]
            )
        )
    if kind is FieldType.NUMERIC:
        return Literal(LiteralKind.INT, str(draw(st.integers(-3, 12))))
    if kind is FieldType.DATETIME:
        base = datetime(2014, 10, 25, 23) + timedelta(minutes=draw(st.integers(-600, 600)))
        form = draw(st.sampled_from(["date", "second", "zoned", "period"]))
        if form == "date":
            return Literal(LiteralKind.DATE, base.strftime("%Y-%m-%d"))
        if form == "second":
            return Literal(LiteralKind.DATETIME, base.strftime("%Y-%m-%dT%H:%M:%S"))
        if form == "zoned":
            return Literal(LiteralKind.DATETIME, base.strftime("%Y-%m-%dT%H:%M:%S") + "Z")
        return Literal(LiteralKind.WORD, draw(st.sampled_from(_PERIODS)))
    return Literal(LiteralKind.STRING, draw(st.sampled_from(["ab", "a", "b", "a b", "ж=1", "x"])))


@st.composite
def schema_conditions(draw: st.DrawFn, schema: Schema) -> Node:
    c = draw(st.sampled_from(schema.criteria))
    name = draw(st.sampled_from([c.name, c.display, *c.aliases]))
    field = Field(name)
    value = _value_for(c.type, c)
    shape = draw(st.sampled_from(["compare", "in", "contains", "between", "flag"]))
    if shape == "compare":
        return Compare(field, draw(st.sampled_from(list(Op))), draw(value))
    if shape == "in":
        return In(field, tuple(draw(st.lists(value, min_size=1, max_size=3))), draw(st.booleans()))
    if shape == "contains":
        return Contains(field, draw(value), draw(st.booleans()))
    if shape == "between":
        return Between(field, draw(value), draw(value))
    return Flag(field)


def schema_trees(schema: Schema = leadq.LEADS_LIST) -> st.SearchStrategy[Node]:
    return st.recursive(schema_conditions(schema), _combine, max_leaves=8)


# -- canonical q strings, built term by term from the schema ------------------------------


def _q_value(schema: Schema) -> st.SearchStrategy[str]:
    return safe_text.filter(lambda v: value_problem(v, schema, Span(0, 0), "") is None)


@st.composite
def canonical_q(draw: st.DrawFn, schema: Schema = leadq.LEADS_LIST) -> str:
    terms: list[str] = []
    for c in schema.criteria:
        if not draw(st.booleans()):
            continue
        name = c.name
        if c.type is FieldType.IDLIST:
            if c.id_kind is IdKind.STRING:
                ids = draw(
                    st.sets(
                        _q_value(schema).filter(lambda v: "," not in v and not any(ch.isspace() for ch in v)),
                        min_size=1,
                        max_size=4,
                    )
                )
                terms.append(f"{name}={','.join(sorted(ids))}")
            else:
                nums = draw(st.sets(st.integers(0, 10**9), min_size=1, max_size=5))
                terms.append(f"{name}={','.join(map(str, sorted(nums)))}")
        elif c.type is FieldType.ENUM:
            terms.append(f"{name}={draw(st.sampled_from(c.values))}")
        elif c.type is FieldType.BOOLEAN:
            terms.append(f"{name}={draw(st.sampled_from(['true', 'false']))}")
        elif c.type is FieldType.NUMERIC:
            low, high = sorted(draw(st.lists(st.integers(-(10**6), 10**6), min_size=2, max_size=2, unique=True)))
            shape = draw(st.sampled_from(["eq", "ge", "le", "range"]))
            terms += {
                "eq": [f"{name}={low}"],
                "ge": [f"{name}>={low}"],
                "le": [f"{name}<={high}"],
                "range": [f"{name}>={low}", f"{name}<={high}"],
            }[shape]
        elif c.type is FieldType.DATETIME:
            shape = draw(st.sampled_from(["ge", "le", "range", "period"]))
            if shape == "period":
                terms.append(f"{name}={draw(st.sampled_from(_PERIODS))}")
                continue
            moments = sorted(
                datetime(1900, 1, 1) + timedelta(seconds=s)
                for s in draw(st.lists(st.integers(0, 200 * 365 * 86400), min_size=2, max_size=2))
            )
            low, high = (m.strftime("%Y-%m-%dT%H:%M:%S") for m in moments)
            terms += {
                "ge": [f"{name}>={low}"],
                "le": [f"{name}<={high}"],
                "range": [f"{name}>={low}", f"{name}<={high}"],
            }[shape]
        else:
            terms.append(f"{name}={draw(_q_value(schema))}")
    return " ".join(terms)


# -- text that is mostly filter-shaped, to reach deep into the passes ---------------------

_TOKENS = [
    "site",
    "result",
    "type",
    "duration",
    "created_at",
    "text",
    "phone_exists",
    "visitor",
    "search_engine",
    "=",
    "!=",
    "<",
    ">=",
    "==",
    "in",
    "not",
    "and",
    "or",
    "(",
    ")",
    ",",
    "contains",
    "between",
    "missed",
    "form",
    "1",
    "2",
    "-1",
    "60.5",
    "2024-01-31",
    "2024-01-31T10:00:00Z",
    '"a b"',
    "'x'",
    '"site_ids=1"',
    "lastweek",
    "yes",
    "true",
    '"',
    "\\",
    "\x00",
    "\ud800",
    "\n",
    "ж",
    "17.09.2007",
]
token_soup = st.lists(st.sampled_from(_TOKENS), max_size=30).map(" ".join)
