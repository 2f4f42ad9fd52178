"""leadq.Client and leadq.AsyncClient against the fake LiveTex server, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import pytest
from fetch_strategies import expected

import leadq
from leadq.testing import FakeLiveTex, generate_leads

NOW = datetime(2024, 3, 1, 12, 0)


def client(api: FakeLiveTex, **settings: Any) -> leadq.Client:
    settings.setdefault("backoff", 0.01)
    return leadq.Client(settings.pop("token", "test-token"), base_url=api.url, **settings)


def ids(leads: list[dict[str, Any]]) -> list[Any]:
    return [lead["id"] for lead in leads]


def list_requests(api: FakeLiveTex) -> list[Any]:
    return [r for r in api.requests if r.path.startswith("/leads/")]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "result = missed",
        'site = 1 and city = "Moscow"',
        "site != 3",
        "site = 1 or result = missed",
        'text contains "price" and text contains "order"',
        "type = form or duration > 60 or visit_count = 3",
        'not (site.url contains "shop") and created_at >= 2024-02-01',
    ],
)
def test_leads_are_exactly_the_filter_in_created_at_order(livetex: FakeLiveTex, text: str) -> None:
    with client(livetex, page_size=9) as c:
        got = list(c.leads(text, now=NOW))
    assert ids(got) == ids(expected(text, livetex.leads))
    assert c.stats.leads_returned == len(got)
    assert c.stats.requests == c.stats.pages == len(list_requests(livetex))


def test_pages_of_100_by_default_and_the_fields_the_run_needs(livetex: FakeLiveTex) -> None:
    with client(livetex) as c:
        got = list(c.leads('result = missed and city = "Kazan"', fields="id,name", now=NOW))
    assert got and all(set(lead) <= {"id", "name"} for lead in got)
    first = list_requests(livetex)[0]
    assert first.method == "POST"
    assert first.params["limit"] == "100"
    assert first.params["sort"] == "created_at:a"
    assert first.params["q"] == "result=missed created_at<=2024-03-01T11:59:59"
    # the residual reads city; the run reads id and created_at: asked for, then dropped
    assert first.params["fields"] == "id,name,created_at,city"


def test_nested_fields_are_merged_with_what_the_residual_reads(livetex: FakeLiveTex) -> None:
    with client(livetex) as c:
        got = list(c.leads('site.url contains "shop"', fields=["id", "site(url)"], now=NOW))
    assert got and all(lead["site"].keys() == {"url"} for lead in got)
    assert list_requests(livetex)[0].params["fields"] == "id,site(url),created_at"
    with client(livetex) as c:
        got = list(c.leads("site != 3", fields="id,site(url)", now=NOW))
    assert list_requests(livetex)[-1].params["fields"] == "id,site(id,url),created_at"
    assert got and all(lead["site"].keys() == {"url"} for lead in got)


def test_order_limit_and_the_filters_tail(livetex: FakeLiveTex) -> None:
    want = sorted(
        expected("duration > 30", livetex.leads),
        key=lambda lead: (lead["duration"], lead["created_at"], lead["id"]),
        reverse=True,
    )
    with client(livetex, page_size=20) as c:
        assert ids(list(c.leads("duration > 30", order="duration desc", now=NOW))) == ids(want)
        assert ids(list(c.leads("duration > 30 order by duration desc limit 4", now=NOW))) == ids(want[:4])
        assert ids(list(c.leads("duration > 30 order by duration desc limit 4 offset 2", now=NOW))) == ids(want[2:6])
        assert (
            ids(list(c.leads("duration > 30", limit=3, now=NOW))) == ids(expected("duration > 30", livetex.leads))[:3]
        )
        with pytest.raises(ValueError, match="order"):
            list(c.leads("site = 1", order="name"))


def test_a_streamed_limit_stops_paging(livetex: FakeLiveTex) -> None:
    with client(livetex, page_size=10) as c:
        assert len(list(c.leads("", limit=15, now=NOW))) == 15
    assert c.stats.pages == 2


def test_a_plan_runs_its_requests_concurrently_and_merges_them(livetex: FakeLiveTex) -> None:
    text = "type = form or result = missed or site = 2"
    with client(livetex, concurrency=3) as c:
        livetex.slow(0.3, times=3)
        start = time.monotonic()
        got = list(c.leads(text, now=NOW))
        assert time.monotonic() - start < 0.8  # three slow answers side by side, not one after another
    assert ids(got) == ids(expected(text, livetex.leads))
    assert len({lead["id"] for lead in got}) == len(got)
    assert {r.params["q"].split(" created_at")[0] for r in list_requests(livetex)} == {
        "type=form",
        "result=missed",
        "site_ids=2",
    }


def test_a_residual_the_role_cannot_see_is_refused_before_any_request(livetex: FakeLiveTex) -> None:
    with client(livetex, role="operator") as c, pytest.raises(leadq.LeadqError) as caught:
        list(c.leads('text contains "a" and text contains "b"'))
    assert "E313" in {d.code for d in caught.value.diagnostics}
    assert livetex.requests == []


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retried_statuses(livetex: FakeLiveTex, status: int) -> None:
    livetex.fail(status, times=2)
    with client(livetex) as c:
        got = list(c.leads("result = missed", now=NOW))
    assert ids(got) == ids(expected("result = missed", livetex.leads))
    assert (c.stats.requests, c.stats.retries) == (len(list_requests(livetex)), 2)
    assert [r.status for r in list_requests(livetex)][:3] == [status, status, 200]


def test_retry_after_is_honoured(livetex: FakeLiveTex) -> None:
    livetex.fail(429, retry_after=1)
    start = time.monotonic()
    with client(livetex, backoff=0.001) as c:
        list(c.leads("site = 1", now=NOW))
    assert time.monotonic() - start >= 1.0
    assert c.stats.retries == 1


def test_dropped_connections_and_slow_answers_are_retried(livetex: FakeLiveTex) -> None:
    livetex.drop(times=2)
    livetex.slow(1.0)
    with client(livetex, timeout=0.3) as c:
        got = list(c.leads("site = 2", now=NOW))
    assert ids(got) == ids(expected("site = 2", livetex.leads))
    assert c.stats.retries == 3


def test_retries_are_bounded_in_count_and_in_time(livetex: FakeLiveTex) -> None:
    livetex.fail(503, times=10)
    with client(livetex, retries=2) as c, pytest.raises(leadq.ApiError) as caught:
        list(c.leads("site = 1", now=NOW))
    (d,) = caught.value.diagnostics
    assert d.code == "E802"
    assert "after 3 attempts" in d.message
    assert caught.value.status == 503
    assert len(list_requests(livetex)) == 3
    livetex.faults.clear()
    livetex.fail(429, retry_after=30)
    start = time.monotonic()
    with client(livetex, retry_time=5) as c, pytest.raises(leadq.ApiError, match="E802"):
        list(c.leads("site = 1", now=NOW))
    assert time.monotonic() - start < 2  # a wait past retry_time is not even started


@pytest.mark.parametrize(
    ("status", "says", "hint"),
    [
        (400, "the API answered HTTP 400", "parameters"),
        (401, "the API did not accept the credentials: HTTP 401", "check `token=` (or `username=` and `password=`)"),
        (403, "the API forbids the account this request: HTTP 403", "role"),
    ],
)
def test_refusals_are_not_retried(livetex: FakeLiveTex, status: int, says: str, hint: str) -> None:
    livetex.fail(status, body='{"error": "no", "message": "Значение должно быть меньше 100"}')
    with client(livetex) as c, pytest.raises(leadq.ApiError) as caught:
        list(c.leads("site = 1", now=NOW))
    e = caught.value
    assert isinstance(e, leadq.LeadqError)
    assert (e.status, e.body) == (status, '{"error": "no", "message": "Значение должно быть меньше 100"}')
    (d,) = e.diagnostics
    assert d.code == "E801"
    assert d.message.startswith(f"{says} to POST /leads/list?q=site_ids=1 created_at<=")
    assert d.message.endswith(": Значение должно быть меньше 100")  # the API's own words from the JSON body
    assert d.hint is not None and hint in d.hint
    assert len(list_requests(livetex)) == 1


def test_a_bad_token_is_e801(livetex: FakeLiveTex) -> None:
    with client(livetex, token="wrong") as c, pytest.raises(leadq.ApiError) as caught:
        list(c.leads("site = 1"))
    assert caught.value.status == 401


def test_an_answer_that_is_no_list_of_leads_is_e803() -> None:
    with FakeLiveTex([]) as api:
        api.fail(200, body='{"results": "nope"}')
        with client(api) as c, pytest.raises(leadq.ApiError, match="E803"):
            list(c.leads("site = 1"))
        api.fail(200, body='{"results": [{"name": "no id"}]}')
        with client(api) as c, pytest.raises(leadq.ApiError, match="`id` is missing, not a whole number"):
            list(c.leads("site = 1"))


def test_password_grant_renews_the_token_when_it_expires_and_after_a_401() -> None:
    with FakeLiveTex(generate_leads(30), users={("me@example.com", "secret"): "admin"}, token_lifetime=2) as api:
        with leadq.Client(username="me@example.com", password="secret", base_url=api.url, page_size=10) as c:
            assert len(list(c.leads("", now=NOW))) == 30
            tokens = [r for r in api.requests if r.path == "/oauth2/token"]
            assert len(tokens) == 1  # one token for the whole run
            time.sleep(1.6)  # 2 s of lifetime, renewed when a quarter of it is left: due now
            list(c.leads("site = 1", now=NOW))
            assert len([r for r in api.requests if r.path == "/oauth2/token"]) == 2
            api.tokens.clear()  # the server forgets every token: a 401, one renewal, then on
            list(c.leads("site = 1", now=NOW))
            assert len([r for r in api.requests if r.path == "/oauth2/token"]) == 3
        with leadq.Client(username="me@example.com", password="wrong", base_url=api.url) as c:
            with pytest.raises(leadq.ApiError) as caught:
                list(c.leads("site = 1"))
            assert caught.value.status == 401


def test_a_short_lived_token_is_not_renewed_before_every_page() -> None:
    """A token living 20 s is renewed when 5 s are left, not 30 s early (before every page)."""
    with FakeLiveTex(generate_leads(120), users={("me@example.com", "secret"): "admin"}, token_lifetime=20) as api:
        with leadq.Client(username="me@example.com", password="secret", base_url=api.url, page_size=5) as c:
            assert len(list(c.leads("", now=NOW))) == 120
        tokens = [r for r in api.requests if r.path == "/oauth2/token"]
        assert len(tokens) == 1 and c.stats.pages >= 24


def test_http_basic_authentication() -> None:
    with FakeLiveTex(generate_leads(30), users={("me@example.com", "secret"): "admin"}) as api:
        with leadq.Client(username="me@example.com", password="secret", auth="basic", base_url=api.url) as c:
            assert ids(list(c.leads("site = 1", now=NOW))) == ids(expected("site = 1", api.leads))
        assert [r.path for r in api.requests] == ["/leads/list"]  # no token requests
        wrong = leadq.Client(username="me@example.com", password="wrong", auth="basic", base_url=api.url)
        with wrong as c, pytest.raises(leadq.ApiError) as caught:
            list(c.leads("site = 1"))
        assert caught.value.status == 401
        assert len(api.requests) == 2  # a 401 with Basic authentication is not retried
    with pytest.raises(TypeError, match="auth"):
        leadq.Client("token", auth="basic")


def test_get_works_as_well(livetex: FakeLiveTex) -> None:
    with client(livetex, http_method="GET") as c:
        assert ids(list(c.leads("site = 3", now=NOW))) == ids(expected("site = 3", livetex.leads))
    assert {r.method for r in livetex.requests} == {"GET"}


def test_routed_method_path(livetex: FakeLiveTex) -> None:
    text = "creator_type = visitor or site = 1"
    with client(livetex, schema=leadq.LEADS_LIST_ROUTED) as c:
        got = list(c.leads(text, now=NOW))
    assert {r.path for r in livetex.requests} == {"/leads/listRouted"}
    want = [lead for lead in livetex.leads if leadq.evaluate(text, lead, schema=leadq.LEADS_LIST_ROUTED)]
    assert got and ids(got) == ids(want)


def test_every_request_is_a_canonical_q(livetex: FakeLiveTex) -> None:
    """The keyset bounds are written into each request's q as compile would write them."""
    with client(livetex, page_size=7) as c:
        list(c.leads("(type = form or result = missed) and created_at >= 2024-01-05 and duration > 30", now=NOW))
    sent = [r.params["q"] for r in list_requests(livetex)]
    assert len(sent) > 3
    for q in sent:
        assert leadq.compile(leadq.format(leadq.decompile(q))) == q


