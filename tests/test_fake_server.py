"""leadq.testing.FakeLiveTex answers as the API does (api-http.md, leads-list.md)."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
import pytest
from loopback import HTTP

from leadq.core.datetimes import moscow
from leadq.testing import FakeLiveTex, generate_leads

AUTH = {"Authorization": "Bearer test-token"}


def get(api: FakeLiveTex, **params: str) -> httpx.Response:
    return HTTP.post(f"{api.url}/leads/list", params=params, headers=AUTH)


def test_lists_with_total_results_sort_offset_and_limit(livetex: FakeLiveTex) -> None:
    r = get(livetex, q="site_ids=1 result=missed", sort="duration:d", offset="2", limit="5")
    assert r.status_code == 200
    body = r.json()
    matching = [lead for lead in livetex.leads if lead["site"]["id"] == 1 and lead["result"] == "missed"]
    assert body["total"] == len(matching)
    assert len(body["results"]) == 5
    assert all(lead["site"]["id"] == 1 and lead["result"] == "missed" for lead in body["results"])
    # the default page is 50 leads, sorted by created_at
    default = get(livetex).json()["results"]
    assert [lead["id"] for lead in default] == list(range(1, 51))


def test_limit_above_100_is_refused_as_the_api_does(livetex: FakeLiveTex) -> None:
    r = get(livetex, limit="101")
    assert r.status_code == 400
    assert r.json()["message"] == "Значение должно быть меньше 100"
    assert get(livetex, limit="100").status_code == 200


def test_fields_narrow_the_leads(livetex: FakeLiveTex) -> None:
    leads = get(livetex, fields="id,site(url)", limit="3").json()["results"]
    assert leads == [{"id": lead["id"], "site": {"url": lead["site"]["url"]}} for lead in livetex.leads[:3]]


def test_auth(livetex: FakeLiveTex) -> None:
    assert HTTP.post(f"{livetex.url}/leads/list").status_code == 401
    assert HTTP.post(f"{livetex.url}/leads/list", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_password_grant_multipart_form() -> None:
    with FakeLiveTex([], users={("a@b.c", "pw"): "admin"}, token_lifetime=60) as api:
        form = {"grant_type": (None, "password"), "username": (None, "a@b.c"), "password": (None, "pw")}
        r = HTTP.post(f"{api.url}/oauth2/token", files=form)
        assert r.status_code == 200
        results = r.json()["results"]
        assert results["expires_in"] == 60
        token = results["access_token"]
        ok = HTTP.post(f"{api.url}/leads/list", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        form["password"] = (None, "wrong")
        assert HTTP.post(f"{api.url}/oauth2/token", files=form).status_code == 401


def test_managed_roles_do_not_see_other_employees_text() -> None:
    leads = generate_leads(20)
    with FakeLiveTex(leads, tokens={"op": "operator"}, employee=100) as api:
        got = HTTP.post(f"{api.url}/leads/list", headers={"Authorization": "Bearer op"}).json()["results"]
        for lead in got:
            own = lead["assigned_to"]["id"] == 100
            assert ("text" in lead) == own and ("answer_text" in lead) == own
        r = HTTP.post(f"{api.url}/leads/list", params={"q": "text=price"}, headers={"Authorization": "Bearer op"})
        assert r.status_code == 403


def test_faults_on_demand(livetex: FakeLiveTex) -> None:
    livetex.fail(429, retry_after=3)
    r = get(livetex)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "3")
    livetex.drop()
    with pytest.raises(httpx.RemoteProtocolError):
        get(livetex)
    livetex.slow(0.3)
    start = time.monotonic()
    assert get(livetex).status_code == 200
    assert time.monotonic() - start >= 0.3
    assert get(livetex).status_code == 200  # spent


def test_changes_between_pages(livetex: FakeLiveTex) -> None:
    seen: list[int] = []

    def hook(api: FakeLiveTex, page: int) -> None:
        seen.append(page)
        if page == 2:
            api.add_lead(city="Nowhere")
            api.update_lead(1, result="completed", city="Somewhere")

    livetex.between_pages(hook)
    get(livetex)
    get(livetex)
    assert seen == [1, 2]
    assert livetex.leads[-1]["city"] == "Nowhere" and livetex.leads[-1]["id"] == 251
    assert livetex.leads[0]["city"] == "Somewhere"


def test_datetimes_are_moscow_without_offset(livetex: FakeLiveTex) -> None:
    served = get(livetex, limit="3").json()["results"]
    assert [lead["created_at"] for lead in served] == [lead["created_at"] for lead in livetex.leads[:3]]
    for lead in served:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", lead["created_at"]), lead["created_at"]


def test_it_stops_by_itself() -> None:
    api = FakeLiveTex([], lifetime=0.3).start()
    url = api.url
    time.sleep(0.6)
    assert not api.running
    with pytest.raises(httpx.ConnectError):
        HTTP.post(f"{url}/leads/list", headers=AUTH)


def test_answers_are_dated_by_the_servers_clock() -> None:
    from email.utils import parsedate_to_datetime

    with FakeLiveTex([], clock_skew=3600) as api:
        date = parsedate_to_datetime(get(api).headers["Date"])
        assert abs(date.timestamp() - (time.time() + 3600)) < 5
        created = datetime.fromisoformat(api.add_lead()["created_at"])
        assert abs((created - api.now()).total_seconds()) < 5  # stamped by the server's clock
        assert (created - datetime.now(moscow()).replace(tzinfo=None)).total_seconds() > 3500
    with FakeLiveTex([], dated=False) as api:
        assert "Date" not in get(api).headers


def test_a_page_cap_serves_fewer_than_asked_and_total_counts_all(livetex: FakeLiveTex) -> None:
    livetex.page_cap = 50
    body = get(livetex, limit="100").json()
    assert (len(body["results"]), body["total"]) == (50, 250)
    assert get(livetex, limit="100", offset="240").json()["results"][-1]["id"] == 250


def test_http_basic_authentication() -> None:
    with FakeLiveTex(generate_leads(5), users={("a@b.c", "pw"): "admin"}) as api:
        assert HTTP.post(f"{api.url}/leads/list", auth=("a@b.c", "pw")).status_code == 200
        assert HTTP.post(f"{api.url}/leads/list", auth=("a@b.c", "no")).status_code == 401
        r = HTTP.post(f"{api.url}/leads/list", headers={"Authorization": "Basic !!!"})
        assert r.status_code == 401


def test_tamper_rewrites_answers_as_often_as_asked(livetex: FakeLiveTex) -> None:
    seen: list[str] = []

    def reverse(params: Mapping[str, str], answer: dict[str, Any]) -> object:
        seen.append(params["limit"])
        return {**answer, "results": list(reversed(answer["results"]))}

    livetex.tamper(reverse, times=2)
    assert [lead["id"] for lead in get(livetex, limit="3").json()["results"]] == [3, 2, 1]
    assert [lead["id"] for lead in get(livetex, limit="2").json()["results"]] == [2, 1]
    assert [lead["id"] for lead in get(livetex, limit="2").json()["results"]] == [1, 2]  # spent
    assert seen == ["3", "2"]
    livetex.tamper(lambda params, answer: "not json", times=1)
    assert get(livetex).text == "not json"


def test_trickle_sends_a_body_a_byte_at_a_time(livetex: FakeLiveTex) -> None:
    livetex.tamper(lambda params, answer: {"results": []}, times=1)
    livetex.trickle(0.05)
    start = time.monotonic()
    assert get(livetex).json() == {"results": []}
    assert time.monotonic() - start >= 0.05 * len('{"results": []}') * 0.9
