"""parse and format: the syntax tree and its canonical text."""

from __future__ import annotations

import pytest

import leadq
from leadq.core.span import Span
from leadq.language.tree import And, Compare, Field, Flag, In, Literal, LiteralKind, MatchAll, Not, Op, Or


def test_tree_and_spans() -> None:
    tree = leadq.parse("result=missed and site in (1,2) and phone_exists")
    assert tree == And(
        (
            Compare(Field("result"), Op.EQ, Literal(LiteralKind.WORD, "missed")),
            In(Field("site"), (Literal(LiteralKind.INT, "1"), Literal(LiteralKind.INT, "2"))),
            Flag(Field("phone_exists")),
        )
    )
    assert isinstance(tree, And)
    assert [o.span for o in tree.operands] == [Span(0, 13), Span(18, 31), Span(36, 48)]
    assert tree.span == Span(0, 48)


def test_precedence_not_and_or() -> None:
    tree = leadq.parse("not a or b and c")
    assert isinstance(tree, Or)
    assert isinstance(tree.operands[0], Not)
    assert isinstance(tree.operands[1], And)


def test_keywords_are_case_insensitive_names_are_not() -> None:
    assert leadq.parse("a = 1 AND NOT b Or c IN (1) and d = TRUE") == leadq.parse(
        "a = 1 and not b or c in (1) and d = true"
    )
    assert leadq.parse("Site = 1") != leadq.parse("site = 1")


def test_double_equals_is_equals() -> None:
    assert leadq.parse("site == 1") == leadq.parse("site = 1")


def test_quotes_and_escapes() -> None:
    tree = leadq.parse(r"""text contains 'it\'s "x" \\'""")
    assert leadq.format(tree) == r'text contains "it\'s \"x\" \\"'.replace("\\'", "'")


def test_whitespace_and_lines_are_free() -> None:
    assert leadq.parse("site\n=\n1\tand\r\n  result = missed") == leadq.parse("site = 1 and result = missed")


def test_empty_filter() -> None:
    assert leadq.parse("   ") == MatchAll()
    assert leadq.format(MatchAll()) == ""


@pytest.mark.parametrize(
    "text",
    [
        "site = 1 or site = 2",
        "(site = 1 or site = 2) and result = missed",
        "site = 1 or result = missed and phone_exists",
        "not (site = 1 and result = missed)",
        "(site = 1 and type = form) and result = missed",
        "(site = 1 or site = 2) or site = 3",
        "not not phone_exists",
        "site not in (1, 2)",
        'text not contains "x"',
        "duration between 1 and 2",
        'search_engine = "a\\"b\\\\"',
    ],
)
def test_format_is_canonical_and_stable(text: str) -> None:
    assert leadq.format(leadq.parse(text)) == text


def test_syntax_error_messages_name_what_was_expected() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.parse("site = ")
    (d,) = caught.value.diagnostics
    assert (d.code, d.start) == ("E103", 7)
    assert "expected a value after `=`" in d.message


def _generic_message(text: str) -> tuple[str, int, int, str]:
    """The parser's own finding, before a habit of another language replaces it."""
    from leadq.core.messages import render_message
    from leadq.language.parse import SyntaxProblem, _parse_tokens, tokenize

    with pytest.raises(SyntaxProblem) as caught:
        _parse_tokens(tokenize(text), text)
    (f,) = caught.value.findings
    code, message, _ = render_message(f.key, f.fields, text)
    return code, f.span.start, f.span.end, message


def test_expected_lists_only_what_would_really_be_accepted() -> None:
    # LALR merges look-aheads: the state after `1` also lists `,` and `)` from lists.
    code, start, end, message = _generic_message("site = 1 site = 2")
    assert (code, start, end) == ("E102", 9, 13)
    assert "`,`" not in message and "`)`" not in message and "`and`" in message
    assert "`,` or `)`" in _generic_message("site in (1 2)")[3]
    # the habits say more where they recognise one (tests/test_mistakes.py)
    (d,) = leadq.check("site = 1 site = 2")
    assert (d.code, d.start, d.end) == ("E102", 9, 13) and "`and`" in (d.hint or "")