def test_leads_created_or_updated_while_paging(livetex: FakeLiveTex) -> None:
    """Offsets would shift: a lead leaving the filter before the cursor hides the next one."""
    before = {lead["id"] for lead in expected("result = missed", livetex.leads)}

    def churn(api: FakeLiveTex, page: int) -> None:
        if page in (2, 3, 4):
            first = min(i for i in before if any(lead["id"] == i and lead["result"] == "missed" for lead in api.leads))
            api.update_lead(first, result="completed")  # leaves the filter, behind the cursor
            api.add_lead(result="missed")  # a new lead, after the run started

    livetex.between_pages(churn)
    with client(livetex, page_size=10) as c:
        got = ids(list(c.leads("result = missed")))
    after = {lead["id"] for lead in livetex.leads if lead["result"] == "missed"}
    assert len(got) == len(set(got))
    assert before & after <= set(got) <= before | after  # nothing lost, nothing repeated
    created = {lead["id"] for lead in livetex.leads} - {lead["id"] for lead in generate_leads(250)}
    assert not set(got) & created  # the run reads the leads that existed when it began


def test_async_client_gives_the_same_leads(livetex: FakeLiveTex) -> None:
    text = 'type = form or city = "Tver"'

    async def main() -> tuple[list[dict[str, Any]], leadq.client.Stats]:
        async with leadq.AsyncClient("test-token", base_url=livetex.url, page_size=8, backoff=0.01) as c:
            livetex.fail(503)
            got = [lead async for lead in c.leads(text, fields="id,type", now=NOW)]
            return got, c.stats

    got, stats = asyncio.run(main())
    assert ids(got) == ids(expected(text, livetex.leads))
    assert all(set(lead) <= {"id", "type"} for lead in got)
    assert stats.retries == 1
    assert stats.requests == len(livetex.requests)


