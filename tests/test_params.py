"""Bound parameters: values from users go in as data, never as text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_hardening import _whole

import leadq

FILTER = "site in :sites and created_at >= :since and text contains :word"


def test_the_issue_example_compiles() -> None:
    q = leadq.compile(FILTER, {"sites": [2, 1], "since": date(2024, 1, 1), "word": "доставка"})
    assert q == "site_ids=1,2 created_at>=2024-01-01T00:00:00 text=доставка"


@pytest.mark.parametrize(
    ("text", "params", "q"),
    [
        ("site = :s", {"s": 5}, "site_ids=5"),
        ("site in (:a, 3)", {"a": 1}, "site_ids=1,3"),
        ("site not in :no and site in (1, 2, 3)", {"no": {2}}, "site_ids=1,3"),
        ("visitor = :v", {"v": "a1"}, "visitor_ids=a1"),
        ("result = :r", {"r": "missed"}, "result=missed"),
        ("phone_exists = :p", {"p": False}, "phone_exists=false"),
        ("duration between :lo and :hi", {"lo": 10, "hi": 20}, "duration>=10 duration<=20"),
        ("created_at < :t", {"t": datetime(2024, 1, 1, 10, 0)}, "created_at<=2024-01-01T09:59:59"),
        ("created_at >= :t", {"t": datetime(2024, 1, 1, 7, 0, tzinfo=UTC)}, "created_at>=2024-01-01T10:00:00"),
        ("created_at >= :t", {"t": datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=5)))},
         "created_at>=2023-12-31T22:00:00"),
        ("search_engine = :e", {"e": 'He said "hi" (and left)'}, 'search_engine=He said "hi" (and left)'),
    ],
)  # fmt: skip
def test_each_type_binds(text: str, params: dict[str, Any], q: str) -> None:
    assert leadq.compile(text, params) == q


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"sites": "1,2", "since": date(2024, 1, 1), "word": "a"}, [("E311", 8, 14)]),
        ({"sites": [1], "since": "2024-01-01", "word": "a"}, [("E311", 33, 39)]),
        ({"sites": [True], "since": date(2024, 1, 1), "word": "a"}, [("E311", 8, 14)]),
        ({"sites": [], "since": date(2024, 1, 1), "word": "a"}, [("E311", 8, 14)]),
        ({"sites": [1], "since": datetime(2024, 1, 1, 0, 0, 0, 5), "word": "a"}, [("E311", 33, 39)]),
        ({"sites": [1], "word": "x site_ids=5"}, [("E310", 33, 39), ("E305", 58, 63)]),
        ({"sites": [1], "since": date(2024, 1, 1), "word": "a", "wrod": "b"}, [("E312", 0, 63)]),
        (None, [("E310", 8, 14), ("E310", 33, 39), ("E310", 58, 63)]),
    ],
)
def test_problems_stand_at_the_placeholder(params: dict[str, Any] | None, codes: list[tuple[str, int, int]]) -> None:
    found = leadq.check(FILTER, params)
    assert [(d.code, d.start, d.end) for d in found] == codes
    for d in found:
        _whole(d.message)
        assert d.hint is None or _whole(d.hint) is None


def test_format_keeps_placeholders() -> None:
    for text in ("site in :sites", "site not in (:a, 2)", "duration between :lo and :hi", "text contains :w"):
        assert leadq.format(leadq.parse(text)) == text


def test_plan_explain_and_analyze_take_parameters() -> None:
    params = {"types": ["form", "chat"]}
    assert leadq.plan("type in :types", params).requests == ("type=form", "type=chat")
    assert "type: one of form, chat" in leadq.explain("type in :types", params)
    a = leadq.analyze("text contains :w", {"w": "a b"})
    assert a.q == "text=a b" and [d.code for d in a.diagnostics] == ["W601"]


def test_params_must_be_a_mapping_of_names() -> None:
    with pytest.raises(TypeError, match="params must be a mapping"):
        leadq.compile("site = :s", [("s", 1)])  # type: ignore[arg-type]


@given(st.text(min_size=1, max_size=40))
def test_no_text_in_a_parameter_adds_a_condition(word: str) -> None:
    # whatever the user typed, it is one value of `text`, or refused: never more terms
    a = leadq.analyze("text contains :w and result = missed", {"w": word})
    if a.q is not None:
        assert a.q == f"result=missed text={word}"
        assert leadq.evaluate_q(a.q, {"text": word, "result": "missed"})
    else:
        assert {d.code for d in a.errors} <= {"E305", "E306"}


def test_evaluating_a_tree_with_placeholders_says_which_has_no_value() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.evaluate(leadq.parse("site = :s"), {"site": {"id": 1}})
    assert [d.code for d in caught.value.diagnostics] == ["E310"]
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.evaluate("site = :s", {"site": {"id": 1}})
    assert [d.code for d in caught.value.diagnostics] == ["E310"]
