"""`leadq probe` against the fake API: the faithful fake holds every question, and each
deviation (`FakeLiveTex(deviations=...)`) is named by the question it contradicts.

The probe is tried as a user runs it: the console script in a subprocess against `leadq
fake-server` and against `FakeLiveTex` on 127.0.0.1; the many deviations run the same
`main()` in this process, which is many times quicker.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from test_cli import leadq_cmd
from test_cli import run as in_process

from leadq.core.datetimes import moscow
from leadq.testing import DEVIATIONS, FakeLiveTex, generate_leads

ROOT = Path(__file__).resolve().parent.parent
ENV = {"LIVETEX_TOKEN": "test-token"}
posix = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")


def recent(count: int = 120, seed: int = 3) -> list[dict[str, Any]]:
    """Leads up to three minutes ago: an account that gets leads."""
    return generate_leads(count, seed=seed, end=datetime.now(moscow()) - timedelta(minutes=3))


def _env(env: dict[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("LIVETEX_")}, **env}


def probe_cli(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*leadq_cmd(), "probe", "--base-url", url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(ENV if env is None else env),
    )


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Any:
    """`leadq probe --base-url URL ARGS` through `main()` in this process: (status, stdout, stderr)."""

    def run(url: str, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str, str]:
        for name in [k for k in os.environ if k.startswith("LIVETEX_")]:
            monkeypatch.delenv(name)
        for name, value in (ENV if env is None else env).items():
            monkeypatch.setenv(name, value)
        base = ["--base-url", url] if url else []
        r = in_process("probe", *base, *args, cwd=cwd)
        return r.returncode, r.stdout, r.stderr

    return run


def outcomes(report: dict[str, Any], outcome: str) -> list[str]:
    return [f["id"] for f in report["findings"] if f["outcome"] == outcome]


def check_requests(api: FakeLiveTex) -> None:
    """What the probe may send: at most 30 list requests, GET or POST to the list path,
    `limit` at most 2 but on one id."""
    seen = [r for r in api.requests if r.path != "/oauth2/token"]
    assert 0 < len(seen) <= 30
    for r in seen:
        assert r.method in ("GET", "POST") and r.path == "/leads/list", r
        limit = int(r.params["limit"])
        assert limit <= 2 or re.fullmatch(r"ids=\d+", r.params.get("q", "")), r


# -- the faithful fake -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def account() -> Any:
    """One fake account for the tests that change only its deviations (a server takes
    half a second to stop)."""
    with FakeLiveTex(recent(), lifetime=300) as api:
        yield api


@pytest.fixture
def api(account: FakeLiveTex) -> Any:
    """The shared account, as it was after each test."""
    leads, users = account.leads, dict(account.users)
    account.requests.clear()
    yield account
    account.deviations = ()
    account.faults.clear()
    account.leads, account.users = leads, users
    account.clock_skew, account.dated = 0.0, True


def test_the_faithful_fake_holds_every_question_through_the_console_script(api: FakeLiveTex) -> None:
    r = probe_cli(api.url, "--role", "admin", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    jsonschema.validate(report, _schema())
    assert outcomes(report, "holds") == [f["id"] for f in report["findings"]]
    assert report["counts"] == {"holds": len(report["findings"]), "contradicted": 0, "could not tell": 0}
    assert report["requests"]["asked"] == len([s for s in api.requests if s.path == "/leads/list"]) <= 30
    check_requests(api)


def test_the_text_report(api: FakeLiveTex, probe: Any) -> None:
    from leadq.client._questions import QUESTIONS

    code, out, _ = probe(api.url, "--role", "admin")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith(f"leadq probe: Leads.list at {api.url}/leads/list (POST, token")
    for q in QUESTIONS:
        assert any(re.match(rf"holds +{re.escape(q.id)} ", line) for line in lines), q.id
    assert f"{len(QUESTIONS)} hold, 0 contradicted, 0 could not tell." in out
    api.deviations = {"ignores-ge"}
    code, out, _ = probe(api.url, "--role", "admin")
    assert code == 1
    block = out[out.index("contradicted    ge ") :].split("\ncould not tell")[0].split("\nholds")[0]
    assert re.fullmatch(
        r"contradicted    ge               `created_at>=\S+` brought lead \d+ \(\S+\), before \S+\n"
        r" {16}leadq assumes: `created_at>=X` is honoured: .*\n"
        r" {16}sent: POST /leads/list\?q=created_at>=\S+&sort=created_at:a&limit=2&fields=id,created_at,text,"
        r"entry_page,assigned_to\n"
        r" {18}HTTP 200: total \d+; 2 results: id 1 \(\S+\), id 2 \(\S+\)\n"
        r" {16}hint: every page of leadq fetch is bounded so: please report this \(docs/probe.md, How to report\)\n"
        r" {16}see: docs/probe.md#ge",
        block,
    ), block


def _schema() -> dict[str, Any]:
    from leadq.client._probe import REPORT_SCHEMA

    return REPORT_SCHEMA


@pytest.mark.long
def test_the_fake_server_command_with_and_without_a_deviation() -> None:
    """`leadq fake-server` in a subprocess, its generated leads of 2024 (no recent ones),
    and the probe in another: exit 0 where what could be asked holds; a server that
    refuses POST is named, with the setting to change."""
    for deviation, status in ((None, 0), ("refuses-post", 1)):
        command = [*leadq_cmd(), "fake-server", "--port", "0", "--leads", "60", "--lifetime", "60"]
        command += ["--deviation", deviation] if deviation else []
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            assert ("deviating: refuses-post" in line) == bool(deviation), line
            url = line.split(" at ")[1].split(" ")[0]
            r = probe_cli(url)
        finally:
            server.terminate()
            server.wait(timeout=10)
        assert r.returncode == status, r.stdout + r.stderr
        lines = r.stdout.splitlines()
        if deviation is None:
            unknown = [line.split()[3] for line in lines if line.startswith("could not tell")]
            # leads of 2024 only: no recent lead to read the clock or a week by; admin or own leads?
            assert unknown == ["datetime-zone", "text-hidden", "lastweek"], r.stdout
            assert not any(line.startswith("contradicted") for line in lines)
        else:
            contradicted = [line.split()[1] for line in lines if line.startswith("contradicted")]
            assert contradicted == ["http-method"], r.stdout
            assert "hint: set --http-method GET (or LIVETEX_HTTP_METHOD=GET" in r.stdout
            assert "sent: POST /leads/list?limit=1\n" in r.stdout and "HTTP 405" in r.stdout


# -- each deviation is named --------------------------------------------------------------------------

#: What each deviation contradicts, and what it leaves the probe unable to tell.
NAMED: dict[str, tuple[list[str], list[str]]] = {
    "refuses-post": (["http-method"], []),
    "refuses-get": ([], []),
    "plus-literal": (["conjunction", "space-encoding"], ["date-bound", "value-space", "non-ascii", "enter-page"]),
    "ignores-fields": (["fields"], []),
    "ignores-sort": (["sort-desc"], []),
    "refuses-desc": (["sort-desc"], []),
    "caps-pages": (["page-size"], []),
    "total-is-page": (["total"], []),
    "utc-datetimes": (["datetime-format"], []),
    "spaced-datetimes": (["datetime-format"], []),
    "ignores-offset": (["offset"], []),
    "refuses-comma-lists": (["ids-list"], []),
    "limit-below-max": (["limit-max"], []),
    "limit-unbounded": (["limit-over"], []),
    "ignores-ge": (["ge"], ["date-bound", "lastweek"]),
    "ignores-le": (["le"], ["date-bound"]),
    "whole-day-dates": (["date-bound"], []),
    "or-terms": (["conjunction"], ["space-encoding", "date-bound", "value-space", "non-ascii", "enter-page"]),
    "splits-words": (["value-space"], []),
    "mangles-non-ascii": (["non-ascii"], []),
    "reads-entry-page": (["enter-page"], []),
    "hides-text": (["text-hidden"], ["value-space", "non-ascii"]),
    "calendar-weeks": (["lastweek"], []),
}


def test_every_deviation_is_in_the_table() -> None:
    # the two of what a managed role sees: test_a_managed_role_sees_its_own_leads_text_only
    assert set(NAMED) | {"shows-text", "null-text"} == set(DEVIATIONS)


@pytest.mark.parametrize("deviation", sorted(NAMED))
def test_each_deviation_is_named(api: FakeLiveTex, probe: Any, deviation: str) -> None:
    contradicted, unknown = NAMED[deviation]
    api.deviations = {deviation}
    code, out, err = probe(api.url, "--role", "admin", "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, _schema())
    check_requests(api)
    assert (outcomes(report, "contradicted"), outcomes(report, "could not tell")) == (contradicted, unknown)
    assert code == (1 if contradicted else 0), err
    for f in report["findings"]:
        if f["outcome"] == "contradicted":
            assert f["hint"]
            assert f["exchanges"] or f["id"] in ("datetime-format", "text-hidden"), f
            assert f["docs"] == f"docs/probe.md#{f['id']}"


def test_a_clock_hours_off_contradicts_the_moscow_time_of_datetimes(api: FakeLiveTex, probe: Any) -> None:
    api.clock_skew = -2 * 3600
    code, out, _ = probe(api.url, "--role", "admin", "--format", "json")
    report = json.loads(out)
    assert outcomes(report, "contradicted") == ["datetime-zone"] and code == 1
    finding = next(f for f in report["findings"] if f["id"] == "datetime-zone")
    assert "min after the API's clock read in Moscow time" in finding["detail"]
    api.clock_skew, api.dated = 0.0, False
    code, out, _ = probe(api.url, "--role", "admin", "--format", "json")
    report = json.loads(out)
    assert outcomes(report, "could not tell") == ["datetime-zone", "lastweek"] and code == 0


def test_a_managed_role_sees_its_own_leads_text_only(api: FakeLiveTex, probe: Any) -> None:
    """An operator's account (the password grant): the text of others' leads is hidden,
    as assumed; the fake refuses a managed role's search of text (the real server's answer
    is not known), so the questions on text values could not tell."""
    api.users[("op@example.com", "secret")] = "operator"
    env = {"LIVETEX_USERNAME": "op@example.com", "LIVETEX_PASSWORD": "secret"}
    for role in ("operator", None):
        code, out, _ = probe(api.url, "--format", "json", *(("--role", role) if role else ()), env=env)
        report = json.loads(out)
        assert report["auth"] == "password grant's token" and report["role"] == role
        assert outcomes(report, "contradicted") == [] and code == 0
        assert outcomes(report, "could not tell") == ["value-space", "non-ascii"]
        text = next(f for f in report["findings"] if f["id"] == "text-hidden")
        assert text["outcome"] == "holds" and "without `text`" in text["detail"]
        value = next(f for f in report["findings"] if f["id"] == "value-space")
        assert "HTTP 403" in value["detail"]
    # a server that shows every lead's text to an operator is named
    api.deviations = {"shows-text"}
    code, out, _ = probe(api.url, "--format", "json", "--role", "operator", env=env)
    report = json.loads(out)
    assert outcomes(report, "contradicted") == ["text-hidden"] and code == 1
    # one that sends it as null cannot be told from leads without text
    api.deviations = {"null-text"}
    code, out, _ = probe(api.url, "--format", "json", "--role", "operator", env=env)
    report = json.loads(out)
    assert outcomes(report, "contradicted") == [] and code == 0
    text = next(f for f in report["findings"] if f["id"] == "text-hidden")
    assert text["outcome"] == "could not tell" and "null: hidden, or leads without text" in text["detail"]


def test_an_administrator_without_a_role_given_could_not_tell_the_text(api: FakeLiveTex, probe: Any) -> None:
    code, out, _ = probe(api.url, "--format", "json")
    report = json.loads(out)
    assert outcomes(report, "could not tell") == ["text-hidden"] and code == 0
    assert "give --role to tell" in report["findings"][-2]["detail"]


def test_an_account_without_leads(api: FakeLiveTex, probe: Any) -> None:
    api.leads = []
    code, out, _ = probe(api.url, "--role", "admin", "--format", "json")
    asked = len(api.requests)
    report = json.loads(out)
    assert code == 0 and asked == report["requests"]["asked"]
    assert outcomes(report, "holds") == ["base-url", "credentials", "http-method", "shape"]
    shape = report["findings"][3]
    assert shape["detail"] == "`total` 0 and an empty `results` list: the account has no leads"


# -- settings, stops and exit statuses ----------------------------------------------------------------


def test_the_http_method_and_base_url_are_settings(api: FakeLiveTex, probe: Any, tmp_path: Path) -> None:
    """What the probe recommends, the client is told by a flag, the environment or the
    configuration (docs/fetch.md): the probe sends what they say first."""
    api.deviations = {"refuses-post"}
    (tmp_path / "leadq.toml").write_text(f'base-url = "{api.url}"\nhttp-method = "GET"\n')
    code, out, _ = probe("", "--role", "admin", "--format", "json", cwd=tmp_path)
    report = json.loads(out)
    assert report["http_method"] == {"configured": "GET", "used": "GET"} and report["base_url"] == api.url
    assert outcomes(report, "contradicted") == ["http-method"] and code == 1
    assert api.requests[0].method == "GET"
    code, out, _ = probe(api.url, "--format", "json", env={**ENV, "LIVETEX_HTTP_METHOD": "get"})
    assert json.loads(out)["http_method"]["configured"] == "GET"
    api.deviations = {"refuses-get"}
    code, out, _ = probe(api.url, "--http-method", "GET", "--role", "admin", "--format", "json")
    report = json.loads(out)
    assert report["http_method"] == {"configured": "GET", "used": "POST"} and code == 0
    method = report["findings"][2]
    assert method["outcome"] == "holds" and "unset --http-method" in method["detail"]


def test_what_stops_the_probe_is_exit_status_2(api: FakeLiveTex, probe: Any) -> None:
    code, out, err = probe(api.url, env={"LIVETEX_TOKEN": "wrong"})
    assert code == 2 and err == ""
    assert re.search(r"^contradicted +credentials +the API refuses them: .*HTTP 401", out, re.M)
    assert "hint: check the token" in out
    assert "24 questions not asked, the probe having stopped: http-method, shape," in out
    code, out, _ = probe(api.url + "/v2", "--format", "json")
    report = json.loads(out)
    assert code == 2 and report["stopped"]["kind"] == "settings"
    assert outcomes(report, "contradicted") == ["base-url"] and "--base-url" in report["findings"][0]["hint"]
    api.fail(422, times=2, body='{"message": "q is required"}')  # JSON there, but no list to these requests
    code, out, _ = probe(api.url, "--format", "json")
    report = json.loads(out)
    assert code == 2 and report["stopped"]["kind"] == "settings" and report["requests"]["asked"] == 2
    assert report["findings"][0]["outcome"] == "could not tell" and "HTTP 422: q is required" in out
    code, _, err = probe(api.url, env={})
    assert code == 2 and "give the API token" in err
    code, _, err = probe(api.url, "--role", "opertor")
    assert code == 2 and "did you mean `operator`?" in err
    # a port nobody listens on
    code, out, err = probe("http://127.0.0.1:9", "--retries", "1", "--retry-time", "2", "--format", "json")
    report = json.loads(out)
    assert code == 2 and report["stopped"]["kind"] == "connection"
    assert "E802" in err and "`--retries`" in err
    assert report["findings"][0]["asked"] and not report["findings"][1]["asked"]


def test_a_429_is_retried_as_the_client_does(api: FakeLiveTex, probe: Any) -> None:
    api.fail(429, retry_after=0.1)
    api.fail(503)
    code, out, _ = probe(api.url, "--role", "admin", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["requests"]["sent"] == report["requests"]["asked"] + 2


@posix
def test_ctrl_c_stops_the_probe() -> None:
    with FakeLiveTex(recent(), lifetime=120) as api:
        api.slow(30)
        p = subprocess.Popen(
            [*leadq_cmd(), "probe", "--base-url", api.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(ENV),
        )
        deadline = time.monotonic() + 30
        while not api.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        started = time.monotonic()
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
        assert time.monotonic() - started < 5
    assert p.returncode == 130 and err.strip().endswith("leadq: interrupted")


# -- the table, the runner, the docs ---------------------------------------------------------------------


def test_the_budget_bounds_the_requests(api: FakeLiveTex) -> None:
    import leadq
    from leadq.client._probe import ProbeRun

    with ProbeRun({"token": "test-token", "base_url": api.url}, leadq.LEADS_LIST, budget=6) as run:
        findings = list(run)
    assert len([r for r in api.requests if r.path == "/leads/list"]) == run.report.asked <= 6
    passed = [f for f in findings if "would pass the probe's 6" in f.verdict.detail]
    assert passed and run.report.exit_status == 0


def test_a_question_that_asks_too_many_leads_is_refused(api: FakeLiveTex) -> None:
    import leadq
    from leadq.client._asking import Ask, Question, holds
    from leadq.client._probe import ProbeRun

    greedy = Question("greedy", "", "", "", "", lambda found: [Ask.of({"limit": 50})], lambda f, a: holds(""))
    run = ProbeRun({"token": "test-token", "base_url": api.url}, leadq.LEADS_LIST, questions=[greedy])
    with run, pytest.raises(RuntimeError, match="may not send"):
        list(run)
    assert api.requests == []


def test_questions_that_do_not_apply_to_a_method_say_so() -> None:
    """Any method of the registry can be probed: a question it lacks the means for could
    not tell, and says what is missing; the findings speak of the method's objects."""
    import leadq
    from leadq.client._asking import Answer, Ask, Found
    from leadq.client._probe import Prober, method_path

    schema = leadq.schema("Cities.list")
    found = Found(schema, None, method_path(schema))
    sent: list[Ask] = []

    def send(ask: Ask) -> Answer:  # five cities, `ids=` and `limit` read, any limit taken
        sent.append(ask)
        q = ask.get("q") or ""
        rows = [{"id": i} for i in range(1, 6) if not q or str(i) in q.partition("=")[2].split(",")]
        return Answer(ask, f"{ask.method} {found.path}", 200, {"total": len(rows), "results": rows[: ask.limit]}, "")

    findings = {f.question.id: f.verdict for f in Prober(found, send, base_url="http://x")}
    assert found.path == "/cities/list"
    assert [findings[q].outcome.value for q in ("shape", "page-size", "total", "ids-one", "ids-list")] == ["holds"] * 5
    assert findings["limit-over"].outcome.value == "contradicted"
    assert findings["fields"].detail == "the objects of Cities.list have none of the fields the questions read"
    assert findings["enter-page"].detail == "Cities.list has no `enter_page`"
    assert findings["sort-asc"].detail == "Cities.list has no datetime to sort and bound its results by"
    assert findings["total"].detail == "limit=1 came with `total` 5: every match, not the page"
    assert not any(re.search(r"\blead", v.detail) for v in findings.values()), findings
    assert all(ask.limit is not None and (ask.limit <= 2 or ask.maximum) for ask in sent)


