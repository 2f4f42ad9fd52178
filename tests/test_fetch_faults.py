"""The issue "Fetch that trusts nothing": each case found against servers that answer wrongly,
slowly or not at all, tried against `leadq.testing.FakeLiveTex` with that fault.

A wrong answer stops the run with E803 saying what is wrong (or is corrected where that is
certain: a server that caps its pages); time is bounded; failures say what kind they are;
the run's cut-off comes from the server's clock and is reported; Ctrl-C cancels a run.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fetch_strategies import expected

import leadq
from leadq.testing import FakeLiveTex, generate_leads

DATA = generate_leads(500, seed=2)


def client(api: FakeLiveTex | str, **settings: Any) -> leadq.Client:
    settings.setdefault("backoff", 0.01)
    url = api if isinstance(api, str) else api.url
    return leadq.Client("test-token", base_url=url, **settings)


def ids(leads: list[dict[str, Any]]) -> list[Any]:
    return [lead["id"] for lead in leads]


def failure(api: FakeLiveTex | str, text: str = "", **settings: Any) -> tuple[leadq.ApiError, float]:
    """The error a run raises, and the seconds it took."""
    start = time.monotonic()
    with client(api, **settings) as c, pytest.raises(leadq.ApiError) as caught:
        list(c.leads(text))
    return caught.value, time.monotonic() - start


# -- every page is checked --------------------------------------------------------------------


def test_a_server_answering_every_page_alike_is_stopped_at_once() -> None:
    """7,744 requests in 5 s before: the same full page, whatever the keyset asks."""
    with FakeLiveTex(DATA) as api:
        first: dict[str, Any] = {}
        api.tamper(lambda params, answer: first.setdefault("page", answer))
        e, _ = failure(api)
        assert len(api.requests) == 2
    (d,) = e.diagnostics
    assert d.code == "E803"
    assert "cannot be used: the lead id=1 has `created_at` 2024-01-01T09:00:01, before the created_at>=" in d.message


def test_a_server_answering_every_offset_alike_is_stopped() -> None:
    """In a second of more leads than a page, pages move by offset: one that repeats the
    page before it is refused."""
    crowd = [{**lead, "created_at": "2024-01-01T10:00:00"} for lead in generate_leads(30, seed=5)]
    with FakeLiveTex(crowd) as api:
        first: dict[str, Any] = {}
        api.tamper(lambda params, answer: first.setdefault("page", answer))
        e, _ = failure(api, page_size=10)
        assert len(api.requests) <= 4
    assert "its leads at offset 10 repeat those before it" in e.diagnostics[0].message


def test_a_server_capping_its_pages_below_the_limit_is_paged_to_the_end() -> None:
    """50 leads of 500 before: a short page was taken as the last although `total` said more."""
    with FakeLiveTex(DATA, page_cap=50) as api, client(api) as c:
        run = c.leads("")
        got = list(run)
    assert ids(got) == ids(DATA)
    assert [d.code for d in run.diagnostics] == ["I802"]
    assert run.diagnostics[0].message == (
        "the API sent 50 leads where 100 were asked, and its total says more: the run reads its pages as capped at 50"
    )


def test_a_page_whose_total_says_more_but_holds_nothing_is_refused() -> None:
    with FakeLiveTex(DATA) as api:
        api.tamper(lambda params, answer: {**answer, "results": []})
        e, _ = failure(api)
    assert "it is empty, but its `total` says 500 leads match" in e.diagnostics[0].message


def test_a_page_out_of_order_is_refused() -> None:
    """6 of 500 leads before."""
    with FakeLiveTex(DATA) as api:
        api.tamper(lambda params, answer: {**answer, "results": random.Random(1).sample(answer["results"], 100)})
        e, _ = failure(api)
    assert "it is not sorted by `created_at` as asked" in e.diagnostics[0].message


def _on_one_lead(change: dict[str, Any], at: int = 3) -> Any:
    def rewrite(params: Any, answer: dict[str, Any]) -> dict[str, Any]:
        results = list(answer["results"])
        if len(results) > at:
            results[at] = {**results[at], **change}
        return {**answer, "results": results}

    return rewrite


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"id": "4"}, "a lead's `id` is '4' (str), not a whole number"),  # a lead returned twice before
        ({"id": True}, "a lead's `id` is True (bool), not a whole number"),
        ({"created_at": "2024-01-02"}, "has `created_at` '2024-01-02', not a datetime to the second"),  # leads lost
        ({"created_at": "2024-01-02T10:00"}, "not a datetime to the second"),
        ({"created_at": 1704186000}, "has `created_at` 1704186000, not a datetime"),
        ({"created_at": "2024-02-30T10:00:00"}, "which is no date"),
        ({"id": 1}, "the lead id=1 comes twice in it"),
    ],
)
def test_a_lead_of_the_wrong_type_or_precision_is_refused(change: dict[str, Any], says: str) -> None:
    with FakeLiveTex(DATA) as api:
        api.tamper(_on_one_lead(change), times=1)
        e, _ = failure(api)
    (d,) = e.diagnostics
    assert d.code == "E803" and says in d.message, d.message
    assert e.status == 200


def test_answers_that_are_no_page_are_refused() -> None:
    with FakeLiveTex(DATA) as api:
        for body, says in (
            ({"total": "many", "results": []}, "its `total` is 'many', not a count"),
            ({"results": [3]}, "a result is not an object: 3"),
            ({"results": DATA[:101]}, "it holds 101 results where at most 100 were asked"),
        ):
            api.tamper(lambda params, answer, body=body: body, times=1)  # type: ignore[misc]
            e, _ = failure(api)
            assert says in e.diagnostics[0].message
        api.tamper(lambda params, answer: "<html>not json</html>", times=1)
        e, _ = failure(api)
        assert e.diagnostics[0].message.endswith("is not a list of leads: <html>not json</html>")


def test_a_second_of_more_leads_than_a_page_is_read_whole_while_leads_change() -> None:
    """Offsets within one second shift when a lead of it changes: the second is read again
    until two reads agree, and every lead that matched throughout is returned."""
    rng = random.Random(4)
    crowd = [
        {**lead, "id": 1000 + i, "created_at": "2024-01-01T10:00:00", "result": "missed"}
        for i, lead in enumerate(generate_leads(40, seed=6))
    ]
    data = sorted([*DATA[:30], *crowd], key=lambda lead: (lead["created_at"], lead["id"]))
    with FakeLiveTex(data) as api:
        gone: list[int] = []

        def churn(server: FakeLiveTex, page: int) -> None:
            if page in (4, 5):  # inside the crowded second: one of its leads leaves the filter
                lead = rng.choice([x for x in server.leads if x["id"] >= 1000 and x["id"] not in gone])
                gone.append(lead["id"])
                server.update_lead(lead["id"], result="completed")

        api.between_pages(churn)
        with client(api, page_size=7) as c:
            run = c.leads("result = missed", now=datetime(2024, 3, 1))
            got = ids(list(run))
    matched = {lead["id"] for lead in data if lead["result"] == "missed"}
    assert len(got) == len(set(got))
    assert matched - set(gone) <= set(got) <= matched
    assert all(d.code != "W801" for d in run.diagnostics)  # the reads agreed


def test_a_second_that_never_holds_still_is_warned_about() -> None:
    crowd = [{**lead, "id": 1000 + i, "created_at": "2024-01-01T10:00:00"} for i, lead in enumerate(generate_leads(20))]
    with FakeLiveTex(crowd) as api:
        api.between_pages(lambda server, page: server.add_lead(created_at="2024-01-01T10:00:00"))
        with client(api, page_size=5) as c:
            run = c.leads("", now=datetime(2024, 3, 1))
            got = ids(list(run))
    assert set(got) >= {lead["id"] for lead in crowd}
    (d,) = run.diagnostics
    assert d.code == "W801"
    assert re.match(r"\d+ leads share the second", d.message)  # as many as the run read
    assert "share the second 2024-01-01T10:00:00 and kept changing while the run read them" in d.message


# -- time is bounded ----------------------------------------------------------------------------


def test_timeout_bounds_the_whole_answer() -> None:
    """A body trickled a byte at a time never timed out before: `timeout` bounded each read."""
    with FakeLiveTex(DATA) as api:
        api.trickle(0.2, times=5)
        e, took = failure(api, timeout=1.0, retries=1)
    assert took < 4.0  # two tries of at most 1 s, a short wait between them
    (d,) = e.diagnostics
    assert d.message.endswith("after 2 attempts in " + d.message.split(" in ")[-1])
    assert "no whole answer within 1 s" in d.message
    assert d.hint == "try again later, or raise `timeout=`, `retries=` or `retry_time=`"


def test_retry_time_bounds_the_retries() -> None:
    with FakeLiveTex(DATA) as api:
        api.fail(503, times=1000)
        e, took = failure(api, retries=1000, retry_time=1.5, backoff=0.1)
    assert took < 2.5
    assert e.diagnostics[0].code == "E802" and e.status == 503


def test_a_retry_after_past_the_budget_says_how_long_the_api_asked_to_wait() -> None:
    """'did not answer ... after 1 attempts in 0.0 s' before."""
    with FakeLiveTex(DATA) as api:
        api.fail(429, retry_after=3600)
        e, took = failure(api)
        assert len(api.requests) == 1
    assert took < 1.0
    (d,) = e.diagnostics
    assert d.code == "E802"
    assert "answered HTTP 429" in d.message and "asked to wait 1 h before trying again" in d.message
    assert "past the 60 s the run may spend on one request" in d.message
    assert d.hint is not None and d.hint.startswith("try again after ") and d.hint.endswith("or raise `retry_time=`")


def test_one_attempt_is_counted_as_one() -> None:
    with FakeLiveTex(DATA) as api:
        api.fail(503)
        e, _ = failure(api, retries=0)
    assert "after 1 attempt in" in e.diagnostics[0].message


# -- failures by kind -----------------------------------------------------------------------------


def test_a_host_that_does_not_resolve_is_not_retried() -> None:
    e, took = failure("http://leadq-test.invalid", retries=5, backoff=1.0)
    assert took < 5.0  # no backoff: one lookup
    (d,) = e.diagnostics
    assert d.code == "E804"
    assert d.message.startswith("cannot find the API's host `leadq-test.invalid`: ")
    assert d.hint == "check the host name in `base_url=` and the network's DNS (a failed lookup is not retried)"


def test_an_untrusted_certificate_is_not_retried(tmp_path: Path) -> None:
    """A TLS server whose certificate no authority signed: E804, once, saying what to check."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1"],
        capture_output=True,
    )  # fmt: skip
    if made.returncode:
        pytest.skip("openssl cannot make a certificate here")
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.path)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    handshakes = []
    original = server.get_request

    def get_request() -> Any:
        handshakes.append(1)
        return original()

    server.get_request = get_request  # type: ignore[method-assign]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        e, took = failure(f"https://127.0.0.1:{server.server_port}", backoff=1.0)
    finally:
        server.shutdown()
        server.server_close()
    assert took < 5.0 and len(handshakes) == 1 and seen == []
    (d,) = e.diagnostics
    assert d.code == "E804"
    assert d.message.startswith("the TLS certificate of `127.0.0.1` cannot be trusted: ")
    assert "SSL_CERT_FILE" in (d.hint or "")


