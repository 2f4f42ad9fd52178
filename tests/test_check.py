"""Warnings and notes from check(): the linter side of the checker."""

from __future__ import annotations

import pytest

import leadq


def codes(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.start, d.end) for d in leadq.check(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("site in (1,2) and site in (1,2,3)", [("W602", 18, 33)]),
        ("site = 1 and site = 1", [("W602", 13, 21)]),
        ("(site = 1 or result = missed) and site = 1", [("W602", 0, 29)]),
        ("result = missed or result = completed", [("W603", 0, 37)]),
        ("site = 1 and (email_exists or not email_exists)", [("W603", 13, 47)]),
        ("site in (1, 2, 1)", [("W604", 15, 16)]),
        ("entry_page = a", [("I701", 0, 10)]),
        ('text contains "a b"', [("W601", 14, 19)]),
        ("site = 1 and result = missed", []),
        ("site_id = 1 and site_ids = 2 or site = 3", []),
    ],
)
def test_lint(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert codes(text) == expected


def test_warnings_do_not_stop_compile() -> None:
    assert leadq.compile('text contains "a b" and site in (1, 1)') == "site_ids=1 text=a b"


def test_one_run_reports_every_problem() -> None:
    found = codes("sitee = 1 and result = mised and duration > 1.5 and type = chat")
    assert [c for c, _, _ in found] == ["E201", "E302", "E303"]


def test_unknown_field_suggestions() -> None:
    (d,) = leadq.check("phone_exist")
    assert d.hint == "did you mean `phone_exists`?"
    (d,) = leadq.check("xyzzy = 1")
    assert d.hint is not None and d.hint.startswith("known fields:")


def test_enum_suggestion_and_allowed_values() -> None:
    (d,) = leadq.check("type = Form")
    assert d.code == "E302"
    assert "form, callback, chat" in d.message
    assert d.hint == "did you mean `form`?"


def test_text_equals_hint_says_contains() -> None:
    (d,) = leadq.check('text = "x"')
    assert d.code == "E202"
    assert d.hint is not None and "contains" in d.hint


def test_multiline_positions() -> None:
    (d,) = leadq.check("site = 1\n  and\n  result = fax")
    assert (d.code, d.line, d.column) == ("E302", 3, 12)
