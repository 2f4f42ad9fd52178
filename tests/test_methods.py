"""Every list method of the API that takes `q`, from the API's own schema.

The tables (leadq/schemas/livetex.py) are generated from the evidence in
tests/data/livetex-api-schema; these tests keep them equal to the generator's output, check
that every method's schema is sound, and run the table of cases (tests/cases/methods.tsv)
and an exactness property over every method.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import NOW, compilable_trees, leads
from tables import CASES

import leadq
from leadq.schemas import generate, livetex
from leadq.schemas.kinds import KINDS, kind_of

EVIDENCE = Path(__file__).parent / "data" / "livetex-api-schema"


def _cases() -> list[tuple[str, str, str]]:
    out = []
    for line in (CASES / "methods.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            method, text, want = line.split("\t")
            out.append((method, text, want))
    return out


def test_the_tables_are_the_generators_output() -> None:
    assert generate.generate(EVIDENCE) == generate.OUTPUT.read_text(encoding="utf-8"), (
        "run `python -m leadq.schemas.generate`"
    )


def test_the_reference_pages_are_current() -> None:
    from leadq.schemas import reference

    docs = Path(__file__).parent.parent / "docs" / "methods"
    wanted = reference.pages()
    assert sorted(p.name for p in docs.glob("*.md")) == sorted(wanted)
    for name, text in wanted.items():
        assert (docs / name).read_text(encoding="utf-8") == text, f"run `python -m leadq.schemas.reference` ({name})"
    chats = wanted["Chats.list.md"]
    assert "| `result` |  | `result` | enum, a list in one term | `missed`, `completed` |" in chats
    assert "listed by the reference only (W609)" in chats
    assert "A client pages by keyset on `created_at` (ascending)" in chats
    assert "an interval of at most **30 days**" in wanted["EmployeeChats.list.md"]
    assert "**required** in every request" in wanted["Locations.list.md"]


def test_an_unknown_method_or_role_is_not_called_a_filter() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.schema("chats")
    assert str(caught.value).startswith("<method>:1:1: E211 leadq knows no API method `chats`")
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.check("site = 1", role="operater")
    assert str(caught.value).startswith("<role>:1:1: E212")
    assert str(leadq.LeadqError(leadq.check("sit = 1"), "sit = 1")).startswith("<filter>:1:1: E201")


def test_the_command_lists_and_prints_methods() -> None:
    import subprocess
    import sys

    leadq_script = str(Path(sys.executable).parent / "leadq")
    listed = subprocess.run([leadq_script, "methods"], capture_output=True, text=True, check=True).stdout
    assert [line.split()[0] for line in listed.splitlines()] == list(leadq.METHODS)
    one = subprocess.run([leadq_script, "method", "CHATS.list"], capture_output=True, text=True, check=True).stdout
    from leadq.schemas.reference import page

    assert one == page(leadq.schema("Chats.list"))
    wrong = subprocess.run([leadq_script, "method", "chat.list"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "E211" in wrong.stderr and "did you mean `Chats.list`?" in wrong.stderr
    q = subprocess.run(
        [leadq_script, "compile", "--method", "tickets.list", "priority = high and status = closed"],
        capture_output=True,
        text=True,
    )
    assert (q.returncode, q.stdout) == (0, "priority=high status=closed\n")


def test_every_method_with_a_q_table_is_in_the_registry() -> None:
    expected = set()
    for path in (EVIDENCE / "implementation" / "Methods").glob("*.json"):
        for method, spec in json.loads(path.read_text(encoding="utf-8")).items():
            if "q" in spec.get("fields_validation", {}):
                expected.add(f"{path.stem}.{method}")
    assert set(leadq.METHODS) == expected
    assert len(leadq.METHODS) == 50  # the evidence has 50 (docs/decisions.md)


@pytest.mark.parametrize("name", sorted(livetex.METHODS))
def test_every_schema_is_sound(name: str) -> None:
    s = leadq.schema(name)
    assert s.method == name and leadq.schema(name.upper()) is s
    assert s.endpoint.startswith("https://web-api.livetex.ru/") and s.endpoint.endswith("/" + name.split(".")[1])
    spellings = collections.Counter(n for c in s.criteria for n in {c.name, *c.aliases})
    assert [n for n, count in spellings.items() if count > 1] == []  # no name means two criteria
    for c in s.criteria:
        assert c.kind_name in KINDS, c
        assert kind_of(c).name and c.kind.operators  # the row and its kind agree
        if c.kind_name in ("enum", "enum:list"):
            assert c.values, c
    assert set(s.sort_keys) == {v.partition(":")[0] for v in s.sorts}
    assert not s.default_sort or s.default_sort in s.sorts
    assert set(s.access) == set(s.roles)
    if s.paging_key:
        assert s.lookup(s.paging_key) is not None and s.paging_key in s.sort_keys
    # a condition on each criterion, of a shape its kind takes, checks without a crash
    for c in s.criteria:
        for d in leadq.check(f"{c.display} = x", schema=s):
            assert d.code != "E900", (c, d)


def test_leads_keep_their_hand_written_schemas() -> None:
    assert leadq.METHODS["Leads.list"] is leadq.LEADS_LIST
    assert leadq.schema("leads.listrouted") is leadq.LEADS_LIST_ROUTED
    assert leadq.compile("enter_page = x") == "enter_page=x"  # the documented name, as before
    assert leadq.check("int_referer = x") == []  # no W609 on Leads.list: its behaviour is kept


def test_differences_between_reference_and_validator_are_data() -> None:
    chats = leadq.schema("Chats.list")
    assert chats.lookup("queue_time").source == "reference"  # type: ignore[union-attr]
    assert chats.lookup("keyword").source == "implementation"  # type: ignore[union-attr]
    assert chats.lookup("result").kind_name == "enum:list"  # type: ignore[union-attr]
    assert leadq.schema("Calls.list").lookup("result").kind_name == "enum"  # type: ignore[union-attr]
    assert leadq.schema("Leads.list").access["operator"] == "managed"  # the reference's table
    assert {r[0]: r[1] for r in livetex.METHODS["Leads.list"]["roles"]}["operator"] == "user"  # the validator's


@pytest.mark.parametrize(("method", "text", "want"), _cases(), ids=[f"{m}: {t}" for m, t, _ in _cases()])
def test_method_cases(method: str, text: str, want: str) -> None:
    a = leadq.analyze(text, schema=method)
    if want[:1] in ("E", "W"):
        expected = [(code, int(start), int(end)) for code, start, end in (item.split() for item in want.split("; "))]
        assert [(d.code, d.start, d.end) for d in a.diagnostics] == expected
    else:
        assert a.q == want, a.diagnostics
        assert leadq.compile(leadq.format(leadq.decompile(want, schema=method)), schema=method) == want


def test_windows_plan_a_longer_interval_exactly() -> None:
    p = leadq.plan("created_at between 2024-01-01 and 2024-03-15 and employee = 2", schema="EmployeeChats.list")
    assert p.disjoint
    assert p.requests == (
        "employee_ids=2 created_at>=2024-01-01T00:00:00 created_at<=2024-01-30T23:59:59",
        "employee_ids=2 created_at>=2024-01-31T00:00:00 created_at<=2024-02-29T23:59:59",
        "employee_ids=2 created_at>=2024-03-01T00:00:00 created_at<=2024-03-15T23:59:59",
    )
    month = leadq.plan("date between 2024-01-31 and 2024-04-01", schema="Stats.onlineIntervals").requests
    assert month[:2] == (
        "date>=2024-01-31T00:00:00 date<=2024-02-28T23:59:59",  # a calendar month, clamped to February
        "date>=2024-02-29T00:00:00 date<=2024-03-28T23:59:59",
    )
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.plan("created_at >= 2024-01-01", schema="EmployeeChats.list")
    assert [d.code for d in caught.value.diagnostics] == ["E408"]
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.plan("created_at between 2020-01-01 and 2024-01-01", schema="EmployeeChats.list")
    assert [d.code for d in caught.value.diagnostics] == ["E406"]


def test_too_many_windows_are_never_all_written(monkeypatch: pytest.MonkeyPatch) -> None:
    # a millennium in 30-day windows: the plan stops one window past its limit (E406)
    from leadq.schemas.kinds import datetime as kind

    ends: list[int] = []
    counting = kind.window_end

    def window_end(start: int, limit: str) -> int:
        ends.append(start)
        return counting(start, limit)

    monkeypatch.setattr(kind, "window_end", window_end)
    text = "created_at between 0001-01-02 and 9999-12-30"
    for run in (leadq.plan, leadq.pushdown):
        ends.clear()
        with pytest.raises(leadq.LeadqError) as caught:
            run(text, schema="EmployeeChats.list", max_requests=5)
        assert caught.value.diagnostics[0].code == "E406"  # pushdown says what plan says, not "bound it"
        assert "more than 5 requests" in caught.value.diagnostics[0].message
        assert 0 < len(ends) < 100, len(ends)
    # ten such intervals: each stops early too
    ends.clear()
    with pytest.raises(leadq.LeadqError):
        leadq.plan(" or ".join([text] * 10), schema="EmployeeChats.list")
    assert 0 < len(ends) < 1000


def test_explain_shows_the_windows_or_why_there_are_none() -> None:
    shown = leadq.explain("created_at between 2024-01-01 and 2024-02-20", schema="EmployeeChats.list")
    assert "plan: 2 requests:" in shown and "q: created_at>=2024-01-31T00:00:00" in shown
    shown = leadq.explain("created_at between 2000-01-01 and 2024-12-31", schema="EmployeeChats.list")
    assert "no plan either:\n  E406 the filter needs more than 16 requests" in shown


def test_required_criteria_in_every_request() -> None:
    assert leadq.plan('title contains "a" or title contains "b"', schema="Locations.list").requests == (
        "title=a",
        "title=b",
    )
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.plan('title contains "a" or title contains "b" or true_never = 1', schema="Locations.list")
    assert caught.value.diagnostics[0].code == "E201"
    assert [d.code for d in leadq.check("", schema="Locations.list")] == ["E213"]


def test_the_comma_list_enumeration_reads_and_evaluates() -> None:
    tree = leadq.decompile("result=missed,completed site_ids=1", schema="Chats.list")
    assert leadq.format(tree) == "result in (missed, completed) and site = 1"
    chat = {"result": "missed", "site": {"id": 1}}
    assert leadq.evaluate_q("result=missed,completed site_ids=1", chat, schema="Chats.list")
    assert not leadq.evaluate_q("result=completed", chat, schema="Chats.list")


def test_what_the_returned_object_does_not_hold_is_never_checked_here() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.evaluate('message_text contains "x"', {}, schema="Chats.list")
    assert [d.code for d in caught.value.diagnostics] == ["E314"]
    # sent whole, it needs no local check
    assert leadq.pushdown('message_text contains "x"', schema="Chats.list").requests == ("message_text=x",)
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.pushdown('message_text contains "x" and message_text contains "y"', schema="Chats.list")
    assert [d.code for d in caught.value.diagnostics] == ["E314"]


def test_fields_beyond_q_are_typed_from_the_object() -> None:
    p = leadq.pushdown('result = missed and is_closed and site.url = "a.ru"', schema="Chats.list")
    assert p.requests == ("result=missed",)
    assert p.residual == 'is_closed and site.url = "a.ru"'
    assert p.matches({"is_closed": True, "site": {"id": 1, "url": "a.ru"}})
    assert "messages" in leadq.schema("Chats.list").result_fields


# -- exactness over every method ------------------------------------------------------------

def _schemas() -> list[leadq.Schema]:
    return [leadq.METHODS[name] for name in leadq.METHODS]


@st.composite
def _method_and_tree(draw: st.DrawFn) -> tuple[leadq.Schema, leadq.Node]:
    s = draw(st.sampled_from(_schemas()))
    readable = leadq.Schema(s.method, tuple(c for c in s.criteria if c.readable and not c.max_interval))
    if not readable.criteria:
        readable = leadq.LEADS_LIST
        s = leadq.LEADS_LIST
    return s, draw(compilable_trees(readable))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_method_and_tree(), st.integers(0, 2**32))
def test_compiled_q_selects_exactly_the_filter_in_every_method(
    case: tuple[leadq.Schema, leadq.Node], seed: int
) -> None:
    schema, tree = case
    text = leadq.format(tree)
    a = leadq.analyze(text, schema=schema)
    sample = leads(tree, seed, 20, schema)
    event(schema.method if schema.method in ("Chats.list", "EmployeeOnlineIntervals.listBySite") else "other method")
    event("q" if a.q is not None else ",".join(sorted({d.code for d in a.errors})))
    if a.q is not None:
        for obj in sample:
            want = leadq.evaluate(tree, obj, now=NOW, schema=schema)
            assert leadq.evaluate_q(a.q, obj, now=NOW, schema=schema) == want, (schema.method, text, a.q, obj)
    elif {d.code for d in a.errors} <= {"E402", "E407"}:
        try:
            p = a.plan(64)
        except leadq.LeadqError:
            return
        for obj in sample:
            matched = [leadq.evaluate_q(q, obj, now=NOW, schema=schema) for q in p.requests]
            assert any(matched) == leadq.evaluate(tree, obj, now=NOW, schema=schema), (schema.method, text, p, obj)


def test_one_file_holds_filters_of_several_methods(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "f.leadq").write_text(
        "# leadq: method Chats.list\nresult = missed and site = 1\ntype = form\n"
        "# leadq: method Leads.list\ntype = form\n# leadq: method Chat.lst\nsite = 1\n",
        encoding="utf-8",
    )
    (tmp_path / "f.toml").write_text(
        '[leads]\nsame = "type = form"\n[chats]\nmethod = "chats.list"\n'
        'missed = "result = missed"\nbad = "type = form"\n',
        encoding="utf-8",
    )
    (tmp_path / "f.csv").write_text("name,method,filter\na,Tickets.list,priority = high\nb,,priority = high\n")
    (tmp_path / "f.json").write_text('{"method": "Calls.list", "in": "is_incoming", "x": {"y": "is_incoming"}}')
    leadq_script = str(Path(sys.executable).parent / "leadq")
    done = subprocess.run(
        [leadq_script, "check", "--output-format", "json", "f.leadq", "f.toml", "f.csv", "f.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    found = sorted((f["path"], f["line"], f["code"]) for f in json.loads(done.stdout))
    assert found == [
        ("f.csv", 3, "E201"),  # no method column value: the run's method, Leads.list
        ("f.json", 1, "W608"),  # x.y is a Calls.list filter too (the method holds below): the same as `in`
        ("f.leadq", 3, "E201"),  # `type` is no criterion of Chats.list
        ("f.leadq", 7, "E211"),  # a method no API has, with "did you mean"
        ("f.toml", 2, "W608"),  # the same Leads.list filter as f.leadq line 5
        ("f.toml", 6, "E201"),
    ], done.stdout
    assert done.returncode == 1


def test_editing_knows_every_method() -> None:
    site = "EmployeeOnlineIntervals.listBySite"
    assert [i.label for i in leadq.complete("visitor_vote in (", 17, schema="Chats.list").items] == [
        "negative",
        "positive",
        "undefined",
    ]
    assert "priority" in [i.label for i in leadq.complete("pri", 3, schema="tickets.list").items]
    hover = leadq.hover("date = 2024-01-31", 9, schema=site)
    assert hover is not None and "Wednesday, 31 January 2024" in hover.contents
    hover = leadq.hover('time >= "10:00Z"', 10, schema=site)
    assert hover is not None and "13:00:00 to 13:00:59" in hover.contents
    hover = leadq.hover("created_at = lastweek", 3, schema="EmployeeChats.list")
    assert hover is not None and "at most 30 days" in hover.contents
    hover = leadq.hover("queue_time > 5", 2, schema="Chats.list")
    assert hover is not None and "W609" in hover.contents


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(sorted(livetex.METHODS)), st.data())
def test_a_canonical_q_of_any_method_reads_back_to_itself(name: str, data: st.DataObject) -> None:
    from strategies import canonical_q

    schema = leadq.schema(name)
    plain = leadq.Schema(name, tuple(c for c in schema.criteria if not (c.max_interval or c.required)))
    q = data.draw(canonical_q(plain))
    a = leadq.analyze(q, schema=schema, q=True)
    if a.q is None:  # a q no filter compiles to (an enumeration's every value, a window too long, ...)
        assert a.errors, (name, q)
        event("refused")
        return
    event("read back")
    assert leadq.compile(leadq.format(leadq.decompile(a.q, schema=schema)), schema=schema) == a.q
