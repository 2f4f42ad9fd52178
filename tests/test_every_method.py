"""Every list method runs (docs/fetch.md): `leadq.testing.FakeLiveTex` serves each method at
its path as its validator and access table say, and `Client.list` pages each as its schema
allows — by keyset upward (Chats.list) or downward (Calls.list), by offset (Employees.list),
in one request (Stats.employees), window after window (EmployeeChats.list) — returning
exactly the objects the filter matches, judged by `leadq.evaluate` over the server's data."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from loopback import HTTP
from method_strategies import NOW, identity, method_filters, readable
from profiles import examples

import leadq
from leadq.core.datetimes import moscow
from leadq.schemas.livetex import TYPES
from leadq.schemas.paging import Paging
from leadq.testing import FakeLiveTex, generate_leads, generate_objects, served

#: Quick by default (the default `pytest` stays short); more under the ci and soak profiles.
QUICK = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TOKENS = {"test-token": "admin", "op": "operator", "boss": "chief"}
#: What each method needs in every request, for requests written by hand.
NEEDED = {
    "Locations.list": "title=e",
    "EmployeeChats.list": "created_at>=2024-01-01T00:00:00 created_at<=2024-01-20T00:00:00",
    "EmployeeChatMessages.list": "created_at>=2024-01-01T00:00:00 created_at<=2024-01-20T00:00:00",
    "Stats.onlineIntervals": "date>=2024-01-01T00:00:00 date<=2024-01-20T00:00:00",
}


@pytest.fixture(scope="module")
def api() -> Iterator[FakeLiveTex]:
    with FakeLiveTex(generate_leads(60), generated=150, tokens=TOKENS, lifetime=900) as server:
        yield server


@pytest.fixture
def fresh(api: FakeLiveTex) -> Iterator[FakeLiveTex]:
    """The module's server, its requests, faults, hooks and data sets made anew."""
    api.requests.clear()
    api.faults.clear()
    api._hooks.clear()
    api._pages = 0  # `between_pages` hooks count this test's pages
    api.data.clear()
    api._issued.clear()  # ids start again after the generated ones
    yield api
    api._hooks.clear()


def post(api: FakeLiveTex, path: str, token: str = "test-token", **params: str) -> httpx.Response:
    return HTTP.post(f"{api.url}{path}", params=params, headers={"Authorization": f"Bearer {token}"})


def matching(api: FakeLiveTex, name: str, text: str) -> list[dict[str, Any]]:
    """The stored objects `text` matches, read with every criterion (hidden ones too)."""
    schema = readable(leadq.schema(name))
    return [o for o in api.objects(name) if leadq.evaluate(text, o, now=NOW, schema=schema)]


def client(api: FakeLiveTex, **settings: Any) -> leadq.Client:
    return leadq.Client("test-token", base_url=api.url, backoff=0.001, **{"page_size": 7, **settings})


# -- the fake server ---------------------------------------------------------------------------


def test_every_method_is_served_at_its_path_with_its_documented_fields(fresh: FakeLiveTex) -> None:
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
    for name, schema in leadq.METHODS.items():
        r = post(fresh, urlsplit(schema.endpoint).path, q=NEEDED.get(name, ""))
        assert r.status_code == 200, (name, r.text)
        body = r.json()
        results = body["results"]
        assert results and body["total"] >= len(results), name
        shown = set(schema.result_fields) or {"id"}
        if schema.object_type != "Lead":  # leads are served as the data set holds them
            assert all(set(obj) <= shown for obj in results), name  # no hidden value is served
        if "limit" in schema.parameters:
            assert len(results) <= 50, name  # the default page
        else:
            assert len(results) == body["total"], name  # one answer holds them all
        for field, type_name, _ in TYPES.get(schema.object_type, ()):
            if type_name == "datetime":  # Moscow time, no offset
                assert all(o[field] is None or stamp.fullmatch(o[field]) for o in results), (name, field)


def test_criteria_the_object_does_not_hold_are_answered_but_never_served(fresh: FakeLiveTex) -> None:
    chats = fresh.objects("Chats.list")
    r = post(fresh, "/chats/list", q="message_text=price", limit="100")
    want = [c["id"] for c in chats if "price" in c["message_text"]]
    assert 0 < len(want) < len(chats)
    assert [c["id"] for c in r.json()["results"]] == want[:100]
    assert all("message_text" not in c for c in r.json()["results"])
    r = post(fresh, "/employeeChats/list", q="employee_ids=100 " + NEEDED["EmployeeChats.list"])
    assert r.json()["results"] and all(set(o) == {"id"} for o in r.json()["results"])


