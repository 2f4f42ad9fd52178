"""Hostile inputs: a diagnostic or a result, never another exception or a hang."""

from __future__ import annotations

import pytest

import leadq

HOSTILE = {
    "10k parentheses": "(" * 10_000 + "site = 1" + ")" * 10_000,
    "10k nots": "not " * 10_000 + "phone_exists",
    "10k open parentheses": "(" * 10_000,
    "100k-char text value": 'text contains "' + "a" * 100_000 + '"',
    "100k-char name": "a" * 100_000,
    "100k spaces": " " * 100_000,
    "NUL byte": "site = 1\x00",
    "NUL in a string": 'text contains "a\x00b"',
    "lone surrogate in a string": 'text contains "\ud800"',
    "lone surrogate": "\udfff",
    "20k-element list": "site in (" + ",".join(str(i) for i in range(20_000)) + ")",
    "20k-element list, narrowed": "site in (" + ",".join(str(i) for i in range(20_000)) + ") and site in (1, 2)",
    "5k alternatives": " or ".join(f"site = {i}" for i in range(5_000)),
    "many alternatives over two fields": " or ".join(f"(site = {i} and duration = {i})" for i in range(1_000)),
    "exponential product": " and ".join(f"(duration = {i} or type = form)" for i in range(40)),
    "many substrings": " or ".join(f'text contains "{i}"' for i in range(40)),
    "3k conjuncts": " and ".join(f"site in (1, 2, {i})" for i in range(3_000)),
    "huge number": "duration > " + "9" * 5_000,
    # a placeholder where the value of a list would go (a habit's hint found no value there)
    "placeholder after and": "type != chat and:sitestype != foresult r",
    "placeholder after or": "site = 1 or :x",
    # pasted requests the habits read: JSON nested past the decoder, a URL that is none
    "deeply nested JSON": '{"q":' + "[" * 100_000,
    "unclosed IPv6 host": "http://[::1",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input(text: str) -> None:
    try:
        q = leadq.compile(text)
    except leadq.LeadqError as e:
        assert e.diagnostics
        assert all(d.code != "E900" for d in e.diagnostics)
        str(e)  # renders without trouble
    else:
        assert leadq.analyze(text).q == q
    diagnostics = leadq.check(text)
    assert all(d.code != "E900" and 0 <= d.start <= d.end <= len(text) for d in diagnostics)
    leadq.explain(text)  # every other entry answers too, without an exception of its own
    assert all(d.code != "E900" for d in leadq.check(text, q=True))
    try:
        leadq.pushdown(text)
    except leadq.LeadqError as e:
        assert all(d.code != "E900" for d in e.diagnostics)


def test_deep_nesting_is_a_diagnostic() -> None:
    (d,) = leadq.check("not " * 10_000 + "phone_exists")
    assert d.code == "E106"


def test_deep_parentheses_alone_are_fine() -> None:
    assert leadq.compile("(" * 10_000 + "site = 1" + ")" * 10_000) == "site_ids=1"


def test_long_lists_narrowed_compile() -> None:
    assert leadq.compile(HOSTILE["20k-element list, narrowed"]) == "site_ids=1,2"


def test_idlist_longer_than_a_q_value_needs_a_plan() -> None:
    # one q value holds 255 characters; a plan splits the ids over several requests
    codes = {d.code for d in leadq.check(HOSTILE["20k-element list"])}
    assert codes == {"E402"}


def test_too_many_alternatives_is_reported() -> None:
    codes = {d.code for d in leadq.check(" and ".join(f'(duration = {i} or text contains "{i}")' for i in range(20)))}
    assert codes == {"E405"}


_EDGES = {
    "year 1 at +14:00": "0001-01-01T00:00:00+14:00",  # the year 0 in Moscow
    "year 1 in UTC": "0001-01-01T00:00:00+00:00",
    "the last minute in UTC": "9999-12-31T23:59:00+00:00",  # the year 10000 in Moscow
    "the last minute at -23:59": "9999-12-31T23:59:00-23:59",
}


@pytest.mark.parametrize("moment", _EDGES.values(), ids=_EDGES.keys())
def test_a_clock_at_the_edge_of_the_calendar_is_no_crash(moment: str) -> None:
    from datetime import datetime

    now = datetime.fromisoformat(moment)
    lead = {"site": {"id": 1}, "created_at": "9999-12-31T00:00:00", "city": "x"}
    for text in ("created_at = lastweek", "created_at = today", "site = 1"):
        whole = text + ' and city = "x"'
        split = leadq.pushdown(whole, now=now)  # periods resolved at `now`
        sent = any(leadq.evaluate_q(q, lead, now=now) for q in split.requests)
        assert (sent and split.matches(lead, now=now)) == leadq.evaluate(whole, lead, now=now)
        assert isinstance(leadq.evaluate_q(leadq.compile(text), lead, now=now), bool)
    items = leadq.complete("created_at = ", 13, now=now).items
    assert any(i.label[:4] in ("0001", "9999") for i in items)  # today's date, within the calendar


def test_relative_periods_at_the_last_second_are_exact() -> None:
    from datetime import UTC, datetime

    now = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)  # 10000-01-01T02:59 in Moscow
    lead = {"created_at": "9999-12-31T00:00:00"}
    assert leadq.evaluate("created_at = lastweek", lead, now=now)
    assert not leadq.evaluate("created_at = today", lead, now=now)  # Moscow's today is a day later
    assert leadq.pushdown("created_at = lastweek", now=now).requests == ("created_at>=9999-12-25T02:59:01",)
    # a lead's zoned time past the calendar's end is a moment after every date, not an error
    late = {"created_at": "9999-12-31T23:59:00-05:00"}
    assert leadq.evaluate("created_at > 9999-12-31T23:59:59", late)
    assert not leadq.evaluate("created_at > 2020-01-01", {"created_at": "0001-01-01T00:00:00+14:00"})


