"""The questions `leadq probe` asks an account: one per assumption leadq makes about the
API, in the order asked. Each plans its requests from what earlier answers found
(`Found`), and judges the answers (`Verdict`). The report and the docs page
(docs/probe.md) are both made from this table.

Every request asks for at most two leads (`MOST_LEADS`), but the two that ask whether
the method's maximum `limit` is taken: their `q` names one known lead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import attrs

from ..core.datetimes import PERIOD_DAYS
from ..core.span import Span
from ..schemas.wire import MAX_NUMBER, MAX_VALUE_LENGTH, value_problem
from ._asking import (
    HIDDEN,
    NULL,
    SHOWN,
    Answer,
    Ask,
    Found,
    Known,
    Outcome,
    Question,
    Stop,
    Verdict,
    contradicted,
    holds,
    unknown,
    when,
)

_DAY = 86400
#: Seconds around a relative period's edge where the probe cannot tell two readings apart
#: (the requests are answered moments apart, by a clock known to the second).
_EDGE = 120
#: A datetime as leadq expects the API to write one (docs/decisions.md, "Datetime output").
_WRITTEN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", re.ASCII)
_ZONED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)", re.ASCII)
_REPORT = "please report this (docs/probe.md, How to report)"

#: The bases the API is reached at in public clients and its reference (api-http.md).
BASES = ("https://web-api.livetex.ru", "https://api.livetex.ru/v2", "https://apiv2.livetex.ru/v2")


def _other(method: str) -> str:
    return "GET" if method == "POST" else "POST"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _lead(k: Known) -> str:
    return f"lead {k.id!r}" + (f" ({k.written})" if k.written else "")


def _seconds(found: Found, answer: Answer) -> list[Known]:
    """The leads of an answer, as the probe knows them."""
    return [found.leads[i] for i in answer.ids() if i in found.leads]


# -- first contact: where, who, how ----------------------------------------------------------


def _contact(found: Found) -> list[Ask]:
    """One lead, asked by the configured HTTP method and by the other."""
    return [Ask.of({"limit": 1}, method=found.configured), Ask.of({"limit": 1}, method=_other(found.configured))]


def _chosen(found: Found) -> list[Ask]:
    return [Ask.of({"limit": 1}, method=found.http_method)]


def _judge_base_url(found: Found, answers: Sequence[Answer]) -> Verdict:
    ok = [a for a in answers if a.ok]
    if ok:
        return holds(f"{ok[0].ask.method} {found.path} is answered with JSON")
    if any(a.status in (401, 403) for a in answers):
        return unknown("the API refused the credentials before it said whether it serves the method here")
    said = "; ".join(f"{a.ask.method}: {a.said()}" for a in answers)
    if all(a.status == 404 or a.data is None for a in answers):
        return contradicted(f"no list answer at {found.path} ({said})", stop=Stop.SETTINGS)
    # JSON refusals: something that speaks JSON is there, but serves no list to these requests
    return unknown(f"the API answers at {found.path}, but no list came ({said})", stop=Stop.SETTINGS)


def _judge_credentials(found: Found, answers: Sequence[Answer]) -> Verdict:
    if any(a.ok for a in answers):
        return holds(f"the API answered with the {found.auth} given")
    refused = next((a for a in answers if a.status in (401, 403)), None)
    if refused is None:
        return unknown("no list answer came, so the credentials were never judged")
    if refused.status == 403:
        return contradicted(
            f"the API forbids the account {found.schema.method}: {refused.said()}",
            hint=f"the account's role may not call {found.schema.method}: probe with an account that may "
            "(`leadq method` lists the roles of a method)",
            stop=Stop.SETTINGS,
        )
    return contradicted(f"the API refuses them: {refused.sent}: {refused.said()}", stop=Stop.SETTINGS)


def _judge_http_method(found: Found, answers: Sequence[Answer]) -> Verdict:
    by = {a.ask.method: a for a in answers}
    post, get = by["POST"], by["GET"]
    if post.ok:
        found.http_method = found.configured if by[found.configured].ok else "POST"
        if get.ok:
            return holds("POST is answered; so is GET")
        unset = "; the GET set is not, so the probe sends POST: unset --http-method"
        setting = unset if found.configured == "GET" else ""
        return holds(f"POST is answered; GET is not ({get.said()}){setting}")
    if get.ok:
        found.http_method = "GET"
        return contradicted(f"POST is not answered ({post.said()}); GET is")
    return unknown("neither POST nor GET was answered")


def _judge_shape(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    if not a.ok:
        return unknown(f"no list answer came ({a.said()})")
    data = a.data
    if not isinstance(data, dict):
        return contradicted(f"the answer is no JSON object: {a.said()}", stop=Stop.ANSWERS)
    results = data.get("results")
    if not isinstance(results, list):
        return contradicted(f"the answer has no `results` list: {a.said()}", stop=Stop.ANSWERS)
    ids = found.ids
    kind = "a string" if ids is not None and ids.id_kind.value == "string" else "a whole number"
    for r in results:
        if not isinstance(r, dict):
            return contradicted(f"a result is no object: {r!r:.80}", stop=Stop.ANSWERS)
        if r.get("id") not in found.leads:
            return contradicted(f"a result's `id` is {r.get('id')!r:.40}, not {kind}", stop=Stop.ANSWERS)
    if len(results) > 1:
        return contradicted(f"limit=1 brought {len(results)} results: {a.said()}")
    if "total" not in data:
        return contradicted(
            f"the answer has no `total`: {a.said()}",
            hint="leadq fetch does without it, but then cannot tell a capped page from the last one: " + _REPORT,
        )
    total = a.total
    if total is None or total < len(results):
        return contradicted(f"`total` is {data['total']!r:.40}, not a count of the results: {a.said()}")
    if not results:
        return holds(f"`total` {total} and an empty `results` list: the account has no leads")
    return holds(f"`total` {total} and `results`, objects with {kind} `id`")


def _plan_fields(found: Found) -> list[Ask] | str:
    if "fields" not in found.schema.parameters:
        return f"{found.schema.method} takes no `fields`"
    if not found.wanted_fields:
        return f"the objects of {found.schema.method} have none of the fields the questions read"
    return [Ask.of({"limit": 2, "fields": found.wanted_fields})]


def _judge_fields(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    asked = found.wanted_fields
    if a.refused:
        return contradicted(f"`fields={asked}` is refused: {a.said()}")
    results = [r for r in a.results or () if isinstance(r, dict)]
    if not results:
        return unknown("no lead came back to show its fields")
    found.fields = asked
    extra = sorted({k for r in results for k in r} - set(asked.split(",")))
    if extra:
        return contradicted(
            f"`fields={asked}` brought other fields too: {', '.join(extra[:8])}"
            + (f" and {len(extra) - 8} more" if len(extra) > 8 else ""),
            hint="leadq fetch keeps only the fields asked for itself, so nothing is wrong in its output; " + _REPORT,
        )
    return holds(f"the results hold only the fields asked for ({asked})")


# -- order, pages, counts -----------------------------------------------------------------------


def _needs_key(found: Found) -> str | None:
    if not found.key:
        return f"{found.schema.method} has no datetime to sort and bound its results by"
    if found.key not in found.schema.sort_keys:
        return f"{found.schema.method} cannot sort by `{found.key}`"
    return None


def _asc(found: Found, q: str | None = None, offset: int | None = None, limit: int = 2) -> Ask:
    return Ask.of(found.params(q=q, sort=f"{found.key}:a", offset=offset, limit=limit))


def _desc(found: Found, q: str | None = None, limit: int = 2) -> Ask:
    return Ask.of(found.params(q=q, sort=f"{found.key}:d", limit=limit))


def _sorts(found: Found) -> list[Ask]:
    return [_asc(found), _desc(found)]


def _judge_sort(found: Found, answers: Sequence[Answer], descending: bool) -> Verdict:
    a = answers[1 if descending else 0]
    direction = "d" if descending else "a"
    sort = f"sort={found.key}:{direction}"
    if a.refused:
        return contradicted(f"`{sort}` is refused: {a.said()}")
    if not a.ok:
        return unknown(f"no list answer came ({a.said()})")
    leads = _seconds(found, a)
    if descending:
        found.newest = [k.id for k in leads]
    else:
        found.oldest = [k.id for k in leads]
    if not leads:
        return unknown("no lead came back")
    if any(k.second is None for k in leads):
        return unknown(f"a `{found.key}` of the results does not read as a datetime (see datetime-format)")
    seconds = [k.second for k in leads if k.second is not None]
    if seconds != sorted(seconds, reverse=descending):
        order = "oldest" if descending else "newest"
        return contradicted(f"`{sort}` brought the {order} first: {a.said(found.key)}")
    first = leads[0]
    assert first.second is not None
    known = found.dated()
    if descending:
        beyond = [k for k in known if k.second is not None and k.second > first.second]
    else:
        beyond = [k for k in known if k.second is not None and k.second < first.second]
    if beyond:
        k = beyond[-1] if descending else beyond[0]
        word = "newer" if descending else "older"
        return contradicted(f"`{sort}` brought {_lead(first)} first, but {_lead(k)} is {word}")
    if len({k.second for k in known}) < 2:
        return unknown(f"every lead read has the same `{found.key}`: no order to see")
    word = "newest" if descending else "oldest"
    return holds(f"the {word} lead read came first: {_lead(first)}")


def _plan_page_size(found: Found) -> list[Ask]:
    # the request of sort-asc, or (a method with no datetime to sort by) of fields
    return [_asc(found)] if found.key else [Ask.of(found.params(limit=2))]


def _judge_page_size(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    if not a.ok:
        return unknown(f"the request was not answered ({a.said()})")
    n = len(a.results or ())
    if n >= 2:
        return holds("limit=2 brought 2 results")
    total = a.total
    if total is not None and total >= 2:
        return contradicted(f"limit=2 brought {_count(n, 'result')} while `total` says {total}")
    if len(found.leads) >= 2:
        return contradicted(f"limit=2 brought {_count(n, 'result')}, though {len(found.leads)} leads were read")
    return unknown("the account has fewer than 2 leads")


def _judge_total(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    total = a.total
    if total is None:
        return unknown("the answer has no `total` (see shape)")
    read = len(found.leads)
    if read < 2:
        return unknown(f"{_count(read, 'lead')} read: too few to tell a page from every match")
    if total < read:
        return contradicted(f"limit=1 came with `total` {total}, though {read} leads were read: {a.said(found.key)}")
    return holds(f"limit=1 came with `total` {total}: every match, not the page")


def _judge_datetime_format(found: Found, answers: Sequence[Answer]) -> Verdict:
    written = [k for k in found.leads.values() if k.written is not None]
    if not written:
        return unknown(f"no lead with a `{found.key}` was read")
    for k in written:
        assert k.written is not None
        if _WRITTEN.fullmatch(k.written):
            continue
        if _ZONED.fullmatch(k.written):
            return contradicted(
                f"{_lead(k)}: `{found.key}` carries a zone",
                hint="leadq reads the zone and converts the time to Moscow time, but its q bounds stay Moscow time "
                "without one; " + _REPORT,
            )
        return contradicted(
            f"{_lead(k)}: `{found.key}` is not YYYY-MM-DDTHH:MM:SS",
            hint="leadq fetch refuses pages whose datetimes are not to the second (E803); " + _REPORT,
        )
    return holds(f"every `{found.key}` read is YYYY-MM-DDTHH:MM:SS ({_count(len(written), 'lead')})")


def _plan_zone(found: Found) -> list[Ask] | str:
    if found.held("sort-desc"):
        return [_desc(found)]
    if found.held("sort-asc", "offset") and found.total:
        return [_asc(found, offset=found.total - 1, limit=1)]  # the newest, without a descending sort
    return f"it needs `sort={found.key}:d`, or `:a` with `offset`, which were not found to hold"


def _judge_zone(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    clock = a.clock if a.clock is not None else found.clock
    if clock is None:
        return unknown("the API's answers carry no Date header: no clock to compare with")
    newest = next((k for k in _seconds(found, a) if k.second is not None), None)
    if newest is None:
        return unknown("no lead came back")
    assert newest.second is not None
    age = clock - newest.second
    if age < -_EDGE:
        return contradicted(
            f"the newest lead, {_lead(newest)}, is {-age // 60} min after the API's clock read in Moscow time "
            f"({when(clock)})",
            hint="leadq reads the API's datetimes as Moscow time, and its clock (the Date header) for a run's "
            "cut-off: " + _REPORT,
        )
    if age <= 3600:
        return holds(
            f"the newest lead, {_lead(newest)}, is {max(age, 0)} s before the API's clock read in Moscow time "
            f"({when(clock)}): no other whole-hour zone fits"
        )
    return unknown(
        f"the newest lead is {age // 3600} h old: a zone up to that far behind Moscow time cannot be told apart"
    )


def _plan_offset(found: Found) -> list[Ask] | str:
    if not found.held("sort-asc"):
        return f"it needs `sort={found.key}:a`, which was not found to hold"
    if len(found.leads) < 2:
        return "the account has fewer than 2 leads"
    return [_asc(found, offset=1, limit=1)]


def _judge_offset(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    if a.refused:
        return contradicted(f"`offset=1` is refused: {a.said()}")
    got = _seconds(found, a)
    oldest = [found.leads[i] for i in found.oldest if i in found.leads]
    if not oldest:
        return unknown("the oldest lead is not known")
    first = oldest[0]
    if not got:
        return contradicted(f"offset=1 brought nothing, though {len(found.leads)} leads were read")
    lead = got[0]
    if lead.id != first.id:
        if lead.second is not None and first.second is not None and lead.second < first.second:
            return contradicted(f"offset=1 brought {_lead(lead)}, older than the oldest, {_lead(first)}")
        return holds(f"offset=1 brought the second oldest lead: {_lead(lead)}")
    ties = [k for k in found.dated() if k.id != first.id and k.second == first.second]
    if ties:
        return unknown(f"the oldest leads share one second ({first.written}), and the order among them is not fixed")
    return contradicted(f"offset=1 brought the oldest lead again, {_lead(first)}: the offset is ignored")


# -- q: ids, limit, bounds ----------------------------------------------------------------------


def _needs_ids(found: Found) -> str | None:
    return None if found.ids is not None else f"{found.schema.method} has no criterion of ids"


def _some(found: Found) -> Known | None:
    """The oldest lead read (any lead, when none has a datetime)."""
    dated = found.dated()
    if dated:
        return dated[0]
    return next(iter(found.leads.values()), None)


def _pair(found: Found) -> tuple[Known, Known] | None:
    """The oldest and the newest lead read, of two different seconds."""
    dated = found.dated()
    if len(dated) < 2 or dated[0].second == dated[-1].second:
        return None
    return dated[0], dated[-1]


def _q_ids(found: Found, *leads: Known) -> str:
    assert found.ids is not None
    ids = sorted({k.id for k in leads}, key=lambda i: (isinstance(i, str), i))
    return f"{found.ids.name}={','.join(str(i) for i in ids)}"


def _plan_ids_one(found: Found) -> list[Ask] | str:
    lead = _some(found)
    if lead is None:
        return "no lead was read"
    return [Ask.of(found.params(q=_q_ids(found, lead), limit=2))]


def _judge_ids_one(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    q = a.ask.get("q")
    if a.refused:
        return contradicted(f"`{q}` is refused: {a.said()}")
    wanted = q.partition("=")[2] if q else ""
    got = a.ids()
    if [str(i) for i in got] == [wanted]:
        return holds(f"`{q}` brought that lead alone")
    if not got:
        return contradicted(f"`{q}` brought nothing, though the lead was read: {a.said(found.key)}")
    return contradicted(f"`{q}` brought other leads: {a.said(found.key)}")


def _plan_ids_list(found: Found) -> list[Ask] | str:
    if not found.held("ids-one"):
        return "it needs `ids=` of one lead, which was not found to hold"
    pair = _pair(found) or (tuple(found.leads.values())[:2] if len(found.leads) >= 2 else None)
    if pair is None:
        return "fewer than 2 leads were read"
    return [Ask.of(found.params(q=_q_ids(found, *pair), limit=2))]


def _judge_ids_list(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    q = a.ask.get("q") or ""
    if a.refused:
        return contradicted(f"`{q}` is refused: {a.said()}")
    wanted = set(q.partition("=")[2].split(","))
    got = {str(i) for i in a.ids()}
    if got == wanted:
        return holds(f"`{q}` brought both leads")
    if got and got < wanted and a.total == len(wanted) and found.outcomes.get("page-size") is Outcome.CONTRADICTED:
        return holds(f"`{q}` has `total` {a.total}: both match (the page, capped, held {len(got)})")
    return contradicted(f"`{q}` brought {a.said(found.key)}")


def _needs_limit(found: Found) -> str | None:
    if "limit" not in found.schema.parameters:
        return f"{found.schema.method} takes no `limit`"
    if found.schema.max_limit >= MAX_NUMBER:
        return f"{found.schema.method}'s reference gives no maximum `limit`"
    return _needs_ids(found)


def _plan_limit(found: Found, over: int) -> list[Ask] | str:
    if not found.held("ids-one"):
        return "it needs `ids=` of one lead, which was not found to hold (to keep the answer to one lead)"
    lead = _some(found)
    assert lead is not None
    ask = Ask.of(found.params(q=_q_ids(found, lead), limit=found.schema.max_limit + over))
    return [attrs.evolve(ask, maximum=True)]


def _judge_limit_max(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    limit = found.schema.max_limit
    if a.ok:
        return holds(f"limit={limit} is taken")
    return contradicted(
        f"limit={limit} is refused: {a.said()}",
        hint=f"leadq fetch asks pages of {limit}: {_REPORT}; meanwhile, in Python, `Client(page_size={limit - 1})` "
        "asks smaller ones",
    )


def _judge_limit_over(found: Found, answers: Sequence[Answer]) -> Verdict:
    a = answers[0]
    limit = found.schema.max_limit + 1
    if a.refused:
        return holds(f"limit={limit} is refused: {a.said()}")
    if a.ok:
        return contradicted(f"limit={limit} is taken: {a.said(found.key)}")
    return unknown(f"no answer to tell ({a.said()})")


def _bound(found: Found, op: str, second: int) -> str:
    return f"{found.key}{op}{when(second)}"


def _plan_bound(found: Found, op: str, past_oldest: int) -> list[Ask] | str:
    """`op` bounding the ascending page at the oldest lead read's second (plus
    `past_oldest`), where the oldest two lie in different seconds."""
    if not found.held("sort-asc"):
        return f"it needs `sort={found.key}:a`, which was not found to hold"
    pair = _pair(found)
    if pair is None:
        return "the leads read do not lie in two different seconds"
    oldest = pair[0]
    assert oldest.second is not None
    return [_asc(found, q=_bound(found, op, oldest.second + past_oldest))]


def _plan_ge(found: Found) -> list[Ask] | str:
    return _plan_bound(found, ">=", 1)


def _plan_le(found: Found) -> list[Ask] | str:
    return _plan_bound(found, "<=", 0)


def _judge_bound(found: Found, answers: Sequence[Answer], op: str) -> Verdict:
    a = answers[0]
    q = a.ask.get("q") or ""
    if a.refused:
        return contradicted(f"`{q}` is refused: {a.said()}")
    bound = found.leads  # the leads of the answer are known by now
    x = q.partition(op)[2]
    from ._asking import lead_second

    limit = lead_second(x)
    assert limit is not None
    got = [bound[i] for i in a.ids() if i in bound]
    outside = [k for k in got if k.second is not None and (k.second < limit if op == ">=" else k.second > limit)]
    if outside:
        return contradicted(f"`{q}` brought {_lead(outside[0])}, {'before' if op == '>=' else 'after'} {x}")
    inside = [
        k for k in found.dated() if k.second is not None and (k.second >= limit if op == ">=" else k.second <= limit)
    ]
    if not got:
        if inside:
            return contradicted(f"`{q}` brought nothing, though {_lead(inside[0])} lies within it")
        return unknown("no lead read lies within the bound")
    everyone = found.total
    if a.total is not None and everyone is not None and len(inside) < everyone <= a.total:
        return contradicted(f"`{q}` came with `total` {a.total}, as many as without it ({everyone})")
    return holds(f"`{q}` brought {_count(len(got), 'lead')}, none {'before' if op == '>=' else 'after'} {x}")


# -- q: terms and values ------------------------------------------------------------------------


def _bound_op(found: Found) -> str | None:
    return "<=" if found.held("le") else ">=" if found.held("ge") else None


def _plan_conjunction(found: Found) -> list[Ask] | str:
    if not found.held("ids-one"):
        return "it needs `ids=` of one lead, which was not found to hold"
    op = _bound_op(found)
    if op is None:
        return f"it needs `{found.key}<=` or `{found.key}>=`, neither of which was found to hold"
    pair = _pair(found)
    if pair is None:
        return "the leads read do not lie in two different seconds"
    old, new = pair
    assert old.second is not None and new.second is not None
    if op == "<=":  # the old lead meets both terms; the new one only its id
        meets, misses, bound = old, new, _bound(found, "<=", old.second)
    else:
        meets, misses, bound = new, old, _bound(found, ">=", new.second)
    return [
        Ask.of(found.params(q=f"{_q_ids(found, meets)} {bound}", limit=2)),
        Ask.of(found.params(q=f"{_q_ids(found, misses)} {bound}", limit=2)),
    ]


def _judge_pair(found: Found, answers: Sequence[Answer], meets_why: str, misses_why: str) -> Verdict:
    """A pair of requests on one lead: the first must bring it (`meets_why` says why),
    the second nothing (`misses_why`)."""
    meets, misses = answers
    for a in answers:
        if a.status == 403:
            return unknown(f"the API forbids the account's role this search: {a.sent}: {a.said()}")
        if a.refused:
            return contradicted(f"`{a.ask.get('q')}` is refused: {a.said()}")
    if not meets.ids():
        return contradicted(f"`{meets.ask.get('q')}` brought nothing, though {meets_why}")
    if misses.ids():
        return contradicted(f"`{misses.ask.get('q')}` brought {misses.said(found.key)}, though {misses_why}")
    return holds(f"`{meets.ask.get('q')}` brought its lead; `{misses.ask.get('q')}` brought nothing")


def _judge_conjunction(found: Found, answers: Sequence[Answer]) -> Verdict:
    return _judge_pair(found, answers, "its lead meets both terms", "its lead meets the first term only")


def _plan_space_encoding(found: Found) -> list[Ask] | str:
    """Asked only when the conjunction failed: the same requests, each space as `%20`."""
    if found.held("conjunction"):
        return []
    if found.outcomes.get("conjunction") is None or "conjunction" not in found.plans:
        return "the conjunction of two terms could not be asked"
    return [attrs.evolve(ask, raw=True) for ask in found.plans["conjunction"]]


def _judge_space_encoding(found: Found, answers: Sequence[Answer]) -> Verdict:
    if not answers:
        return holds("the terms of the conjunction, a space between them written `+`, were read apart")
    verdict = _judge_conjunction(found, answers)
    if verdict.outcome is Outcome.HOLDS:
        return contradicted(
            "with each space written `%20`, the conjunction holds: the API reads `+` in a query string as a plus",
            hint="leadq's HTTP library writes a space in the query string as `+`: " + _REPORT,
        )
    return unknown("with each space written `%20` as well, the conjunction does not hold (see conjunction)")


def _plan_date_bound(found: Found) -> list[Ask] | str:
    if not found.held("conjunction", "ge", "le"):
        return f"it needs `{found.key}>=`, `{found.key}<=` and a conjunction of terms, which were not all found to hold"
    later = [k for k in reversed(found.dated()) if k.second is not None and k.second % _DAY]
    if not later:
        return "every lead read was created at midnight"
    lead = later[0]
    assert lead.second is not None
    day = when(lead.second - lead.second % _DAY)[:10]
    ids = _q_ids(found, lead)
    return [
        Ask.of(found.params(q=f"{ids} {found.key}>={day}", limit=2)),
        Ask.of(found.params(q=f"{ids} {found.key}<={day}", limit=2)),
    ]


def _judge_date_bound(found: Found, answers: Sequence[Answer]) -> Verdict:
    after, before = answers
    for a in answers:
        if a.refused:
            return contradicted(f"`{a.ask.get('q')}` is refused: {a.said()}")
    q = before.ask.get("q") or ""
    day = q.rpartition("<=")[2]
    lead = found.leads.get(next(iter(after.ids()), None)) or found.leads.get(next(iter(before.ids()), None))
    shown = f" ({lead.written})" if lead is not None and lead.written else ""
    if not after.ids():
        return contradicted(f"`{after.ask.get('q')}` brought nothing, though its lead{shown} is of that day or later")
    if before.ids():
        return contradicted(f"`{q}` brought its lead{shown}: `<={day}` was read as the whole day, or its end")
    return holds(f"`{after.ask.get('q')}` brought its lead{shown}; `{q}` brought nothing: {day}T00:00:00")


_WORD = re.compile(r"[^\W\d_]+")  # letters only


def _words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]


def _fits(found: Found, value: str) -> bool:
    """A value leadq itself would send (q-format.md): no term boundary in it, no outer
    whitespace or control character, not too long."""
    return value_problem(value, found.schema.term_break, Span(0, len(value)), "value") is None


def _texts(found: Found) -> list[Known]:
    return [k for k in found.dated() or found.leads.values() if k.text_state == SHOWN and k.text]


def _needs_text(found: Found) -> str | None:
    return None if found.text is not None else f"{found.schema.method} has no criterion that searches text"


def _text_plan(found: Found) -> str | None:
    if not found.held("ids-one", "conjunction"):
        return "it needs `ids=` and a conjunction of terms, which were not both found to hold"
    if not any(k.text_state == SHOWN for k in found.leads.values()):
        if any(k.text_state == HIDDEN for k in found.leads.values()):
            return "the account's role sees no text of the leads read"
        return "no lead's text was read"
    return None


def _plan_value_space(found: Found) -> list[Ask] | str:
    why = _text_plan(found)
    if why is not None:
        return why
    assert found.text is not None
    for ascii_only in (True, False):
        for k in _texts(found):
            assert k.text is not None
            words = _words(k.text)
            for (_, e1, w1), (s2, _, w2) in itertools.pairwise(words):
                if k.text[e1:s2] != " " or (ascii_only and not (w1 + w2).isascii()):
                    continue
                piece, swapped = f"{w1} {w2}", f"{w2} {w1}"
                if swapped.casefold() in k.text.casefold() or not _fits(found, piece):
                    continue
                ids = _q_ids(found, k)
                return [
                    Ask.of(found.params(q=f"{ids} {found.text.name}={piece}", limit=2)),
                    Ask.of(found.params(q=f"{ids} {found.text.name}={swapped}", limit=2)),
                ]
    return "no text read holds two words apart by one space"


def _searched(answer: Answer) -> str:
    """The value of the last term of a request's q (the text searched)."""
    return (answer.ask.get("q") or "").split(" ", 1)[-1].partition("=")[2]