def test_each_method_refuses_what_its_validator_refuses(fresh: FakeLiveTex) -> None:
    def refused(path: str, token: str = "test-token", **params: str) -> tuple[int, str]:
        r = post(fresh, path, token, **params)
        return r.status_code, r.json()["message"]

    assert refused("/chats/list", limit="101") == (400, "Значение должно быть меньше 100")
    assert refused("/employees/list", limit="1001") == (400, "Значение должно быть меньше 1000")
    assert post(fresh, "/employees/list", limit="1000").status_code == 200
    assert post(fresh, "/callButtons/list", limit="5000").status_code == 200  # no maximum
    assert refused("/stats/employees", limit="10") == (400, "Stats.employees takes no `limit`")
    assert refused("/stats/siteSummary", fields="id") == (400, "Stats.siteSummary takes no `fields`")
    assert refused("/employees/list", sort="title:a") == (400, "unknown sort 'title:a'")
    assert refused("/locations/list")[0] == 400  # `title` is required
    open_window = {"q": "created_at>=2024-01-01T00:00:00"}
    assert refused("/employeeChats/list", **open_window)[1].startswith("created_at: an interval of at most 30 days")
    long_window = {"q": "created_at>=2024-01-01T00:00:00 created_at<=2024-02-15T00:00:00"}
    assert refused("/employeeChats/list", **long_window)[1] == "created_at: the interval is longer than 30 days"
    assert post(fresh, "/employeeChats/list", q="created_at=lastweek").status_code == 200
    assert post(fresh, "/employeeChats/list", q="created_at=lastyear").status_code == 400
    assert refused("/chats/list", q="type=form")[0] == 400  # no criterion of Chats.list
    # roles: one the method does not have, and the fields a role does not see
    assert refused("/acceptances/list", "op") == (403, "the role operator may not call Acceptances.list")
    mine = post(fresh, "/chats/list", "boss", limit="5").json()["results"]
    assert mine and all("messages" not in c and "events" not in c for c in mine)
    assert all("messages" in c for c in post(fresh, "/chats/list", limit="5").json()["results"])
    with FakeLiveTex(invalid_status=422) as other:
        assert post(other, "/chats/list", limit="101").status_code == 422


def test_objects_change_as_a_test_says(fresh: FakeLiveTex) -> None:
    added = fresh.add_object("Employees.list", last_name="Zed")
    assert fresh.objects("employees.list")[-1] is added and added["id"] == 151
    fresh.update_object("Employees.list", 151, last_name="Young")
    assert added["last_name"] == "Young" and added["updated_at"] == fresh.now().strftime("%Y-%m-%dT%H:%M:%S")
    fresh.remove_object("Employees.list", 151)
    assert all(o["id"] != 151 for o in fresh.objects("Employees.list"))
    with pytest.raises(KeyError):
        fresh.remove_object("Employees.list", 151)
    with FakeLiveTex(objects={"chats.list": [{"id": 7, "created_at": "2024-01-01T00:00:00"}]}) as other:
        chats = post(other, "/chats/list").json()
        assert chats == {"total": 1, "results": [{"id": 7, "created_at": "2024-01-01T00:00:00"}]}


# -- the client, method by method ---------------------------------------------------------------


def test_chats_list_pages_by_keyset_upward(fresh: FakeLiveTex) -> None:
    text = 'result = missed and employee.first_name = "Anna"'
    with client(fresh) as c:
        run = c.list("chats.list", text, now=NOW)
        got = list(run)
    want = matching(fresh, "Chats.list", text)
    assert 3 < len(want) < 100
    assert got == [served(leadq.schema("Chats.list"), o) for o in want]  # in created_at order, as served
    assert run.cutoff is not None and run.stats.leads_returned == len(want)
    assert all(r.path == "/chats/list" and r.params["sort"] == "created_at:a" for r in fresh.requests)
    assert all("created_at>=" in r.params["q"] for r in fresh.requests[1:])  # keyset, not offset


