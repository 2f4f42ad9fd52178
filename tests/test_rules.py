"""The rule registry: every code, every finding key with an input that reports it, every fix
made as data and kept honest (a safe fix keeps the filter's meaning)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import compilable_trees

import leadq
from leadq.core import diagnostics
from leadq.core.fixes import FIXES, Applicability, Edit, Fix, apply_fixes
from leadq.core.messages import MESSAGES
from leadq.core.rules import RULES


def check(text: str, params: dict[str, object] | None = None, **options: Any) -> Callable[[], object]:
    return lambda: leadq.check(text, params, **options)


def raising(call: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return call()
        except leadq.LeadqError as e:
            return e.diagnostics

    return run


def _client_errors() -> object:
    from leadq.client._errors import ApiError, refused

    return [
        refused("site = 1", "POST /leads/list?q=site_ids=1", 400, '{"message": "no"}'),
        ApiError("api_gave_up", "site = 1", status=503, body="", request="POST /leads/list", attempts=6,
                 seconds=12.5, last="HTTP 503"),
        ApiError("api_bad_answer", "site = 1", status=200, body="<html>", request="POST /leads/list",
                 answer="<html>", what="JSON"),
    ]  # fmt: skip


def _internal() -> object:
    from leadq.api import _internal

    return _internal("site = 1", ValueError("boom"))


def _ignored(line: str) -> object:
    from leadq.files.sources import ignore_problems, read_source

    (item,), _ = read_source("saved.leadq", line + "\n")
    return ignore_problems(item)


_ONLINE = "EmployeeOnlineIntervals.listByEmployee"
_DAYS = leadq.Schema(
    "Days.list", (leadq.Criterion("date", (), leadq.FieldType.DATE), leadq.Criterion("time", (), leadq.FieldType.TIME))
)
_IDS = ", ".join(str(100_000 + i) for i in range(50))
_REPEATS = ", ".join(["1"] * 23)

#: One input per finding key: a call whose run reports that key.
EXAMPLES: dict[str, Callable[[], object]] = {
    # syntax
    "unexpected_character": check("site = 1 @"),
    "non_ascii_digit": check("site = \u0661"),
    "bad_datetime_form": check("created_at = 2024-01-31t10:00"),
    "unexpected_token": check("site in ()"),
    "unexpected_token_keyword": check("type = in"),
    "unexpected_token_operator": check("result missed"),
    "unexpected_end": check("site ="),
    "unterminated_string": check('text contains "abc'),
    "bad_escape": check('text contains "a\\qb"'),
    "too_deep": check("not " * 201 + "phone_exists"),
    "too_long": check("site = 1" + " " * 1_000_000),
    # habits of other languages with no certain fix (the rest come from tests/cases/mistakes.tsv)
    "sql_select_bare": check("SELECT *"),
    "like_pattern": check("text like '%a_b%'"),
    "number_unit_plain": check("site > 5 min"),
    "duration_as_date_other": check("created_at > 5 min"),
    "regex_other": check("text contains /a.*b/"),
    "date_form": check("site = 31.12.2024"),
    # names and operators
    "unknown_field": check("keyword = x"),
    "unknown_field_guess": check("siet = 1"),
    "lead_field_only": check('city = "Moscow"'),
    "wrong_operator": check("site < 5"),
    "period_operator": check("created_at > lastweek"),
    "not_boolean_field": check("site"),
    "unknown_sort_key": check("order by xyzzy"),
    "unknown_sort_key_guess": check("order by craeted_at"),
    "limit_range": check("limit 0"),
    "unknown_method": raising(lambda: leadq.schema("Xyzzy.qwerty")),
    "unknown_method_guess": raising(lambda: leadq.schema("Leads.lst")),
    "unknown_role": raising(lambda: leadq.check("site = 1", role="xyzzy-qwerty")),
    "unknown_role_guess": raising(lambda: leadq.check("site = 1", role="operatr")),
    "unknown_result_field": check("fields foo"),
    "unknown_result_field_guess": check("fields nmae"),
    "plain_result_field": check("fields name(x)"),
    "unknown_subfield": check("fields site(xyzzy)"),
    "unknown_subfield_guess": check("fields site(idd)"),
    # values
    "not_an_id": check("site = -1"),
    "non_ascii_digits": check('created_at = "\uff12\uff10\uff12\uff14-01-01"'),
    "not_a_string_id": check("visitor = 1.5"),
    "not_a_boolean": check("phone_exists = maybe"),
    "q_not_a_boolean": check("phone_exists=maybe", q=True),
    "not_a_number": check("duration = fast"),
    "number_too_large": check("duration > 99999999999999999999"),
    "not_an_enum_value": check("type = xyzzy"),
    "not_an_enum_value_guess": check("result = Missed"),
    "fraction": check("duration > 1.5"),
    "not_a_date": check("created_at = true"),
    "bad_date": check("created_at = 2024-02-30"),
    "value_empty": check('text contains ""'),
    "value_control": check('text contains "a\x01"'),
    "value_outer_space": check('text contains " a"'),
    "value_injects_term": check('text contains "x site_ids=5"'),
    "id_with_separator": check('visitor = "a,b"'),
    "value_too_long": check('text contains "' + "a" * 256 + '"'),
    "period_as_bound": check("created_at between lastweek and 2024-01-01"),
    "period_mixed": check("created_at = lastweek and created_at > 2024-01-01"),
    "param_missing": check("site = :s"),
    "param_type": check("site = :s", {"s": "x"}),
    "param_not_a_list": check("site in :s", {"s": 1}),
    "param_list_empty": check("site in :s", {"s": []}),
    "param_fraction": check("created_at > :t", {"t": datetime(2024, 1, 1, 0, 0, 0, 5)}),
    "param_unused": check("site = 1", {"x": 1}),
    "needs_clock": raising(lambda: leadq.evaluate("created_at = lastweek", {"created_at": "2024-01-01T00:00:00"})),
    "bad_lead": raising(lambda: leadq.evaluate("duration > 1", {"duration": "60"})),
    "residual_hidden": raising(lambda: leadq.pushdown('text contains "a" and text contains "b"', role="chief")),
    "residual_unreadable": raising(
        lambda: leadq.pushdown('message_text contains "x" and message_text contains "y"', schema="Chats.list")
    ),
    "evaluate_unreadable": raising(lambda: leadq.evaluate('message_text contains "x"', {}, schema="Chats.list")),
    "not_a_day": check("date = fast", schema=_ONLINE),
    "not_a_time_of_day": check("time > fast", schema=_ONLINE),
    # a raw q read on objects that hold the day and the time (no shipped method's do)
    "q_not_a_day": raising(lambda: leadq.evaluate_q("date=x", {"date": "2024-01-01"}, schema=_DAYS)),
    "q_not_a_time_of_day": raising(lambda: leadq.evaluate_q("time>=x", {"time": "10:00:00"}, schema=_DAYS)),
    # other methods' limits
    "required_missing": check("", schema="Locations.list"),
    "no_parameter": check("site = 1 limit 5", schema="Stats.siteSummary"),
    "reference_only": check("queue_time > 5", schema="Chats.list"),
    "interval_too_long": check("created_at between 2024-01-01 and 2024-03-15", schema="EmployeeChats.list"),
    "interval_far_too_long": check("created_at between 2000-01-01 and 2024-03-15", schema="EmployeeChats.list"),
    "interval_open": check("created_at >= 2024-01-01", schema="EmployeeChats.list"),
    "period_too_long": check("created_at = lastyear", schema="EmployeeChats.list"),
    # meaning
    "never_true": check("created_at > 9999-12-31"),
    "contradicts": check("result = missed and result = completed"),
    "needs_several": check("site in (1,2) or result = missed"),
    "one_value_per_term": check("type != chat"),
    "several_terms": check('text contains "a" or text contains "b"'),
    "separate_ranges": check("duration < 10 or duration > 20"),
    "id_list_too_long": check(f"site in ({_IDS})"),
    "exclusion": check("site != 3"),
    "contains_negated": check('text not contains "a"'),
    "period_negated": check("not created_at = lastweek"),
    "too_complex": check(" and ".join(f'(duration = {i} or text contains "{i}")' for i in range(20))),
    "too_many_requests": raising(lambda: leadq.plan("type != chat", max_requests=1)),
    # raw q strings
    "unknown_term": check("foo=1", q=True),
    "unknown_term_guess": check("siet_ids=1", q=True),
    "unsupported_term": check("keyword=x", q=True),
    "q_missing_operator": check("site_ids 1", q=True),
    "q_no_value": check("site_ids=", q=True),
    "q_ampersand": check("site_ids=1,2&result=missed", q=True),
    "ignore_unknown_guess": lambda: _ignored("site = 1  # leadq: ignore[W699]"),
    "ignore_unknown": lambda: _ignored("site = 1  # leadq: ignore[X]"),
    "q_equals_only": check("type>form", q=True),
    "q_empty_id": check("site_ids=1,", q=True),
    "q_bad_id": raising(lambda: leadq.evaluate_q("site_ids=a", {"site": {"id": 1}})),
    "q_not_a_number": raising(lambda: leadq.evaluate_q("duration>=x", {"duration": 1})),
    "q_not_a_date": raising(lambda: leadq.evaluate_q("created_at>=x", {"created_at": "2024-01-01T00:00:00"})),
    # warnings and notes
    "value_with_space": check('text contains "a b"'),
    "implied": check("site in (1,2) and site in (1,2,3)"),
    "always_true": check("result in (missed, completed) and site = 1"),
    "empty_filter": check(""),
    "duplicate_value": check("site in (1, 1)"),
    "more_duplicates": check(f"site in ({_REPEATS})"),
    "stored_period": check("created_at = lastweek", stored=True),
    "role_hidden": check('text contains "a"', role="operator"),
    "repeated_hour": check("created_at >= 2010-10-30T22:30:00Z"),
    "alias": check('entry_page = "/a"'),
    "q_alias": check("entry_page=/a", q=True),
    "q_datetime_equals": check("created_at=2024-01-31", q=True),
    # running through the API, and leadq's own bugs
    "api_refused": _client_errors,
    "api_gave_up": _client_errors,
    "api_bad_answer": _client_errors,
    "internal": _internal,
}


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The finding keys that become diagnostics while the test runs."""
    keys: list[str] = []
    make = diagnostics.Report.make

    def recording(self: diagnostics.Report, f: diagnostics.Finding) -> leadq.Diagnostic:
        keys.append(f.key)
        return make(self, f)

    monkeypatch.setattr(diagnostics.Report, "make", recording)
    yield keys


