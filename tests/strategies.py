"""Hypothesis strategies shared by the property tests: syntax trees, filters, canonical q."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

import leadq
from leadq.core.span import Span
from leadq.language.parse import KEYWORDS
from leadq.language.tree import (
    And,
    Between,
    Compare,
    Contains,
    Field,
    Flag,
    In,
    Literal,
    LiteralKind,
    MatchAll,
    Node,
    Not,
    Op,
    Or,
    Order,
    Query,
    ResultField,
)
from leadq.schemas.criterion import FieldType, IdKind
from leadq.schemas.schema import Schema
from leadq.schemas.wire import value_problem

# -- syntax trees (any names, any literal kinds: what the grammar can say) ---------------

# A keyword matches without case as Python's re does (the grammar's `"in"i`): `İN` (U+0130)
# and the dotless i (U+0131) spell the keyword `in`, so no name can be written that way.
_KEYWORD = re.compile("|".join(sorted(KEYWORDS)), re.IGNORECASE)
words = st.from_regex(r"[^\W\d]\w{0,12}", fullmatch=True).filter(lambda w: not _KEYWORD.fullmatch(w))
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


filters: st.SearchStrategy[Node] = st.recursive(conditions, _combine, max_leaves=12)
_small = st.integers(0, 10**6).map(lambda n: Literal(LiteralKind.INT, str(n)))
_result_fields = st.builds(
    ResultField, fields, st.one_of(st.none(), st.lists(fields, min_size=1, max_size=3).map(tuple))
)
queries = st.builds(
    Query,
    st.one_of(st.just(MatchAll()), filters),
    st.one_of(st.none(), st.builds(Order, fields, st.booleans())),
    st.one_of(st.none(), _small),
    st.one_of(st.none(), _small),
    st.one_of(st.none(), st.lists(_result_fields, min_size=1, max_size=3).map(tuple)),
).filter(lambda q: any(p is not None for p in (q.order, q.limit, q.offset, q.fields)))
trees: st.SearchStrategy[Node] = st.one_of(filters, queries)


# -- filters over a schema's real fields, with values of the right kinds -------------------

_PERIODS = ["today", "lastday", "last3days", "lastweek", "lastmonth", "lastyear"]
safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12)


# Moscow's offset changes: +03:00/+04:00 with DST until 27 March 2011, +04:00 until
# 26 October 2014, +03:00 since. Datetimes are drawn around them.
_AROUND = [datetime(2011, 3, 27, 2, 0), datetime(2014, 10, 26, 2, 0), datetime(2010, 10, 31, 3, 0)]
_ZONES = ["Z", "+03:00", "+04:00", "+05:30", "-02:00"]
_TEXTS = ["ab", "a", "b", "a b", "доставка", "x=y", "Ж", "b a"]
_STRINGS = ["Google", "google", "Яндекс", "a b", "/p?x=1", "x=y"]


@st.composite
def _datetime_value(draw: st.DrawFn, periods: bool = True) -> Literal:
    base = draw(st.sampled_from(_AROUND)) + timedelta(seconds=draw(st.integers(-5400, 5400)))
    forms = ["date", "minute", "second", "zoned", "compact", "dotted", "slashed"] + (["period"] if periods else [])
    form = draw(st.sampled_from(forms))
    if form == "date":
        return Literal(LiteralKind.DATE, base.strftime("%Y-%m-%d"))
    if form == "minute":
        return Literal(LiteralKind.DATETIME, base.strftime("%Y-%m-%dT%H:%M"))
    if form == "second":
        return Literal(LiteralKind.DATETIME, base.strftime("%Y-%m-%dT%H:%M:%S"))
    if form == "zoned":
        return Literal(LiteralKind.DATETIME, base.strftime("%Y-%m-%dT%H:%M:%S") + draw(st.sampled_from(_ZONES)))
    if form == "compact":
        return Literal(LiteralKind.INT, base.strftime(draw(st.sampled_from(["%Y%m%d", "%Y%m%d%H%M", "%Y%m%d%H%M%S"]))))
    if form == "dotted":
        return Literal(LiteralKind.STRING, base.strftime(draw(st.sampled_from(["%d.%m.%Y", "%d.%m.%Y %H:%M"]))))
    if form == "slashed":
        return Literal(LiteralKind.STRING, base.strftime("%m/%d/%Y %H:%M:%S"))
    return Literal(LiteralKind.WORD, draw(st.sampled_from(_PERIODS)))


@st.composite
def _value_for(draw: st.DrawFn, kind: FieldType, criterion: leadq.Criterion) -> Literal:
    if kind is FieldType.IDLIST:
        if criterion.id_kind is IdKind.STRING:
            return Literal(LiteralKind.STRING, draw(st.sampled_from(["a", "b", "v1", "Z9", "ж", "10", "9"])))
        return Literal(LiteralKind.INT, str(draw(st.integers(0, 6))))
    if kind in (FieldType.ENUM, FieldType.ENUM_LIST):
        return Literal(LiteralKind.WORD, draw(st.sampled_from([*criterion.values, *criterion.values, "bogus"])))
    if kind is FieldType.DATE:
        day = draw(st.sampled_from(_DAYS))
        return Literal(LiteralKind.DATE, day) if day[:1].isdigit() else Literal(LiteralKind.STRING, day)
    if kind is FieldType.TIME:
        return Literal(LiteralKind.STRING, draw(st.sampled_from(_TIMES)))
    if kind is FieldType.BOOLEAN:
        return draw(
            st.sampled_from(
                [Literal(LiteralKind.BOOL, "true"), Literal(LiteralKind.WORD, "no"), Literal(LiteralKind.INT, "1")]
            )
        )
    if kind is FieldType.NUMERIC:
        return Literal(LiteralKind.INT, str(draw(st.integers(-3, 12))))
    if kind is FieldType.DATETIME:
        return draw(_datetime_value())
    if kind is FieldType.SUBSTRING:
        return Literal(LiteralKind.STRING, draw(st.sampled_from(_TEXTS)))
    return Literal(LiteralKind.STRING, draw(st.sampled_from(_STRINGS)))


_DAYS = ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-29", "2023-12-31"]
_TIMES = ["00:00:00", "09:00", "09:00:00", "12:30:15", "23:59:59", "10:00:00Z", "18:00+03:00"]
_SHAPES = {
    FieldType.IDLIST: ["eq", "ne", "in", "not_in"],
    FieldType.ENUM: ["eq", "ne", "in", "not_in"],
    FieldType.ENUM_LIST: ["eq", "ne", "in", "not_in"],
    FieldType.DATE: ["compare", "between", "in"],
    FieldType.TIME: ["compare", "between", "in"],
    FieldType.STRING: ["eq", "in"],
    FieldType.BOOLEAN: ["flag", "eq", "ne"],
    FieldType.NUMERIC: ["compare", "in", "between"],
    FieldType.DATETIME: ["compare", "compare", "between", "in"],
    FieldType.SUBSTRING: ["contains", "contains", "not_contains"],
}
_ANY_SHAPE = ["compare", "in", "contains", "between", "flag"]


@st.composite
def schema_conditions(draw: st.DrawFn, schema: Schema) -> Node:
    """A condition on one of the schema's criteria; one in twenty has a shape the type refuses."""
    c = draw(st.sampled_from(schema.criteria))
    field = Field(draw(st.sampled_from([c.name, c.display, *c.aliases])))
    value = _value_for(c.type, c)
    shapes = _ANY_SHAPE if draw(st.integers(0, 19)) == 0 else _SHAPES[c.type]
    return _shaped(draw, field, draw(st.sampled_from(shapes)), value)