def test_calls_list_pages_downward_and_chains_by_its_cutoff(fresh: FakeLiveTex) -> None:
    text = "duration >= 60 and is_incoming"
    with client(fresh) as c:
        first = c.list("Calls.list", text)
        got = [o["id"] for o in first]
        want = matching(fresh, "Calls.list", text)
        want.sort(key=lambda o: (o["created_at"], o["id"]), reverse=True)  # newest first, as it pages
        assert got == [o["id"] for o in want]
        assert {r.params["sort"] for r in fresh.requests} == {"created_at:d"}
        assert all("created_at<=" in r.params["q"] for r in fresh.requests[1:])
        fresh.add_object("Calls.list", duration=3600)
        fresh.add_object("Calls.list", duration=0, is_incoming=False)
        time.sleep(0.1)
        assert first.cutoff is not None
        # the run's clock a little ahead, so that its cut-off is past what was just created
        new = c.list("Calls.list", text, after=first.cutoff, now=datetime.now(moscow()) + timedelta(seconds=3))
        assert [o["id"] for o in new] == [151]  # what was created since, and matches
        assert list(c.list("Calls.list", text, order="created_at", limit=3)) == [
            served(leadq.schema("Calls.list"), o) for o in sorted(want, key=lambda o: (o["created_at"], o["id"]))[:3]
        ]


def test_employees_list_pages_by_offset_and_sorts_here(fresh: FakeLiveTex) -> None:
    text = 'is_active and last_name != "Ivanov"'
    with client(fresh) as c:
        run = c.list("Employees.list", text, order="last_name desc", fields="id,last_name")
        got = list(run)
    want = matching(fresh, "Employees.list", text)
    want.sort(key=lambda o: (o["last_name"], o["id"]), reverse=True)
    assert got == [{"id": o["id"], "last_name": o["last_name"]} for o in want]
    assert run.cutoff is None and not run.diagnostics
    pages = [r.params for r in fresh.requests]
    # the most stable sort; the sort key comes too (whether an object kept its place)
    assert all(p["sort"] == "created_at:a" and p["fields"] == "id,last_name,created_at" for p in pages)
    assert [int(p.get("offset", 0)) for p in pages] == [0, *range(6, 6 * len(pages), 6)]  # each on the last read
    with client(fresh) as c, pytest.raises(ValueError, match="after= needs a method paged by keyset"):
        list(c.list("Employees.list", text, after=NOW))


def test_a_method_that_takes_no_limit_is_one_request(fresh: FakeLiveTex) -> None:
    text = 'last_name = "Petrova" or first_name = "Anna"'
    with client(fresh) as c:
        got = list(c.list("Stats.employees", text))
    assert sorted(o["id"] for o in got) == sorted(o["id"] for o in matching(fresh, "Stats.employees", text))
    assert [r.params for r in fresh.requests] == [{"q": ""}]  # no limit, offset or sort; first_name is checked here


def test_a_windowed_method_runs_its_windows_one_after_another(fresh: FakeLiveTex) -> None:
    text = 'created_at >= 2024-01-01 and created_at < 2024-02-25 and employee in (100, 101) and text contains "e"'
    with client(fresh) as c:
        run = c.list("EmployeeChats.list", text)
        got = list(run)
    stored = fresh.objects("EmployeeChats.list")
    want = [
        o["id"]
        for o in stored
        if "2024-01-01" <= o["created_at"] < "2024-02-25" and o["employee_id"] in (100, 101) and "e" in o["text"]
    ]
    assert len(want) > 10 and [o["id"] for o in got] == want  # window after window, in time order
    windows = sorted({r.params["q"] for r in fresh.requests})
    assert len(windows) == 2 and all(r.status == 200 for r in fresh.requests)  # each within 30 days
    assert [d.code for d in run.diagnostics] == ["I801"]


def test_a_required_criterion_is_said_in_every_request(fresh: FakeLiveTex) -> None:
    text = 'title contains "price" and region.id != 2'
    with client(fresh) as c:
        got = list(c.list("Locations.list", text))
        schema = leadq.schema("Locations.list")
        want = sorted(identity(schema, o) for o in matching(fresh, "Locations.list", text))
        assert sorted(identity(schema, o) for o in got) == want and want
        assert {r.params["q"] for r in fresh.requests} == {"title=price"}
        fresh.requests.clear()
        with pytest.raises(leadq.LeadqError) as caught:
            list(c.list("Locations.list", "region.id = 2"))
        assert [d.code for d in caught.value.diagnostics] == ["E213"]
        assert fresh.requests == []


def test_the_method_is_checked_first(fresh: FakeLiveTex) -> None:
    with pytest.raises(leadq.LeadqError) as caught:
        client(fresh).list("chat.list", "site = 1")
    assert caught.value.diagnostics[0].code == "E211"
    with leadq.Client("op", base_url=fresh.url, role="operator") as c:
        with pytest.raises(leadq.LeadqError) as caught:
            list(c.list("Acceptances.list", "is_bound"))
        assert caught.value.diagnostics[0].code == "E212"
        with pytest.raises(leadq.LeadqError) as caught:
            list(c.list("Chats.list", "message_count > 3", fields="id,nmae"))
        assert caught.value.diagnostics[0].code == "E210"
    assert fresh.requests == []