#: The mistakes people bring from other languages, each with the key it must report
#: (tests/test_mistakes.py): inputs for the habits' finding keys.
CORPUS = [
    line.split("\t")[0]
    for line in (Path(__file__).parent / "cases" / "mistakes.tsv").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]

#: Finding keys of a run through the API, whose inputs are servers that misbehave: each has
#: its test in tests/test_client.py, tests/test_fetch_faults.py and tests/test_every_method.py.
RUN_KEYS = {
    "api_forbidden", "api_gave_up_connect", "api_gave_up_timeout", "api_no_host", "api_tls", "api_tls_certificate",
    "api_unauthorized", "api_wait_too_long", "api_wrong_page", "run_capped", "run_no_date", "run_offset_shifted",
    "run_plan", "run_second_unstable",
}  # fmt: skip


def test_every_finding_key_has_an_example(made: list[str]) -> None:
    assert set(EXAMPLES) <= set(MESSAGES)
    for example in EXAMPLES.values():
        example()
    for text in CORPUS:
        leadq.check(text)
    assert set(MESSAGES) - set(made) == RUN_KEYS


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_each_example_reports_its_key(key: str, made: list[str]) -> None:
    EXAMPLES[key]()
    assert key in made, made


def test_the_registry_joins_codes_messages_and_fixes() -> None:
    assert set(RULES) == set(leadq.CODES)
    assert {m.code for m in MESSAGES.values()} <= set(RULES)  # no message names a code that is not there
    assert set(FIXES) <= set(MESSAGES)
    for code, rule in RULES.items():
        assert leadq.CODES[code] == leadq.Code(code, rule.severity, rule.title)
        assert {k for k, m in MESSAGES.items() if m.code == code} == set(rule.messages)
        assert set(rule.fixes) == set(rule.messages) & set(FIXES)
    assert isinstance(leadq.CODES, MappingProxyType)  # read-only, as it always was
    with pytest.raises(TypeError):
        leadq.CODES["E999"] = leadq.Code("E999", leadq.Severity.ERROR, "x")  # type: ignore[index]