def _shaped(draw: st.DrawFn, field: Field, shape: str, value: st.SearchStrategy[Literal]) -> Node:
    """A condition of `shape` on `field` with values drawn from `value`."""
    if shape in ("eq", "ne"):
        return Compare(field, Op.EQ if shape == "eq" else Op.NE, draw(value))
    if shape == "compare":
        return Compare(field, draw(st.sampled_from(list(Op))), draw(value))
    if shape in ("in", "not_in"):
        return In(field, tuple(draw(st.lists(value, min_size=1, max_size=3))), shape == "not_in")
    if shape in ("contains", "not_contains"):
        return Contains(field, draw(value), shape == "not_contains")
    if shape == "between":
        low, high = sorted([draw(value), draw(value)], key=lambda lit: lit.value)
        return Between(field, low, high)
    return Flag(field)


def schema_trees(schema: Schema = leadq.LEADS_LIST, max_leaves: int = 8) -> st.SearchStrategy[Node]:
    return st.recursive(schema_conditions(schema), _combine, max_leaves=max_leaves)


# -- leads near the boundaries a filter mentions ------------------------------------------

#: The clock the differential tests evaluate relative periods against (Moscow time).
NOW = datetime(2014, 10, 26, 1, 30)


def _literals(tree: Node) -> list[tuple[str, Literal]]:
    out: list[tuple[str, Literal]] = []
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (And, Or)):
            stack.extend(node.operands)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, (Compare, Contains)):
            out.append((node.field.name, node.value))
        elif isinstance(node, In):
            out += [(node.field.name, v) for v in node.values]
        elif isinstance(node, Between):
            out += [(node.field.name, node.low), (node.field.name, node.high)]
    return out


