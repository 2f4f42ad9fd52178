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