def test_rule_prints_the_fix_availability() -> None:
    from test_cli import run, run_process

    assert "Autofix: safe" in run_process("rule", "W604").stdout
    assert "Autofix: unsafe" in run("rule", "E201").stdout
    assert "Autofix: none" in run("rule", "E402").stdout


# -- each fix, as data -------------------------------------------------------------------------

#: Each key with a fix: an input, and the text its fix makes (and whether it is safe).
FIXED: dict[str, tuple[str, dict[str, Any], str, Applicability]] = {
    "unexpected_token_operator": ("result missed", {}, "result = missed", Applicability.UNSAFE),
    "unexpected_token_keyword": ("type = in", {}, 'type = "in"', Applicability.UNSAFE),
    "unterminated_string": ('text contains "abc', {}, 'text contains "abc"', Applicability.UNSAFE),
    "bad_escape": ('text contains "a\\qb"', {}, 'text contains "a\\\\qb"', Applicability.UNSAFE),
    "unknown_field_guess": ("siet = 1", {}, "site = 1", Applicability.UNSAFE),
    "period_operator": ("created_at > lastweek", {}, "created_at = lastweek", Applicability.UNSAFE),
    "unknown_sort_key_guess": ("order by craeted_at", {}, "order by created_at", Applicability.UNSAFE),
    "unknown_result_field_guess": ("fields nmae", {}, "fields name", Applicability.UNSAFE),
    "unknown_subfield_guess": ("fields site(idd)", {}, "fields site(id)", Applicability.UNSAFE),
    "plain_result_field": ("fields id, name(x)", {}, "fields id, name", Applicability.UNSAFE),
    "not_an_enum_value_guess": ("result = Missed", {}, "result = missed", Applicability.UNSAFE),
    "unknown_term_guess": ("siet_ids=1 result=missed", {"q": True}, "site_ids=1 result=missed", Applicability.UNSAFE),
    "implied": ("site in (1,2) and site in (1,2,3)", {}, "site in (1,2)", Applicability.SAFE),
    "always_true": ("result in (missed, completed) and site = 1", {}, "site = 1", Applicability.SAFE),
    "duplicate_value": ("site in (1, 2, 1)", {}, "site in (1, 2)", Applicability.SAFE),
    # the 21st and 22nd repeats go with this one (the first 20 have their own W604)
    "more_duplicates": (f"site in ({_REPEATS})", {}, f"site in ({', '.join(['1'] * 21)})", Applicability.SAFE),
    "alias": ('entry_page = "/a"', {}, 'enter_page = "/a"', Applicability.SAFE),
    "q_alias": ("entry_page=/a", {"q": True}, "enter_page=/a", Applicability.SAFE),
}