def lead_pools(tree: Node, schema: Schema) -> dict[str, list[Any]]:
    """For each Lead field, the values worth trying: those the filter names, their
    neighbours (one second or one unit either side), and some it does not name."""
    from leadq.core.datetimes import format_seconds, parse_moment, seconds

    named: dict[str, list[Literal]] = {}
    for name, lit in _literals(tree):
        c = schema.lookup(name)
        if c is not None:
            named.setdefault(c.name, []).append(lit)
    now = seconds(NOW)
    pools: dict[str, list[Any]] = {}
    for c in schema.criteria:
        lits = named.get(c.name, [])
        if c.type is FieldType.IDLIST:
            if c.id_kind is IdKind.STRING:
                ids: list[Any] = [lit.value for lit in lits] + ["zz"]
            else:
                ids = [int(lit.value) for lit in lits if lit.value.isdigit()] + [0, 99]
            pools[c.field] = [{"id": i} for i in ids] + [None]
            if c.field == "id":
                pools[c.field] = [i for i in ids if isinstance(i, int)] or [1]
        elif c.type in (FieldType.ENUM, FieldType.ENUM_LIST):
            pools[c.field] = list(c.values)
        elif c.type is FieldType.DATE:
            days = [date.fromisoformat(d).toordinal() for d in _DAYS]
            pools[c.field] = [date.fromordinal(n + k).isoformat() for n in days for k in (-1, 0, 1)] + [None]
        elif c.type is FieldType.TIME:
            pools[c.field] = ["00:00:00", "08:59:59", "09:00:00", "09:00:59", "12:30:15", "13:00:00", "23:59:59", None]
        elif c.type is FieldType.NUMERIC:
            near = [int(lit.value) + d for lit in lits if lit.value.lstrip("-").isdigit() for d in (-1, 0, 1)]
            pools[c.field] = [*near, 0, 100]
        elif c.type is FieldType.BOOLEAN:
            pools[c.field] = ["x@y.ru", "", None] if c.presence else [True, False]
        elif c.type is FieldType.SUBSTRING:
            pieces = [lit.value for lit in lits] or ["q"]
            pools[c.field] = [
                None,
                "",
                *pieces,
                *(a + sep + b for a in pieces for b in pieces for sep in ("", " ", "_")),
            ]
        elif c.type is FieldType.STRING:
            pools[c.field] = [None, "other", *(lit.value for lit in lits)]
        else:
            moments: list[int] = [now, now - 86400 * 400]
            for lit in lits:
                try:
                    m = parse_moment(lit.value)
                except ValueError:
                    continue
                moments += [m.first - 1, m.first, m.last, m.last + 1]
            for days in (0, 1, 3, 7, 30, 365):
                edge = now - now % 86400 if days == 0 else now - days * 86400
                moments += [edge - 1, edge, edge + 1]
            pools[c.field] = [format_seconds(s) for s in moments]
    return pools


def leads(tree: Node, seed: int, count: int, schema: Schema) -> list[dict[str, Any]]:
    """`count` leads drawn from the pools, reproducibly from `seed`."""
    rng = random.Random(seed)
    pools = lead_pools(tree, schema)
    return [{field: rng.choice(pool) for field, pool in pools.items()} for _ in range(count)]


# -- canonical q strings, built term by term from the schema ------------------------------