def test_a_refused_connection_is_retried_and_says_so() -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    e, _ = failure(f"http://127.0.0.1:{port}", retries=2)
    (d,) = e.diagnostics
    assert d.code == "E802"
    assert d.message.endswith("after 3 attempts in " + d.message.split(" in ")[-1])
    assert "connection refused by 127.0.0.1" in d.message
    assert d.hint is not None and d.hint.startswith("check `base_url=`; if the API is restarting")


def test_cli_hints_name_the_flags() -> None:
    from leadq.cli._connection import FLAG_NAMES
    from leadq.client._errors import renamed

    with FakeLiveTex(DATA) as api:
        api.trickle(0.5)
        e, _ = failure(api, timeout=0.5, retries=0)
    shown = renamed(e, FLAG_NAMES)
    assert shown.diagnostics[0].message == e.diagnostics[0].message
    assert shown.diagnostics[0].hint == "try again later, or raise `--timeout`, `--retries` or `--retry-time`"


# -- the cut-off, from the server's clock ----------------------------------------------------------


def _churning(api: FakeLiveTex) -> list[int]:
    created: list[int] = []
    api.between_pages(lambda server, page: created.append(server.add_lead()["id"]))
    return created


@pytest.mark.parametrize("skew", [-10.0, 8.0])
def test_the_cut_off_comes_from_the_servers_clock(skew: float) -> None:
    """Client 10 s ahead: leads created during the run were returned. Server 8 s ahead:
    leads that existed were missed."""
    with FakeLiveTex(DATA, clock_skew=skew) as api:
        before = api.now()
        recent = api.add_lead(created_at=(before - timedelta(seconds=7)).isoformat(timespec="seconds"))
        created = _churning(api)
        with client(api, page_size=50) as c:
            run = c.leads("")
            got = ids(list(run))
    assert created and not set(created) & set(got)  # created during the run: not returned
    assert recent["id"] in got  # existed 7 s before the run: returned
    assert got == [*ids(DATA), recent["id"]]
    assert run.cutoff is not None and run.cutoff == run.stats.cutoff
    server_seconds = (run.cutoff.replace(tzinfo=None) - before).total_seconds()
    assert -6 <= server_seconds <= -4  # the server's Date at the first answer, less 5 s


