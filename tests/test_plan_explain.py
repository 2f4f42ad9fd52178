"""plan(), explain() and the evaluators on hand-picked cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import leadq


@pytest.mark.parametrize(
    ("text", "requests", "disjoint"),
    [
        ("type = form or result = missed", ("type=form", "result=missed"), False),
        ("type != chat", ("type=form", "type=callback"), True),
        ("duration != 60", ("duration<=59", "duration>=61"), True),
        ("site = 1", ("site_ids=1",), True),
        ("", ("",), True),
        ("site = 1 or site = 2 or result = missed", ("site_ids=1,2", "result=missed"), False),
        ('text contains "a" or text contains "b"', ("text=a", "text=b"), False),
        ('text contains "ab" or text contains "a"', ("text=a",), True),
        ("created_at = lastweek or created_at = today", ("created_at=lastweek", "created_at=today"), False),
        (
            "(type = form or type = callback) and (result = missed or duration > 5)",
            (
                "type=form result=missed",
                "type=form duration>=6",
                "type=callback result=missed",
                "type=callback duration>=6",
            ),
            False,
        ),
    ],
)
def test_plan(text: str, requests: tuple[str, ...], disjoint: bool) -> None:
    p = leadq.plan(text)
    assert sorted(p.requests) == sorted(requests)
    assert p.disjoint is disjoint


def test_plan_splits_a_long_id_list_into_values_that_fit() -> None:
    ids = list(range(1000, 1200))
    p = leadq.plan(f"site in ({', '.join(map(str, ids))})")
    assert p.disjoint and len(p.requests) == 4
    # each request is a q that leadq itself reads back and would emit as it is
    assert all(leadq.analyze(q, q=True).q == q for q in p.requests)
    assert sorted(int(i) for q in p.requests for i in q.removeprefix("site_ids=").split(",")) == ids


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("site != 3", "E403"),
        ("result = missed and result = completed", "E401"),
        ('text not contains "x"', "E404"),
        (" or ".join(f"(duration = {2 * i} and site = {i})" for i in range(20)), "E406"),
        ("siet = 1", "E201"),
    ],
)
def test_plan_errors(text: str, code: str) -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.plan(text)
    assert code in {d.code for d in caught.value.diagnostics}


def test_plan_cap_can_be_raised() -> None:
    text = " or ".join(f"(duration = {2 * i} and site = {i})" for i in range(20))
    assert len(leadq.plan(text, max_requests=20).requests) == 20


def test_explain_names_the_contradiction() -> None:
    out = leadq.explain("result = missed and site = 1 and result = completed")
    assert out.splitlines() == [
        "never matches: these conditions contradict each other:",
        "  `result = missed` (1:1)",
        "  `result = completed` (1:34)",
    ]


def test_explain_constraints_redundancy_and_q() -> None:
    out = leadq.explain("site in (1,2) and site in (1,2,3) and duration > 5 and created_at < 2024-02-01")
    assert out.splitlines() == [
        "per field:",
        "  site_ids: one of 1, 2",
        "  duration: >= 6",
        "  created_at: <= 2024-01-31T23:59:59",
        "redundant:",
        "  `site in (1,2,3)` (1:19): implied by the other conditions",
        "q: site_ids=1,2 duration>=6 created_at<=2024-01-31T23:59:59",
    ]


def test_explain_offers_a_plan_when_one_q_is_not_enough() -> None:
    out = leadq.explain("type != chat")
    assert "E402" in out
    assert out.splitlines()[-3:] == ["plan: 2 requests:", "  q: type=form", "  q: type=callback"]


LEAD = {
    "id": 7,
    "site": {"id": 1, "url": "https://example.com"},
    "department": {"id": 3},
    "created_by": None,
    "type": "form",
    "result": "missed",
    "duration": 0,
    "email": "",
    "phone": "+7 900 000-00-00",
    "is_managed": False,
    "entry_page": "/landing",
    "text": "Нужна доставка в Москву",
    "created_at": "2024-01-31T10:00:00",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("site = 1 and result = missed and phone_exists", True),
        ("email_exists", False),
        ("created_by = 5", False),
        ("created_by != 5", True),
        ("enter_page = \"/landing\" and entry_page = '/landing'", True),
        ('text contains "доставка"', True),
        ('text contains "Доставка"', False),
        ("created_at = 2024-01-31", True),
        ("created_at > 2024-01-31T09:59:59 and created_at < 2024-01-31T10:00:01", True),
        ("created_at >= 2024-01-31T07:00:00Z and created_at <= 2024-01-31T07:00:00Z", True),
        ("duration between 0 and 0", True),
        ("type in (chat, callback)", False),
        ("not is_managed", True),
    ],
)
def test_evaluate(text: str, expected: bool) -> None:
    assert leadq.evaluate(text, LEAD) is expected
    assert leadq.evaluate(leadq.parse(text), LEAD) is expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("", True),
        ("site_ids=1,2 result=missed phone_exists=true", True),
        ("site_ids=2,3", False),
        ("email_exists=no phone_exists=1", True),
        ("created_at>=2024-01-31T10:00:00 created_at<=2024-01-31T10:00:00", True),
        ("created_at>2024-01-31T10:00:00", False),
        ("created_at>=2024-01-31 10:00:00", True),
        ("text=доставка в", True),
        ("enter_page=/landing", True),
        ("duration<=0", True),
    ],
)
def test_evaluate_q(q: str, expected: bool) -> None:
    assert leadq.evaluate_q(q, LEAD) is expected


def test_relative_periods_need_a_clock() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.evaluate("created_at = today", LEAD)
    assert [d.code for d in caught.value.diagnostics] == ["E308"]
    with pytest.raises(leadq.LeadqError):
        leadq.evaluate_q("created_at=today", LEAD)
    now = datetime(2024, 1, 31, 12, 0)
    assert leadq.evaluate("created_at = today", LEAD, now=now)
    assert leadq.evaluate_q("created_at=today", LEAD, now=now)
    assert not leadq.evaluate("created_at = today", LEAD, now=datetime(2024, 2, 1, 0, 0, 1))
    # an aware clock is converted to Moscow time: 21:30 UTC on the 30th is 00:30 on the 31st
    assert leadq.evaluate("created_at = today", LEAD, now=datetime(2024, 1, 31, 7, 30, tzinfo=UTC))


def test_evaluate_refuses_bad_filters() -> None:
    with pytest.raises(leadq.LeadqError):
        leadq.evaluate("siet = 1", LEAD)
    with pytest.raises(leadq.LeadqError):
        leadq.evaluate_q("foo=1", LEAD)
