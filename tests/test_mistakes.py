"""Mistakes people make, from the habits of SQL, Kibana, Jira, spreadsheets and their own
language: each gets a diagnostic that names the fix (tests/cases/mistakes.tsv)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadq
from leadq.core.diagnostics import Finding
from leadq.language.parse import SyntaxProblem, _parse_tokens, _syntax_findings, tokenize
from leadq.pipeline import facts_in

CASES = Path(__file__).parent / "cases" / "mistakes.tsv"
DOCS = Path(__file__).parent.parent / "docs" / "diagnostics.md"


def _rows() -> list[tuple[str, str, str, bool]]:
    rows = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        text, code, fix, *rest = line.split("\t")
        rows.append((text, code, fix, rest == ["gap"]))
    return rows


ROWS = _rows()
HELPED = [r for r in ROWS if not r[3]]
GAPS = [r for r in ROWS if r[3]]


def _first_error(text: str) -> leadq.Diagnostic | None:
    errors = [d for d in leadq.check(text) if d.severity is leadq.Severity.ERROR]
    return errors[0] if errors else None


def _names_fix(d: leadq.Diagnostic | None, code: str, fix: str) -> bool:
    return d is not None and d.code == code and fix in f"{d.message} | {d.hint or ''}"


@pytest.mark.parametrize(("text", "code", "fix"), [r[:3] for r in HELPED], ids=[r[0] for r in HELPED])
def test_each_mistake_gets_a_diagnostic_naming_its_fix(text: str, code: str, fix: str) -> None:
    d = _first_error(text)
    assert _names_fix(d, code, fix), d
    assert d is not None and 0 <= d.start <= d.end <= len(text)


def test_the_corpus_is_large_and_nine_in_ten_are_helped() -> None:
    assert len(ROWS) >= 80
    assert len(HELPED) / len(ROWS) >= 0.9


@pytest.mark.parametrize(("text", "code", "fix"), [r[:3] for r in GAPS], ids=[r[0] for r in GAPS])
def test_known_gaps_are_honest_and_named_in_the_docs(text: str, code: str, fix: str) -> None:
    # a gap that starts to get help leaves the list (and the docs' list of gaps)
    assert not _names_fix(_first_error(text), code, fix)
    doc = DOCS.read_text(encoding="utf-8")
    gaps = doc[doc.index("### Known gaps") :]
    assert f"`{text}`" in gaps


def _habit_findings(text: str) -> list[Finding]:
    with pytest.raises(SyntaxProblem) as caught:
        _parse_tokens(tokenize(text), text)
    return _syntax_findings(text, caught.value, facts_in(leadq.LEADS_LIST))


SYNTAX_ROWS = [r for r in HELPED if r[1] in ("E101", "E102") and not r[0].startswith("created_at = 31.")]


@pytest.mark.parametrize("text", [r[0] for r in SYNTAX_ROWS])
def test_a_certain_fix_removes_its_syntax_error(text: str) -> None:
    findings = _habit_findings(text)
    edits = [f.fields["edit"] for f in findings if isinstance(f.fields.get("edit"), tuple)]
    if not edits:
        return  # no fix is certain here: the hint says what to consider
    fixed = text
    for start, end, new in sorted(edits, reverse=True):  # type: ignore[misc]
        fixed = fixed[:start] + new + fixed[end:]
    syntax = [d for d in leadq.check(fixed) if d.code.startswith("E1")]
    # what remains is what had no certain fix (`result = missed &&`: the missing condition)
    assert len(syntax) == len(findings) - len(edits), (fixed, syntax)


def test_one_run_names_every_habit_in_a_filter() -> None:
    found = leadq.check("result:missed AND site:1 && duration > 60s")
    assert [(d.code, d.start, d.end) for d in found] == [("E102", 0, 13), ("E102", 18, 24), ("E101", 25, 27),
                                                          ("E101", 39, 42)]  # fmt: skip
    assert [d.hint for d in found] == ["write `result = missed`", "write `site = 1`", "did you mean `and`?",
                                       "did you mean `60`?"]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["site = 1 $", "site = @", "duration > 60s", "created_at = 01.02.2024", "site = 1 ^ 2"],
)
def test_quotes_are_suggested_only_where_they_help(text: str) -> None:
    for d in leadq.check(text):
        assert "quote" not in (d.hint or ""), d


def test_quotes_are_suggested_where_they_help() -> None:
    (d,) = leadq.check("enter_page = https://example.com/a?b=1")
    assert d.hint == 'quote the value: `"https://example.com/a?b=1"`'
    assert leadq.compile('enter_page = "https://example.com/a?b=1"')


def test_hints_suggest_only_what_checks() -> None:
    # a habit whose fix would not check names no fix: `site` takes no dates, `city` has no criterion
    (d,) = leadq.check("site = 17.09.2007")
    assert d.code == "E101" and "2007-09-17" not in f"{d.message} {d.hint}"
    (d,) = leadq.check("city:Moscow")
    assert d.hint is not None and "city = Moscow" not in d.hint


def test_every_suggested_condition_checks() -> None:
    for text, *_ in HELPED:
        for d in leadq.check(text):
            for suggested in re.findall(r"write `([^`]+)`", d.hint or ""):
                if " " in suggested and not suggested.startswith(("(", '"')):
                    errors = [e for e in leadq.check(suggested) if not e.code.startswith(("E4", "W", "I"))]
                    assert errors == [], (text, suggested, errors)


def _habit_table() -> list[tuple[str, str, str]]:
    doc = DOCS.read_text(encoding="utf-8")
    section = doc[doc.index("## Habits of other query languages") : doc.index("### Known gaps")]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| `") and len(cells) == 3:
            rows.append((cells[0][1:-1], cells[1], cells[2]))
    return rows


HABIT_TABLE = _habit_table()


@pytest.mark.parametrize(("text", "listed", "hint"), HABIT_TABLE, ids=[r[0] for r in HABIT_TABLE])
def test_the_docs_table_of_habits_is_what_leadq_says(text: str, listed: str, hint: str) -> None:
    found = leadq.check(text)
    assert sorted(f"`{d.code} {d.start}-{d.end}`" for d in found) == sorted(c.strip() for c in listed.split(","))
    first = _first_error(text)
    assert first is not None and first.hint == hint


def test_the_docs_count_the_corpus() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    assert f"holds {len(ROWS)} mistakes people make" in doc and f"; {len(HELPED)} of them get it" in doc
    assert len(HABIT_TABLE) > 20


_PIECES = [
    "result", "site", "duration", "created_at", "text", "email", "=", "!=", "<>", ":", "&&", "||", "!", "~", ";",
    "is", "null", "not", "like", "'%x%'", "[1, 2]", "[10 TO 20]", "{1 TO 2}", "(", ")", ",", "1", "2", "60s", "5min",
    "01.02.2024", "2024/01/05", "2024-1-5", "now-7d", "now()", "last", "week", "limit", "=20", "order", "by", "sort",
    "desc", "-", "*", "%", '"a', "«x»", "select", "where", "and", "or", "in", "between", "to", "..", "q=", "%3D",
    "https://x.ru/?q=site_ids%3D1", "и", "1,5", "/a|b/", "#", "--", "'it''s'", "=AND(", "eq", "9" * 30 + "d",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12), st.sampled_from([" ", ""]))
def test_any_mix_of_habits_is_answered_with_diagnostics_in_the_text(pieces: list[str], sep: str) -> None:
    text = sep.join(pieces)
    for d in leadq.check(text):
        assert d.code != "E900", (text, d)
        assert 0 <= d.start <= d.end <= len(text), (text, d)