#: The habits of other languages (leadq/language/habits.py), each fix with an input from
#: tests/cases/mistakes.tsv: safe where the other language's text has one reading.
FIXED |= {
    "between_and": ("duration between 10, 20", {}, "duration between 10 and 20", Applicability.SAFE),
    "colon_condition": ("result:missed", {}, "result = missed", Applicability.SAFE),
    "comma_join": ("site = 1, result = missed", {}, "site = 1 and result = missed", Applicability.UNSAFE),
    "comment": ("result = missed -- hot leads", {}, "result = missed ", Applicability.SAFE),
    "composed_operator": ("result === missed", {}, "result = missed", Applicability.SAFE),
    "date_math": ("created_at > now-7d", {}, "created_at = lastweek", Applicability.UNSAFE),
    "decimal_comma": ("duration > 1,5", {}, "duration > 1.5", Applicability.UNSAFE),
    "dot_range": ("duration = 10..20", {}, "duration between 10 and 20", Applicability.SAFE),
    "dotted_date": ("created_at = 01.02.2024", {}, "created_at = 2024-02-01", Applicability.UNSAFE),
    "doubled_quote": ("text contains 'it''s'", {}, 'text contains "it\'s"', Applicability.SAFE),
    "duration_as_date": ("created_at >= -7d", {}, "created_at = lastweek", Applicability.UNSAFE),
    "equals_list": ("site = 1,2", {}, "site in (1, 2)", Applicability.SAFE),
    "foreign_keyword": ("result = missed и site = 1", {}, "result = missed and site = 1", Applicability.SAFE),
    "function_call": ("assignee = currentUser()", {}, "is_managed", Applicability.UNSAFE),
    "fuzzy": ("text contains refund~2", {}, 'text contains "refund"', Applicability.UNSAFE),
    "invisible": ("site\u200b = 1", {}, "site = 1", Applicability.SAFE),
    "is_boolean": ("phone_exists is true", {}, "phone_exists", Applicability.SAFE),
    "is_null": ("email IS NULL", {}, "not email_exists", Applicability.SAFE),
    "like": ("text LIKE '%x%'", {}, 'text contains "x"', Applicability.SAFE),
    "limit_comma": ("limit 20, 10", {}, "limit 10 offset 20", Applicability.SAFE),
    "list_without_comma": ("site in (1 2)", {}, "site in (1, 2)", Applicability.SAFE),
    "list_without_parens": ("site in 1, 2", {}, "site in (1, 2)", Applicability.SAFE),
    "logic_function": ("=AND(result = missed, site = 1)", {}, "result = missed and site = 1", Applicability.SAFE),
    "logic_symbol": ("result = missed && site = 1", {}, "result = missed and site = 1", Applicability.SAFE),
    "lucene_range": ("duration = [10 TO 20]", {}, "duration between 10 and 20", Applicability.SAFE),
    "missing_and": ("result = missed site = 1", {}, "result = missed and site = 1", Applicability.UNSAFE),
    "number_unit": ("duration > 5 минут", {}, "duration > 300", Applicability.UNSAFE),
    "operator_without_field": ("duration > 1 and < 5", {}, "duration > 1 and duration < 5", Applicability.SAFE),
    "order_without_by": ("order created_at", {}, "order by created_at", Applicability.SAFE),
    "period_phrase": ("created_at = last week", {}, "created_at = lastweek", Applicability.SAFE),
    "quoted_field": ('"result" = missed', {}, "result = missed", Applicability.SAFE),
    "range_dash": ("duration = 10-20", {}, "duration between 10 and 20", Applicability.UNSAFE),
    "raw_q": ("site_ids=1 result=missed", {}, "site = 1 and result = missed", Applicability.SAFE),
    "regex": (
        "text contains /refund|return/",
        {},
        'text contains "refund" or text contains "return"',
        Applicability.UNSAFE,
    ),
    "semicolon": ("result = missed; site = 1", {}, "result = missed and site = 1", Applicability.UNSAFE),
    "short_date": ("created_at = 2024-1-5", {}, "created_at = 2024-01-05", Applicability.SAFE),
    "slashed_date": ("created_at = 2024/01/05", {}, "created_at = 2024-01-05", Applicability.SAFE),
    "smart_quote": ("text contains «доставка»", {}, 'text contains "доставка"', Applicability.SAFE),
    "sort_by": ("sort by created_at", {}, "order by created_at", Applicability.SAFE),
    "sort_direction": ("order by created_at descending", {}, "order by created_at desc", Applicability.SAFE),
    "sort_minus": ("order by -created_at", {}, "order by created_at desc", Applicability.SAFE),
    "sort_several": ("order by created_at desc, duration", {}, "order by created_at desc", Applicability.UNSAFE),
    "spaced_datetime": ("created_at = 2024-01-05 10:00", {}, "created_at = 2024-01-05T10:00", Applicability.SAFE),
    "sql_select": ("SELECT * FROM leads WHERE result = missed", {}, "result = missed", Applicability.UNSAFE),
    "sql_where": ("WHERE result = missed", {}, "result = missed", Applicability.SAFE),
    "square_list": ("site in [1, 2]", {}, "site in (1, 2)", Applicability.SAFE),
    "tail_equals": ("limit=20", {}, "limit 20", Applicability.SAFE),
    "tail_order": ("offset 10 limit 20", {}, "limit 20 offset 10", Applicability.SAFE),
    "tilde": ('text ~ "refund"', {}, 'text contains "refund"', Applicability.UNSAFE),
    "trailing_comma": ("site IN (1, 2,)", {}, "site IN (1, 2)", Applicability.SAFE),
    "trailing_semicolon": ("result = missed;", {}, "result = missed", Applicability.SAFE),
    "unexpected_character_quote": (
        "enter_page = https://example.com/landing",
        {},
        'enter_page = "https://example.com/landing"',
        Applicability.SAFE,
    ),
    "unopened_paren": ("site = 1)", {}, "site = 1", Applicability.UNSAFE),
    "value_without_field": ("site = 1 or 2", {}, "site in (1, 2)", Applicability.SAFE),
    "wildcard": ("text contains *refund*", {}, 'text contains "refund"', Applicability.SAFE),
    "word_operator": ("result eq missed", {}, "result = missed", Applicability.SAFE),
    "words_value": ("text contains refund request", {}, 'text contains "refund request"', Applicability.UNSAFE),
}