def test_offset_paging_finds_its_place_when_objects_before_it_go(fresh: FakeLiveTex) -> None:
    text = "is_active or not is_active"
    before = list(fresh.objects("Employees.list"))
    removed: list[int] = []

    def churn(server: FakeLiveTex, page: int) -> None:
        if page in (3, 5, 8):  # delete three objects before the page being read
            victim = server.objects("Employees.list")[page]
            removed.append(victim["id"])
            server.remove_object("Employees.list", victim["id"])
        if page == 4:
            server.add_object("Employees.list")

    fresh.between_pages(churn)
    with client(fresh, page_size=10) as c:
        run = c.list("Employees.list", text)
        got = [o["id"] for o in run]
    assert len(got) == len(set(got))
    assert len(removed) == 3 and {o["id"] for o in before} - set(removed) <= set(got)  # none that stayed was skipped
    assert not [d for d in run.diagnostics if d.code == "W803"]
    # a run whose boundary moved back by more than eight pages says so
    fresh.data.clear()
    fresh._hooks.clear()
    fresh._pages = 0
    fresh.data["Employees.list"] = generate_objects("Employees.list", 300)

    def flood(server: FakeLiveTex, page: int) -> None:
        if page == 10:  # after nine pages, the first 150 go
            del server.objects("Employees.list")[:150]

    fresh.between_pages(flood)
    with client(fresh, page_size=10) as c:
        run = c.list("Employees.list", text)
        got = [o["id"] for o in run]
    assert len(got) == len(set(got))
    assert [d.code for d in run.diagnostics] == ["W803"]
    assert "went or moved while the run paged by offset" in run.diagnostics[0].message
    assert set(range(170, 301)) <= set(got) and not set(range(151, 160)) <= set(got)  # what the W803 is about


def test_async_client_lists_any_method(fresh: FakeLiveTex) -> None:
    text = "priority = high or status != closed"

    async def main() -> list[dict[str, Any]]:
        async with leadq.AsyncClient("test-token", base_url=fresh.url, page_size=9) as c:
            return [o async for o in c.list("Tickets.list", text)]

    got = asyncio.run(main())
    want = matching(fresh, "Tickets.list", text)
    assert [o["id"] for o in got] == sorted((o["id"] for o in want), reverse=True)  # created_at:d, ids ascending
    assert want and {r.params["sort"] for r in fresh.requests} == {"created_at:d"}


# -- every method, generated filters and data sets ----------------------------------------------


@QUICK
@given(st.sampled_from(sorted(leadq.METHODS)), st.data())
def test_every_method_returns_exactly_the_objects_the_filter_matches(
    api: FakeLiveTex, name: str, data: st.DataObject
) -> None:
    schema = leadq.schema(name)
    objs = generate_objects(schema, data.draw(st.integers(0, 40)), seed=data.draw(st.integers(0, 2**16)))
    if schema.object_type == "Lead":
        api.leads = objs
    else:
        api.data[schema.method] = objs
    api.requests.clear()
    text = data.draw(method_filters(schema, objs))
    page_size = data.draw(st.sampled_from([2, 3, 7, 100]))
    use_async = data.draw(st.booleans())
    event(Paging.of(schema).way + (" downward" if Paging.of(schema).descending else ""))
    try:
        split = leadq.pushdown(text, schema=schema, now=NOW)
    except leadq.LeadqError as e:
        with client(api, page_size=page_size) as c, pytest.raises(leadq.LeadqError) as caught:
            list(c.list(name, text, now=NOW))
        assert {d.code for d in caught.value.diagnostics} == {d.code for d in e.diagnostics}
        assert api.requests == []
        event("refused before any request")
        return
    event("a plan" if len(split.requests) > 1 else "one request")
    event("exact" if split.exact else "a residual")
    want = [o for o in objs if leadq.evaluate(text, o, now=NOW, schema=readable(schema))]
    try:
        got = _listed(api, name, text, page_size, use_async)
    except leadq.LeadqError as e:  # proven to match nothing: no request
        assert {d.code for d in e.diagnostics} == {"E401"} and not want and api.requests == [], (name, text)
        event("proven empty: nothing sent")
        return
    assert sorted(map(repr, (identity(schema, o) for o in got))) == sorted(
        map(repr, (identity(schema, o) for o in want))
    ), (name, text, split)
    assert all(o == served(schema, o) for o in got)  # as the API sends them
    paging = Paging.of(schema)
    if paging.keyset:
        moments = [o[paging.key] for o in got]
        assert moments == sorted(moments, reverse=paging.descending), (name, text)
    assert all(r.status == 200 for r in api.requests), [(r.params, r.status) for r in api.requests]


