"""Hypothesis strategies for running filters: any filter over every Lead field, with values
that the generated data sets of `leadq.testing.generate_leads` hold (so filters select
some leads and not others), and data sets."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

import leadq
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
    Node,
    Not,
    Op,
    Or,
)
from leadq.testing import generate_leads

NOW = datetime(2024, 3, 1, 12, 0)

_IDS = {
    "id": list(range(1, 40)),
    "site": [1, 2, 3, 4],
    "department": [10, 11, 12],
    "created_by": [100, 101, 102],
    "assigned_to": [100, 101, 102],
    "completed_by": [100, 101],
    "locked_by.id": [100, 5],
    "site.id": [1, 2, 3],
}
_TEXT = {
    "name": ["Anna", "Boris", "Zed"],
    "email": ["user1@example.com", "@example", "user"],
    "phone": ["+7900", "0000001"],
    "city": ["Moscow", "Kazan", "Tver", "Saint Petersburg"],
    "country": ["Russia", "Chile"],
    "search_query": ["buy", "help"],
    "answer_text": ["thank you", "thank"],
    "site.url": ["https://shop.example", "shop", "blog"],
    "department.title": ["Sales", "Support", "Bill"],
    "assigned_to.first_name": ["Anna", "Ivan"],
    "created_by.last_name": ["Petrova", "Smirnova"],
}
_STRINGS = {
    "search_engine": ["Yandex", "Google", "Bing"],
    "ext_referer": ["https://google.com", "https://ya.ru"],
    "enter_page": ["https://shop.example/", "https://help.example/"],
    "int_referer": ["https://blog.example/contacts"],
}
_WORDS = ["price", "delivery", "refund", "call", "order", "hello", "e"]
_NUMBERS = {"duration": [0, 30, 60, 61, 300, 3600], "visit_count": [1, 3, 5, 9], "page_count": [1, 10, 25]}
_FLAGS = ["email_exists", "phone_exists", "is_managed", "is_locked", "site.is_deleted"]
_DATES = ["created_at", "completed_at", "updated_at"]
_PERIODS = ["today", "lastweek", "lastmonth"]


def _int(n: int) -> Literal:
    return Literal(LiteralKind.INT, str(n))


def _str(s: str) -> Literal:
    return Literal(LiteralKind.STRING, s)


@st.composite
def _moment(draw: st.DrawFn) -> Literal:
    day = datetime(2024, 1, 1) + timedelta(days=draw(st.integers(0, 70)), hours=draw(st.sampled_from([0, 9, 13])))
    if draw(st.booleans()):
        return Literal(LiteralKind.DATE, day.strftime("%Y-%m-%d"))
    return Literal(LiteralKind.DATETIME, day.strftime("%Y-%m-%dT%H:%M:%S"))


@st.composite
def _condition(draw: st.DrawFn) -> Node:
    family = draw(st.sampled_from(["ids", "visitor", "text", "string", "enum", "number", "flag", "date", "contains"]))
    if family == "ids":
        name = draw(st.sampled_from(sorted(_IDS)))
        values = st.sampled_from(_IDS[name]).map(_int)
        return _member(draw, Field(name), values)
    if family == "visitor":
        return _member(draw, Field("visitor"), st.sampled_from(["v1", "v2"]).map(_str))
    if family == "text":
        name = draw(st.sampled_from(sorted(_TEXT)))
        values = st.sampled_from(_TEXT[name]).map(_str)
        shape = draw(st.sampled_from(["contains", "contains", "not_contains", "eq", "ne", "in"]))
        if shape in ("contains", "not_contains"):
            return Contains(Field(name), draw(values), shape == "not_contains")
        return _member(draw, Field(name), values, shape)
    if family == "string":
        name = draw(st.sampled_from(sorted(_STRINGS)))
        values = st.sampled_from(_STRINGS[name]).map(_str)
        return _member(draw, Field(name), values, draw(st.sampled_from(["eq", "in", "ne"])))
    if family == "enum":
        name, options = draw(
            st.sampled_from([("type", ("form", "callback", "chat")), ("result", ("missed", "completed"))])
        )
        values = st.sampled_from(options).map(lambda v: Literal(LiteralKind.WORD, v))
        return _member(draw, Field(name), values)
    if family == "number":
        name = draw(st.sampled_from(sorted(_NUMBERS)))
        values = st.sampled_from(_NUMBERS[name]).map(_int)
        shape = draw(st.sampled_from(["compare", "compare", "between", "in"]))
        if shape == "between":
            low, high = sorted([draw(values), draw(values)], key=lambda lit: int(lit.value))
            return Between(Field(name), low, high)
        if shape == "in":
            return In(Field(name), tuple(draw(st.lists(values, min_size=1, max_size=3))))
        return Compare(Field(name), draw(st.sampled_from(list(Op))), draw(values))
    if family == "flag":
        name = draw(st.sampled_from(_FLAGS))
        if draw(st.booleans()):
            return Flag(Field(name))
        return Compare(Field(name), draw(st.sampled_from([Op.EQ, Op.NE])), Literal(LiteralKind.BOOL, "true"))
    if family == "date":
        name = draw(st.sampled_from(_DATES))
        shape = draw(st.sampled_from(["compare", "compare", "between", "period"]))
        if shape == "period":
            return Compare(Field(name), Op.EQ, Literal(LiteralKind.WORD, draw(st.sampled_from(_PERIODS))))
        if shape == "between":
            low, high = sorted([draw(_moment()), draw(_moment())], key=lambda lit: lit.value)
            return Between(Field(name), low, high)
        return Compare(Field(name), draw(st.sampled_from([Op.LT, Op.LE, Op.GT, Op.GE])), draw(_moment()))
    return Contains(Field("text"), _str(draw(st.sampled_from(_WORDS))), draw(st.integers(0, 5)) == 5)


def _member(draw: st.DrawFn, field: Field, values: st.SearchStrategy[Literal], shape: str | None = None) -> Node:
    shape = shape or draw(st.sampled_from(["eq", "eq", "in", "in", "ne", "not_in"]))
    if shape in ("eq", "ne"):
        return Compare(field, Op.EQ if shape == "eq" else Op.NE, draw(values))
    return In(field, tuple(draw(st.lists(values, min_size=1, max_size=3, unique_by=lambda v: v.value))), shape != "in")


def _combine(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    several = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(st.builds(Not, children), st.builds(And, several), st.builds(And, several), st.builds(Or, several))


def fetch_filters(max_leaves: int = 6) -> st.SearchStrategy[str]:
    """The text of a filter over any Lead field: many `compile` refuses."""
    return st.recursive(_condition(), _combine, max_leaves=max_leaves).map(leadq.format)


@st.composite
def data_sets(draw: st.DrawFn, max_size: int = 40) -> list[dict[str, Any]]:
    """Generated leads (ids 1..n, created_at ascending, some in the same second), some
    with fields emptied, as real leads have (never those docs/semantics.md takes as
    always given: type, result, duration, is_managed, created_at)."""
    size = draw(st.integers(0, max_size))
    seed = draw(st.integers(0, 2**16))
    leads = generate_leads(size, seed=seed)
    rng = random.Random(seed)
    for lead in leads:
        if rng.random() < 0.2:
            lead[rng.choice(["city", "site", "email", "phone", "completed_at", "assigned_to", "search_engine"])] = None
    return leads


def expected(text: str, data: list[dict[str, Any]], now: datetime = NOW) -> list[dict[str, Any]]:
    """The leads `text` matches, by `leadq.evaluate`, in created_at order (ties by id)."""
    found = [lead for lead in data if leadq.evaluate(text, lead, now=now)]
    return sorted(found, key=lambda lead: (lead["created_at"], lead["id"]))