def _q_value(schema: Schema) -> st.SearchStrategy[str]:
    return safe_text.filter(lambda v: value_problem(v, schema.term_break, Span(0, 0), "") is None)


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
        elif c.type is FieldType.ENUM_LIST:
            chosen = draw(st.sets(st.sampled_from(c.values), min_size=1, max_size=len(c.values)))
            terms.append(f"{name}={','.join(v for v in c.values if v in chosen)}")
        elif c.type in (FieldType.DATE, FieldType.TIME):
            top = 3_000_000 if c.type is FieldType.DATE else 86_399
            low, high = sorted(draw(st.lists(st.integers(1, top), min_size=2, max_size=2, unique=True)))
            show = (
                (lambda n: date.fromordinal(n).isoformat())
                if c.type is FieldType.DATE
                else (lambda n: f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}")
            )
            shape = draw(st.sampled_from(["ge", "le", "range"]))
            terms += {
                "ge": [f"{name}>={show(low)}"],
                "le": [f"{name}<={show(high)}"],
                "range": [f"{name}>={show(low)}", f"{name}<={show(high)}"],
            }[shape]
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


# -- filters that mostly compile: conditions grouped by field, groups joined by `and` ---------


#: Shapes by type, weighted towards what compiles (exclusions need a list to subtract from).
_LIKELY_SHAPES = {
    FieldType.IDLIST: ["eq", "in", "in", "eq", "eq", "in", "in", "eq", "ne", "not_in"],
    FieldType.ENUM: ["eq"] * 5 + ["in", "ne", "not_in"],
    FieldType.ENUM_LIST: ["eq"] * 5 + ["in", "ne", "not_in"],
    FieldType.DATE: ["compare", "compare", "between", "in"],
    FieldType.TIME: ["compare", "compare", "between"],
    FieldType.STRING: ["eq"] * 5 + ["in"],
    FieldType.BOOLEAN: ["flag", "eq", "ne"],
    FieldType.NUMERIC: ["compare", "compare", "between", "in"],
    FieldType.DATETIME: ["compare", "compare", "between", "in"],
    FieldType.SUBSTRING: ["contains"] * 9 + ["not_contains"],
}


@st.composite
def _field_condition(draw: st.DrawFn, c: leadq.Criterion) -> Node:
    """A condition on `c` of a shape its type takes, with a value it accepts."""
    field = Field(draw(st.sampled_from([c.name, c.display])))
    kind = c.type
    if kind is FieldType.DATETIME and draw(st.integers(0, 9)) == 9:
        return Compare(field, Op.EQ, Literal(LiteralKind.WORD, draw(st.sampled_from(_PERIODS))))
    value: st.SearchStrategy[Literal]
    if kind in (FieldType.ENUM, FieldType.ENUM_LIST):
        value = st.sampled_from(c.values).map(lambda v: Literal(LiteralKind.WORD, v))
    elif kind is FieldType.DATETIME:
        value = _datetime_value(periods=False)
    else:
        value = _value_for(kind, c)
    return _shaped(draw, field, draw(st.sampled_from(_LIKELY_SHAPES[kind])), value)


@st.composite
def _field_group(draw: st.DrawFn, c: leadq.Criterion) -> Node:
    """Usually one condition on one field; sometimes two or three joined by `or` or `and`;
    rarely negated."""
    size = draw(st.sampled_from([1, 1, 1, 1, 1, 1, 1, 1, 2, 3]))
    parts = [draw(_field_condition(c)) for _ in range(size)]
    joined = Or(tuple(parts)) if draw(st.integers(0, 4)) < 3 else And(tuple(parts))
    node = parts[0] if len(parts) == 1 else joined
    # hypothesis leans towards small draws: the rare cases sit at the top of each range
    return Not(node) if draw(st.integers(0, 29)) == 29 else node


@st.composite
def compilable_trees(draw: st.DrawFn, schema: Schema = leadq.LEADS_LIST) -> Node:
    """Filters shaped the way people write them: a few fields, each with its own group of
    conditions, joined by `and`; one in eight joins two groups with `or` (a plan). Most
    compile; the rest reach every error branch of the exactness proof."""
    criteria = draw(st.lists(st.sampled_from(schema.criteria), min_size=1, max_size=3, unique_by=lambda c: c.name))
    groups = [draw(_field_group(c)) for c in criteria]
    if len(groups) > 1 and draw(st.integers(0, 7)) == 7:
        groups = [Or((groups[0], groups[1])), *groups[2:]]
    return groups[0] if len(groups) == 1 else And(tuple(groups))
