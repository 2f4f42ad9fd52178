"""decompile: raw q strings read by the term model of q-format.md."""

from __future__ import annotations

import pytest

import leadq


@pytest.mark.parametrize(
    ("q", "expression"),
    [
        ("", ""),
        ("ids=1001,1002", "id in (1001, 1002)"),
        (
            "site_ids=1,2 result=missed phone_exists=true",
            "site in (1, 2) and result = missed and phone_exists",
        ),
        ("site_ids=5", "site = 5"),
        ("email_exists=no", "not email_exists"),
        ("email_exists=1", "email_exists"),
        ("duration>=61 duration<=120", "duration >= 61 and duration <= 120"),
        ("duration>60", "duration > 60"),
        ("created_at>=2024-01-01 created_at<=2024-01-31", "created_at >= 2024-01-01 and created_at <= 2024-01-31"),
        ("created_at>=2024-01-01 10:00:00", "created_at >= 2024-01-01T10:00:00"),
        ("created_at>=17.09.2007", 'created_at >= "17.09.2007"'),
        ("created_at=lastweek", "created_at = lastweek"),
        ("text=доставка в Москву", 'text contains "доставка в Москву"'),
        ("text=a=b site_ids=3", 'text contains "a=b" and site = 3'),
        ("text=x,site_ids=3", 'text contains "x,site_ids=3"'),
        ("visitor_ids=ab,cd", 'visitor in ("ab", "cd")'),
        ("enter_page=/a b", 'enter_page = "/a b"'),
        ("  site_ids=1  ", "site = 1"),
    ],
)
def test_decompile(q: str, expression: str) -> None:
    assert leadq.format(leadq.decompile(q)) == expression


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("foo=1 site_ids=2", [("E501", 0, 5)]),
        ("keyword=x", [("E501", 0, 9)]),
        ("site_ids=", [("E502", 0, 9)]),
        ("site_ids=1,x", [("E301", 11, 12)]),
        ("result=done", [("E302", 7, 11)]),
        ("type>form", [("E502", 0, 9)]),
        ("email_exists=maybe", [("E301", 13, 18)]),
        ("created_at>=yesterday", [("E304", 12, 21)]),
    ],
)
def test_decompile_errors(q: str, expected: list[tuple[str, int, int]]) -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.decompile(q)
    assert [
        (d.code, d.start, d.end) for d in caught.value.diagnostics if d.severity is leadq.Severity.ERROR
    ] == expected


def test_absolute_equals_on_datetime_is_noted() -> None:
    a = leadq.analyze("created_at=2024-01-31", q=True)
    node = a.tree
    assert node is not None
    assert [(d.code, d.start, d.end) for d in a.diagnostics] == [("I702", 0, 21)]
    assert leadq.compile(leadq.format(node)) == "created_at>=2024-01-31T00:00:00 created_at<=2024-01-31T23:59:59"


def test_unknown_criterion_suggests_the_closest() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.decompile("site_id=1")
    assert caught.value.diagnostics[0].hint == "did you mean `site_ids`?"