def _judge_value_space(found: Found, answers: Sequence[Answer]) -> Verdict:
    meets, misses = (_searched(a) for a in answers)
    return _judge_pair(found, answers, f"its lead's text holds `{meets}`", f"its lead's text does not hold `{misses}`")


def _plan_non_ascii(found: Found) -> list[Ask] | str:
    why = _text_plan(found)
    if why is not None:
        return why
    assert found.text is not None
    for k in _texts(found):
        assert k.text is not None
        for _, _, word in _words(k.text):
            if word.isascii() or len(word) < 3:
                continue
            other = word[::-1] if word[::-1].casefold() not in k.text.casefold() else word + word[-1] * 3
            if other.casefold() in k.text.casefold() or not _fits(found, word):
                continue
            ids = _q_ids(found, k)
            return [
                Ask.of(found.params(q=f"{ids} {found.text.name}={word}", limit=2)),
                Ask.of(found.params(q=f"{ids} {found.text.name}={other}", limit=2)),
            ]
    return "no text read holds a word of letters beyond ASCII"


def _judge_non_ascii(found: Found, answers: Sequence[Answer]) -> Verdict:
    return _judge_value_space(found, answers)


def _needs_enter_page(found: Found) -> str | None:
    return None if "enter_page" in found.schema.by_q_name else f"{found.schema.method} has no `enter_page`"