def test_every_fix_has_an_example() -> None:
    assert sorted(FIXED) == sorted(FIXES)


@pytest.mark.parametrize("key", sorted(FIXED))
def test_each_fix_makes_its_text(key: str) -> None:
    text, options, fixed, applicability = FIXED[key]
    wanted = [d for d in leadq.check(text, **options) if d.message == _message(key, text, options)]
    assert wanted, leadq.check(text, **options)
    (fix,) = wanted[-1].fixes
    assert isinstance(fix, Fix) and fix.applicability is applicability and fix.title
    assert fix.apply(text) == fixed


def _message(key: str, text: str, options: dict[str, Any]) -> str:
    """The message the key makes on this input (to pick its diagnostic among others)."""
    from leadq.core.messages import render_message

    made: list[diagnostics.Finding] = []
    make = diagnostics.Report.make

    def recording(self: diagnostics.Report, f: diagnostics.Finding) -> leadq.Diagnostic:
        made.append(f)
        return make(self, f)

    diagnostics.Report.make = recording  # type: ignore[method-assign]
    try:
        leadq.check(text, **options)
    finally:
        diagnostics.Report.make = make  # type: ignore[method-assign]
    f = [f for f in made if f.key == key][-1]
    return render_message(f.key, f.fields, text)[1]


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("site = 1 and (site = 1)", "site = 1"),
        ("(site = 1 and site in (1,2)) and result = missed", "(site = 1) and result = missed"),
        ("site in (1,2) AND site = 1", "site = 1"),
        ("site = 1 and site = 1 and site = 1", "site = 1"),
        ("site = 1 and (site = 1 and result = missed)", "site = 1 and (result = missed)"),
        ("site in (1, 1, 2, 1)", "site in (1, 2)"),
        ("site in (1,2) and site = 1 order by created_at", "site = 1 order by created_at"),
    ],
)
def test_safe_fixes_of_one_round(text: str, fixed: str) -> None:
    got, _ = apply_fixes(text, [f for d in leadq.check(text) for f in d.fixes])
    assert got == fixed
    assert leadq.fingerprint(got) == leadq.fingerprint(text)


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("result in (missed, completed) and result in (missed, completed)", None),  # nothing would be left
        ("site in (1, :a, 1)", {"a": 1}),  # only the written repeat goes; the parameter stays used
        ("site in :s", {"s": [1, 1]}),
        ("site in (1,2) and (site = 1)", None),
    ],
)
def test_no_fix_where_it_is_not_certain(text: str, params: dict[str, object] | None) -> None:
    found = leadq.check(text, params)
    assert found
    for d in found:
        for fix in d.fixes:
            new = fix.apply(text)
            assert leadq.check(new, params) == [] or d.code == "W604", (d, new)
            assert ":a" in new or ":a" not in text


