"""Contracts that hold for every input (hypothesis)."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from strategies import canonical_q, schema_trees, token_soup, trees

import leadq
from leadq import CODES


def _assert_well_formed(text: str, diagnostics: list[leadq.Diagnostic]) -> None:
    for d in diagnostics:
        assert d.code in CODES and d.code != "E900", d
        assert 0 <= d.start <= d.end <= len(text), d


@given(st.one_of(st.text(), token_soup))
@example("(" * 5000)
@example("not " * 5000 + "x")
@example('text contains "\ud800"')
def test_check_never_raises_and_spans_stay_inside(text: str) -> None:
    diagnostics = leadq.check(text)
    _assert_well_formed(text, diagnostics)


@given(st.one_of(st.text(), token_soup))
def test_compile_returns_q_or_raises_leadq_error(text: str) -> None:
    try:
        q = leadq.compile(text)
    except leadq.LeadqError as e:
        assert e.diagnostics
        _assert_well_formed(text, e.diagnostics)
        assert any(d.severity is leadq.Severity.ERROR for d in e.diagnostics)
    else:
        a = leadq.analyze(text)
        assert a.q == q and not a.errors


@given(st.one_of(st.text(), token_soup))
@example("(" * 5000)
@example('city = "x" and site.url contains 1')
def test_pushdown_returns_a_split_or_raises_leadq_error(text: str) -> None:
    try:
        p = leadq.pushdown(text)
    except leadq.LeadqError as e:
        assert any(d.severity is leadq.Severity.ERROR for d in e.diagnostics)
        _assert_well_formed(text, e.diagnostics)
    else:
        assert p.requests and all(isinstance(q, str) for q in p.requests)
        _assert_well_formed(text, p.diagnostics)
        if p.residual:  # the residual is itself a filter, which pushdown takes without error
            assert leadq.pushdown(p.residual).requests


@given(trees)
def test_format_parses_back_to_the_same_tree(tree: leadq.Node) -> None:
    assert leadq.parse(leadq.format(tree)) == tree


@given(canonical_q())
def test_canonical_q_survives_decompile_format_compile(q: str) -> None:
    assert leadq.compile(leadq.format(leadq.decompile(q))) == q


@given(canonical_q(leadq.LEADS_LIST_ROUTED))
def test_canonical_q_round_trip_routed(q: str) -> None:
    schema = leadq.LEADS_LIST_ROUTED
    assert leadq.compile(leadq.format(leadq.decompile(q, schema=schema)), schema=schema) == q


@given(schema_trees())
def test_compiled_filters_round_trip_through_q(tree: leadq.Node) -> None:
    text = leadq.format(tree)
    try:
        q = leadq.compile(text)
    except leadq.LeadqError as e:
        _assert_well_formed(text, e.diagnostics)
        return
    assert leadq.compile(leadq.format(leadq.decompile(q))) == q
    # compiling is deterministic and idempotent through q
    assert leadq.compile(text) == q


_MASK = st.integers(1, 14)  # a field's region sets of four regions, never empty nor whole


@given(st.lists(st.dictionaries(st.integers(0, 3), _MASK, min_size=1, max_size=4), min_size=2, max_size=40))
def test_dropping_boxes_inside_others_is_the_plain_pairwise_check(boxes: list[dict[int, int]]) -> None:
    from leadq.analysis.boxes import _inside, _outermost

    unique = list({tuple(sorted(b.items())): b for b in boxes}.values())
    plain = [a for k, a in enumerate(unique) if not any(k != n and _inside(a, b) for n, b in enumerate(unique))]
    assert _outermost(unique) == plain


@given(
    st.dictionaries(st.integers(0, 3), _MASK, max_size=4),
    st.dictionaries(st.integers(0, 3), _MASK, max_size=4),
)
def test_boxes_are_apart_exactly_when_they_do_not_meet(a: dict[int, int], b: dict[int, int]) -> None:
    from leadq.analysis.boxes import apart, meet

    assert apart(a, b) == (meet(a, b) is None) == apart(b, a)


@given(st.lists(st.dictionaries(st.integers(0, 3), _MASK, max_size=4), min_size=1, max_size=30))
def test_simplifying_boxes_keeps_their_union(boxes: list[dict[int, int]]) -> None:
    import itertools
    from types import SimpleNamespace

    from leadq.analysis.boxes import simplify

    spaces = {i: SimpleNamespace(full=0b1111) for i in range(4)}  # four regions a field

    def cells(union: list[dict[int, int]]) -> set[tuple[int, ...]]:
        return {
            cell
            for cell in itertools.product(range(4), repeat=4)
            if any(all(box.get(i, 0b1111) >> cell[i] & 1 for i in range(4)) for box in union)
        }

    simpler = simplify(boxes, spaces)  # type: ignore[arg-type]
    assert cells(simpler) == cells(boxes)
    assert len(simpler) <= len(boxes)