def _plan_enter_page(found: Found) -> list[Ask] | str:
    if not found.held("ids-one", "conjunction"):
        return "it needs `ids=` and a conjunction of terms, which were not both found to hold"
    pages = [k for k in found.leads.values() if k.entry_page and _fits(found, k.entry_page)]
    if not pages:
        return "no lead read has an entry page"
    # the plainest page: one that a server's reading of `?`, `&`, `=`, `%` or `+` cannot confuse
    lead = min(pages, key=lambda k: (bool(re.search(r"[?&=%+#;]", k.entry_page or "")), len(k.entry_page or "")))
    assert lead.entry_page is not None
    ids, page = _q_ids(found, lead), lead.entry_page
    missing = page + "-leadq-probe" if len(page) < MAX_VALUE_LENGTH - 12 else page[:-12] + "-leadq-probe"
    return [
        Ask.of(found.params(q=f"{ids} enter_page={page}", limit=2)),
        Ask.of(found.params(q=f"{ids} enter_page={missing}", limit=2)),
        Ask.of(found.params(q=f"{ids} entry_page={page}", limit=2)),
    ]


def _judge_enter_page(found: Found, answers: Sequence[Answer]) -> Verdict:
    entry = answers[2]
    verdict = _judge_pair(found, answers[:2], "it is its lead's entry page", "its lead's entry page is another")
    if entry.refused:
        also = f"`entry_page` is refused ({entry.said()})"
    elif entry.ids():
        also = "`entry_page=` finds it too"
    else:
        also = "`entry_page=` finds nothing"
    if verdict.outcome is Outcome.HOLDS:
        return holds(f"{verdict.detail}; {also}")
    return attrs.evolve(verdict, detail=f"{verdict.detail}; {also}")