PAGE = ROOT / "docs" / "probe.md"


def generated(page: str) -> str:
    """docs/probe.md with its questions and deviations made from the tables."""
    from leadq.client._probe import questions_markdown
    from leadq.testing._deviations import deviations_markdown

    for marker, text in (("questions", questions_markdown()), ("deviations", deviations_markdown())):
        before, _, rest = page.partition(f"<!-- {marker} -->\n")
        _, _, after = rest.partition(f"<!-- {marker} -->")
        page = f"{before}<!-- {marker} -->\n{text}<!-- {marker} -->{after}"
    return page


def test_the_docs_page_is_made_from_the_tables() -> None:
    """(`python tests/test_probe.py` writes them into the page.)"""
    page = PAGE.read_text(encoding="utf-8")
    assert page.count("<!-- questions -->") == page.count("<!-- deviations -->") == 2
    assert page == generated(page)


def test_every_question_names_where_its_assumption_is_recorded() -> None:
    """Each question's `docs` is an anchor of a docs page (a heading, or an element id),
    and the decisions page links back to the question."""
    from leadq.client._questions import QUESTIONS

    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    for q in QUESTIONS:
        page, _, anchor = q.docs.partition("#")
        assert anchor in _anchors((ROOT / "docs" / page).read_text(encoding="utf-8")), q.docs
        if page == "decisions.md":
            assert f"probe.md#{q.id}" in decisions, q.id


def _anchors(text: str) -> set[str]:
    """The ids of a page: its headings' (as the toc extension makes them) and its elements'."""
    ids = set(re.findall(r'id="([^"]+)"', text))
    for heading in re.findall(r"^#+ (.+)$", text, re.M):
        slug = re.sub(r"[^\w\s-]", "", heading.lower()).strip()
        ids.add(re.sub(r"[\s-]+", "-", slug))
    return ids


if __name__ == "__main__":
    PAGE.write_text(generated(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