def test_a_fix_is_frozen_data_on_the_diagnostic() -> None:
    (d,) = leadq.check("siet = 1")
    assert d.fixes == (Fix("Replace with `site`", (Edit(0, 4, "site"),), Applicability.UNSAFE),)
    assert not d.fixes[0].safe
    assert leadq.Diagnostic("E1", leadq.Severity.ERROR, "m", 0, 1, 1, 1).fixes == ()


def test_a_recipe_may_apply_the_edit_a_pass_worked_out() -> None:
    from leadq.core.fixes import Apply
    from leadq.core.span import Span

    made = Apply().build(Span(7, 9), {"edit": (7, 9, "!="), "fix": "!="}, "result <> missed")
    assert made == Fix("Write `!=`", (Edit(7, 9, "!="),), Applicability.UNSAFE)
    assert made.apply("result <> missed") == "result != missed"
    assert Apply().build(Span(7, 9), {"edit": None}, "result <> missed") is None


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    a = Fix("a", (Edit(0, 4, "x"),), Applicability.SAFE)
    b = Fix("b", (Edit(2, 6, "y"),), Applicability.SAFE)
    c = Fix("c", (Edit(6, 6, "!"),), Applicability.SAFE)
    text, taken = apply_fixes("abcdefgh", [b, c, a])
    assert (text, taken) == ("xef!gh", [a, c])