# -- roles and periods --------------------------------------------------------------------------


def _needs_hidden(found: Found) -> str | None:
    text = found.text
    if text is None or not text.hidden_from:
        return f"{found.schema.method} hides no field from a role"
    return None


def _judge_text_hidden(found: Found, answers: Sequence[Answer]) -> Verdict:
    text = found.text
    assert text is not None
    name = f"`{text.name}`"
    seen = [k for k in found.leads.values() if k.text_state is not None]
    if not seen:
        return unknown(f"no lead's {name} was asked for")
    hidden = [k for k in seen if k.text_state == HIDDEN]
    shown = [k for k in seen if k.text_state == SHOWN]
    nulls = [k for k in seen if k.text_state == NULL]
    listed = ", ".join(repr(k.id) for k in hidden[:5])
    null = f"leads {', '.join(repr(k.id) for k in nulls[:5])} came with {name} null: hidden, or leads without text"
    role = found.role
    if role is None:
        if hidden:
            return holds(f"leads {listed} came without {name}: a managed role's account, and it is hidden")
        if nulls:
            return unknown(f"{null}; give --role to tell")
        return unknown(
            f"every lead read came with its {name}: an administrator's account, or the account's own leads; "
            "give --role to tell"
        )
    if role not in text.hidden_from:
        if hidden:
            return contradicted(
                f"the role {role} got leads without {name}: {listed}",
                hint=f"leadq takes it that the role {role} sees every lead's {name}: {_REPORT}",
            )
        none = f", {len(nulls)} of them without any" if nulls else ""
        return holds(f"the role {role} saw the {name} of every lead read ({_count(len(seen), 'lead')}{none})")
    if hidden:
        return holds(f"the role {role} got leads {listed} without {name}")
    employees = {k.assignee for k in shown if k.assignee is not None}
    if len(employees) >= 2:
        return contradicted(
            f"the role {role} got the {name} of leads assigned to {len(employees)} employees, "
            "so of another employee's lead",
            hint=f"leadq refuses to check {name} here for the role {role} (E313) and warns about it (W606): " + _REPORT,
        )
    if nulls:
        return unknown(null)
    return unknown(f"every lead read came with its {name}, and is assigned to one employee, maybe the account")


