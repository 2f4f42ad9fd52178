"""Completion and hover: golden cases written with `^` at the cursor, and the property that
every suggestion keeps the text a prefix the parser accepts."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from strategies import compilable_trees
from tables import CASES

import leadq
from leadq.core.diagnostics import Report
from leadq.language.parse import parse_text

NOW = datetime(2024, 2, 3, 12, 0)
VALUES = {
    "site": [("1", "Main site"), ("12", "Shop"), ("2", "Blog")],
    "search_engine": [("Google", "search"), ("Yandex", "search")],
    "visitor": [("v-1", "Ann"), ("v 2", "Bob")],
}


def values(field: str, prefix: str) -> list[tuple[str, str]]:
    return VALUES.get(field, [])


def _golden() -> list[tuple[str, int, int, list[str]]]:
    out = []
    for line in (CASES / "complete.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        marked, span, labels = line.split("\t")
        start, end = map(int, span.split("-"))
        out.append((marked, start, end, [x for x in labels.split(" | ") if x]))
    return out


GOLDEN = _golden()


def test_there_are_enough_golden_cases() -> None:
    assert len(GOLDEN) >= 80


@pytest.mark.parametrize(("marked", "start", "end", "labels"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(marked: str, start: int, end: int, labels: list[str]) -> None:
    cursor = marked.index("^")
    text = marked.replace("^", "", 1)
    got = leadq.complete(text, cursor, now=NOW, values=values)
    assert (got.range.start, got.range.end) == (start, end)
    assert [i.label for i in got.items[:8]] == labels


@pytest.mark.parametrize(
    ("text", "label", "insert", "cursor"),
    [
        ("site ", "in", "in ()", 4),
        ("text ", "contains", 'contains ""', 10),
        ("search_engine = ", "Google", '"Google"', 8),
        ('search_engine = "G', "Google", "Google", 6),
        ("visitor = ", "v 2", '"v 2"', 5),
        ("site in (", "12", "12", 2),
        ("", "site", "site ", 5),
        ("site = 1 ", "order by", "order by ", 9),
    ],
)
def test_what_is_inserted_and_where_the_cursor_goes(text: str, label: str, insert: str, cursor: int) -> None:
    items = {i.label: i for i in leadq.complete(text, len(text), values=values).items}
    assert (items[label].insert, items[label].cursor) == (insert, cursor)


def test_items_carry_types_and_documentation() -> None:
    site = next(i for i in leadq.complete("si", 2).items if i.label == "site")
    assert (site.kind, site.detail) == ("field", "a field of ids")
    assert "site_ids" in site.documentation and "The site the lead came from." in site.documentation
    week = next(i for i in leadq.complete("created_at = ", 13).items if i.label == "lastweek")
    assert week.kind == "value" and "7 days" in week.documentation


def test_limit_and_incomplete() -> None:
    got = leadq.complete("", 0, limit=3)
    assert len(got.items) == 3 and got.incomplete
    assert not leadq.complete("res", 3).incomplete


def test_prefix_before_substring() -> None:
    labels = [i.label for i in leadq.complete("site = 1 and r", 14).items]
    assert labels[0] == "result" and "created_at" in labels[1:]


def _viable(text: str) -> bool:
    """The parser accepts `text` as far as it goes: no error, or only that it ends early
    (E103), or a string still open at the end (E104)."""
    report = Report(text)
    parse_text(text, report)
    return all(d.code == "E103" or (d.code == "E104" and d.end == len(text)) for d in report.diagnostics) and all(
        d.code != "E101" for d in report.diagnostics
    )


@settings(max_examples=examples(300), deadline=None)
@given(compilable_trees(), st.integers(0, 10**6))
def test_every_suggestion_keeps_a_prefix_the_parser_accepts(tree: leadq.Node, at: int) -> None:
    text = leadq.format(tree)
    cut = text[: at % (len(text) + 1)]
    got = leadq.complete(cut, len(cut), now=NOW, values=values)
    for item in got.items:
        new = cut[: got.range.start] + item.insert[: item.cursor]
        assert _viable(new), (cut, item, new)


# -- hover -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marked", "says", "span"),
    [
        ("si^te = 1", "**site** — a field of ids; q: `site_ids`", (0, 4)),
        ("site ^= 1", "`=` — the field equals", (5, 6)),
        ("text no^t contains 'a'", "**E404** this mix of `contains` tests", (5, 8)),  # the diagnostic there
        ("text not cont^ains 'a'", "`not contains`", (9, 17)),
        ("created_at >= 2024-0^1-31", "covers 2024-01-31T00:00:00 to 2024-01-31T23:59:59, Moscow time", (14, 24)),
        ("created_at = last^week", "The last 7 days up to now", (13, 21)),
        ("result = mis^sed", "a value of **result**", (9, 15)),
        ("result = f^ax", "**E302** `fax` is not a value of `result`", (9, 12)),
        ("site = 1 ^ ", None, None),
        ("created_at >= 2010-10-30T22:^30:00Z", "an hour Moscow's clocks repeated", (14, 34)),
        ("tex^t contains 'a'", "Not seen on other employees' leads by: chief", (0, 4)),
    ],
)
def test_hover(marked: str, says: str | None, span: tuple[int, int] | None) -> None:
    cursor = marked.index("^")
    text = marked.replace("^", "", 1)
    got = leadq.hover(text, cursor)
    if says is None:
        assert got is None
        return
    assert got is not None and says in got.contents, got
    assert tuple(got.range) == span


def test_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="cursor must be"):
        leadq.complete("site", 9)
    with pytest.raises(TypeError, match="text must be"):
        leadq.hover(None, 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cursor must be"):
        leadq.complete("site", True)  # a bool is no place in the text
    with pytest.raises(TypeError, match="text must be"):
        leadq.render_diagnostics(leadq.check("sit = 1"), None)  # type: ignore[arg-type]


# -- inside strings, and the share of items that parse when inserted -------------------------

_HOSTILE_SHORT = [
    '"',
    "'",
    'city contains "',
    'text contains "a\\"b" and "',
    "site = 1 and 'x",
    '"site = 1',
    "((((",
    "site in (1, 2",
    "site in (1, 'a",
    "not not not",
    "order by \"",
    "fields \"id",
    'result = "missed" or type = "',
    "created_at between '2024-01-01' and \"",
    "duration >= = 5",
    "site = 1 ) ) or",
    "\x00 site",
    "сайт = 1 and",
    'visitor in ("a", "',
    "limit 'ten",
    'search_engine = "Goo" and text contains "x',
]


def _inserted_parses(text: str, cursor: int, start: int, item: leadq.CompletionItem) -> bool:
    from leadq.editing.complete import _open_string

    opened = _open_string(text, cursor)
    new = text[:start] + item.insert[: item.cursor]
    if opened is not None:  # an item inside a string fills the string: close it
        new += text[opened]
    return _viable(new)


def test_nothing_is_offered_where_nothing_can_be_inserted() -> None:
    assert leadq.complete('"', 1).items == ()
    assert leadq.complete('city contains "', 15).items == ()  # no q field names as a value
    assert leadq.complete("city contains ", 14).items == ()
    assert leadq.complete('order by "', 10).items == ()
    # where a string value fits, its values are offered, written for the inside of quotes
    assert [i.insert for i in leadq.complete('result = "', 10).items] == ["completed", "missed"]
    got = leadq.complete('visitor = "', 11, values=values)
    assert [i.insert for i in got.items] == ["v 2", "v-1"]


@pytest.mark.long
def test_almost_every_offered_item_parses_when_inserted() -> None:
    from benchmarks.corpus import short_corpus
    from benchmarks.editing import FILTERS

    texts = [*FILTERS, *(f for f, _, _ in short_corpus(40)), *_HOSTILE_SHORT]
    offered = parsed = 0
    failures = []
    for text in texts:
        for cursor in range(len(text) + 1):
            got = leadq.complete(text, cursor, now=NOW, values=values)
            for item in got.items:
                offered += 1
                if _inserted_parses(text, cursor, got.range.start, item):
                    parsed += 1
                else:
                    failures.append((text, cursor, item.insert))
    assert offered > 10_000
    assert parsed / offered >= 0.999, (offered - parsed, failures[:10])
