"""decompile: raw q strings read by the term model of q-format.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

import leadq


@pytest.mark.parametrize(
    ("q", "expression"),
    [
        ("", ""),
        ("ids=1001,1002", "id in (1001, 1002)"),
        (
            "site_ids=1,2 result=missed phone_exists=true",
            "site in (1, 2) and result = missed and phone_exists",
        ),
        ("site_ids=5", "site = 5"),
        ("email_exists=no", "not email_exists"),
        ("email_exists=1", "email_exists"),
        ("duration>=61 duration<=120", "duration >= 61 and duration <= 120"),
        ("duration>60", "duration > 60"),
        (
            "created_at>=2024-01-01 created_at<=2024-01-31",
            "created_at >= 2024-01-01T00:00:00 and created_at <= 2024-01-31T00:00:00",
        ),
        ("created_at>=2024-01-01 10:00:00", "created_at >= 2024-01-01T10:00:00"),
        ("created_at>=17.09.2007", "created_at >= 2007-09-17T00:00:00"),
        ("created_at=lastweek", "created_at = lastweek"),
        ("text=доставка в Москву", 'text contains "доставка в Москву"'),
        ("text=a=b site_ids=3", 'text contains "a=b" and site = 3'),
        ("text=x,site_ids=3", 'text contains "x,site_ids=3"'),
        ("visitor_ids=ab,cd", 'visitor in ("ab", "cd")'),
        ("enter_page=/a b", 'enter_page = "/a b"'),
        ("  site_ids=1  ", "site = 1"),
    ],
)
def test_decompile(q: str, expression: str) -> None:
    assert leadq.format(leadq.decompile(q)) == expression


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("foo=1 site_ids=2", [("E501", 0, 5)]),
        ("keyword=x", [("E501", 0, 9)]),
        ("site_ids=", [("E502", 0, 9)]),
        ("site_ids=1,x", [("E301", 11, 12)]),
        ("result=done", [("E302", 7, 11)]),
        ("type>form", [("E502", 0, 9)]),
        ("email_exists=maybe", [("E301", 13, 18)]),
        ("created_at>=yesterday", [("E304", 12, 21)]),
        # another term inside a value that takes no space: said as the term it is
        ("site_ids=1,2 reslt=missed", [("E501", 13, 25)]),
        ("site_ids=1,2 result=missed reslt=1", [("E501", 27, 34)]),
        ("site_ids=1,2&result=missed", [("E502", 12, 13)]),
        ("site_ids=1,2&foo=1", [("E301", 11, 18)]),  # `foo` is no term: a bad id
    ],
)
def test_decompile_errors(q: str, expected: list[tuple[str, int, int]]) -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.decompile(q)
    assert [
        (d.code, d.start, d.end) for d in caught.value.diagnostics if d.severity is leadq.Severity.ERROR
    ] == expected


def test_absolute_equals_on_datetime_is_noted() -> None:
    a = leadq.analyze("created_at=2024-01-31", q=True)
    node = a.tree
    assert node is not None
    assert [(d.code, d.start, d.end) for d in a.diagnostics] == [("I702", 0, 21)]
    assert leadq.compile(leadq.format(node)) == "created_at>=2024-01-31T00:00:00 created_at<=2024-01-31T00:00:00"


def test_unknown_criterion_suggests_the_closest() -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.decompile("site_id=1")
    assert caught.value.diagnostics[0].hint == "did you mean `site_ids`?"
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.decompile("site_ids=1,2 reslt=missed")  # after a value: not blamed on the value
    (d,) = caught.value.diagnostics
    assert (d.hint, d.fixes[0].apply("site_ids=1,2 reslt=missed")) == (
        "did you mean `result`?",
        "site_ids=1,2 result=missed",
    )
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.decompile("result=missed&site_ids=1")
    assert caught.value.diagnostics[0].hint == "write `result=missed site_ids=1`"
    # a text searched for may hold both: it is read as the term model says, with W601
    assert leadq.format(leadq.decompile("text=a reslt=b")) == 'text contains "a reslt=b"'


# -- one reading of a raw datetime bound: the API's, its first second ---------------------

_Q_OPS = ("=", ">=", "<=", ">", "<")


def _forms(t: datetime) -> list[str]:
    """Every way the API documents to write the Moscow local time `t` (Types/datetime.json)."""
    d, m, y = f"{t.day:02d}", f"{t.month:02d}", f"{t.year:04d}"
    hm, s = f"{t.hour:02d}:{t.minute:02d}", f"{t.second:02d}"
    return [
        f"{y}-{m}-{d}",
        f"{y}-{m}-{d}T{hm}",
        f"{y}-{m}-{d}T{hm}:{s}",
        f"{y}-{m}-{d} {hm}:{s}",
        f"{y}{m}{d}",
        f"{y}{m}{d}{t.hour:02d}{t.minute:02d}",
        f"{y}{m}{d}{t.hour:02d}{t.minute:02d}{s}",
        f"{d}.{m}.{y}",
        f"{d}.{m}.{y} {hm}",
        f"{d}.{m}.{y} {hm}:{s}",
        f"{m}/{d}/{y}",
        f"{m}/{d}/{y} {hm}",
        f"{m}/{d}/{y} {hm}:{s}",
    ]


def _zoned_forms(t: datetime) -> list[str]:
    """The instant `t` (aware) written with a zone, with and without seconds."""
    out = []
    for offset in (timedelta(0), timedelta(hours=3), timedelta(hours=-5, minutes=-30)):
        at = t.astimezone(timezone(offset))
        zone = "Z" if not offset else at.strftime("%z")[:3] + ":" + at.strftime("%z")[3:]
        out += [at.strftime("%Y-%m-%dT%H:%M") + zone, at.strftime("%Y-%m-%dT%H:%M:%S") + zone]
    return out


_MOSCOW = ZoneInfo("Europe/Moscow")
_SECONDS = st.integers(
    int(datetime(1990, 1, 1, tzinfo=UTC).timestamp()), int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())
)
# near Moscow's last repeated hour too, where a zoned bound is widened in the language
_NEAR_2014 = st.integers(
    int(datetime(2014, 10, 25, 20, tzinfo=UTC).timestamp()), int(datetime(2014, 10, 26, tzinfo=UTC).timestamp())
)


@st.composite
def _raw_terms(draw: st.DrawFn) -> tuple[str, list[int]]:
    instant = datetime.fromtimestamp(draw(st.one_of(_SECONDS, _NEAR_2014)), UTC)
    local = instant.astimezone(_MOSCOW).replace(tzinfo=None)
    value = draw(st.sampled_from(_forms(local) + _zoned_forms(instant)))
    return f"created_at{draw(st.sampled_from(_Q_OPS))}{value}", [int(instant.timestamp())]


def _fingerprint(text: str, q: bool = False) -> str | list[str]:
    try:
        return leadq.fingerprint(text, q=q)
    except leadq.LeadqError as e:  # no lead matches: both say so
        return [d.code for d in e.diagnostics]


@settings(max_examples=examples(300))
@given(
    st.lists(_raw_terms(), min_size=1, max_size=3),
    st.lists(
        st.sampled_from((-86400, -3600, -61, -60, -59, -1, 0, 1, 59, 60, 3599, 86399, 86400)), min_size=1, max_size=4
    ),
)
def test_a_raw_bound_has_one_reading(terms: list[tuple[str, list[int]]], deltas: list[int]) -> None:
    q = " ".join(t for t, _ in terms)
    text = leadq.format(leadq.decompile(q))
    assert _fingerprint(q, q=True) == _fingerprint(text)
    for _, (at,) in terms:
        for delta in deltas:
            when = datetime.fromtimestamp(at + delta, UTC).astimezone(_MOSCOW)
            lead = {"created_at": when.strftime("%Y-%m-%dT%H:%M:%S")}
            assert leadq.evaluate_q(q, lead) == leadq.evaluate(text, lead), (q, text, lead)


@pytest.mark.parametrize(
    ("q", "expression"),
    [
        ("created_at<=2016-12-31", "created_at <= 2016-12-31T00:00:00"),
        ("created_at>2016-12-31", "created_at > 2016-12-31T00:00:00"),
        ("created_at<=201612311200", "created_at <= 2016-12-31T12:00:00"),
        ("created_at>=2024-01-01T10:00Z", "created_at >= 2024-01-01T10:00:00Z"),
        ("created_at>=2014-10-25T21:30:00Z", "created_at >= 2014-10-26T01:30:00"),  # a repeated hour
    ],
)
def test_decompile_writes_the_exact_bound(q: str, expression: str) -> None:
    assert leadq.format(leadq.decompile(q)) == expression
    lead = {"created_at": "2016-12-31T07:05:00"}
    assert leadq.evaluate_q(q, lead) == leadq.evaluate(expression, lead)
    assert leadq.fingerprint(q, q=True) == leadq.fingerprint(expression)


def test_a_raw_date_bound_is_not_the_whole_day() -> None:
    assert leadq.fingerprint("created_at<=2016-12-31", q=True) != leadq.fingerprint("created_at <= 2016-12-31")
    assert not leadq.evaluate_q("created_at<=2016-12-31", {"created_at": "2016-12-31T07:05:00"})