def test_settings_are_checked() -> None:
    with pytest.raises(TypeError, match="token"):
        leadq.Client()
    with pytest.raises(TypeError, match="page_size"):
        leadq.Client("t", page_size=101)
    with pytest.raises(TypeError, match="http_method"):
        leadq.Client("t", http_method="PUT")
    for url in ("web-api.livetex.ru", "http://", "https://host:port", "ftp://host"):
        with pytest.raises(TypeError, match="base_url"):
            leadq.Client("t", base_url=url)
    for name, value in (("timeout", 0), ("retry_time", -1), ("retries", -1), ("concurrency", 0), ("timeout", "5")):
        with pytest.raises(TypeError, match=name):
            leadq.Client("t", **{name: value})
    with pytest.raises(TypeError, match="auth"):
        leadq.Client(username="u", password="p", auth="digest")
    with pytest.raises(leadq.LeadqError) as caught:
        leadq.AsyncClient("t", schema="leads.lst")
    assert caught.value.diagnostics[0].code == "E211"
    # the paging comes from the method's schema: keyset where it has a key to page by
    # (downward where only the descending sort is attested), else offset, else one request
    ways = {
        name: (c.paging.way, c.paging.key, c.paging.descending, c.paging.sort, c.page_size, c.path)
        for name in ("leads.listrouted", "Calls.list", "Cities.list", "Employees.list", "Stats.employees")
        for c in [leadq.AsyncClient("t", schema=name)]
    }
    assert ways == {
        "leads.listrouted": ("keyset", "created_at", False, "created_at:a", 100, "/leads/listRouted"),
        "Calls.list": ("keyset", "created_at", True, "created_at:d", 100, "/calls/list"),
        "Cities.list": ("offset", "", False, "", 100, "/cities/list"),
        "Employees.list": ("offset", "", False, "created_at:a", 1000, "/employees/list"),
        "Stats.employees": ("single", "", False, "", 0, "/stats/employees"),
    }
    with pytest.raises(TypeError, match="page_size"):
        leadq.Client("t", schema="Employees.list", page_size=1001)


@pytest.mark.parametrize("make", [leadq.Client, leadq.AsyncClient])
def test_an_unknown_role_is_an_error_with_a_guess(make: Any) -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        make("t", role="opertor")
    (d,) = caught.value.diagnostics
    assert (d.code, d.message, d.hint) == (
        "E212",
        "`opertor` is no API role that may call Leads.list",
        "did you mean `operator`?",
    )
    with pytest.raises(leadq.LeadqError, match="its roles: admin, admin_partner"):
        make("t", role="nobody-at-all")
    with pytest.raises(TypeError, match="role"):
        make("t", role=3)
    assert make("t", role="chief", schema="Leads.listRouted").role == "chief"


def test_fields_are_checked_before_any_request(livetex: FakeLiveTex) -> None:
    with client(livetex) as c, pytest.raises(leadq.LeadqError) as caught:
        list(c.leads("site = 1", fields="id,nmae,site(urll)", now=NOW))
    assert [(d.code, d.start, d.end, d.hint) for d in caught.value.diagnostics] == [
        ("E210", 3, 7, "did you mean `name`?"),
        ("E210", 13, 17, "did you mean `url`?"),
    ]
    assert caught.value.text == "id,nmae,site(urll)"
    assert livetex.requests == []
