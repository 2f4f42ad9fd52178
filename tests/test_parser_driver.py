"""leadq's table-driven parser agrees with Lark run on the same grammar."""

from __future__ import annotations

import functools
import re

import attrs
from hypothesis import given
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import LarkError
from strategies import token_soup, trees

import leadq
from leadq.core.diagnostics import Problem, Report
from leadq.language.parse import _STARTS, KEYWORDS, grammar_path, parse_text, tokenize
from leadq.language.tables import TERMINALS


@functools.cache
def lark() -> Lark:
    return Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="basic")


def _lark_tokens(text: str) -> list[tuple[str, str, int]] | None:
    lexer = lark().parser.lexer  # Lark.lex() would build a new lexer on every call
    try:
        return [(t.type, str(t), t.start_pos or 0) for t in lexer.lex(lexer.make_lexer_state(text), None)]
    except LarkError:
        return None


def _our_tokens(text: str) -> list[tuple[str, str, int]] | None:
    try:
        return [(t.type, t.value, t.start) for t in tokenize(text)]
    except Problem:
        return None


@given(st.one_of(st.text(max_size=40), token_soup, trees.map(leadq.format)))
def test_same_tokens_as_lark(text: str) -> None:
    assert _our_tokens(text) == _lark_tokens(text)


@given(st.one_of(token_soup, trees.map(leadq.format)))
def test_same_accept_or_reject_as_lark(text: str) -> None:
    try:
        lark().parse(text)
        accepted = True
    except LarkError:
        accepted = False
    report = Report(text)
    node = parse_text(text, report)
    diagnostics = report.diagnostics
    if node is None:
        # E105/E106 are leadq's own refusals of text the grammar accepts
        assert not accepted or {d.code for d in diagnostics} <= {"E105", "E106"}
    else:
        assert accepted


@given(st.data())
def test_a_guarded_run_of_terminals_starts_as_its_guard_says(data: st.DataObject) -> None:
    # the lexer tries some runs of terminals only where the next character is one they
    # can start with (`_parse._STARTS`); every text they match must start so
    name, pattern = data.draw(st.sampled_from([t for t in TERMINALS if t[0] in _STARTS]))
    text = data.draw(st.from_regex(f"\\A(?:{pattern})"))
    match = re.match(pattern, text)
    assert match is not None
    assert re.match(_STARTS[name], text), (name, text)


def test_the_keywords_guard_takes_each_character_a_keyword_can_start_with() -> None:
    # A keyword is its word without case, ended where a word ends; the lexer tries the
    # keywords only where the next character matches their first letters without case,
    # as a class. Over every code point, the class takes what the letters themselves take
    # (U+0130 and U+0131 for `i`, ...), and no more.
    keywords = {name: pattern for name, pattern in TERMINALS if name in _STARTS and name.lower() in KEYWORDS}
    assert set(keywords) == {word.upper() for word in KEYWORDS}
    for name, pattern in keywords.items():
        assert pattern == f"(?i:{name.lower()}(?!\\w))"
    guard = re.compile(_STARTS["AND"])
    assert {_STARTS[name] for name in keywords} == {guard.pattern}
    letters = re.compile("|".join(f"(?i:{word[0]})" for word in sorted(KEYWORDS)))
    taken = [c for c in map(chr, range(0x110000)) if letters.match(c)]
    assert len(taken) > 20
    assert {"\u0130", "\u0131", "A", "t"} <= set(taken)
    assert [c for c in map(chr, range(0x110000)) if guard.match(c)] == taken


@given(st.one_of(token_soup, trees.map(leadq.format), st.text(max_size=40)))
def test_a_shape_seen_before_is_built_by_replaying_the_steps_taken_for_it(text: str) -> None:
    # the parser's steps follow from the tokens' kinds alone: replaying those it took for
    # a shape builds the same tree, spans included, or fails the same way
    from leadq.language import parse

    def built() -> object:
        try:
            return attrs.asdict(parse._parse_tokens(tokenize(text), text))
        except Problem as p:
            return [(f.key, f.span) for f in p.findings]

    parse._SHAPES.clear()
    driven = built()
    shape = tuple(t.type for t in tokenize(text)) if _our_tokens(text) is not None else None
    replayed = built()
    assert replayed == driven
    if shape is not None and not isinstance(driven, list) and len(shape) <= parse._SHAPE_TOKENS:
        assert shape in parse._SHAPES  # the second was a replay