def test_without_a_date_header_the_client_clock_is_used_and_said() -> None:
    with FakeLiveTex(DATA, dated=False) as api, client(api) as c:
        run = c.leads("site = 1")
        assert ids(list(run)) == ids(expected("site = 1", DATA))
    (d,) = run.diagnostics
    assert d.code == "W802"
    assert "has no usable `Date` header, so the run's cut-off is the client's clock" in d.message


def test_a_later_run_fetches_what_is_new_after_the_cut_off() -> None:
    with FakeLiveTex(DATA[:100]) as api, client(api) as c:
        first = c.leads("")
        assert ids(list(first)) == ids(DATA[:100])
        assert first.cutoff is not None
        stamp = first.cutoff.replace(tzinfo=None)
        late = api.add_lead(created_at=(stamp + timedelta(seconds=1)).isoformat(timespec="seconds"))
        api.add_lead(created_at=stamp.isoformat(timespec="seconds"))  # at the cut-off: the first run's
        api.clock_skew += 10
        second = c.leads("", after=first.cutoff)
        assert ids(list(second)) == [late["id"]]
        assert second.cutoff is not None and second.cutoff > first.cutoff
        # the first page asks from the second after the cut-off on (its end is not known yet)
        q = [r.params["q"] for r in api.requests][-1]
        assert q == f"created_at>={(stamp + timedelta(seconds=1)).isoformat(timespec='seconds')}"