_PERIOD = "lastweek"


def _needs_periods(found: Found) -> str | None:
    why = _needs_key(found)
    if why is not None:
        return why
    kind = found.schema.by_q_name.get(found.key)
    return None if kind is not None and kind.kind_name == "datetime" else f"`{found.key}` takes no relative period"


def _plan_lastweek(found: Found) -> list[Ask] | str:
    if not found.held("sort-asc", "ge"):
        return f"it needs `sort={found.key}:a` and `{found.key}>=`, which were not both found to hold"
    if found.clock is None:
        return "the API's answers carry no Date header: no clock to read the period at"
    start = found.clock - PERIOD_DAYS[_PERIOD] * _DAY + 1
    return [
        _asc(found, q=f"{found.key}={_PERIOD}", limit=1),
        _asc(found, q=_bound(found, ">=", start), limit=1),
    ]


def _judge_lastweek(found: Found, answers: Sequence[Answer]) -> Verdict:
    period, ours = answers
    if period.refused:
        return contradicted(f"`{period.ask.get('q')}` is refused: {period.said()}")
    start = (ours.ask.get("q") or "").partition(">=")[2]
    p = next(iter(_seconds(found, period)), None)
    o = next(iter(_seconds(found, ours)), None)
    if p is None and o is None:
        return unknown("no lead was created in the last 7 days")
    from ._asking import lead_second

    edge = lead_second(start)
    assert edge is not None
    if any(k is not None and k.second is not None and abs(k.second - edge) <= _EDGE for k in (p, o)):
        return unknown(f"a lead lies within {_EDGE} s of the period's start ({start}): the two readings meet there")
    if p is not None and o is not None and (p.id == o.id or p.second == o.second):
        return holds(f"`{_PERIOD}` starts where the last 7 days do: its first lead is {_lead(p)}")
    if p is None:
        assert o is not None
        return contradicted(f"`{found.key}={_PERIOD}` brought nothing, though {_lead(o)} is of the last 7 days")
    if o is None or (p.second is not None and o.second is not None and p.second < o.second):
        return contradicted(f"`{found.key}={_PERIOD}` reaches back before the last 7 days (from {start}): {_lead(p)}")
    return contradicted(
        f"`{found.key}={_PERIOD}` starts after the last 7 days do: its first lead is {_lead(p)}, and {_lead(o)} "
        "is left out"
    )