def _listed(api: FakeLiveTex, name: str, text: str, page_size: int, use_async: bool) -> list[dict[str, Any]]:
    if not use_async:
        with client(api, page_size=page_size) as c:
            return list(c.list(name, text, now=NOW))

    async def main() -> list[dict[str, Any]]:
        async with leadq.AsyncClient("test-token", base_url=api.url, page_size=page_size) as c:
            return [o async for o in c.list(name, text, now=NOW)]

    return asyncio.run(main())


_CHURNED = ["Chats.list", "Calls.list", "Employees.list", "EmployeeOnlineIntervals.listByEmployee", "Sites.list"]


@pytest.mark.long
@QUICK
@given(st.sampled_from(_CHURNED), st.integers(0, 2**16), st.integers(0, 2**16))
def test_changes_during_a_run_repeat_nothing_and_lose_only_what_changed(
    api: FakeLiveTex, name: str, seed: int, data_seed: int
) -> None:
    """Objects created, deleted and changed (sort keys too) between pages: no object comes
    twice, and one that matched and stayed as it was throughout is returned (unless an
    offset run says W803)."""
    schema = leadq.schema(name)
    objs = generate_objects(schema, 45, seed=data_seed)
    api.data[schema.method] = objs
    api.requests.clear()
    api._hooks.clear()
    rng = random.Random(seed)
    text = {"Chats.list": "site != 3", "Calls.list": "duration >= 30"}.get(name, "is_managed or is_deleted")
    check = readable(schema)
    touched: set[int] = set()
    created: set[int] = set()

    def churn(server: FakeLiveTex, page: int) -> None:
        for _ in range(rng.randint(0, 3)):
            live = server.objects(name)
            roll = rng.random()
            if roll < 0.3 and live:
                victim = rng.choice(live)
                touched.add(victim["id"])
                server.remove_object(name, victim["id"])
            elif roll < 0.7 and live:
                victim = rng.choice(live)
                touched.add(victim["id"])
                changes = {k: v for k, v in generate_objects(schema, 1, seed=rng.randint(0, 999))[0].items()}
                for fixed in ("id", "created_at"):
                    changes.pop(fixed, None)
                server.update_object(name, victim["id"], **changes)
            else:
                created.add(server.add_object(name)["id"])

    unchanged_matches = {o["id"] for o in objs if leadq.evaluate(text, o, now=NOW, schema=check)}
    api.between_pages(churn)
    with client(api, page_size=rng.choice([3, 5, 8])) as c:
        run = c.list(name, text, now=NOW)
        got = [o["id"] for o in run]
    api._hooks.clear()
    assert len(got) == len(set(got)), "an object returned twice"
    if not any(d.code in ("W801", "W803") for d in run.diagnostics):
        missing = unchanged_matches - touched - set(got)
        assert not missing, (name, sorted(missing))
    event("W803" if any(d.code == "W803" for d in run.diagnostics) else "settled")
    if Paging.of(schema).keyset:
        assert not set(got) & created, "created after the cut-off"


# -- the command line ---------------------------------------------------------------------------


def test_fetch_any_method_from_the_shell(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(bin_dir / "leadq"), "fake-server", "--port", "0", "--leads", "10", "--objects", "80", "--lifetime", "60"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url is not None, line
        env = {**os.environ, "LIVETEX_TOKEN": "test-token", "LIVETEX_BASE_URL": url.group(0)}
        done = subprocess.run(
            [str(bin_dir / "leadq"), "fetch", "--method", "chats.list", "site = 1 and not rem_auto", "--fields",
             "id,site(id),rem_auto", "--no-progress"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        chats = [json.loads(line) for line in done.stdout.splitlines()]
        want = [c for c in generate_objects("Chats.list", 80) if c["site"]["id"] == 1 and not c["rem_auto"]]
        assert chats == [{"id": c["id"], "site": {"id": 1}, "rem_auto": False} for c in want] and chats
        done = subprocess.run(
            [str(bin_dir / "leadq"), "fetch", "--method", "employees.list", "is_active", "--format", "csv",
             "--fields", "id,last_name", "--order", "last_name", "--since-state", str(tmp_path / "s")],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 2
        assert "--since-state needs a method paged by keyset on created_at; Employees.list is paged by `offset`" in (
            done.stderr
        )
        done = subprocess.run(
            [str(bin_dir / "leadq"), "fetch", "--method", "chats.list", "site = 1", "--fields", "id,nmae"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 2 and "a chat has no field `nmae`" in done.stderr, done.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
