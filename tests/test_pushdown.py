"""Pushdown: what is sent to the API and what is checked on each lead, exactly the filter."""

from __future__ import annotations

from datetime import datetime

import pytest
from fetch_strategies import NOW, data_sets, fetch_filters
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import compilable_trees

import leadq
from leadq.testing import generate_leads

# (filter, requests sent, residual checked here)
CASES = [
    # the examples
    ('text contains "a" and text contains "b"', ("text=a",), 'text contains "b"'),
    ("site != 3", ("",), "site != 3"),
    # conditions on Lead fields q has no criterion for are always checked here
    ('site = 1 and city = "Moscow"', ("site_ids=1",), 'city = "Moscow"'),
    ('city = "Moscow"', ("",), 'city = "Moscow"'),
    ('site.id in (1, 2) and site.url contains "shop"', ("site_ids=1,2",), 'site.url contains "shop"'),
    ("visit_count > 3 and result = missed", ("result=missed",), "visit_count > 3"),
    # a filter compile takes is sent whole, nothing is left to check
    ("result = missed and site in (1, 2)", ("site_ids=1,2 result=missed",), ""),
    ("site = 1 or result = missed", ("site_ids=1", "result=missed"), ""),
    # a weaker form is sent when the whole cannot be: each local condition dropped
    ('(site = 1 and city = "M") or site = 2', ("site_ids=1,2",), 'site = 1 and city = "M" or site = 2'),
    ('result = missed and not (city = "x" or site = 4)', ("result=missed",), 'not (city = "x" or site = 4)'),
    # conjuncts that cannot join what is already sent stay here
    ("duration > 60 and site != 3 and type = form", ("type=form duration>=61",), "site != 3"),
]


@pytest.mark.parametrize(("text", "requests", "residual"), CASES)
def test_split(text: str, requests: tuple[str, ...], residual: str) -> None:
    p = leadq.pushdown(text)
    assert p.requests == requests
    assert p.residual == residual
    assert p.exact == (residual == "")


def test_compile_stays_strict_and_says_fetch_can_check() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.compile('city = "Moscow"')
    (d,) = caught.value.diagnostics
    assert (d.code, d.start, d.end) == ("E201", 0, 4)
    assert d.message == "`city` is a Lead field that q has no criterion for in Leads.list"
    assert d.hint is not None and "leadq.pushdown()" in d.hint and "leadq fetch" in d.hint
    with pytest.raises(leadq.LeadqError):
        leadq.compile('text contains "a" and text contains "b"')


def test_explain_shows_the_split() -> None:
    p = leadq.pushdown('text contains "a" and text contains "b" and city = "Tver"')
    assert p.explain() == (
        'sent to the API: text contains "a"\n'
        "  q: text=a\n"
        'checked here: text contains "b" and city = "Tver"\n'
        "  reads: city, text"
    )
    assert leadq.explain("site != 3", fetch=True) == (
        "sent to the API: nothing (every lead)\n  q: (empty: every lead)\nchecked here: site != 3\n  reads: site.id"
    )


def test_residual_on_a_field_the_role_cannot_see_is_refused() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.pushdown('text contains "a" and text contains "b"', role="operator")
    errors = [d for d in caught.value.diagnostics if d.code == "E313"]
    assert [(d.start, d.end) for d in errors] == [(22, 39)]
    assert "operator" in errors[0].message and "`text`" in errors[0].message
    # sent whole, the API answers for the role itself: no residual, no error
    assert leadq.pushdown('text contains "a"', role="operator").requests == ("text=a",)
    with pytest.raises(leadq.LeadqError, match="E313"):
        leadq.pushdown('answer_text contains "x"', role="manager")
    assert leadq.pushdown('answer_text contains "x"', role="admin").residual == 'answer_text contains "x"'


def test_periods_become_the_interval_at_now() -> None:
    p = leadq.pushdown("created_at = lastweek and updated_at = today", now=datetime(2024, 5, 1, 12, 0))
    assert p.requests == ("created_at>=2024-04-24T12:00:01 created_at<=2024-05-01T12:00:00",)
    assert p.residual == "updated_at between 2024-05-01T00:00:01 and 2024-05-01T12:00:00"
    # without a clock the period is sent as the keyword, for the server's clock
    assert leadq.pushdown("created_at = lastweek").requests == ("created_at=lastweek",)


def test_residual_fields_are_what_it_reads() -> None:
    p = leadq.pushdown('site != 3 and assigned_to.first_name = "Anna" and email_exists and visitor != v1')
    assert p.requests == ("email_exists=true",)
    assert p.residual_fields == ("assigned_to.first_name", "site.id", "visitor.id")


def test_errors_are_diagnostics() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.pushdown("citty = 1 and visit_count = many")
    assert [d.code for d in caught.value.diagnostics if d.severity is leadq.Severity.ERROR] == ["E201", "E301"]
    with pytest.raises(TypeError, match="role"):
        leadq.pushdown("site = 1", role=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="now"):
        leadq.pushdown("site = 1", now="today")  # type: ignore[arg-type]


def test_params_bind_in_pushdown() -> None:
    p = leadq.pushdown("site in :sites and city = :city", {"sites": [1, 2], "city": "Omsk"})
    assert (p.requests, p.residual) == (("site_ids=1,2",), 'city = "Omsk"')


def test_the_tail_is_kept_as_parameters() -> None:
    p = leadq.pushdown('city = "Tver" order by duration desc limit 5 fields id, name')
    assert p.params == {"sort": "duration:d", "limit": "5", "fields": "id,name"}


# -- exactness ---------------------------------------------------------------------------------


def _assert_exact(text: str, leads: list[dict[str, object]]) -> leadq.Pushdown | None:
    try:
        p = leadq.pushdown(text, now=NOW)
    except leadq.LeadqError as e:
        # a filter pushdown refuses is one evaluate refuses too
        with pytest.raises(leadq.LeadqError) as caught:
            leadq.evaluate(text, leads[0] if leads else {}, now=NOW)
        assert {d.code for d in caught.value.diagnostics} <= {d.code for d in e.diagnostics}
        return None
    for lead in leads:
        want = leadq.evaluate(text, lead, now=NOW)
        sent = any(leadq.evaluate_q(q, lead, now=NOW) for q in p.requests)
        assert (sent and p.matches(lead, now=NOW)) == want, (text, p, lead)
        if want:
            assert sent  # the requests never lose a lead the filter matches
    return p


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fetch_filters(), data_sets(max_size=30))
def test_requests_and_residual_are_exactly_the_filter(text: str, leads: list[dict[str, object]]) -> None:
    p = _assert_exact(text, leads)
    if p is not None:
        event("exact" if p.exact else "with a residual")
        event("nothing sent" if p.requests == ("",) else f"{min(len(p.requests), 3)}+ request(s)")


@settings(max_examples=examples(300), deadline=None)
@given(compilable_trees(), st.integers(0, 2**16))
def test_what_compile_takes_is_sent_whole(tree: leadq.Node, seed: int) -> None:
    text = leadq.format(tree)
    a = leadq.analyze(text)
    if a.q is None:
        return
    p = leadq.pushdown(text)
    assert (p.requests, p.residual) == ((a.q,), "")


def test_exact_on_the_generated_data_set() -> None:
    leads = generate_leads(300, seed=7)
    for text in [c[0] for c in CASES] + ['site.url contains "help" or visit_count between 2 and 4']:
        _assert_exact(text, leads)