# -- the table ------------------------------------------------------------------------------------

QUESTIONS: tuple[Question, ...] = (
    Question(
        "base-url",
        "The API serves the method at the base URL and its path (`https://web-api.livetex.ru/leads/list`)",
        "`limit=1`, by POST and by GET",
        "decisions.md#the-apis-url",
        "set the base URL: --base-url, LIVETEX_BASE_URL or `base-url` in the configuration; the bases in public "
        f"use are {', '.join(BASES)}",
        _contact,
        _judge_base_url,
    ),
    Question(
        "credentials",
        "The credentials are accepted: a bearer token (given, or from the password grant), or HTTP Basic",
        "the same requests",
        "decisions.md#tokens",
        "check the token (LIVETEX_TOKEN, --token-file) or the username and password; an account that signs in "
        "with its password may need --auth basic",
        _contact,
        _judge_credentials,
    ),
    Question(
        "http-method",
        "POST, with the parameters in the query string, is answered (GET is a setting)",
        "the same requests",
        "decisions.md#http-method-of-a-run",
        'set --http-method GET (or LIVETEX_HTTP_METHOD=GET, or `http-method = "GET"` in the configuration)',
        _contact,
        _judge_http_method,
    ),
    Question(
        "shape",
        "An answer is a JSON object with `total`, the count of every match, and `results`, a list of objects "
        "each with its `id`, no more than `limit` of them",
        "the same requests",
        "decisions.md#every-page-of-a-run",
        "leadq fetch stops on such answers (E803): " + _REPORT,
        _chosen,
        _judge_shape,
    ),
    Question(
        "fields",
        "`fields` narrows the results to the fields named",
        "`fields=id,created_at,text,entry_page,assigned_to&limit=2`",
        "decisions.md#fields",
        "leadq fetch asks the fields it needs; " + _REPORT,
        _plan_fields,
        _judge_fields,
    ),
    Question(
        "sort-asc",
        "`sort=created_at:a` returns the oldest leads first: the order leadq fetch pages in",
        "`sort=created_at:a&limit=2` and `sort=created_at:d&limit=2`",
        "decisions.md#paging-a-run",
        "leadq fetch pages in this order, and stops when a page is out of order (E803): " + _REPORT,
        _sorts,
        lambda found, answers: _judge_sort(found, answers, descending=False),
        _needs_key,
    ),
    Question(
        "sort-desc",
        "`sort=created_at:d` returns the newest leads first",
        "the same requests",
        "decisions.md#descending-sort",
        "`order by created_at desc` in a compiled request sends it (leadq fetch sorts by itself): " + _REPORT,
        _sorts,
        lambda found, answers: _judge_sort(found, answers, descending=True),
        _needs_key,
    ),
    Question(
        "page-size",
        "A page holds `limit` results when more match: the API does not cap its pages below `limit` "
        "(the probe sees only a cap below 2)",
        "the same `sort=created_at:a&limit=2`",
        "decisions.md#a-short-page-while-total-says-more",
        "leadq fetch pages on from the last lead read when a page is short (note I802): nothing to set; " + _REPORT,
        _plan_page_size,
        _judge_page_size,
    ),
    Question(
        "total",
        "`total` counts every match, not only the page",
        "the first request, `limit=1`",
        "decisions.md#a-short-page-while-total-says-more",
        "leadq fetch reads a short page whose `total` says more as a capped page: " + _REPORT,
        _chosen,
        _judge_total,
    ),
    Question(
        "datetime-format",
        "Datetimes come to the second, in Moscow time without an offset: `2024-01-31T10:00:00`",
        "nothing more: the leads read so far",
        "decisions.md#datetime-output",
        "leadq fetch refuses pages whose datetimes it cannot read to the second (E803): " + _REPORT,
        lambda found: [],
        _judge_datetime_format,
        _needs_key,
    ),
    Question(
        "offset",
        "`offset` skips that many results: `offset=1` starts at the second oldest",
        "`sort=created_at:a&offset=1&limit=1`",
        "decisions.md#more-than-a-page-of-leads-in-one-second",
        "leadq fetch reads a second of more leads than a page by offset: " + _REPORT,
        _plan_offset,
        _judge_offset,
        _needs_key,
    ),
    Question(
        "datetime-zone",
        "Datetimes are Moscow time: the newest lead is not later than the API's clock (its Date header) "
        "read in Moscow time, and not hours earlier on an account that gets leads",
        "the same `sort=created_at:d&limit=2` (when it is refused: `sort=created_at:a` with `offset` at the last lead)",
        "decisions.md#time-zones",
        "leadq reads datetimes, and its q bounds, as Moscow time: " + _REPORT,
        _plan_zone,
        _judge_zone,
        _needs_key,
    ),
    Question(
        "ids-one",
        "`ids=A` returns the lead A, and only it",
        "`q=ids=A&limit=2`, A a lead read",
        "decisions.md#id-lists-in-q",
        _REPORT,
        _plan_ids_one,
        _judge_ids_one,
        _needs_ids,
    ),
    Question(
        "ids-list",
        "A comma list of ids, `ids=A,B`, returns both",
        "`q=ids=A,B&limit=2`",
        "decisions.md#id-lists-in-q",
        "leadq writes every list of ids so (`site in (1, 2)` is `site_ids=1,2`): " + _REPORT,
        _plan_ids_list,
        _judge_ids_list,
        _needs_ids,
    ),
    Question(
        "limit-max",
        "`limit` at the method's maximum (100 for Leads.list) is taken",
        "`q=ids=A&limit=100` (one lead can match)",
        "decisions.md#limit",
        "leadq fetch asks pages of the maximum: " + _REPORT,
        lambda found: _plan_limit(found, 0),
        _judge_limit_max,
        _needs_limit,
    ),
    Question(
        "limit-over",
        "`limit` above the maximum (101) is refused",
        "`q=ids=A&limit=101` (one lead can match)",
        "decisions.md#limit",
        "leadq refuses a `limit` above the maximum (E209) that the API takes: " + _REPORT,
        lambda found: _plan_limit(found, 1),
        _judge_limit_over,
        _needs_limit,
    ),
    Question(
        "ge",
        "`created_at>=X` is honoured: no lead before X comes back (X the second after the oldest lead read)",
        "`q=created_at>=X&sort=created_at:a&limit=2`",
        "decisions.md#datetime-output",
        "every page of leadq fetch is bounded so: " + _REPORT,
        _plan_ge,
        lambda found, answers: _judge_bound(found, answers, ">="),
        _needs_key,
    ),
    Question(
        "le",
        "`created_at<=X` is honoured: no lead after X comes back (X the second of the oldest lead read)",
        "`q=created_at<=X&sort=created_at:a&limit=2`",
        "decisions.md#datetime-output",
        "every run of leadq fetch is bounded so by its cut-off: " + _REPORT,
        _plan_le,
        lambda found, answers: _judge_bound(found, answers, "<="),
        _needs_key,
    ),
    Question(
        "conjunction",
        "Two terms apart by a space are a conjunction: a lead must meet both",
        "`q=ids=A created_at<=X` (A meets both) and `q=ids=B created_at<=X` (B meets only the first), `limit=2`",
        "decisions.md#term-separator-in-q",
        "every q of leadq joins its terms so: " + _REPORT,
        _plan_conjunction,
        _judge_conjunction,
        _needs_key,
    ),
    Question(
        "space-encoding",
        "A space in the query string written `+`, as leadq's HTTP library writes it, is read as a space",
        "nothing more when the conjunction holds; else the same requests with each space written `%20`",
        "decisions.md#spaces-in-the-query-string",
        "leadq's HTTP library writes a space in the query string as `+`: " + _REPORT,
        _plan_space_encoding,
        _judge_space_encoding,
        _needs_key,
    ),
    Question(
        "date-bound",
        "A date-only bound is its first second: `created_at<=2024-01-31` is `<= 2024-01-31T00:00:00`",
        "`q=ids=A created_at>=D` and `q=ids=A created_at<=D`, `limit=2`, D the day of a lead A read created after "
        "midnight",
        "decisions.md#a-datetime-in-a-raw-q",
        "leadq reads a raw q's date so (decompile, evaluate_q), and writes the second itself: " + _REPORT,
        _plan_date_bound,
        _judge_date_bound,
        _needs_key,
    ),
    Question(
        "value-space",
        "A value with a space is one value: `text=call me` finds the leads whose text holds `call me`",
        "`q=ids=A text=W1 W2` (A's text holds it) and `q=ids=A text=W2 W1` (it does not), `limit=2`",
        "decisions.md#a-space-inside-a-value",
        "leadq sends such a value as it is, with warning W601; until this is settled, search one word: " + _REPORT,
        _plan_value_space,
        _judge_value_space,
        _needs_text,
    ),
    Question(
        "non-ascii",
        "A value with letters beyond ASCII (`text=доставка`), sent as UTF-8, is matched as written",
        "`q=ids=A text=W` (A's text holds the word W) and the same with W reversed, `limit=2`",
        "decisions.md#letters-beyond-ascii",
        _REPORT,
        _plan_non_ascii,
        _judge_non_ascii,
        _needs_text,
    ),
    Question(
        "enter-page",
        "`enter_page`, the documented name, is the criterion of the entry page (`entry_page` is its other name)",
        "`q=ids=A enter_page=P` (P A's entry page), `ids=A enter_page=P-leadq-probe` and `ids=A entry_page=P`, "
        "`limit=2`",
        "decisions.md#enter_page-vs-entry_page",
        "leadq writes `enter_page`: " + _REPORT,
        _plan_enter_page,
        _judge_enter_page,
        _needs_enter_page,
    ),
    Question(
        "text-hidden",
        "A managed role (chief, chief_partner, manager, operator) gets other employees' leads without `text`; "
        "an administrator sees it",
        "nothing more: the leads read so far, with the role given by --role",
        "fetch.md#roles",
        "leadq's warnings and refusals on `text` (W606, E313) rest on this: " + _REPORT,
        lambda found: [],
        _judge_text_hidden,
        _needs_hidden,
    ),
    Question(
        "lastweek",
        "`created_at=lastweek` is the last 7 days up to now, as leadq reads it",
        "`q=created_at=lastweek` and `q=created_at>=S` (S: 7 days before the API's clock), `sort=created_at:a&limit=1`",
        "decisions.md#relative-periods-in-evaluators",
        "leadq fetch sends the last 7 days as bounds, while a compiled q sends `created_at=lastweek`: " + _REPORT,
        _plan_lastweek,
        _judge_lastweek,
        _needs_periods,
    ),
)