# -- Ctrl-C ----------------------------------------------------------------------------------------

_INTERRUPTED = """
import sys, time, leadq
client = leadq.Client("test-token", base_url=sys.argv[1], page_size=10, retries=50, retry_time=600)
start = None
try:
    print("started", flush=True)
    for lead in client.leads("type = form or result = missed"):
        pass
except KeyboardInterrupt:
    start = time.monotonic()
    client.close()
    print(f"stopped {time.monotonic() - start:.3f}", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process is POSIX")
def test_ctrl_c_cancels_a_run_of_the_library_at_once(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(_INTERRUPTED))
    with FakeLiveTex(DATA) as api:
        api.slow(30, times=100)
        p = subprocess.Popen([sys.executable, str(script), api.url], stdout=subprocess.PIPE, text=True)
        assert p.stdout is not None and p.stdout.readline() == "started\n"
        deadline = time.monotonic() + 30
        while len(api.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        sent = time.monotonic()
        os.kill(p.pid, signal.SIGINT)
        out, _ = p.communicate(timeout=30)
        took = time.monotonic() - sent
        api.faults.clear()
    assert p.returncode == 0
    assert out.startswith("stopped ") and float(out.split()[1]) < 0.5
    assert took < 1.5


def test_cancelling_an_async_run_cancels_its_requests() -> None:
    with FakeLiveTex(DATA) as api:
        api.slow(30, times=100)

        async def main() -> float:
            async with leadq.AsyncClient("test-token", base_url=api.url, page_size=10) as c:

                async def consume() -> list[Any]:
                    return [lead async for lead in c.leads("type = form or result = missed")]

                task = asyncio.create_task(consume())
                while len(api.requests) < 2:
                    await asyncio.sleep(0.02)
                start = time.monotonic()
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                took = time.monotonic() - start
                return took

        assert asyncio.run(main()) < 0.5
        api.faults.clear()


def test_a_run_left_early_stops_its_requests() -> None:
    with FakeLiveTex(DATA) as api, client(api, page_size=10) as c:
        run = c.leads("type = form or result = missed")
        first = next(run)
        api.slow(30, times=100)
        start = time.monotonic()
        run.close()
        assert time.monotonic() - start < 0.5
        assert first["id"] == 1
        api.faults.clear()
        assert len(list(c.leads("site = 1"))) == len(expected("site = 1", DATA))  # the client goes on
