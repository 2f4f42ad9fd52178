"""The hours Moscow's clocks repeated: a zoned bound in one is widened to the whole hour,
wherever it stands (under `not` and `!=` too), and the widening never drops a lead and
never calls a satisfiable filter empty (docs/decisions.md).

The property runs over every repeated stretch in the zone's history, against an oracle
that knows each lead's real instant: a filter that matches the instant must match the lead
(whose Moscow local time alone is known) in `evaluate`, in the compiled q and in the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

import leadq

MOSCOW = ZoneInfo("Europe/Moscow")


def _repeated_stretches() -> list[tuple[datetime, timedelta]]:
    """(the UTC instant the clocks went back, by how much) for every such change."""
    found = []
    t, end, step = datetime(1880, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC), timedelta(days=1)
    before = t.astimezone(MOSCOW).utcoffset()
    while t < end:
        after_t = t + step
        after = after_t.astimezone(MOSCOW).utcoffset()
        assert before is not None and after is not None
        if after < before:
            low, high = t, after_t  # the offset changes in (low, high]
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                if mid.astimezone(MOSCOW).utcoffset() == before:
                    low = mid
                else:
                    high = mid
            found.append((high.replace(microsecond=0), before - after))
        before, t = after, after_t
    return found


STRETCHES = _repeated_stretches()


def test_the_history_has_repeated_hours() -> None:
    # the autumn changes of 1921, 1981-2010 and 2014, at least
    assert len(STRETCHES) >= 30
    assert any(c.year == 2014 for c, _ in STRETCHES) and any(c.year == 2010 for c, _ in STRETCHES)


def _local(instant: datetime) -> str:
    return instant.astimezone(MOSCOW).strftime("%Y-%m-%dT%H:%M:%S")


def _zoned(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the audit's reproductions ----------------------------------------------------------------


def test_a_bound_and_its_negation_give_one_q() -> None:
    assert leadq.compile("created_at < 2014-10-25T22:00:00Z") == "created_at<=2014-10-26T01:59:59"
    assert leadq.compile("not (created_at >= 2014-10-25T22:00:00Z)") == "created_at<=2014-10-26T01:59:59"


def test_not_equal_in_a_repeated_hour_drops_no_lead_of_the_day() -> None:
    text = "created_at = 2014-10-26 and created_at != 2014-10-25T21:30:00Z"
    requests = leadq.plan(text).requests
    for minute in range(60):
        lead = {"created_at": f"2014-10-26T01:{minute:02d}:00"}
        assert leadq.evaluate(text, lead)
        assert any(leadq.evaluate_q(r, lead) for r in requests)


def test_a_satisfiable_filter_with_not_equal_is_not_called_empty() -> None:
    text = "created_at between 2014-10-25T21:00:00Z and 2014-10-25T22:59:59Z and created_at != 2014-10-25T21:30:00Z"
    q = leadq.compile(text)  # no E401
    lead = {"created_at": _local(datetime(2014, 10, 25, 21, 45, tzinfo=UTC))}  # 21:45Z matches
    assert leadq.evaluate(text, lead) and leadq.evaluate_q(q, lead)


# -- the property over every repeated stretch -----------------------------------------------

_OPS = ("<", "<=", ">", ">=", "=", "!=")
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}

# A filter for the oracle: ("atom", op, instant, zoned) | ("not", f) | ("and"|"or", f, g)
Filter = tuple


def _text(f: Filter) -> str:
    if f[0] == "atom":
        _, op, instant, zoned = f
        return f"created_at {op} {_zoned(instant) if zoned else _local(instant)}"
    if f[0] == "not":
        return f"not ({_text(f[1])})"
    return f"({_text(f[1])}) {f[0]} ({_text(f[2])})"


def _holds(f: Filter, at: datetime) -> bool:
    """The filter's meaning at the real instant `at`."""
    if f[0] == "atom":
        _, op, instant, zoned = f
        if zoned:  # an instant: compared as instants
            return _COMPARE[op](at.timestamp(), instant.timestamp())
        return _COMPARE[op](_local(at), _local(instant))  # Moscow local time, as written
    if f[0] == "not":
        return not _holds(f[1], at)
    left, right = _holds(f[1], at), _holds(f[2], at)
    return left and right if f[0] == "and" else left or right


@st.composite
def _case(draw: st.DrawFn, change: datetime, gap: timedelta) -> tuple[Filter, list[datetime]]:
    width = int(gap.total_seconds())
    # instants in and around both passes of the repeated stretch
    instant = st.builds(lambda k: change + timedelta(seconds=k), st.integers(-width - 2, width + 1))
    atom = st.builds(lambda op, at, zoned: ("atom", op, at, zoned), st.sampled_from(_OPS), instant, st.booleans())
    tree = st.recursive(
        atom,
        lambda inner: st.one_of(
            st.tuples(st.just("not"), inner),
            st.tuples(st.sampled_from(("and", "or")), inner, inner),
        ),
        max_leaves=4,
    )
    f = draw(tree)
    # the leads: the filter's own instants, their neighbours and both passes of each
    mentioned: list[datetime] = []

    def collect(g: Filter) -> None:
        if g[0] == "atom":
            mentioned.append(g[2])
        else:
            for operand in g[1:]:
                collect(operand)

    collect(f)
    leads = {at + timedelta(seconds=d) for at in mentioned for d in (-1, 0, 1)}
    leads |= {at + s * gap for at in set(leads) for s in (-1, 1)}
    leads |= set(draw(st.lists(instant, max_size=4)))
    return f, sorted(leads)


@pytest.mark.parametrize(("change", "gap"), STRETCHES, ids=[c.isoformat() for c, _ in STRETCHES])
def test_the_widening_keeps_every_lead(change: datetime, gap: timedelta) -> None:
    @settings(max_examples=examples(8))
    @given(_case(change, gap))
    def run(case: tuple[Filter, list[datetime]]) -> None:
        f, instants = case
        text = _text(f)
        matched = [at for at in instants if _holds(f, at)]
        a = leadq.analyze(text)
        codes = {d.code for d in a.diagnostics}
        if matched:
            assert "E401" not in codes, (text, matched)  # never called empty
        if "E401" in codes or codes & {"E403", "E404", "E405"}:
            return
        requests = [a.q] if a.q is not None else [r for r in a.plan().requests]
        for at in matched:
            lead = {"created_at": _local(at)}
            assert leadq.evaluate(text, lead), (text, at)
            assert any(leadq.evaluate_q(q, lead) for q in requests), (text, at, requests)

    run()


@pytest.mark.parametrize(("change", "gap"), STRETCHES, ids=[c.isoformat() for c, _ in STRETCHES])
def test_a_bound_means_the_same_under_not(change: datetime, gap: timedelta) -> None:
    for at in (change - gap, change - gap / 2, change, change + gap / 2, change + gap - timedelta(seconds=1)):
        bound = _zoned(at)
        for op in _OPS:
            plain = leadq.analyze(f"created_at {op} {bound}")
            negated = leadq.analyze(f"not (created_at {_NEGATED[op]} {bound})")
            assert (plain.q, [r for r in plain.plan().requests]) == (
                negated.q,
                [r for r in negated.plan().requests],
            ), (op, bound)
            lead = {"created_at": _local(at)}
            assert leadq.evaluate(f"created_at {op} {bound}", lead) == leadq.evaluate(
                f"not (created_at {_NEGATED[op]} {bound})", lead
            )