def test_rendered_diagnostics_mark_what_fix_would_fix() -> None:
    text = "site in (1, 1) and siet = 2"
    shown = leadq.render_diagnostics(leadq.check(text), text)
    assert "W604 [*] `1` is listed twice" in shown and "E201 unknown field" in shown
    assert "E201 [*] unknown field" in leadq.render_diagnostics(leadq.check(text), text, unsafe_fixes=True)


# -- safe fixes keep the meaning ------------------------------------------------------------------


def _noisy(text: str, data: st.DataObject) -> str:
    """A filter with the slips safe fixes mend: an alias, a repeated list value, the
    whole filter said twice."""
    if data.draw(st.booleans()):
        text = text.replace("enter_page", "entry_page")
    m = re.search(r" in \(([0-9]+|[a-z]+)", text)
    if m and data.draw(st.booleans()):
        text = text[: m.end()] + f", {m.group(1)}" + text[m.end() :]
    if data.draw(st.booleans()):
        text = f"({text}) and ({text})"
    return text


@settings(max_examples=80, deadline=None)
@given(compilable_trees().map(leadq.format), st.data())
def test_safe_fixes_keep_the_meaning(formatted: str, data: st.DataObject) -> None:
    from leadq.files.fixes import fix_filters

    text = _noisy(formatted, data)
    before = leadq.analyze(text)
    (done,) = fix_filters([text], lambda numbers, texts: [leadq.check(t) for t in texts])
    after = leadq.analyze(done.text)
    assert [d.code for d in after.errors] == [d.code for d in before.errors]
    if before.ok:
        assert leadq.fingerprint(done.text) == leadq.fingerprint(text)
        assert [d for d in after.diagnostics if any(f.safe for f in d.fixes)] == []
    assert (done.fixes > 0) == (done.text != text)
