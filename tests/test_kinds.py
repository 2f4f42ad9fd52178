"""A field kind is one class: a new type of field works in every pass without touching them.

The kind below lives only in this test: region codes, written in any case, sent upper-case,
one per q term. Nothing in leadq knows it; the schema names it, and compile, check, plan,
decompile, explain and both evaluators take it from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

import leadq
from leadq.core.diagnostics import Problem
from leadq.core.span import Span
from leadq.language.tree import Literal, LiteralKind
from leadq.schemas.criterion import Criterion
from leadq.schemas.kinds import Context, MemberKind, register
from leadq.schemas.logic import IdValue
from leadq.schemas.wire import Term


class RegionCodeKind(MemberKind):
    name = "region-code"
    words = "a two-letter region code"

    def value(self, lit: Literal, c: Criterion, ctx: Context) -> IdValue:
        if lit.kind not in (LiteralKind.WORD, LiteralKind.STRING) or len(lit.value) != 2 or not lit.value.isalpha():
            raise Problem("not_an_enum_value", lit.span, value=lit.value, field=c.display, values="two letters")
        return lit.value.upper()

    def literal(self, value: str, span: Span) -> Literal:
        return Literal(LiteralKind.WORD, value, span)

    def lead_value(self, c: Criterion, lead: Mapping[str, Any]) -> Any:
        value = lead.get(c.field)
        return value.upper() if isinstance(value, str) else None

    def equals(self, have: Any, lit: Literal) -> bool:
        return bool(have == lit.value.upper())

    def holds(self, c: Criterion, term: Term, have: Any, now: int | None) -> bool:
        return bool(have == term.value)


REGION = register(RegionCodeKind())
SCHEMA = leadq.Schema(
    "Leads.withRegions",
    (*leadq.LEADS_LIST.criteria, Criterion("region_code", ("region",), REGION, human="region")),
)


@pytest.mark.parametrize(
    ("text", "q"),
    [
        ("region = ab", "region_code=AB"),
        ("site = 1 and region in (ab, AB)", "site_ids=1 region_code=AB"),
        ("region in (ab, cd) and region != cd", "region_code=AB"),
    ],
)
def test_a_new_kind_compiles(text: str, q: str) -> None:
    assert leadq.compile(text, schema=SCHEMA) == q
    assert leadq.compile(leadq.format(leadq.decompile(q, schema=SCHEMA)), schema=SCHEMA) == q


def test_a_new_kind_is_checked() -> None:
    assert {d.code for d in leadq.check("region contains 'x'", schema=SCHEMA)} == {"E202"}
    assert {d.code for d in leadq.check("region = abc", schema=SCHEMA)} == {"E302"}
    assert {d.code for d in leadq.check("region != ab", schema=SCHEMA)} == {"E403"}


def test_a_new_kind_plans_and_explains() -> None:
    p = leadq.plan("region in (ab, cd)", schema=SCHEMA)
    assert p.requests == ("region_code=AB", "region_code=CD") and p.disjoint
    assert "region_code: one of AB, CD" in leadq.explain("region in (ab, cd)", schema=SCHEMA)


@pytest.mark.parametrize("lead", [{"region_code": "ab"}, {"region_code": "CD"}, {}])
def test_a_new_kind_evaluates_alike_on_both_sides(lead: dict[str, Any]) -> None:
    want = leadq.evaluate("region = ab", lead, schema=SCHEMA)
    assert leadq.evaluate_q("region_code=AB", lead, schema=SCHEMA) == want
    assert want == (lead.get("region_code", "").upper() == "AB")
