"""compile's error code predicts exactly what plan does (one analysis, one box algebra).

- the filter compiles ⇔ plan returns exactly that one q;
- E402 ⇔ plan returns several requests (or E406 past its cap);
- E403/E404 ⇔ plan refuses with the same codes and spans;
- any other error: plan refuses with the same errors.
"""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import compilable_trees, schema_trees

import leadq

CAP = 64


def _spans(diagnostics: list[leadq.Diagnostic]) -> set[tuple[str, int, int]]:
    return {(d.code, d.start, d.end) for d in diagnostics if d.severity is leadq.Severity.ERROR}


@pytest.mark.long
@settings(max_examples=examples(5_000), deadline=None)
@given(st.one_of(compilable_trees(), schema_trees(max_leaves=6)))
def test_compile_code_predicts_plan(tree: leadq.Node) -> None:
    text = leadq.format(tree)
    a = leadq.analyze(text)
    codes = {d.code for d in a.errors}
    try:
        p = leadq.plan(text, max_requests=CAP)
    except leadq.LeadqError as e:
        refused = _spans(e.diagnostics)
        event("plan refused: " + ",".join(sorted({c for c, _, _ in refused})))
        assert a.q is None, text
        if refused == {("E406", 0, len(text))}:
            assert codes == {"E402"}, text
        else:
            assert "E402" not in codes, (text, a.errors)
            assert refused == _spans(a.errors), text
        return
    event("one request" if len(p.requests) == 1 else "several requests")
    if a.q is not None:
        assert p.requests == (a.q,), text
    else:
        assert codes == {"E402"} and len(p.requests) > 1, (text, a.errors, p)


@pytest.mark.parametrize(
    ("text", "code", "plan"),
    [
        (" and ".join(f"site != {i}" for i in range(10)), "E403", None),
        ("site != 1 or phone_exists", "E403", None),
        ('text contains "a" or text contains "b"', "E402", ("text=a", "text=b")),
        ("created_at = lastweek or created_at = today", "E402", ("created_at=lastweek", "created_at=today")),
        ("(phone_exists and is_managed) or not phone_exists or not is_managed", None, ("",)),
    ],
)
def test_the_cases_that_once_drifted(text: str, code: str | None, plan: tuple[str, ...] | None) -> None:
    a = leadq.analyze(text)
    assert {d.code for d in a.errors} == ({code} if code else set())
    if plan is None:
        with pytest.raises(leadq.LeadqError) as caught:
            leadq.plan(text)
        assert _spans(caught.value.diagnostics) == _spans(a.errors)
    else:
        assert sorted(leadq.plan(text).requests) == sorted(plan)


@pytest.mark.long
@settings(max_examples=examples(3_000), deadline=None)
@given(st.one_of(compilable_trees(), schema_trees(max_leaves=4)))
def test_the_direct_path_writes_what_the_algebra_writes(tree: leadq.Node) -> None:
    """Plain conjunctions compile without the box algebra; they must compile to the same
    bytes with it, and whatever the direct path declines, the algebra decides."""
    from leadq.analysis.boxes import Algebra
    from leadq.core.diagnostics import Problem
    from leadq.q.emit import direct_q, emit_q

    a = leadq.analyze(leadq.format(tree))
    if a.logic is None:
        return
    direct = direct_q(a.logic, a.schema)
    try:
        algebra = Algebra(a.logic, a.schema, a.text)
        boxes = algebra.boxes(a.logic)
        slow = emit_q(algebra, boxes, a.logic) if boxes else None
    except Problem:
        slow = None
    event("direct" if direct is not None else "algebra only")
    if direct is not None:
        assert direct == slow, a.text
    assert a.q == slow or (a.q is None and slow is None), a.text