def test_a_run_refuses_a_clock_past_the_calendar_and_ignores_such_a_date_header() -> None:
    from datetime import UTC, datetime

    from leadq.client._http import server_time

    client = leadq.Client("t", base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="years 1 to 9999"):
        list(client.leads("site = 1", now=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)))
    assert server_time({"date": "Fri, 31 Dec 9999 23:59:59 GMT"}) is None
    assert server_time({"date": "Tue, 01 Dec 2026 05:00:00 GMT"}) == datetime(2026, 12, 1, 5, tzinfo=UTC)


_CALLS_CHAIN = [
    "id = 1", "site = 1", "department = 1", "employee = 1", 'visitor = "a"', "conversation = 1",
    'message_text = "s"', "result = missed", "rem_long_answer", "rem_transfer", "rem_empty", "rem_auto",
    "rem_lost_in_queue", "message_count > 5", "answer_time > 5", "duration > 5", "visitor_vote = positive",
    "operator_vote = 1", 'search_engine = "s"', 'ext_referer = "s"', 'int_referer = "s"',
    "created_at > 2024-01-01", 'keyword = "s"', "is_incoming",
]  # fmt: skip


def _spent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The most work any box algebra spent, as the test goes (a spy on `Budget.spend`)."""
    from leadq.analysis import boxes

    most = [0]
    spend = boxes.Budget.spend

    def spy(self: boxes.Budget, work: int) -> None:
        most[0] = max(most[0], boxes.MAX_WORK - self.left + work)
        spend(self, work)

    monkeypatch.setattr(boxes.Budget, "spend", spy)
    return most


def test_overlapping_alternatives_are_weighed_within_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # (a or b) and (b or c) and ...: each clause doubled the work (23 clauses: 3.6 s in check)
    from leadq.analysis.boxes import MAX_WORK

    spent = _spent(monkeypatch)
    c = _CALLS_CHAIN
    text = " and ".join(f"({c[i]} or {c[i + 1]})" for i in range(23))
    assert "E405" in {d.code for d in leadq.check(text, schema="Calls.list")}
    assert MAX_WORK < spent[0] <= MAX_WORK + 10_000  # it stopped where the budget ran out
    fewer = " and ".join(f"({c[i]} or {c[i + 1]})" for i in range(12))
    assert {d.code for d in leadq.check(fewer, schema="Calls.list")} == {"E402"}


def test_a_chain_of_overlapping_pairs_is_planned_without_subtracting_each(monkeypatch: pytest.MonkeyPatch) -> None:
    # (site = 1 and department = 2) or (department = 2 and assigned_to = 3) or ...: the
    # pieces were subtracted from one another (10,000 characters: check 3.3 s, pushdown
    # 12.8 s); a count of their cells shows that none can be covered
    fields = ["site", "department", "assigned_to", "created_by", "completed_by"]
    parts = [f"({fields[i % 5]} = {i + 1} and {fields[(i + 1) % 5]} = {i + 2})" for i in range(300)]
    spent = _spent(monkeypatch)
    text = " or ".join(parts)
    assert {d.code for d in leadq.check(text)} == {"E402"}
    leadq.pushdown(text, max_requests=1)
    assert spent[0] < 50_000


def _nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


#: Values a caller may pass that `repr` or `str` cannot write: an int past Python's 4,300
#: digits, a list nested past the recursion limit.
_UNWRITABLE = {"huge int": 10**4301, "huge negative int": -(10**4301), "deep list": _nested(1_000)}


@pytest.mark.parametrize("value", _UNWRITABLE.values(), ids=_UNWRITABLE.keys())
def test_a_value_no_repr_can_write_is_a_diagnostic(value: object) -> None:
    cases = (("result", "result = missed", "result=missed"), ("visitor", "visitor = a", "visitor_ids=a"))
    for lead_field, text, q in cases:
        lead = {lead_field: value}
        for run, given in ((leadq.evaluate, text), (leadq.evaluate_q, q)):
            with pytest.raises(leadq.LeadqError) as caught:
                run(given, lead)
            ((d,),) = [caught.value.diagnostics]
            assert d.code == "E309" and len(d.message) < 200, d.message
    with pytest.raises(leadq.LeadqError):
        leadq.pushdown('city = "x"').matches({"city": value})
    for text in ("text contains :x", "site = :x", "site in :x", "duration > :x", "phone_exists = :x"):
        for params in ({"x": value}, {"x": [value]}, {"x": {value} if isinstance(value, int) else [value]}):
            codes = {d.code for d in leadq.check(text, params)}
            assert codes and codes <= {"E301", "E302", "E311"}, (text, codes)
            with pytest.raises(leadq.LeadqError):
                leadq.pushdown(text, params)
