"""Differential tests: the q that compile (or plan) emits selects exactly the leads the
filter describes, judged by two evaluators written apart from the compiler.

Profiles: 2,000 filters by default (CI); `LEADQ_SOAK=1` for 50,000.
"""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import NOW, leads, schema_trees

import leadq

EXAMPLES = 50_000 if os.environ.get("LEADQ_SOAK") else 2_000
LEADS_PER_FILTER = 40
differential = settings(max_examples=EXAMPLES, deadline=None)


def _check_q(tree: leadq.Node, seed: int, schema: leadq.Schema) -> None:
    text = leadq.format(tree)
    try:
        q = leadq.compile(text, schema=schema)
    except leadq.LeadqError as e:
        if any(d.code == "E401" for d in e.diagnostics):
            for lead in leads(tree, seed, LEADS_PER_FILTER, schema):
                assert not leadq.evaluate(tree, lead, now=NOW, schema=schema), (text, lead)
        return
    for lead in leads(tree, seed, LEADS_PER_FILTER, schema):
        want = leadq.evaluate(tree, lead, now=NOW, schema=schema)
        assert leadq.evaluate_q(q, lead, now=NOW, schema=schema) == want, (text, q, lead)


@differential
@given(schema_trees(), st.integers(0, 2**32))
def test_compiled_q_selects_exactly_the_filter(tree: leadq.Node, seed: int) -> None:
    _check_q(tree, seed, leadq.LEADS_LIST)


@settings(max_examples=EXAMPLES // 4, deadline=None)
@given(schema_trees(leadq.LEADS_LIST_ROUTED), st.integers(0, 2**32))
def test_compiled_q_selects_exactly_the_filter_routed(tree: leadq.Node, seed: int) -> None:
    _check_q(tree, seed, leadq.LEADS_LIST_ROUTED)


@differential
@given(schema_trees(max_leaves=6), st.integers(0, 2**32))
def test_plans_select_exactly_the_filter(tree: leadq.Node, seed: int) -> None:
    text = leadq.format(tree)
    try:
        p = leadq.plan(text)
    except leadq.LeadqError:
        return
    assert 1 <= len(p.requests) <= 16
    for lead in leads(tree, seed, LEADS_PER_FILTER, leadq.LEADS_LIST):
        matched = [leadq.evaluate_q(q, lead, now=NOW) for q in p.requests]
        assert any(matched) == leadq.evaluate(tree, lead, now=NOW), (text, p, lead)
        if p.disjoint:
            assert sum(matched) <= 1, (text, p, lead)
